#include "kernel/runtime/site_parameters.hpp"

#include <algorithm>
#include <cstdlib>

#include "base/canonical_json.hpp"

namespace zhidu::runtime {
namespace {

constexpr std::string_view kSiteHours = "working_hours";
constexpr std::string_view kDepartmentHours = "working_hours/department/";
constexpr std::string_view kNotStaffed = "not_staffed/post/";

std::string HoursKey(store::Id department_id) {
  return department_id == 0 ? std::string(kSiteHours)
                            : std::string(kDepartmentHours) + std::to_string(department_id);
}

// "08:00-11:30,13:30-17:00" as stored; empty text is no periods (cleared).
std::string FormatPeriods(const std::vector<policy::TimeRange>& periods) {
  std::string out;
  for (const auto& p : periods) out += (out.empty() ? "" : ",") + policy::FormatTimeRange(p);
  return out;
}

std::vector<policy::TimeRange> ParsePeriods(std::string_view text) {
  std::vector<policy::TimeRange> out;
  for (const auto& item : policy::ParamListItems(text))
    if (auto r = policy::ParseTimeRange(item)) out.push_back(*r);
  return out;
}

WorkingHoursEntry Stored(const store::SiteParameter& p, std::string from) {
  return {ParsePeriods(p.value), std::move(from), {}, p.updated_by, p.updated_at};
}

WorkingHoursEntry PackHours(const policy::Pack& pack) {
  if (!pack.working_hours()) return {};
  return {pack.working_hours()->periods, "pack", pack.working_hours()->clauses, 0, TimePoint{}};
}

SiteWorkingHours Collect(const policy::Pack& pack, const std::vector<store::SiteParameter>& rows) {
  SiteWorkingHours out{PackHours(pack), {}};
  for (const auto& r : rows) {
    if (r.value.empty()) continue;  // cleared
    if (r.name == kSiteHours) {
      out.site = Stored(r, "site");
    } else if (r.name.starts_with(kDepartmentHours)) {
      auto id = std::strtoll(r.name.c_str() + kDepartmentHours.size(), nullptr, 10);
      if (id > 0) out.departments.emplace_back(id, Stored(r, "department"));
    }
  }
  return out;
}

// The declaration a site may set or clear under `name`: the reserved names (working hours, posts
// not staffed) have their own verbs; a name nothing declares is 404.
Result<policy::ParamDecl> NamedDecl(const std::vector<policy::ParamDecl>& declared,
                                    const std::string& name) {
  if (name.starts_with(kSiteHours))
    return Fail(Errc::kInvalidArgument,
                "working hours are not a parameter: set them as the site's working hours", "name");
  if (name.starts_with(kNotStaffed))
    return Fail(Errc::kInvalidArgument,
                "whether a post is staffed is not a parameter: mark the post itself", "name");
  for (const auto& d : declared)
    if (d.name == name) return d;
  return Fail(Errc::kNotFound,
              "neither the policy pack nor a module declares a parameter \"" + name + "\"");
}

}  // namespace

SiteParameters::SiteParameters(store::Store& store, store::Writer& writer,
                               const policy::ActivePack& pack, const org::RoleCatalogue& roles)
    : store_(store), writer_(writer), pack_(pack), roles_(roles) {}

std::vector<policy::ParamDecl> SiteParameters::Declared() const {
  auto pack = pack_.Current();
  auto out = policy::DeclaredParameters(*pack);
  if (!module_parameters_) return out;
  for (auto& d : module_parameters_(*pack))
    if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.name == d.name; }))
      out.push_back(std::move(d));
  return out;
}

Result<std::vector<SiteParameterEntry>> SiteParameters::List(const org::Principal& who,
                                                             store::Id site_id) {
  if (!roles_.Allows(who, org::perm::kOrgRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading site parameters needs org.read");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto site, unit->GetSite(site_id));
  (void)site;
  ZHIDU_TRY(auto rows, unit->ListSiteParameters(site_id));
  std::vector<SiteParameterEntry> out;
  for (auto& decl : Declared()) {
    SiteParameterEntry e{decl, std::nullopt, 0, TimePoint{}};
    for (const auto& r : rows)
      if (r.name == decl.name)
        e = {decl, r.value.empty() ? std::nullopt : std::optional<std::string>(r.value),
             r.updated_by, r.updated_at};
    out.push_back(std::move(e));
  }
  return out;
}

Result<SiteParameterEntry> SiteParameters::Set(const org::Principal& who, store::Id site_id,
                                               const std::string& name, const std::string& value) {
  if (!roles_.Allows(who, org::perm::kOrgWrite, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "setting site parameters needs org.write");
  ZHIDU_TRY(auto decl, NamedDecl(Declared(), name));
  if (value.empty())
    return Fail(Errc::kInvalidArgument, Reason{"site.parameter_empty"},
                "the value is empty: to clear a parameter, DELETE it", "value");
  ZHIDU_TRY_VOID(policy::ValidateParamValue(decl.kind, value));
  return writer_.Run<SiteParameterEntry>([&](store::Tx& tx) -> Result<SiteParameterEntry> {
    ZHIDU_TRY(auto site, tx.unit().GetSite(site_id));
    (void)site;
    ZHIDU_TRY(auto old, Lookup(tx.unit(), site_id, name));
    store::SiteParameter p{site_id, name, value, who.account_id, tx.now()};
    ZHIDU_TRY_VOID(tx.unit().PutSiteParameter(p));
    CanonicalObject payload;
    payload.Add("site_id", site_id).Add("name", name).Add("value", value);
    payload.Add("kind", policy::ParamKindName(decl.kind)).Add("rule", decl.rule);
    if (old) payload.Add("previous", *old);
    ZHIDU_TRY(auto seq, tx.Journal("site.parameter.set", who.account_id,
                                   "site/" + std::to_string(site_id), payload.Str()));
    (void)seq;
    return SiteParameterEntry{decl, value, who.account_id, p.updated_at};
  });
}

Result<SiteParameterEntry> SiteParameters::Unset(const org::Principal& who, store::Id site_id,
                                                 const std::string& name) {
  if (!roles_.Allows(who, org::perm::kOrgWrite, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "clearing site parameters needs org.write");
  ZHIDU_TRY(auto decl, NamedDecl(Declared(), name));
  return writer_.Run<SiteParameterEntry>([&](store::Tx& tx) -> Result<SiteParameterEntry> {
    ZHIDU_TRY(auto site, tx.unit().GetSite(site_id));
    (void)site;
    ZHIDU_TRY(auto old, Lookup(tx.unit(), site_id, name));
    if (!old) return SiteParameterEntry{decl, std::nullopt, 0, TimePoint{}};
    ZHIDU_TRY_VOID(tx.unit().PutSiteParameter({site_id, name, "", who.account_id, tx.now()}));
    CanonicalObject payload;
    payload.Add("site_id", site_id).Add("name", name).Add("previous", *old);
    payload.Add("kind", policy::ParamKindName(decl.kind)).Add("rule", decl.rule);
    ZHIDU_TRY(auto seq, tx.Journal("site.parameter.unset", who.account_id,
                                   "site/" + std::to_string(site_id), payload.Str()));
    (void)seq;
    return SiteParameterEntry{decl, std::nullopt, who.account_id, tx.now()};
  });
}

Result<SiteWorkingHours> SiteParameters::WorkingHours(const org::Principal& who,
                                                      store::Id site_id) {
  if (!roles_.Allows(who, org::perm::kOrgRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading working hours needs org.read");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto site, unit->GetSite(site_id));
  (void)site;
  ZHIDU_TRY(auto settings, SiteSettings::Read(*unit, site_id));
  return settings.WorkingHours(*pack_.Current());
}

Result<SiteWorkingHours> SiteParameters::SetWorkingHours(
    const org::Principal& who, store::Id site_id, store::Id department_id,
    const std::vector<policy::TimeRange>& periods) {
  if (!roles_.Allows(who, org::perm::kOrgWrite, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "setting working hours needs org.write");
  if (!periods.empty()) {
    auto checked = policy::CheckWorkPeriods(periods);
    if (!checked) return Fail(Errc::kInvalidArgument, checked.error().message, "hours");
  }
  auto pack = pack_.Current();
  return writer_.Run<SiteWorkingHours>([&](store::Tx& tx) -> Result<SiteWorkingHours> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto site, unit.GetSite(site_id));
    (void)site;
    if (department_id != 0) {
      auto dept = unit.GetDepartment(department_id);
      if (!dept || dept->site_id != site_id)
        return Fail(Errc::kInvalidArgument,
                    "department " + std::to_string(department_id) +
                        " is not a department of site " + std::to_string(site_id),
                    "department_id");
    }
    const std::string key = HoursKey(department_id);
    ZHIDU_TRY(auto old, Lookup(unit, site_id, key));
    store::SiteParameter p{site_id, key, FormatPeriods(periods), who.account_id, tx.now()};
    ZHIDU_TRY_VOID(unit.PutSiteParameter(p));
    CanonicalObject payload;
    payload.Add("site_id", site_id);
    if (department_id) payload.Add("department_id", department_id);
    payload.Add("hours", p.value);
    if (old && !old->empty()) payload.Add("previous", *old);
    ZHIDU_TRY(auto seq, tx.Journal("site.working_hours.set", who.account_id,
                                   "site/" + std::to_string(site_id), payload.Str()));
    (void)seq;
    ZHIDU_TRY(auto settings, SiteSettings::Read(unit, site_id));
    return settings.WorkingHours(*pack);
  });
}

Result<WorkingHoursEntry> SiteParameters::EffectiveWorkingHours(store::UnitOfWork& unit,
                                                                const policy::Pack& pack,
                                                                store::Id site_id,
                                                                store::Id department_id) {
  ZHIDU_TRY(auto settings, SiteSettings::Read(unit, site_id));
  return settings.WorkingHoursFor(pack, department_id);
}

Result<std::optional<std::string>> SiteParameters::Lookup(store::UnitOfWork& unit,
                                                          store::Id site_id,
                                                          std::string_view name) {
  ZHIDU_TRY(auto settings, SiteSettings::Read(unit, site_id));
  return settings.Value(name);
}

std::string SiteParameters::NotStaffedKey(store::Id post_id) {
  return std::string(kNotStaffed) + std::to_string(post_id);
}

Result<SiteSettings> SiteSettings::Read(store::UnitOfWork& unit, store::Id site_id) {
  ZHIDU_TRY(auto rows, unit.ListSiteParameters(site_id));
  return SiteSettings(std::move(rows));
}

std::optional<std::string> SiteSettings::Value(std::string_view name) const {
  for (const auto& r : rows_)
    if (r.name == name) return r.value.empty() ? std::nullopt : std::optional<std::string>(r.value);
  return std::nullopt;  // an empty value is a cleared one (SiteParameters::Unset)
}

SiteWorkingHours SiteSettings::WorkingHours(const policy::Pack& pack) const {
  return Collect(pack, rows_);
}

WorkingHoursEntry SiteSettings::WorkingHoursFor(const policy::Pack& pack,
                                                store::Id department_id) const {
  SiteWorkingHours all = Collect(pack, rows_);
  for (auto& [id, entry] : all.departments)
    if (id == department_id) return std::move(entry);
  return std::move(all.site);
}

std::optional<std::string> SiteSettings::NotStaffed(store::Id post_id) const {
  auto reason = Value(SiteParameters::NotStaffedKey(post_id));
  if (!reason || reason->empty()) return std::nullopt;
  return reason;
}

std::vector<PostNotStaffed> SiteSettings::NotStaffedPosts() const {
  std::vector<PostNotStaffed> out;
  for (const auto& r : rows_) {
    if (!r.name.starts_with(kNotStaffed) || r.value.empty()) continue;
    auto id = std::strtoll(r.name.c_str() + kNotStaffed.size(), nullptr, 10);
    if (id > 0) out.push_back({id, r.value, r.updated_by, r.updated_at});
  }
  return out;
}

}  // namespace zhidu::runtime
