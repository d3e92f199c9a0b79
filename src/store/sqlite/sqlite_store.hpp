// The embedded SQLite backend (WAL, synchronous=FULL). One write connection used by the writer
// thread, a pool of read connections for everyone else.
#pragma once

#include <memory>
#include <string>

#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::store {

// Opens (creating if needed) the database file at `path`. Does not migrate. `read_connections`:
// how many idle read connections are kept open for the next BeginRead (more are opened when more
// readers run at once, and closed when returned beyond the limit). 64, the HTTP server's handler
// threads: with 8, a burst of 64 requests opened and closed 56 connections, each loading the
// schema and preparing its statements again — 21 % of the ticket-creation profile at c=64
// (docs/performance.md, session 23). A connection's page cache grows only with what it reads.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, int read_connections = 64);

}  // namespace zhidu::store
