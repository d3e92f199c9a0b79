// The duty log (值班记录): its statements, written once on store::Sql. The search index is the one
// place where the backends differ (sql.dialect()): SQLite keeps the terms in an FTS5 table
// (duty_log_fts, rowid = duty_log.id: bigram phrases and tokens), PostgreSQL in a GIN-indexed
// TEXT[] column of the row (terms), rechecked with strpos because the array keeps no positions.
// Times are microseconds; "not yet" is 0 (NOT NULL DEFAULT 0 columns).
#include "modules/dutylog/dutylog_store.hpp"

#include <algorithm>
#include <limits>

#include "store/sql_batch.hpp"
#include "store/sql_where.hpp"
#include "store/text_search.hpp"

namespace zhidu::dutylog::db {
namespace {

using store::Dialect;
using store::DutyLogEntry;
using store::DutyLogFilter;
using store::DutyLogQuery;
using store::Id;
using store::SqlMicros;
using store::SqlRow;

#define ZHIDU_DUTY_LOG_COLUMNS                                                                 \
  "id, site_id, post_id, kind, text, author, author_person, at, corrects, ref, repeat_count, " \
  "last_at, occurred_at"

DutyLogEntry Map(const SqlRow& s) {
  DutyLogEntry v;
  v.id = s.Int(0);
  v.site_id = s.Int(1);
  v.post_id = s.Int(2);
  v.kind = s.Text(3);
  v.text = s.Text(4);
  v.author = s.Int(5);
  v.author_person = s.Int(6);
  v.at = s.Time(7);
  v.corrects = s.Int(8);
  v.ref = s.Text(9);
  v.repeat_count = static_cast<int>(s.Int(10));
  v.last_at = s.Time(11);
  v.occurred_at = s.Time(12);
  return v;
}

struct Statement {
  std::string sql;
  store::SqlParams params;
};

// The filters every list applies (site, post, kind, [from, before)).
void Filters(store::SqlWhere& where, const DutyLogFilter& f) {
  where.AndIf(f.site_id != 0, "site_id=?", f.site_id)
      .AndIf(f.post_id != 0, "post_id=?", f.post_id)
      .AndIf(!f.kind.empty(), "kind=?", f.kind)
      .And("at>=?", SqlMicros(f.from.value_or(TimePoint::min())))
      .And("at<?", SqlMicros(f.before.value_or(TimePoint::max())));
}

Statement ListStatement(Dialect dialect, const DutyLogFilter& f, store::PageRequest page) {
  store::SqlWhere where;
  const store::SqlValue limit = store::SqlLimit(page.limit);
  if (f.query.empty()) {
    Filters(where, f);
    where.AndIf(page.after_id != 0, "id<?", page.after_id);
    return {"SELECT " ZHIDU_DUTY_LOG_COLUMNS " FROM duty_log" + where.text() +
                " ORDER BY id DESC LIMIT ?",
            where.Params({limit})};
  }
  if (dialect == Dialect::kSqlite) {
    // The index drives: its matches newest first (FTS5 reads the doclist backwards and takes the
    // cursor as a rowid bound), each joined to its entry and filtered, until the page is full.
    // `id IN (SELECT rowid … MATCH)` materialised every match before the first row — for a
    // frequent bigram hundreds of thousands (docs/performance.md, Profiles: W4).
    where.And("duty_log_fts MATCH ?", store::Fts5Match(f.query))
        .And("duty_log_fts.rowid<?",
             page.after_id != 0 ? page.after_id : std::numeric_limits<std::int64_t>::max());
    Filters(where, f);
    return {"SELECT " ZHIDU_DUTY_LOG_COLUMNS
            " FROM duty_log_fts JOIN duty_log ON duty_log.id=duty_log_fts.rowid" +
                where.text() + " ORDER BY duty_log_fts.rowid DESC LIMIT ?",
            where.Params({limit})};
  }
  // PostgreSQL: every index term present (GIN), then the query's terms rechecked as substrings.
  Filters(where, f);
  where.AndIf(page.after_id != 0, "id<?", page.after_id)
      .And("terms @> ?::text[]", store::SqlTextArray(store::ArrayTermsOf(f.query)))
      .And("NOT EXISTS (SELECT 1 FROM unnest(?::text[]) q(t) WHERE strpos(lower(text), q.t)=0)",
           store::SqlTextArray(f.query.terms));
  return {"SELECT " ZHIDU_DUTY_LOG_COLUMNS " FROM duty_log" + where.text() +
              " ORDER BY id DESC LIMIT ?",
          where.Params({limit})};
}

// The SQLite search index row of entry `id`.
Result<void> IndexEntry(store::Sql& sql, Id id, const store::Fts5Row& row) {
  ZHIDU_TRY(auto added, sql.Exec("index duty log entry",
                                 "INSERT INTO duty_log_fts(rowid, bi, uni) VALUES(?,?,?)",
                                 {id, row.bi, row.uni}));
  (void)added;
  return Ok();
}

}  // namespace

Result<Id> InsertDutyLogEntry(store::Tx& tx, const DutyLogEntry& v) {
  auto& sql = tx.unit().sql();
  if (sql.dialect() == Dialect::kPostgres) {
    auto terms = store::ArrayTermsOf(store::TextTerms{v.index_bigrams, v.index_tokens});
    return sql.Insert(
        "insert duty log entry",
        "INSERT INTO duty_log(site_id, post_id, kind, text, author, author_person, at, corrects, "
        "ref, repeat_count, last_at, occurred_at, terms) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?::text[]) RETURNING id",
        {v.site_id, v.post_id, v.kind, v.text, v.author, v.author_person, SqlMicros(v.at),
         v.corrects, v.ref, std::int64_t{v.repeat_count}, SqlMicros(v.last_at),
         SqlMicros(v.occurred_at), store::SqlTextArray(terms)});
  }
  ZHIDU_TRY(Id id, sql.Insert("insert duty log entry",
                              "INSERT INTO duty_log(site_id, post_id, kind, text, author, "
                              "author_person, at, corrects, ref, repeat_count, last_at, "
                              "occurred_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                              {v.site_id, v.post_id, v.kind, v.text, v.author, v.author_person,
                               SqlMicros(v.at), v.corrects, v.ref, std::int64_t{v.repeat_count},
                               SqlMicros(v.last_at), SqlMicros(v.occurred_at)}));
  // The index row at the end of the transaction (store::Tx::Defer): written here, the FTS5 table
  // would write its pending terms out at every later savepoint and journal statement.
  ZHIDU_TRY_VOID(
      tx.Defer([id, row = store::Fts5ColumnsOf({v.index_bigrams, v.index_tokens})](
                   store::UnitOfWork& unit) { return IndexEntry(unit.sql(), id, row); }));
  return id;
}

Result<DutyLogEntry> GetDutyLogEntry(store::Sql& sql, Id id) {
  return sql.One<DutyLogEntry>("get duty log entry",
                               "SELECT " ZHIDU_DUTY_LOG_COLUMNS " FROM duty_log WHERE id=?", {id},
                               Map, "duty log entry " + std::to_string(id) + " does not exist");
}

Result<std::vector<DutyLogEntry>> ListDutyLog(store::Sql& sql, const DutyLogFilter& f,
                                              store::PageRequest page) {
  Statement s = ListStatement(sql.dialect(), f, page);
  return sql.Many<DutyLogEntry>(f.query.empty() ? "list duty log" : "search duty log", s.sql,
                                s.params, Map);
}

Result<void> AddDutyLogRepeats(store::Sql& sql, Id id, int n, TimePoint last_at) {
  // The larger of two values: max() on SQLite, greatest() on PostgreSQL.
  const char* text =
      sql.dialect() == Dialect::kSqlite
          ? "UPDATE duty_log SET repeat_count=repeat_count+?, last_at=max(last_at, ?) WHERE id=?"
          : "UPDATE duty_log SET repeat_count=repeat_count+?, last_at=greatest(last_at, ?) "
            "WHERE id=?";
  ZHIDU_TRY(auto changed,
            sql.Exec("add duty log repeats", text, {std::int64_t{n}, SqlMicros(last_at), id}));
  if (changed != 0) return Ok();
  return Fail(Errc::kNotFound, "duty log entry " + std::to_string(id) + " does not exist");
}

Result<void> AddDutyLogRepeats(store::Sql& sql, const std::vector<Repeats>& entries) {
  // PostgreSQL types a VALUES list's parameters as text: every column is cast.
  static const store::SqlRows kSqlite(
      "UPDATE duty_log SET repeat_count=repeat_count+v.column2, last_at=max(last_at, v.column3) "
      "FROM (VALUES ",
      "(CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS BIGINT))",
      ") AS v WHERE duty_log.id=v.column1");
  static const store::SqlRows kPostgres(
      "UPDATE duty_log SET repeat_count=repeat_count+v.column2, "
      "last_at=greatest(last_at, v.column3) FROM (VALUES ",
      "(CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS BIGINT))",
      ") AS v WHERE duty_log.id=v.column1");
  const store::SqlRows& rows_text = sql.dialect() == Dialect::kSqlite ? kSqlite : kPostgres;
  store::SqlParams params;
  return rows_text.ForChunks(
      entries.size(), [&](const std::string& text, size_t first, size_t rows) -> Result<void> {
        params.clear();
        for (size_t i = first; i < first + rows; ++i)
          params.insert(params.end(),
                        {entries[i].id, std::int64_t{entries[i].n}, SqlMicros(entries[i].last_at)});
        ZHIDU_TRY(auto changed, sql.Exec("add duty log repeats", text, params));
        if (changed == static_cast<std::int64_t>(rows)) return Ok();
        return Fail(Errc::kNotFound, "a duty log entry of the batch does not exist");
      });
}

Result<std::string> ExplainDutyLogSearch(store::Sql& sql, const DutyLogFilter& f) {
  const bool sqlite = sql.dialect() == Dialect::kSqlite;
  Statement s = ListStatement(sql.dialect(), f, store::PageRequest{0, 50});
  std::string plan;
  ZHIDU_TRY_VOID(sql.Query("explain duty log search",
                           (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + s.sql, s.params,
                           [&](const SqlRow& r) { plan += r.Text(sqlite ? 3 : 0) + "\n"; }));
  return plan;
}

}  // namespace zhidu::dutylog::db
