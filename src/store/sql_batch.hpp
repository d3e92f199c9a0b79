// SqlRows: one statement over many rows (`INSERT … VALUES (…),(…)`, `UPDATE … FROM (VALUES …)`,
// `WHERE (…) OR (…)`) with a bounded set of texts, so that each is prepared once per connection
// (store/sql.hpp contract 3) however many rows a caller has. Alarm ingest (W1, docs/alarms.md)
// writes a request's rows with it: a few statements per request instead of several per event —
// on PostgreSQL each statement is a network round trip (and a savepoint).
//
// A batch of n rows is split greedily into statements of 64, 16, 4 and 1 rows (ForChunks); a
// lookup, where repeating a row changes nothing, takes the smallest text that holds what is left
// and repeats its last row (ForPadded).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>

#include "base/result.hpp"

namespace zhidu::store {

class SqlRows {
 public:
  static constexpr std::array<size_t, 4> kRows = {64, 16, 4, 1};

  // `row` is one row's text ("(?,?)"); rows are joined with `separator` (", " or " OR ").
  SqlRows(const std::string& head, const std::string& row, const std::string& tail,
          const std::string& separator = ",") {
    for (size_t i = 0; i < kRows.size(); ++i) {
      std::string text = head;
      for (size_t r = 0; r < kRows[i]; ++r) text += (r ? separator : std::string()) + row;
      texts_[i] = text + tail;
    }
  }

  // `run(text, first, rows)` for consecutive slices of [0, total) of 64, 16, 4 or 1 rows.
  template <class Run>
  Result<void> ForChunks(size_t total, Run&& run) const {
    for (size_t first = 0; first < total;) {
      size_t i = 0;
      while (kRows[i] > total - first) ++i;
      ZHIDU_TRY_VOID(run(texts_[i], first, kRows[i]));
      first += kRows[i];
    }
    return Ok();
  }

  // `run(text, first, rows, slots)` for slices of at most 64 rows; the text has `slots` ≥ rows
  // rows, and the caller fills the extra ones by repeating the slice's last row.
  template <class Run>
  Result<void> ForPadded(size_t total, Run&& run) const {
    for (size_t first = 0; first < total;) {
      const size_t left = total - first;
      size_t i = kRows.size() - 1;
      while (i > 0 && kRows[i] < left) --i;
      const size_t rows = std::min(left, kRows[i]);
      ZHIDU_TRY_VOID(run(texts_[i], first, rows, kRows[i]));
      first += rows;
    }
    return Ok();
  }

 private:
  std::array<std::string, kRows.size()> texts_;
};

}  // namespace zhidu::store
