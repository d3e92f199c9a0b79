// The assessment tables (module migration 3) and their statements, written once for both
// backends on store::Sql (docs/adr/0006-module-storage.md). Numbers that need not be whole (values,
// weights, scores) are stored as text in their shortest exact form; money is BIGINT fen.
#include <charconv>

#include "modules/people/assessment.hpp"

namespace zhidu::people {

std::vector<store::Migration> AssessmentMigrations() {
  return {{3, R"sql(
CREATE TABLE assessment_runs(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  assessment TEXT NOT NULL,
  period TEXT NOT NULL,
  formula TEXT NOT NULL,
  run_by BIGINT NOT NULL,
  run_at BIGINT NOT NULL,
  journal_seq BIGINT NOT NULL DEFAULT 0);
CREATE INDEX assessment_runs_site ON assessment_runs(site_id, id);
CREATE TABLE assessment_scores(
  id {{id}},
  run_id BIGINT NOT NULL REFERENCES assessment_runs(id),
  site_id BIGINT NOT NULL,
  person_id BIGINT NOT NULL,
  score TEXT,
  UNIQUE(run_id, person_id));
CREATE INDEX assessment_scores_person ON assessment_scores(person_id, id);
CREATE TABLE assessment_values(
  id {{id}},
  run_id BIGINT NOT NULL REFERENCES assessment_runs(id),
  person_id BIGINT NOT NULL,
  indicator TEXT NOT NULL,
  source TEXT NOT NULL,
  value TEXT,
  weight TEXT,
  record_kind TEXT NOT NULL DEFAULT '',
  records TEXT NOT NULL DEFAULT '',
  clauses TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX assessment_values_run ON assessment_values(run_id, person_id, id);
CREATE TABLE assessment_manager_scores(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  assessment TEXT NOT NULL,
  period TEXT NOT NULL,
  person_id BIGINT NOT NULL,
  indicator TEXT NOT NULL,
  score TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  entered_by BIGINT NOT NULL,
  entered_at BIGINT NOT NULL,
  UNIQUE(site_id, assessment, period, person_id, indicator));
CREATE TABLE assessment_pay_inputs(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  assessment TEXT NOT NULL,
  period TEXT NOT NULL,
  person_id BIGINT NOT NULL,
  input TEXT NOT NULL,
  amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
  entered_by BIGINT NOT NULL,
  entered_at BIGINT NOT NULL,
  UNIQUE(site_id, assessment, period, person_id, input));
CREATE TABLE assessment_closes(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  assessment TEXT NOT NULL,
  period TEXT NOT NULL,
  closed_by BIGINT NOT NULL,
  closed_at BIGINT NOT NULL,
  reopened_by BIGINT NOT NULL DEFAULT 0,
  reopened_at BIGINT NOT NULL DEFAULT 0,
  request_id BIGINT NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX assessment_closes_in_force ON assessment_closes(site_id, assessment, period)
  WHERE reopened_at = 0
)sql"}};
}

namespace {

Result<void> Done(Result<std::int64_t> changed) {
  if (!changed) return Fail(changed.error());
  return Ok();
}

store::SqlValue Num(const std::optional<double>& v) {
  if (!v) return nullptr;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
  (void)ec;
  return std::string(buf, end);
}

std::optional<double> ParseNum(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

std::string JoinIds(const std::vector<Id>& ids) {
  std::string out;
  for (Id id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
  return out;
}

std::vector<Id> SplitIds(const std::string& text) {
  std::vector<Id> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    Id v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) break;
    out.push_back(v);
    p = next;
    while (p < end && *p == ' ') ++p;
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "\n") + s;
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl == std::string::npos ? nl : nl - start));
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
}

constexpr const char* kRunColumns =
    "SELECT id, site_id, assessment, period, formula, run_by, run_at, journal_seq "
    "FROM assessment_runs ";

Run MapRun(const store::SqlRow& r) {
  Run x;
  x.id = r.Int(0);
  x.site_id = r.Int(1);
  x.assessment = r.Text(2);
  x.period = r.Text(3);
  x.formula = r.Text(4);
  x.run_by = r.Int(5);
  x.run_at = r.Time(6);
  x.journal_seq = r.Int(7);
  return x;
}

constexpr const char* kCloseColumns =
    "SELECT id, site_id, assessment, period, closed_by, closed_at, reopened_by, reopened_at, "
    "request_id FROM assessment_closes ";

Close MapClose(const store::SqlRow& r) {
  Close c;
  c.id = r.Int(0);
  c.site_id = r.Int(1);
  c.assessment = r.Text(2);
  c.period = r.Text(3);
  c.closed_by = r.Int(4);
  c.closed_at = r.Time(5);
  c.reopened_by = r.Int(6);
  c.reopened_at = r.Time(7);
  c.request_id = r.Int(8);
  return c;
}

// Fills each score's indicator values (one query per score: runs are one site's subjects).
Result<void> FillValues(store::Sql& sql, std::vector<PersonScore>& scores) {
  for (auto& s : scores) {
    ZHIDU_TRY(s.values,
              sql.Many<IndicatorValue>(
                  "assessment values",
                  "SELECT indicator, source, value, weight, record_kind, records, clauses, note "
                  "FROM assessment_values WHERE run_id=? AND person_id=? ORDER BY id",
                  {s.run_id, s.person_id}, [](const store::SqlRow& r) {
                    IndicatorValue v;
                    v.indicator = r.Text(0);
                    v.source = r.Text(1);
                    v.value = ParseNum(r.Text(2));
                    v.weight = ParseNum(r.Text(3));
                    v.record_kind = r.Text(4);
                    v.records = SplitIds(r.Text(5));
                    v.clauses = SplitLines(r.Text(6));
                    v.note = r.Text(7);
                    return v;
                  }));
  }
  return Ok();
}

PersonScore MapScore(const store::SqlRow& r) {
  PersonScore s;
  s.run_id = r.Int(0);
  s.person_id = r.Int(1);
  s.score = ParseNum(r.Text(2));
  s.assessment = r.Text(3);
  s.period = r.Text(4);
  return s;
}

constexpr const char* kScoreColumns =
    "SELECT s.run_id, s.person_id, s.score, r.assessment, r.period FROM assessment_scores s "
    "JOIN assessment_runs r ON r.id = s.run_id ";

}  // namespace

namespace adb {

Result<Id> InsertRun(store::Sql& sql, const Run& r) {
  return sql.Insert(
      "insert assessment run",
      "INSERT INTO assessment_runs(site_id, assessment, period, formula, run_by, "
      "run_at) VALUES(?,?,?,?,?,?) RETURNING id",
      {r.site_id, r.assessment, r.period, r.formula, r.run_by, store::SqlTime(r.run_at)});
}

Result<void> SetRunSeq(store::Sql& sql, Id run_id, std::int64_t seq) {
  return Done(sql.Exec("set run seq", "UPDATE assessment_runs SET journal_seq=? WHERE id=?",
                       {seq, run_id}));
}

Result<void> InsertScore(store::Sql& sql, const PersonScore& s) {
  ZHIDU_TRY(auto site, sql.One<Id>(
                           "run site", "SELECT site_id FROM assessment_runs WHERE id=?", {s.run_id},
                           [](const store::SqlRow& r) { return r.Int(0); }, "no such run"));
  ZHIDU_TRY(auto id, sql.Insert("insert assessment score",
                                "INSERT INTO assessment_scores(run_id, site_id, person_id, score) "
                                "VALUES(?,?,?,?) RETURNING id",
                                {s.run_id, site, s.person_id, Num(s.score)}));
  (void)id;
  for (const auto& v : s.values) {
    ZHIDU_TRY(auto vid,
              sql.Insert("insert assessment value",
                         "INSERT INTO assessment_values(run_id, person_id, indicator, source, "
                         "value, weight, record_kind, records, clauses, note) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id",
                         {s.run_id, s.person_id, v.indicator, v.source, Num(v.value), Num(v.weight),
                          v.record_kind, JoinIds(v.records), JoinLines(v.clauses), v.note}));
    (void)vid;
  }
  return Ok();
}

Result<std::optional<Run>> GetRun(store::Sql& sql, Id id) {
  ZHIDU_TRY(auto rows, sql.Many<Run>("get assessment run", std::string(kRunColumns) + "WHERE id=?",
                                     {id}, MapRun));
  if (rows.empty()) return std::optional<Run>();
  return std::optional<Run>(std::move(rows.front()));
}

Result<std::vector<Run>> ListRuns(store::Sql& sql, Id site_id, store::PageRequest page) {
  return sql.Many<Run>("list assessment runs",
                       std::string(kRunColumns) + "WHERE site_id=? AND id>? ORDER BY id LIMIT ?",
                       {site_id, page.after_id, std::int64_t{page.limit}}, MapRun);
}

Result<std::vector<PersonScore>> ScoresOfRun(store::Sql& sql, Id run_id, Id person_id) {
  std::string q = std::string(kScoreColumns) + "WHERE s.run_id=?";
  store::SqlParams params{run_id};
  if (person_id) {
    q += " AND s.person_id=?";
    params.push_back(person_id);
  }
  ZHIDU_TRY(auto rows,
            sql.Many<PersonScore>("run scores", q + " ORDER BY s.person_id", params, MapScore));
  ZHIDU_TRY_VOID(FillValues(sql, rows));
  return rows;
}

Result<std::vector<PersonScore>> ScoresOfPerson(store::Sql& sql, Id site_id, Id person_id,
                                                store::PageRequest page) {
  ZHIDU_TRY(auto rows,
            sql.Many<PersonScore>(
                "person scores",
                std::string(kScoreColumns) + "WHERE s.site_id=? AND s.person_id=? AND s.run_id>? "
                                             "ORDER BY s.run_id LIMIT ?",
                {site_id, person_id, page.after_id, std::int64_t{page.limit}}, MapScore));
  ZHIDU_TRY_VOID(FillValues(sql, rows));
  return rows;
}

Result<std::optional<Id>> LatestRun(store::Sql& sql, Id site_id, const std::string& assessment,
                                    const std::string& period) {
  std::optional<Id> out;
  ZHIDU_TRY_VOID(sql.Query("latest run",
                           "SELECT MAX(id) FROM assessment_runs WHERE site_id=? AND assessment=? "
                           "AND period=?",
                           {site_id, assessment, period}, [&](const store::SqlRow& r) {
                             if (r.Int(0)) out = r.Int(0);
                           }));
  return out;
}

Result<std::vector<ManagerScore>> ManagerScores(store::Sql& sql, Id site_id,
                                                const std::string& assessment,
                                                const std::string& period) {
  return sql.Many<ManagerScore>(
      "manager scores",
      "SELECT person_id, indicator, score, comment, id FROM assessment_manager_scores "
      "WHERE site_id=? AND assessment=? AND period=? ORDER BY id",
      {site_id, assessment, period}, [](const store::SqlRow& r) {
        ManagerScore m;
        m.person_id = r.Int(0);
        m.indicator = r.Text(1);
        m.score = ParseNum(r.Text(2)).value_or(0);  // written by PutManagerScore only
        m.comment = r.Text(3);
        m.id = r.Int(4);
        return m;
      });
}

Result<void> PutManagerScore(store::Sql& sql, Id site_id, const std::string& assessment,
                             const std::string& period, const ManagerScore& m, Id by,
                             TimePoint at) {
  return Done(sql.Exec(
      "put manager score",
      "INSERT INTO assessment_manager_scores(site_id, assessment, period, person_id, indicator, "
      "score, comment, entered_by, entered_at) VALUES(?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(site_id, assessment, period, person_id, indicator) DO UPDATE SET "
      "score=excluded.score, comment=excluded.comment, entered_by=excluded.entered_by, "
      "entered_at=excluded.entered_at",
      {site_id, assessment, period, m.person_id, m.indicator, Num(m.score), m.comment, by,
       store::SqlTime(at)}));
}

Result<void> PutPayInput(store::Sql& sql, Id site_id, const std::string& assessment,
                         const std::string& period, Id person_id, const PayInput& in, Id by,
                         TimePoint at) {
  return Done(
      sql.Exec("put pay input",
               "INSERT INTO assessment_pay_inputs(site_id, assessment, period, person_id, input, "
               "amount_fen, entered_by, entered_at) VALUES(?,?,?,?,?,?,?,?) "
               "ON CONFLICT(site_id, assessment, period, person_id, input) DO UPDATE SET "
               "amount_fen=excluded.amount_fen, entered_by=excluded.entered_by, "
               "entered_at=excluded.entered_at",
               {site_id, assessment, period, person_id, in.name, in.fen, by, store::SqlTime(at)}));
}

Result<std::vector<std::pair<Id, PayInput>>> PayInputs(store::Sql& sql, Id site_id,
                                                       const std::string& assessment,
                                                       const std::string& period) {
  return sql.Many<std::pair<Id, PayInput>>(
      "pay inputs",
      "SELECT person_id, input, amount_fen FROM assessment_pay_inputs "
      "WHERE site_id=? AND assessment=? AND period=? ORDER BY person_id, id",
      {site_id, assessment, period}, [](const store::SqlRow& r) {
        return std::pair<Id, PayInput>{r.Int(0), PayInput{r.Text(1), r.Int(2)}};
      });
}

Result<std::optional<Close>> OpenClose(store::Sql& sql, Id site_id, const std::string& assessment,
                                       const std::string& period) {
  ZHIDU_TRY(auto rows, sql.Many<Close>("close in force",
                                       std::string(kCloseColumns) +
                                           "WHERE site_id=? AND assessment=? AND period=? "
                                           "AND reopened_at=0",
                                       {site_id, assessment, period}, MapClose));
  if (rows.empty()) return std::optional<Close>();
  return std::optional<Close>(std::move(rows.front()));
}

Result<Id> InsertClose(store::Sql& sql, const Close& c) {
  return sql.Insert("insert close",
                    "INSERT INTO assessment_closes(site_id, assessment, period, closed_by, "
                    "closed_at) VALUES(?,?,?,?,?) RETURNING id",
                    {c.site_id, c.assessment, c.period, c.closed_by, store::SqlTime(c.closed_at)});
}

Result<std::optional<Close>> GetClose(store::Sql& sql, Id id) {
  ZHIDU_TRY(auto rows, sql.Many<Close>("get close", std::string(kCloseColumns) + "WHERE id=?", {id},
                                       MapClose));
  if (rows.empty()) return std::optional<Close>();
  return std::optional<Close>(std::move(rows.front()));
}

Result<void> MarkReopened(store::Sql& sql, Id close_id, Id by, TimePoint at, Id request_id) {
  return Done(sql.Exec("reopen",
                       "UPDATE assessment_closes SET reopened_by=?, reopened_at=?, request_id=? "
                       "WHERE id=? AND reopened_at=0",
                       {by, store::SqlTime(at), request_id, close_id}));
}

}  // namespace adb

}  // namespace zhidu::people
