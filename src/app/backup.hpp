// zhidu backup / zhidu restore: the SQLite database of a data directory copied out while the
// server runs, and a verified copy put back while it is stopped (docs/operations.md). PostgreSQL
// is backed up with pg_dump and restored with pg_restore (the same document).
#pragma once

#include <filesystem>

namespace zhidu::app {

// Copies DATA/zhidu.db into `out` (must not exist) with SQLite's online backup API, verifies the
// copy's journal chain and prints its size, records and head. Exit 0 done, 1 the copy's journal is
// broken (nothing is left at `out`), 2 usage or operational error.
int Backup(const std::filesystem::path& data_dir, const std::filesystem::path& out);

// Verifies the backup `from`, then makes it DATA/zhidu.db; a database already there is kept beside
// it as zhidu.db.replaced-<UTC time>. Refused while a server (or another zhidu process) holds the
// data directory. Exit 0 done, 1 the backup is broken or not a zhidu database (nothing changed),
// 2 usage or operational error (nothing changed).
int Restore(const std::filesystem::path& data_dir, const std::filesystem::path& from);

}  // namespace zhidu::app
