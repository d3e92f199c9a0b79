// The handover (交接班, 五交五不接) module. Needs the duty log (the outgoing shift's report) and
// the rosters (who is rostered for the incoming shift), through the interfaces those modules
// offer; listed after them in src/app/modules.cpp.
#include "modules/handover/module.hpp"

#include "modules/dutylog/dutylog.hpp"
#include "modules/handover/handover.hpp"
#include "modules/handover/routes.hpp"
#include "modules/roster/roster.hpp"

namespace zhidu::api::module_openapi {
std::string_view handover();  // generated from openapi.json
}

namespace zhidu::handover {
namespace {

class HandoverModule final : public api::Module {
 public:
  std::string_view name() const override { return "handover"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::handover(); }
  Result<void> Start(api::Kernel& k) override {
    ZHIDU_TRY(auto* log, k.services.Need<dutylog::DutyLog>(name()));
    ZHIDU_TRY(auto* rosters, k.services.Need<roster::Rosters>(name()));
    handovers_ = std::make_unique<Handovers>(k.store, k.writer, k.auth, k.pack);
    // What other modules hand over with the post (kernel/runtime/handover_events.hpp).
    handovers_->SetBus(&k.bus);
    // The next shift must read abnormal entries and alarms (R12 §四(一)3, R20 §四8).
    handovers_->SetLogSource(
        [log](store::Id post_id, TimePoint from, TimePoint to) -> Result<std::vector<LogEntry>> {
          ZHIDU_TRY(auto rows, log->PostEntries(post_id, from, to));
          std::vector<LogEntry> out;
          out.reserve(rows.size());
          for (const auto& e : rows)
            out.push_back({e.id, e.at, e.author_person, e.kind, e.text,
                           e.kind == "abnormal" || e.kind == "alarm"});
          return out;
        });
    handovers_->SetRosterSource([rosters](store::Id post_id, TimePoint from,
                                          TimePoint to) -> Result<std::vector<RosterShift>> {
      ZHIDU_TRY(auto slots, rosters->ShiftStarts(post_id, from, to));
      std::vector<RosterShift> out;
      out.reserve(slots.size());
      for (auto& s : slots)
        out.push_back({s.starts_at, s.ends_at, std::move(s.shift_name), std::move(s.person_ids)});
      return out;
    });
    return Ok();
  }
  void AddRoutes(api::Router& router) override { api::AddHandoverRoutes(router, handovers_.get()); }

 private:
  std::unique_ptr<Handovers> handovers_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<HandoverModule>(); }

}  // namespace zhidu::handover
