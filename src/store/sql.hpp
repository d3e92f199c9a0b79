// Sql: statements written once, run on both backends. A module's storage (src/modules/*/
// *_store.cpp) is written against this interface instead of adding verbs to UnitOfWork, so the
// store does not grow with the domain (docs/adr/0006-module-storage.md).
//
// The portable dialect: `?` placeholders (PostgreSQL gets $1, $2 …), `INSERT … RETURNING id`
// (SQLite ≥ 3.35 and PostgreSQL), times as BIGINT microseconds since the epoch, flags as 0/1,
// references as NULL when absent (SqlRef). Where a backend has a feature the other lacks (the
// duty log's full-text index), the statement branches on dialect(); nothing else differs.
//
// Contracts (as for every verb, store/store.hpp):
//  1. Never throws; unique violations come back as kConflict, other constraint failures as
//     kFailedPrecondition, lost connections as kUnavailable; `what` prefixes the message.
//  2. A statement that fails has no effect and leaves the unit usable (PostgreSQL: a savepoint
//     around each mutating statement, as for the verbs).
//  3. Statements are prepared once per connection and kept (SQLite's statement cache; PostgreSQL:
//     a named prepared statement per distinct text, prepared on a connection at its first use).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "store/migration.hpp"
#include "store/types.hpp"

namespace zhidu::store {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;
using SqlParams = std::vector<SqlValue>;

// A reference: NULL when 0 (no referent).
inline SqlValue SqlRef(Id id) { return id == 0 ? SqlValue(nullptr) : SqlValue(id); }
// A time: microseconds since the epoch; NULL for the epoch ("not yet").
inline SqlValue SqlTime(TimePoint t) {
  return t == TimePoint{} ? SqlValue(nullptr)
                          : SqlValue(std::int64_t{t.time_since_epoch().count()});
}

// One result row; valid only inside the row callback.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual bool IsNull(int col) const = 0;
  virtual std::int64_t Int(int col) const = 0;  // NULL: 0
  virtual std::string Text(int col) const = 0;  // NULL: ""
  TimePoint Time(int col) const { return TimePoint(Micros(Int(col))); }
  bool Flag(int col) const { return Int(col) != 0; }
};

class Sql {
 public:
  virtual ~Sql() = default;
  // The backend, for the few statements that cannot be written once (the duty log's search
  // index: SQLite FTS5, PostgreSQL a GIN-indexed array). Everything else must not branch on it.
  virtual Dialect dialect() const = 0;
  // A statement that changes rows; returns how many it changed.
  virtual Result<std::int64_t> Exec(std::string_view what, std::string_view sql,
                                    const SqlParams& params) = 0;
  // A statement that returns rows (a SELECT, or a change with RETURNING); `row` sees each one.
  virtual Result<void> Query(std::string_view what, std::string_view sql, const SqlParams& params,
                             const std::function<void(const SqlRow&)>& row) = 0;

  // `INSERT … RETURNING id`: the new row's id. SQLite overrides it: a statement ending in
  // `RETURNING id` runs without it and the id is sqlite3_last_insert_rowid (SQLite buffers
  // RETURNING rows in an ephemeral table per statement, a cost W1 measured).
  virtual Result<Id> Insert(std::string_view what, std::string_view sql, const SqlParams& params) {
    Id id = 0;
    ZHIDU_TRY_VOID(Query(what, sql, params, [&](const SqlRow& r) { id = r.Int(0); }));
    if (id == 0) return Fail(Errc::kInternal, std::string(what) + ": the insert returned no id");
    return id;
  }
  // The first row mapped by `map`, or kNotFound with `not_found`.
  template <class T, class Map>
  Result<T> One(std::string_view what, std::string_view sql, const SqlParams& params, Map map,
                std::string not_found) {
    std::optional<T> out;
    ZHIDU_TRY_VOID(Query(what, sql, params, [&](const SqlRow& r) {
      if (!out) out = map(r);
    }));
    if (!out) return Fail(Errc::kNotFound, std::move(not_found));
    return std::move(*out);
  }
  // Every row mapped by `map`.
  template <class T, class Map>
  Result<std::vector<T>> Many(std::string_view what, std::string_view sql, const SqlParams& params,
                              Map map) {
    std::vector<T> out;
    ZHIDU_TRY_VOID(Query(what, sql, params, [&](const SqlRow& r) { out.push_back(map(r)); }));
    return out;
  }
};

}  // namespace zhidu::store
