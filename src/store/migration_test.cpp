// DialectSql: the portable tokens and the sections only one backend runs.
#include "store/migration.hpp"

#include <gtest/gtest.h>

namespace zhidu::store {
namespace {

TEST(DialectSql, TokensBecomeEachBackendsTypes) {
  EXPECT_EQ(DialectSql("CREATE TABLE t(id {{id}}, b {{blob}})", Dialect::kSqlite),
            "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)");
  EXPECT_EQ(DialectSql("CREATE TABLE t(id {{id}}, b {{blob}})", Dialect::kPostgres),
            "CREATE TABLE t(id BIGSERIAL PRIMARY KEY, b BYTEA)");
}

TEST(DialectSql, ASectionIsKeptForItsBackendOnly) {
  const char* portable =
      "CREATE TABLE t(id {{id}});\n"
      "{{sqlite}}CREATE VIRTUAL TABLE t_fts USING fts5(bi){{/sqlite}}"
      "{{postgres}}ALTER TABLE t ADD COLUMN terms TEXT[];CREATE INDEX t_terms ON t USING GIN(terms)"
      "{{/postgres}};\nCREATE INDEX t_id ON t(id)";
  EXPECT_EQ(DialectSql(portable, Dialect::kSqlite),
            "CREATE TABLE t(id INTEGER PRIMARY KEY);\n"
            "CREATE VIRTUAL TABLE t_fts USING fts5(bi);\nCREATE INDEX t_id ON t(id)");
  EXPECT_EQ(DialectSql(portable, Dialect::kPostgres),
            "CREATE TABLE t(id BIGSERIAL PRIMARY KEY);\n"
            "ALTER TABLE t ADD COLUMN terms TEXT[];CREATE INDEX t_terms ON t USING GIN(terms);\n"
            "CREATE INDEX t_id ON t(id)");
  // Tokens inside a section are replaced too.
  EXPECT_EQ(DialectSql("{{postgres}}x {{id}}{{/postgres}}", Dialect::kPostgres),
            "x BIGSERIAL PRIMARY KEY");
  EXPECT_EQ(DialectSql("{{postgres}}x {{id}}{{/postgres}}", Dialect::kSqlite), "");
}

}  // namespace
}  // namespace zhidu::store
