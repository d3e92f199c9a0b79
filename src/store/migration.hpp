// Versioned schema changes of a module's own tables (api/module.hpp). The store applies a
// module's pending migrations in version order at start, each in its own transaction with its
// row in `module_migrations` (module, version), after the store's own migrations.
#pragma once

#include <string>
#include <string_view>

namespace zhidu::store {

struct Migration {
  int version = 0;   // 1, 2, 3 … per module, never reused or edited once shipped
  std::string sql;   // portable DDL (store/sql.hpp: PortableSql), statements separated by ';'
};

enum class Dialect { kSqlite, kPostgres };

// The DDL of `portable` for `dialect`: `{{id}}` becomes the auto-increment primary key
// (SQLite "INTEGER PRIMARY KEY", PostgreSQL "BIGSERIAL PRIMARY KEY") and `{{blob}}` the byte
// type (BLOB, BYTEA). Everything else is shared SQL: TEXT, BIGINT (times are microseconds since
// the epoch, flags 0/1), CHECK, UNIQUE, REFERENCES, CREATE INDEX.
std::string DialectSql(std::string_view portable, Dialect dialect);

}  // namespace zhidu::store
