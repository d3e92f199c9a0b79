#include "store/migration.hpp"

#include <algorithm>

namespace zhidu::store {

std::string DialectSql(std::string_view portable, Dialect dialect) {
  struct Token {
    std::string_view from, sqlite, postgres;
  };
  static constexpr Token kTokens[] = {
      {"{{id}}", "INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY"},
      {"{{blob}}", "BLOB", "BYTEA"},
  };
  // A section only one backend runs: {{sqlite}}…{{/sqlite}}, {{postgres}}…{{/postgres}} — what
  // only one backend has (a search index: SQLite's FTS5 table, PostgreSQL's GIN-indexed TEXT[]).
  struct Section {
    std::string_view open, close;
    Dialect dialect;
  };
  static constexpr Section kSections[] = {
      {"{{sqlite}}", "{{/sqlite}}", Dialect::kSqlite},
      {"{{postgres}}", "{{/postgres}}", Dialect::kPostgres},
  };
  std::string out;
  out.reserve(portable.size());
  for (size_t i = 0; i < portable.size();) {
    bool sectioned = false;
    for (const auto& sec : kSections) {
      if (portable.substr(i, sec.open.size()) != sec.open) continue;
      size_t end = portable.find(sec.close, i + sec.open.size());
      if (end == std::string_view::npos) end = portable.size();  // unclosed: to the end
      if (sec.dialect == dialect)
        out += DialectSql(portable.substr(i + sec.open.size(), end - i - sec.open.size()), dialect);
      i = std::min(portable.size(), end + sec.close.size());
      sectioned = true;
      break;
    }
    if (sectioned) continue;
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
