// Versioned schema migrations of the PostgreSQL backend: element i is version i+1. Append only;
// a released migration is never edited. Same tables and meaning as store/sqlite/migrations.cpp:
// timestamps are BIGINT microseconds since the Unix epoch (UTC), hashes BYTEA of 32 bytes.
#pragma once

#include <vector>

namespace zhidu::store {

const std::vector<const char*>& PostgresMigrations();

}  // namespace zhidu::store
