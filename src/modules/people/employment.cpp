// Employment stage and end date on the person (R11 §2: 全体正式员工…且包括新进实习员工、竞争上岗的
// 见习员工、转岗、晋升、降职等特殊阶段员工). The stages are the site's list (parameter
// employment_stages, no default: the regulation names them in prose, a company names its own); the
// end date is when the stage ends (probation, contract), "YYYY-MM-DD" or none. Module migration 4.
#include <algorithm>

#include "base/canonical_json.hpp"
#include "kernel/policy/date_text.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "modules/people/assessment.hpp"

namespace zhidu::people {

std::vector<store::Migration> EmploymentMigrations() {
  return {{4, R"sql(
CREATE TABLE person_employment(
  id {{id}},
  person_id BIGINT NOT NULL UNIQUE REFERENCES people(id),
  site_id BIGINT NOT NULL REFERENCES sites(id),
  stage TEXT NOT NULL,
  ends_on TEXT NOT NULL DEFAULT '',
  updated_by BIGINT NOT NULL,
  updated_at BIGINT NOT NULL)
)sql"}};
}

namespace {

Result<std::optional<Employment>> Read(store::Sql& sql, Id person_id) {
  ZHIDU_TRY(auto rows,
            sql.Many<Employment>("person employment",
                                 "SELECT person_id, stage, ends_on, updated_by, updated_at FROM "
                                 "person_employment WHERE person_id=?",
                                 {person_id}, [](const store::SqlRow& r) {
                                   Employment e;
                                   e.person_id = r.Int(0);
                                   e.stage = r.Text(1);
                                   e.ends_on = r.Text(2);
                                   e.updated_by = r.Int(3);
                                   e.updated_at = r.Time(4);
                                   return e;
                                 }));
  if (rows.empty()) return std::optional<Employment>();
  return std::optional<Employment>(std::move(rows.front()));
}

}  // namespace

Result<Employment> Assessments::SetEmployment(const org::Principal& who, Id person_id,
                                              const std::string& stage,
                                              const std::string& ends_on) {
  if (stage.empty()) return Fail(Errc::kInvalidArgument, kRequired, "stage is required", "stage");
  if (!ends_on.empty() && !policy::ParseDate(ends_on))
    return Fail(Errc::kInvalidArgument, kInvalid, "ends_on must be a date, YYYY-MM-DD", "ends_on");
  return writer_.Run<Employment>([&](store::Tx& tx) -> Result<Employment> {
    auto& unit = tx.unit();
    ZHIDU_TRY(store::Person person, unit.GetPerson(person_id));
    if (!roles_.Allows(who, kAssessPermission, {person.site_id, 0}))
      return Fail(Errc::kPermissionDenied,
                  "recording an employment stage needs assessment.manage at the person's site");
    ZHIDU_TRY(auto stages, runtime::SiteParameters::Lookup(unit, person.site_id, kStagesParam));
    if (!stages)
      return Fail(Errc::kFailedPrecondition, Reason{"assessment.stages_unset"},
                  "the site parameter " + std::string(kStagesParam) +
                      " (the employment stages, R11 §2) is not set");
    auto items = policy::ParamListItems(*stages);
    if (std::find(items.begin(), items.end(), stage) == items.end())
      return Fail(Errc::kInvalidArgument, Reason{"assessment.unknown_stage"},
                  "\"" + stage + "\" is not one of the site's employment stages (" + *stages + ")",
                  "stage");
    auto& sql = unit.sql();
    ZHIDU_TRY(auto changed,
              sql.Exec("put employment",
                       "INSERT INTO person_employment(person_id, site_id, stage, ends_on, "
                       "updated_by, updated_at) VALUES(?,?,?,?,?,?) ON CONFLICT(person_id) DO "
                       "UPDATE SET site_id=excluded.site_id, stage=excluded.stage, "
                       "ends_on=excluded.ends_on, updated_by=excluded.updated_by, "
                       "updated_at=excluded.updated_at",
                       {person_id, person.site_id, stage, ends_on, who.account_id,
                        store::SqlTime(tx.now())}));
    (void)changed;
    CanonicalObject o;
    o.Add("site_id", person.site_id)
        .Add("person_id", person_id)
        .Add("stage", stage)
        .Add("ends_on", ends_on)
        .AddRaw("clauses", JsonStringArray({"R11 §2"}));
    ZHIDU_TRY(auto seq, tx.Journal("person.employment", who.account_id,
                                   "person/" + std::to_string(person_id), o.Str()));
    (void)seq;
    ZHIDU_TRY(auto e, Read(sql, person_id));
    return std::move(*e);
  });
}

Result<std::optional<Employment>> Assessments::EmploymentOf(const org::Principal& who,
                                                            Id person_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(store::Person person, unit->GetPerson(person_id));
  if (person_id != who.person_id &&
      !roles_.Allows(who, runtime::perm::kLedgerRead, {person.site_id, 0}) &&
      !roles_.Allows(who, kAssessPermission, {person.site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading another's employment needs ledger.read");
  return Read(unit->sql(), person_id);
}

}  // namespace zhidu::people
