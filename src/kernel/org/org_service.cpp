#include "kernel/org/org_service.hpp"

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "kernel/org/validate.hpp"

namespace zhidu::org {

namespace {

std::string Ref(std::string_view kind, Id id) {
  return std::string(kind) + "/" + std::to_string(id);
}

// A site that does not exist is a bad argument of the request, not a missing URL.
Result<store::Site> SiteArgument(store::UnitOfWork& unit, Id site_id) {
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  auto site = unit.GetSite(site_id);
  if (!site && site.error().code == Errc::kNotFound)
    return Fail(Errc::kInvalidArgument, site.error().message, "site_id");
  return site;
}

Error NameTaken(std::string_view what, std::string_view name) {
  return Error{Errc::kConflict,
               std::string(what) + " \"" + std::string(name) + "\" already exists at this site",
               "name", "taken"};
}

}  // namespace

Result<void> OrgService::Require(const Principal& who, std::string_view permission, Scope scope) {
  if (roles_.Allows(who, permission, scope)) return Ok();
  return Fail(Errc::kPermissionDenied,
              "your roles do not allow " + std::string(permission) + " here; ask an administrator");
}

Result<void> OrgService::CheckPlacement(store::UnitOfWork& unit, Id site_id, Id department_id,
                                        Id team_id) {
  if (department_id != 0) {
    auto d = unit.GetDepartment(department_id);
    if (!d) return Fail(Errc::kInvalidArgument, d.error().message, "department_id");
    if (d->site_id != site_id)
      return Fail(Errc::kInvalidArgument,
                  "department " + std::to_string(department_id) + " belongs to another site",
                  "department_id");
  }
  if (team_id != 0) {
    auto t = unit.GetTeam(team_id);
    if (!t) return Fail(Errc::kInvalidArgument, t.error().message, "team_id");
    if (t->site_id != site_id)
      return Fail(Errc::kInvalidArgument,
                  "team " + std::to_string(team_id) + " belongs to another site", "team_id");
  }
  return Ok();
}

Result<store::Site> OrgService::CreateSite(const Principal& who, store::Site site) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgWrite, {}));
  ZHIDU_TRY_VOID(RequireName(site.name, "name"));
  if (site.time_zone.empty()) site.time_zone = std::string(kDefaultTimeZone);
  ZHIDU_TRY_VOID(TimeZone::Find(site.time_zone));
  return writer_.Run<store::Site>([&](store::Tx& tx) -> Result<store::Site> {
    site.created_at = tx.now();
    auto id = tx.unit().InsertSite(site);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"taken"},
                  "a site named \"" + site.name + "\" already exists", "name");
    if (!id) return Fail(id.error());
    site.id = *id;
    ZHIDU_TRY_VOID(tx.Journal(
        "org.site.created", who.account_id, Ref("site", site.id),
        CanonicalObject().Add("name", site.name).Add("time_zone", site.time_zone).Str()));
    return site;
  });
}

Result<store::Site> OrgService::GetSite(const Principal& who, Id id) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgRead, {id, 0}));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->GetSite(id);
}

Result<std::vector<store::Site>> OrgService::ListSites(const Principal& who,
                                                       store::PageRequest page) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgRead, {}));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListSites(page);
}

Result<store::Department> OrgService::CreateDepartment(const Principal& who, store::Department d) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgWrite, {d.site_id, 0}));
  ZHIDU_TRY_VOID(RequireName(d.name, "name"));
  return writer_.Run<store::Department>([&](store::Tx& tx) -> Result<store::Department> {
    ZHIDU_TRY_VOID(SiteArgument(tx.unit(), d.site_id));
    auto id = tx.unit().InsertDepartment(d);
    if (!id && id.error().code == Errc::kConflict) return Fail(NameTaken("department", d.name));
    if (!id) return Fail(id.error());
    d.id = *id;
    ZHIDU_TRY_VOID(
        tx.Journal("org.department.created", who.account_id, Ref("department", d.id),
                   CanonicalObject().Add("name", d.name).Add("site_id", d.site_id).Str()));
    return d;
  });
}

Result<std::vector<store::Department>> OrgService::ListDepartments(const Principal& who, Id site_id,
                                                                   store::PageRequest page) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgRead, {site_id, 0}));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListDepartments(site_id, page);
}

Result<store::Team> OrgService::CreateTeam(const Principal& who, store::Team t) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgWrite, {t.site_id, t.department_id}));
  ZHIDU_TRY_VOID(RequireName(t.name, "name"));
  return writer_.Run<store::Team>([&](store::Tx& tx) -> Result<store::Team> {
    ZHIDU_TRY_VOID(SiteArgument(tx.unit(), t.site_id));
    ZHIDU_TRY_VOID(CheckPlacement(tx.unit(), t.site_id, t.department_id, 0));
    auto id = tx.unit().InsertTeam(t);
    if (!id && id.error().code == Errc::kConflict) return Fail(NameTaken("team", t.name));
    if (!id) return Fail(id.error());
    t.id = *id;
    ZHIDU_TRY_VOID(tx.Journal("org.team.created", who.account_id, Ref("team", t.id),
                              CanonicalObject()
                                  .Add("name", t.name)
                                  .Add("site_id", t.site_id)
                                  .Add("department_id", t.department_id)
                                  .Str()));
    return t;
  });
}

Result<std::vector<store::Team>> OrgService::ListTeams(const Principal& who, Id site_id,
                                                       store::PageRequest page) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgRead, {site_id, 0}));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListTeams(site_id, page);
}

Result<store::Post> OrgService::CreatePost(const Principal& who, store::Post p) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgWrite, {p.site_id, p.department_id}));
  ZHIDU_TRY_VOID(RequireName(p.name, "name"));
  return writer_.Run<store::Post>([&](store::Tx& tx) -> Result<store::Post> {
    ZHIDU_TRY_VOID(SiteArgument(tx.unit(), p.site_id));
    ZHIDU_TRY_VOID(CheckPlacement(tx.unit(), p.site_id, p.department_id, 0));
    auto id = tx.unit().InsertPost(p);
    if (!id && id.error().code == Errc::kConflict) return Fail(NameTaken("post", p.name));
    if (!id) return Fail(id.error());
    p.id = *id;
    ZHIDU_TRY_VOID(tx.Journal("org.post.created", who.account_id, Ref("post", p.id),
                              CanonicalObject()
                                  .Add("name", p.name)
                                  .Add("site_id", p.site_id)
                                  .Add("department_id", p.department_id)
                                  .Str()));
    return p;
  });
}

Result<std::vector<store::Post>> OrgService::ListPosts(const Principal& who, Id site_id,
                                                       store::PageRequest page) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgRead, {site_id, 0}));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListPosts(site_id, page);
}

Result<store::Person> OrgService::CreatePerson(const Principal& who, store::Person p) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgWrite, {p.site_id, p.department_id}));
  ZHIDU_TRY_VOID(RequireName(p.name, "name", 50));
  if (Utf8Length(p.employee_no) > 32)
    return Fail(Errc::kInvalidArgument, "employee_no is longer than 32 characters", "employee_no");
  if (Utf8Length(p.phone) > 32)
    return Fail(Errc::kInvalidArgument, "phone is longer than 32 characters", "phone");
  return writer_.Run<store::Person>([&](store::Tx& tx) -> Result<store::Person> {
    ZHIDU_TRY_VOID(CheckProfile(p.birth_date, p.education, tx.now()));
    ZHIDU_TRY_VOID(SiteArgument(tx.unit(), p.site_id));
    ZHIDU_TRY_VOID(CheckPlacement(tx.unit(), p.site_id, p.department_id, p.team_id));
    p.created_at = tx.now();
    auto id = tx.unit().InsertPerson(p);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"taken"},
                  "employee number \"" + p.employee_no + "\" is already in use", "employee_no");
    if (!id) return Fail(id.error());
    p.id = *id;
    ZHIDU_TRY_VOID(tx.Journal("org.person.created", who.account_id, Ref("person", p.id),
                              CanonicalObject()
                                  .Add("name", p.name)
                                  .Add("site_id", p.site_id)
                                  .Add("department_id", p.department_id)
                                  .Add("team_id", p.team_id)
                                  .Add("employee_no", p.employee_no)
                                  .Add("phone", p.phone)
                                  .Add("birth_date", p.birth_date)
                                  .Add("education", p.education)
                                  .Str()));
    return p;
  });
}

Result<void> OrgService::CheckProfile(std::string_view birth_date, std::string_view education,
                                      TimePoint now) {
  if (!birth_date.empty()) {
    ZHIDU_TRY_VOID(RequireDate(birth_date, "birth_date"));
    if (birth_date < "1900-01-01")
      return Fail(Errc::kInvalidArgument, Reason{"person.birth_before_1900"},
                  "birth_date is before 1900-01-01", "birth_date");
    // Against the UTC day after `now`: no zone's today is later than that.
    if (birth_date > FormatIso8601Utc(now + std::chrono::hours(24)).substr(0, 10))
      return Fail(Errc::kInvalidArgument, Reason{"person.birth_in_future"},
                  "birth_date " + std::string(birth_date) + " is in the future", "birth_date");
  }
  if (Utf8Length(education) > 20)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"},
                "education is longer than 20 characters", "education");
  return Ok();
}

Result<store::Person> OrgService::SetPersonProfile(const Principal& who, Id id,
                                                   std::string birth_date, std::string education) {
  return writer_.Run<store::Person>([&](store::Tx& tx) -> Result<store::Person> {
    ZHIDU_TRY(auto person, tx.unit().GetPerson(id));
    ZHIDU_TRY_VOID(Require(who, perm::kOrgWrite, {person.site_id, person.department_id}));
    ZHIDU_TRY_VOID(CheckProfile(birth_date, education, tx.now()));
    ZHIDU_TRY_VOID(tx.unit().UpdatePersonProfile(id, birth_date, education));
    person.birth_date = std::move(birth_date);
    person.education = std::move(education);
    ZHIDU_TRY_VOID(tx.Journal("org.person.profile_changed", who.account_id, Ref("person", id),
                              CanonicalObject()
                                  .Add("birth_date", person.birth_date)
                                  .Add("education", person.education)
                                  .Str()));
    return person;
  });
}

Result<PersonDetail> OrgService::GetPerson(const Principal& who, Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto person, unit->GetPerson(id));
  ZHIDU_TRY_VOID(Require(who, perm::kOrgRead, {person.site_id, person.department_id}));
  ZHIDU_TRY(auto certs, unit->ListCertifications(id));
  return PersonDetail{std::move(person), std::move(certs)};
}

Result<std::vector<store::Person>> OrgService::ListPeople(const Principal& who, Id site_id,
                                                          store::PageRequest page) {
  ZHIDU_TRY_VOID(Require(who, perm::kOrgRead, {site_id, 0}));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListPeople(site_id, page);
}

Result<store::Certification> OrgService::AddCertification(const Principal& who,
                                                          store::Certification c) {
  ZHIDU_TRY_VOID(RequireName(c.kind, "kind"));
  ZHIDU_TRY_VOID(RequireName(c.number, "number", 64));
  if (!c.expires_on.empty()) ZHIDU_TRY_VOID(RequireDate(c.expires_on, "expires_on"));
  return writer_.Run<store::Certification>([&](store::Tx& tx) -> Result<store::Certification> {
    ZHIDU_TRY(auto person, tx.unit().GetPerson(c.person_id));
    ZHIDU_TRY_VOID(Require(who, perm::kOrgWrite, {person.site_id, person.department_id}));
    ZHIDU_TRY(Id id, tx.unit().InsertCertification(c));
    c.id = id;
    ZHIDU_TRY_VOID(tx.Journal("org.certification.added", who.account_id, Ref("person", c.person_id),
                              CanonicalObject()
                                  .Add("certification_id", c.id)
                                  .Add("kind", c.kind)
                                  .Add("number", c.number)
                                  .Add("expires_on", c.expires_on)
                                  .Str()));
    return c;
  });
}

Result<std::vector<store::JournalRecord>> OrgService::ReadJournal(const Principal& who,
                                                                  std::int64_t after_seq,
                                                                  int limit) {
  ZHIDU_TRY_VOID(Require(who, perm::kJournalRead, {}));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ReadJournal(after_seq, limit);
}

}  // namespace zhidu::org
