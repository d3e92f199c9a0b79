// Assessment runs (考核, issue 20 §1) and performance pay with a month close (绩效工资、月度结算,
// issue 20 §2): the pack's assessment schemes evaluated per period for every subject person of a
// site, with the pack's formula and the existing expression engine (policy::Expr).
//
// Invariants:
//  1. Every indicator's value comes from a source of the catalogue: this module's own (kSources,
//     below) and those other modules contribute through api::IndicatorSources (the service
//     module's surveys, tickets, quality reviews, daily statistics), named by the pack's
//     `source:`; a source the catalogue lacks (a record nothing aggregates) is never a silent
//     zero: the run is refused (409 assessment.source_not_computed naming the indicator and why).
//  2. A count source's value is the raw count of its records in the period; the pack's formula is
//     what turns it into a score (R15's `-(w.late_count * late_count)`). No scale is invented.
//  3. Weights are the pack's figure or its site parameter; a run with an unset weight is refused
//     (409 assessment.weight_unset naming the parameters). Nothing has a default.
//  4. A manager's score (`source: manager`) is entered over the API with a comment, inside the
//     site's scale (parameter assessment_manager_scale "MIN,MAX", no default): outside it 400
//     assessment.score_out_of_scale and nothing is written. A subject without one is stored
//     "not computed" (value and score null) with the reason, never scored.
//  5. A run stores, per person and indicator, the value, its source records (ids) and the clauses;
//     it and its journal record (assessment.run) commit in one writer job.
//  6. Pay inputs are whole fen (JSON integers >= 0); pay is the pack's `pay` formula over the
//     person's score in the period's latest run and their inputs, rounded to whole fen.
//  7. A closed period (site, scheme, month) takes no run, manager score or pay input (409
//     assessment.period_closed); closing twice is 409; re-opening needs an approved request of the
//     scheme's `reopen` request type whose input month_close.id names the close.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/indicator_sources.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/parameters.hpp"
#include "store/migration.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::people {

using store::Id;

// Running assessments, entering manager scores and pay inputs, closing and re-opening a month.
inline constexpr std::string_view kAssessPermission = "assessment.manage";
// The manager's score scale, "MIN,MAX" (no default: the regulations give none).
inline constexpr std::string_view kManagerScaleParam = "assessment_manager_scale";

// The site's employment stages (R11 §2), a list: no default.
inline constexpr std::string_view kStagesParam = "employment_stages";

// A person's employment stage and its end date (R11 §2; employment.cpp, module migration 4).
struct Employment {
  Id person_id = 0;
  std::string stage;
  std::string ends_on;  // "YYYY-MM-DD" or empty
  Id updated_by = 0;
  TimePoint updated_at;
};
std::vector<store::Migration> EmploymentMigrations();

// The sources an indicator may name (the catalogue; docs in README.md).
struct SourceInfo {
  std::string_view name;
  std::string_view title;  // zh-CN
};
const std::vector<SourceInfo>& AssessmentSources();
const SourceInfo* FindSource(std::string_view name);

struct IndicatorValue {
  std::string indicator;
  std::string source;
  std::optional<double> value;  // nullopt: not computed (see note)
  std::optional<double> weight;
  std::vector<Id> records;  // the source records' ids
  std::string record_kind;  // what the ids are: "attendance_finding", "violation", ...
  std::vector<std::string> clauses;
  std::string note;  // zh-CN: how it was computed or why not; a manager's comment
};

struct PersonScore {
  Id run_id = 0;
  Id person_id = 0;
  std::string assessment, period;  // the run's
  std::optional<double> score;     // nullopt: an indicator was not computed
  std::vector<IndicatorValue> values;
};

struct Run {
  Id id = 0;
  Id site_id = 0;
  std::string assessment;
  std::string period;  // "2027-01"
  std::string formula;
  Id run_by = 0;
  TimePoint run_at;
  std::int64_t journal_seq = 0;
  std::vector<PersonScore> scores;  // filled by Get / Start
};

struct Close {
  Id id = 0;
  Id site_id = 0;
  std::string assessment;
  std::string period;
  Id closed_by = 0;
  TimePoint closed_at;
  Id reopened_by = 0;
  TimePoint reopened_at;  // epoch: still closed
  Id request_id = 0;
};

struct PayLine {
  Id person_id = 0;
  Id run_id = 0;
  std::optional<double> score;
  std::vector<std::pair<std::string, std::int64_t>> inputs;  // fen, in the scheme's order
  std::optional<std::int64_t> pay_fen;
  std::string note;  // zh-CN: why no pay
};

// A closed month's pay for payroll (the XLSX export).
struct PaySheet {
  std::string title, period, formula;
  std::vector<std::string> clauses, inputs;
  struct Row {
    std::string employee_no, name;
    PayLine line;
  };
  std::vector<Row> rows;
};
// The workbook's bytes (assessment_export.cpp, libxlsxwriter).
Result<std::string> PayXlsx(const PaySheet& sheet);

struct PayInput {
  std::string name;
  std::int64_t fen = 0;
};

std::vector<store::Migration> AssessmentMigrations();  // module migration 3

class Assessments {
 public:
  // `contributed`: the sources other modules add (null: this module's own only).
  Assessments(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
              const org::RoleCatalogue& roles, const api::IndicatorSources* contributed = nullptr);

  // The whole catalogue, this module's own first: name and zh-CN title.
  std::vector<std::pair<std::string, std::string>> Catalogue() const;
  // The zh-CN title of a source of the catalogue (empty: none has that name).
  std::string SourceTitle(std::string_view name) const;

  static std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack);

  Result<Run> Start(const org::Principal& who, Id site_id, const std::string& assessment,
                    const std::string& period);
  // A run with the scores `who` may read (all with ledger.read at the site; else their own).
  Result<Run> Get(const org::Principal& who, Id id);
  Result<std::vector<Run>> List(const org::Principal& who, Id site_id, store::PageRequest page);
  // A person's scores over the runs (their own, or anyone's with ledger.read), newest first.
  Result<std::vector<PersonScore>> ScoresOf(const org::Principal& who, Id site_id, Id person_id,
                                            store::PageRequest page);

  Result<void> EnterManagerScore(const org::Principal& who, Id site_id,
                                 const std::string& assessment, const std::string& period,
                                 Id person_id, const std::string& indicator, double score,
                                 const std::string& comment);
  Result<void> EnterPay(const org::Principal& who, Id site_id, const std::string& assessment,
                        const std::string& period, Id person_id,
                        const std::vector<PayInput>& inputs);
  Result<std::vector<PayLine>> Pay(const org::Principal& who, Id site_id,
                                   const std::string& assessment, const std::string& period);

  // The pay of a closed month with names, for payroll (assessment.manage; 409
  // assessment.not_closed while the month is open: payroll reads only a frozen month).
  Result<PaySheet> PaySheetOf(const org::Principal& who, Id site_id, const std::string& assessment,
                              const std::string& period);

  // The close in force of (site, scheme, month), if any — the month's state, shown beside its pay
  // (assessment_views.cpp); the caller has checked that `who` may read that pay.
  Result<std::optional<Close>> CloseOf(Id site_id, const std::string& assessment,
                                       const std::string& period);

  Result<Close> ClosePeriod(const org::Principal& who, Id site_id, const std::string& assessment,
                            const std::string& period);
  Result<Close> Reopen(const org::Principal& who, Id site_id, const std::string& assessment,
                       const std::string& period, Id request_id);

  // R11 §2: a person's stage (one of the site's employment_stages) and its end date;
  // assessment.manage at the person's site; journaled person.employment.
  Result<Employment> SetEmployment(const org::Principal& who, Id person_id,
                                   const std::string& stage, const std::string& ends_on);
  // One's own, or anyone's with ledger.read or assessment.manage; nullopt: none recorded.
  Result<std::optional<Employment>> EmploymentOf(const org::Principal& who, Id person_id);

  std::shared_ptr<const policy::Pack> pack() const { return pack_.Current(); }

 private:
  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  const api::IndicatorSources* contributed_;
  // A source another module contributes, unless this module computes one of that name.
  const api::IndicatorSource* Contributed(std::string_view name) const;
};

// The storage (assessment_store.cpp).
namespace adb {
Result<Id> InsertRun(store::Sql& sql, const Run& r);
Result<void> SetRunSeq(store::Sql& sql, Id run_id, std::int64_t seq);
Result<void> InsertScore(store::Sql& sql, const PersonScore& s);
Result<std::optional<Run>> GetRun(store::Sql& sql, Id id);
Result<std::vector<Run>> ListRuns(store::Sql& sql, Id site_id, store::PageRequest page);
// Scores of a run (person 0: everyone's).
Result<std::vector<PersonScore>> ScoresOfRun(store::Sql& sql, Id run_id, Id person_id);
Result<std::vector<PersonScore>> ScoresOfPerson(store::Sql& sql, Id site_id, Id person_id,
                                                store::PageRequest page);
Result<std::optional<Id>> LatestRun(store::Sql& sql, Id site_id, const std::string& assessment,
                                    const std::string& period);
struct ManagerScore {
  Id person_id = 0;
  std::string indicator;
  double score = 0;
  std::string comment;
  Id id = 0;
};
Result<std::vector<ManagerScore>> ManagerScores(store::Sql& sql, Id site_id,
                                                const std::string& assessment,
                                                const std::string& period);
Result<void> PutManagerScore(store::Sql& sql, Id site_id, const std::string& assessment,
                             const std::string& period, const ManagerScore& m, Id by, TimePoint at);
Result<void> PutPayInput(store::Sql& sql, Id site_id, const std::string& assessment,
                         const std::string& period, Id person_id, const PayInput& in, Id by,
                         TimePoint at);
// person -> inputs
Result<std::vector<std::pair<Id, PayInput>>> PayInputs(store::Sql& sql, Id site_id,
                                                       const std::string& assessment,
                                                       const std::string& period);
Result<std::optional<Close>> OpenClose(store::Sql& sql, Id site_id, const std::string& assessment,
                                       const std::string& period);  // the close in force
Result<Id> InsertClose(store::Sql& sql, const Close& c);
Result<std::optional<Close>> GetClose(store::Sql& sql, Id id);
Result<void> MarkReopened(store::Sql& sql, Id close_id, Id by, TimePoint at, Id request_id);
}  // namespace adb

}  // namespace zhidu::people
