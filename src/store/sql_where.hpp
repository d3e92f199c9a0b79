// Helpers for statements on store::Sql (store/sql.hpp) that the moved modules share: a WHERE
// clause built from optional filters, time columns of the tables written before the module kit,
// and LIMIT.
//
// The tables of the six modules written before the kit (visits, repairs, rosters, handovers,
// alarms, the duty log) keep "not yet" times as 0, not NULL (`BIGINT NOT NULL DEFAULT 0`), so
// their statements bind SqlMicros, never SqlTime (which gives NULL for the epoch).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql.hpp"

namespace zhidu::store {

// A time as microseconds since the epoch; the epoch ("not yet") is 0.
inline SqlValue SqlMicros(TimePoint t) { return std::int64_t{t.time_since_epoch().count()}; }
// A flag as 0/1 (both backends' BOOLEAN and INTEGER columns accept the text '0'/'1').
inline SqlValue SqlFlag(bool b) { return std::int64_t{b ? 1 : 0}; }
// A LIMIT: a negative limit means none (SQLite's meaning; PostgreSQL refuses a negative LIMIT).
inline SqlValue SqlLimit(int limit) {
  return limit < 0 ? std::numeric_limits<std::int64_t>::max() : std::int64_t{limit};
}

// A PostgreSQL array literal of `items` ({"a","b"}, each element quoted and escaped), bound as
// text and cast in the statement (`?::text[]`). PostgreSQL only (the duty log's search terms).
inline std::string SqlTextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// "WHERE a = ? AND b = ?" with its parameters, built condition by condition. Each condition is
// one `?` expression written in the portable dialect.
class SqlWhere {
 public:
  // Adds `condition` with its one parameter.
  SqlWhere& And(std::string_view condition, SqlValue value) {
    text_ += text_.empty() ? " WHERE " : " AND ";
    text_ += condition;
    params_.push_back(std::move(value));
    return *this;
  }
  // Adds `condition` with several parameters, one per `?` in order ("(name LIKE ? OR phone
  // LIKE ?)").
  SqlWhere& And(std::string_view condition, std::initializer_list<SqlValue> values) {
    text_ += text_.empty() ? " WHERE " : " AND ";
    text_ += condition;
    params_.insert(params_.end(), values);
    return *this;
  }
  // Adds `condition` without a parameter.
  SqlWhere& And(std::string_view condition) {
    text_ += text_.empty() ? " WHERE " : " AND ";
    text_ += condition;
    return *this;
  }
  // Adds `condition` only when `when` (a filter that was given).
  SqlWhere& AndIf(bool when, std::string_view condition, SqlValue value) {
    return when ? And(condition, std::move(value)) : *this;
  }
  const std::string& text() const { return text_; }
  // The WHERE's parameters followed by `more` (ORDER BY … LIMIT ?).
  SqlParams Params(std::initializer_list<SqlValue> more = {}) const {
    SqlParams out = params_;
    out.insert(out.end(), more);
    return out;
  }

 private:
  std::string text_;
  SqlParams params_;
};

}  // namespace zhidu::store
