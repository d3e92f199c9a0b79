#include "store/migration.hpp"

namespace zhidu::store {

std::string DialectSql(std::string_view portable, Dialect dialect) {
  struct Token {
    std::string_view from, sqlite, postgres;
  };
  static constexpr Token kTokens[] = {
      {"{{id}}", "INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY"},
      {"{{blob}}", "BLOB", "BYTEA"},
  };
  std::string out;
  out.reserve(portable.size());
  for (size_t i = 0; i < portable.size();) {
    bool replaced = false;
    for (const auto& t : kTokens) {
      if (portable.substr(i, t.from.size()) == t.from) {
        out += dialect == Dialect::kSqlite ? t.sqlite : t.postgres;
        i += t.from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += portable[i++];
  }
  return out;
}

}  // namespace zhidu::store
