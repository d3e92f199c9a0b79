// Versioned schema migrations of the SQLite backend: element i is version i+1. Append only;
// a released migration is never edited.
#pragma once

#include <vector>

namespace zhidu::store {

const std::vector<const char*>& SqliteMigrations();

}  // namespace zhidu::store
