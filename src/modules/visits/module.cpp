// The visits (来访) and footage (录像) module. Raises visitors_left on the event bus when the last
// visitor leaves a place (R02 §一4); offers visits::Visits.
#include "modules/visits/module.hpp"

#include "modules/visits/routes.hpp"
#include "modules/visits/visits.hpp"

namespace zhidu::api::module_openapi {
std::string_view visits();  // generated from openapi.json
}

namespace zhidu::visits {
namespace {

class VisitsModule final : public api::Module {
 public:
  std::string_view name() const override { return "visits"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::visits(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{{std::string(visits::kPermVisitsManage), "管理来访登记",
              "register visitors, their entry, exit and escort"},
             {std::string(visits::kPermFootageManage), "管理录像",
              "register and delete recorded footage (viewing needs an approved request)"}}};
  }
  // Footage segments are the footage record; its retention rules set how long each is kept.
  std::vector<std::string> WrittenRecords() const override { return {FootageRules{}.record}; }
  std::vector<std::string> RetainedRecords() const override { return {FootageRules{}.record}; }
  std::vector<std::string> SharedEvents() const override { return {std::string(kVisitorsLeft)}; }
  Result<void> Start(api::Kernel& k) override {
    // FootageRules' defaults name the shipped pack's footage record and view requests (the pack
    // does not type them yet; docs/visitors.md).
    visits_ = std::make_unique<Visits>(k.store, k.writer, k.roles, k.pack);
    visits_->SetBus(&k.bus);
    k.services.Offer<Visits>(visits_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override { api::AddVisitRoutes(router, visits_.get()); }

 private:
  std::unique_ptr<Visits> visits_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<VisitsModule>(); }

}  // namespace zhidu::visits
