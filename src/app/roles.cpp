#include "app/roles.hpp"

#include <set>

#include "app/modules.hpp"

namespace zhidu::app {

std::vector<org::PermissionInfo> PermissionCatalogue() {
  std::vector<org::PermissionInfo> out = org::KernelPermissions();
  for (const auto& m : AllModules())
    for (auto& p : m->Permissions()) out.push_back(std::move(p));
  return out;
}

policy::LoadOptions PackLoadOptions() {
  policy::LoadOptions options;
  std::vector<std::string> events;
  for (const auto& p : org::KernelPermissions()) options.permissions.push_back(p.id);
  for (const auto& m : AllModules()) {  // one pass over the modules for both lists
    for (const auto& p : m->Permissions()) options.permissions.push_back(p.id);
    for (auto& w : m->ActionWords()) options.action_words.push_back(std::move(w));
    for (auto& r : m->WrittenRecords()) options.written_records.push_back(std::move(r));
    for (auto& r : m->RetainedRecords()) options.retained_records.push_back(std::move(r));
    for (auto& e : m->RaisedEvents()) {
      events.push_back(e);
      options.reserved_events.push_back(std::move(e));
    }
    for (auto& e : m->SharedEvents()) events.push_back(std::move(e));
    for (auto& r : m->AssessmentSources()) options.assessment_sources.push_back(std::move(r));
  }
  options.module_events = std::move(events);
  return options;
}

void DefineRoles(org::RoleCatalogue& roles, const policy::Pack* pack) {
  roles.Define("admin", {"*"});
  if (!pack) return;
  for (const auto& role : pack->roles())
    roles.Define(role.id, {role.permissions.begin(), role.permissions.end()});
}

}  // namespace zhidu::app
