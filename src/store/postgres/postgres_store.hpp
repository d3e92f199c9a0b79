// The PostgreSQL backend, for several zhidu processes sharing one database. One write connection
// used by the writer thread, a bounded pool of read connections for everyone else.
//
// Write units run in READ COMMITTED and first take a transaction-scoped advisory lock
// (kJournalLockKey), so that writers in different processes take turns and each reads the
// journal head its predecessor committed: the hash chain never forks. Commits are durable
// (synchronous_commit=on is set on the write connection).
#pragma once

#include <memory>
#include <string>

#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::store {

// Opens the database named by `url` (a libpq URI or key=value string). Does not migrate.
// `pool_size` bounds the read connections; BeginRead waits up to 5 s for a free one.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int pool_size = 8);

// Creates a new, empty database zhidu_test_<random hex> on the server of `url` and returns a
// connection string for it. For tests; the databases are left behind (the cluster is thrown away).
Result<std::string> CreatePostgresTestDatabase(const std::string& url);

// CreatePostgresTestDatabase + OpenPostgresStore. Does not migrate.
Result<std::unique_ptr<Store>> OpenFreshPostgresStoreForTest(const std::string& url);

// Terminates every other session on the database of `url` (pg_terminate_backend), as a server
// restart or a network cut would. For tests of reconnection.
Result<void> TerminatePostgresSessionsForTest(const std::string& url);

}  // namespace zhidu::store
