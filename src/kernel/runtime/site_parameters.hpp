// Site parameters (本单位参数): the values a site sets for figures its regulations leave open
// (kernel/policy/parameters.hpp). Only parameters the pack in force declares can be set, each
// validated by its kind; every change is journaled (site.parameter.set) with the old and new value.
// Reading needs org.read, setting org.write in the site's scope.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/parameters.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

struct SiteParameterEntry {
  policy::ParamDecl decl;
  std::optional<std::string> value;  // nullopt: not set (the rule using it cannot apply a figure)
  store::Id updated_by = 0;
  TimePoint updated_at;
};

// 工作时间 in force for a site or one of its departments (docs/runtime.md "Working hours"): the
// department's own, else the site's own, else the pack's `working_hours`, else none. The site's
// and the departments' own are stored beside the parameters under reserved names
// ("working_hours", "working_hours/department/ID"), which no pack can declare.
struct WorkingHoursEntry {
  std::vector<policy::TimeRange> periods;  // empty: no working hours known
  std::string from;                        // "department" | "site" | "pack" | "" (none)
  std::vector<std::string> clauses;        // the pack's clauses, when from == "pack"
  store::Id updated_by = 0;
  TimePoint updated_at;
};

struct SiteWorkingHours {
  WorkingHoursEntry site;  // the site's own, or the pack's
  std::vector<std::pair<store::Id, WorkingHoursEntry>> departments;  // their own, by department id
};

// A post marked not staffed at its site (docs/runtime.md "Posts not staffed"): its duties do not
// fall due. Stored beside the parameters under the reserved name "not_staffed/post/ID", whose
// value is the reason; an empty value is staffed again.
struct PostNotStaffed {
  store::Id post_id = 0;
  std::string reason;
  store::Id updated_by = 0;
  TimePoint updated_at;
};

// One site's parameters read once (one ListSiteParameters), for a reader that needs several of
// them: the planner reads each site's once per plan. A value; no I/O after Read.
class SiteSettings {
 public:
  explicit SiteSettings(std::vector<store::SiteParameter> rows) : rows_(std::move(rows)) {}
  static Result<SiteSettings> Read(store::UnitOfWork& unit, store::Id site_id);

  // The site's value of `name`, or nullopt when not set.
  std::optional<std::string> Value(std::string_view name) const;
  // The site's own working hours (or the pack's) and its departments' own.
  SiteWorkingHours WorkingHours(const policy::Pack& pack) const;
  // The working hours in force for `department_id` (0: the site as a whole).
  WorkingHoursEntry WorkingHoursFor(const policy::Pack& pack, store::Id department_id) const;
  // Why `post_id` is marked not staffed; nullopt when it is staffed.
  std::optional<std::string> NotStaffed(store::Id post_id) const;
  std::vector<PostNotStaffed> NotStaffedPosts() const;

 private:
  std::vector<store::SiteParameter> rows_;
};

class SiteParameters {
 public:
  SiteParameters(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
                 const org::RoleCatalogue& roles);

  // Parameters a module's code reads beyond those the pack's rules use (api::Module::Parameters:
  // the service module's survey delay), declared once at start; they are listed and set like the
  // pack's, with no default either.
  using ModuleParameters = std::function<std::vector<policy::ParamDecl>(const policy::Pack&)>;
  void SetModuleParameters(ModuleParameters f) { module_parameters_ = std::move(f); }
  // The pack's parameters (policy::DeclaredParameters), then the modules' not already among them.
  std::vector<policy::ParamDecl> Declared() const;

  // Every parameter the pack and the modules declare, with the site's value where set.
  Result<std::vector<SiteParameterEntry>> List(const org::Principal& who, store::Id site_id);
  Result<SiteParameterEntry> Set(const org::Principal& who, store::Id site_id,
                                 const std::string& name, const std::string& value);
  // Clears a set value, so the rule is again "not set by this site" (journaled
  // site.parameter.unset with the previous value); clearing one not set changes nothing. The row
  // keeps an empty value: "" is never a value Set accepts, and every reader takes it as not set.
  Result<SiteParameterEntry> Unset(const org::Principal& who, store::Id site_id,
                                   const std::string& name);

  // The site's working hours and its departments' own. Reading needs org.read, setting org.write.
  Result<SiteWorkingHours> WorkingHours(const org::Principal& who, store::Id site_id);
  // Sets the site's (department_id 0) or a department's own periods, or clears them (empty: the
  // site's, or the pack's, apply again); journaled site.working_hours.set with the previous ones.
  Result<SiteWorkingHours> SetWorkingHours(const org::Principal& who, store::Id site_id,
                                           store::Id department_id,
                                           const std::vector<policy::TimeRange>& periods);
  // The working hours in force for `department_id` (0: the site as a whole) inside a transaction.
  static Result<WorkingHoursEntry> EffectiveWorkingHours(store::UnitOfWork& unit,
                                                         const policy::Pack& pack,
                                                         store::Id site_id,
                                                         store::Id department_id);

  // The site's value of `name` inside a transaction, or nullopt when not set.
  static Result<std::optional<std::string>> Lookup(store::UnitOfWork& unit, store::Id site_id,
                                                   std::string_view name);
  // The reserved name under which `post_id` is marked not staffed (PostNotStaffed).
  static std::string NotStaffedKey(store::Id post_id);

 private:
  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  ModuleParameters module_parameters_;
};

}  // namespace zhidu::runtime
