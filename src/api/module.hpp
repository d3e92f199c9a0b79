// The module kit: what a domain module (src/modules/<name>/) is to the server. A module owns its
// types, storage, rules, routes and handlers; the app lists the modules once
// (src/app/modules.cpp) and the server runs every one through this interface, in list order.
//
// Life of a module in `zhidu serve`:
//   Migrate its tables (Migrations(), applied by the store in list order)
//   -> Start (creates its services; registers timer handlers, event-bus subscriptions, action
//      words and the interfaces it offers other modules) -> SeedDemo (with --demo)
//   -> AddRoutes -> serving -> Stop (before the writer stops).
// `zhidu routes` calls AddRoutes alone: routes exist even when the module never starts.
//
// Invariants:
//  1. A module reaches the kernel only through `Kernel`, and another module only through an
//     interface that module offers in `Services` (Offer in its Start, Need in a later module's
//     Start) and declares in its CMake target: the build graph is the dependency list.
//  2. Everything a module registers (handlers, subscriptions, actions, offers) is registered in
//     Start, before the scheduler starts and before the first request.
//  3. Route handlers of a module that has not started answer 503 (never crash).
#pragma once

#include <any>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "api/metrics.hpp"
#include "api/router.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/org_service.hpp"
#include "kernel/org/permissions.hpp"
#include "kernel/photos/photos.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/runtime/actions.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/procedures.hpp"
#include "kernel/runtime/requests.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/migration.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::api {

// The interfaces modules offer one another, by type. Offer<T> in the offering module's Start;
// Need<T> in a later module's Start (kFailedPrecondition naming both when it is missing: the app
// lists the modules in the wrong order or without the one offering T).
class Services {
 public:
  template <class T>
  void Offer(T* service) {
    by_type_[std::type_index(typeid(T))] = service;
  }
  template <class T>
  Result<T*> Need(std::string_view who) const {
    auto it = by_type_.find(std::type_index(typeid(T)));
    if (it == by_type_.end())
      return Fail(Errc::kFailedPrecondition, std::string(who) + " needs " + typeid(T).name() +
                                                 ", which no module started before it offers");
    return std::any_cast<T*>(it->second);
  }

 private:
  std::unordered_map<std::type_index, std::any> by_type_;
};

// Settings a module reads, from the command line (zhidu serve).
struct ModuleSettings {
  bool demo = false;
  std::filesystem::path data_dir;
  size_t photo_max_bytes = 10 << 20;  // --photo-max-bytes
  int alarm_aggregation_s = 60;       // --alarm-aggregation-s
  int alarm_max_shelve_min = 480;     // --alarm-max-shelve-min
  int web_form_per_hour = 30;         // --web-form-per-hour (0: no limit)
  std::string mqtt;                   // --mqtt host:port ("" : no MQTT ingest)
  std::string mqtt_topic;             // --mqtt-topic
  std::string mqtt_group;             // --mqtt-group ("" : a plain subscription)
  std::string sms_url;                // --sms-url (the lounge's SMS relay; "" : none)
  std::string gb26875_listen;         // --gb26875-listen host:port ("" : no GB/T 26875.3 receiver)
  std::filesystem::path field_devices;  // --field-devices FILE (device → alarm point maps, polls)
};

// The kernel as modules see it (non-owning; everything outlives the modules).
struct Kernel {
  store::Store& store;
  store::Writer& writer;
  const Clock& clock;
  scheduler::Scheduler& scheduler;
  policy::ActivePack& pack;
  org::RoleCatalogue& roles;
  org::AuthService& auth;
  org::OrgService& org;
  runtime::Duties& duties;
  runtime::Procedures& procedures;
  runtime::Requests& requests;
  runtime::EventBus& bus;
  runtime::Actions& actions;
  photos::Photos& photos;
  Metrics& metrics;
  Services& services;
  const ModuleSettings& settings;
};

class Module {
 public:
  virtual ~Module() = default;
  // The module's name: its folder, its migrations' key, its log prefix ("visits").
  virtual std::string_view name() const = 0;
  // Its tables, in version order (store/migration.hpp); empty while its tables are still in the
  // store's own migrations (docs/architecture.md, "Storage").
  virtual std::vector<store::Migration> Migrations() const { return {}; }
  // After Start, or without it (invariant 3: the handlers then answer 503).
  virtual void AddRoutes(Router& router) = 0;
  // The OpenAPI "paths" object of its routes (its folder's openapi.json, compiled in by
  // zhidu_module), merged into /api/v1/openapi.json; a test keeps it equal to the routes.
  virtual std::string_view OpenApiPaths() const { return {}; }
  // The permissions its code checks (Allows), for the catalogue a pack's roles draw from
  // (docs/policy_format.md §3). Ids are "NAME.verb"; they must not repeat the kernel's.
  virtual std::vector<org::PermissionInfo> Permissions() const { return {}; }
  // The procedure action words its Start registers (runtime::Actions), each written WORD:ROLE in
  // a pack ("repair:弱电班"); the loader refuses a word no module registers.
  virtual std::vector<std::string> ActionWords() const { return {}; }
  // The pack records its code writes and the records whose retention rules it applies, by name
  // (policy::RuleNamed: "lost-and-found" is r07-lost-and-found): only these count as executed in
  // `zhidu policy coverage` beside what the pack's own rules write (docs/coverage.md).
  virtual std::vector<std::string> WrittenRecords() const { return {}; }
  virtual std::vector<std::string> RetainedRecords() const { return {}; }
  // The assessment indicator sources (`source:`) its code computes: a scheme counts as executed
  // when every indicator names one (docs/coverage.md).
  virtual std::vector<std::string> AssessmentSources() const { return {}; }
  // Site parameters its code reads that no rule of the pack uses (a survey's delay), each with no
  // default; listed and set with the pack's (runtime::SiteParameters::SetModuleParameters). The
  // pack in force is given so that a declaration cites the pack's clauses.
  virtual std::vector<policy::ParamDecl> Parameters(const policy::Pack&) const { return {}; }
  // The site events it raises from its own records (runtime::Procedures::SetModuleEvents): no
  // person raises them or fires a transition on them by hand.
  virtual std::vector<std::string> RaisedEvents() const { return {}; }
  // Site events it raises from its records that people may also report by hand (a damage found,
  // an alarm phoned in); "*_alarm" stands for every name ending so. With RaisedEvents, what
  // `zhidu policy check` counts as raised by code (policy::LoadOptions::module_events).
  virtual std::vector<std::string> SharedEvents() const { return {}; }
  virtual Result<void> Start(Kernel& kernel) = 0;
  virtual Result<void> SeedDemo(Kernel& kernel) { return Ok(); }
  // Stops what Start started (threads, connections); may be called more than once.
  virtual void Stop() {}
};

}  // namespace zhidu::api
