// The duty log's statements (dutylog_store.cpp), written once for both backends on store::Sql.
// The table (duty_log, and on SQLite its FTS5 index duty_log_fts; on PostgreSQL its GIN-indexed
// terms column) is the store's migration 8: it predates the module kit and stays there
// (docs/architecture.md, Storage). Append-only: there is no statement that changes an entry's
// text.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/sql.hpp"
#include "store/types.hpp"
#include "store/writer.hpp"

namespace zhidu::dutylog::db {

// Inserts the entry and its index terms in the same transaction (SQLite: the index row at its end,
// store::Tx::Defer).
Result<store::Id> InsertDutyLogEntry(store::Tx& tx, const store::DutyLogEntry& v);
Result<store::DutyLogEntry> GetDutyLogEntry(store::Sql& sql, store::Id id);
// Newest first: ids below page.after_id (0: from the newest), at most page.limit.
Result<std::vector<store::DutyLogEntry>> ListDutyLog(store::Sql& sql,
                                                     const store::DutyLogFilter& filter,
                                                     store::PageRequest page);
// An alarm entry absorbs `n` more activations, the last at `last_at` (the one counter that
// changes; the text never does). kNotFound when missing.
Result<void> AddDutyLogRepeats(store::Sql& sql, store::Id id, int n, TimePoint last_at);
// AddDutyLogRepeats for many entries (distinct ids) in a few statements (store/sql_batch.hpp;
// alarm ingest, W1). kNotFound when one is missing (the others of its statement are counted: the
// caller's job fails as a whole).
struct Repeats {
  store::Id id = 0;
  int n = 0;
  TimePoint last_at;
};
Result<void> AddDutyLogRepeats(store::Sql& sql, const std::vector<Repeats>& entries);
// The backend's query plan of ListDutyLog(filter), as text (tests prove the index is used).
Result<std::string> ExplainDutyLogSearch(store::Sql& sql, const store::DutyLogFilter& filter);

}  // namespace zhidu::dutylog::db
