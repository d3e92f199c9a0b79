// The rosters (排班) module: shift assignments from the pack's patterns, staffing checks, swaps,
// leave, iCalendar and the 排班表. Gives the kernel's duties their shift calendar (shift duties
// follow the published roster) and offers roster::Rosters (who is on a post at an instant).
#include "modules/roster/module.hpp"

#include "modules/roster/leave_requests.hpp"
#include "modules/roster/roster.hpp"
#include "modules/roster/routes.hpp"

namespace zhidu::api::module_openapi {
std::string_view roster();  // generated from openapi.json
}

namespace zhidu::roster {
namespace {

class RosterModule final : public api::Module {
 public:
  std::string_view name() const override { return "roster"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::roster(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{{std::string(roster::perm::kRosterManage), "管理排班",
              "generate and publish rosters, record leave and substitutions"}}};
  }
  Result<void> Start(api::Kernel& k) override {
    rosters_ = std::make_unique<Rosters>(k.store, k.writer, k.pack, k.roles);
    store_ = &k.store;
    clock_ = &k.clock;
    k.duties.SetShiftCalendar([](store::UnitOfWork& unit, store::Id post_id, TimePoint from,
                                 TimePoint to) -> Result<std::vector<runtime::ShiftWindow>> {
      ZHIDU_TRY(auto slots, PublishedShiftStarts(unit, post_id, from, to));
      std::vector<runtime::ShiftWindow> out;
      for (const auto& s : slots) out.push_back({s.starts_at, s.ends_at});
      return out;
    });
    // 请假 as a pack request (leave_requests.hpp): checked when filed, carried out when approved.
    k.bus.Subscribe<runtime::RequestFiled>(
        "roster", [&pack = k.pack](store::Tx& tx, const runtime::RequestFiled& e) {
          return OnLeaveFiled(tx, *pack.Current(), e);
        });
    k.bus.Subscribe<runtime::RequestApproved>(
        "roster", [&pack = k.pack](store::Tx& tx, const runtime::RequestApproved& e) {
          return OnLeaveApproved(tx, *pack.Current(), e);
        });
    k.services.Offer<Rosters>(rosters_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override {
    api::AddRosterRoutes(router, {rosters_.get(), store_, clock_});
    router.MarkCacheable("/api/v1/rosters");  // the duty board polls it
  }

 private:
  std::unique_ptr<Rosters> rosters_;  // null until Start
  store::Store* store_ = nullptr;
  const Clock* clock_ = nullptr;
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<RosterModule>(); }

}  // namespace zhidu::roster
