// A consistent copy of a live SQLite database (zhidu backup), made with SQLite's online backup
// API while the server keeps writing: the copy is the database as of one moment (one read
// transaction on the WAL), never a mix of two commits.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"

namespace zhidu::store {

// Copies the database at `from` into a new file `to` (which must not exist), syncs it to disk and
// returns its size in bytes. On failure `to` is removed. `from` is opened read-only: a running
// server is neither blocked nor changed (WAL readers do not block the writer).
Result<std::int64_t> BackupSqliteDatabase(const std::string& from, const std::string& to);

// Makes the database at `path` one self-contained file: checkpoints a WAL beside it into the file,
// switches it to a rollback journal (the server switches back to WAL when it opens it) and syncs
// it, so that it can be renamed or copied alone. Nothing else may have it open.
Result<void> SealSqliteFile(const std::string& path);

}  // namespace zhidu::store
