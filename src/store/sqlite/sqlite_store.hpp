// The embedded SQLite backend (WAL, synchronous=FULL). One write connection used by the writer
// thread, a pool of read connections for everyone else.
#pragma once

#include <memory>
#include <string>

#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::store {

// Opens (creating if needed) the database file at `path`. Does not migrate.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, int read_connections = 8);

}  // namespace zhidu::store
