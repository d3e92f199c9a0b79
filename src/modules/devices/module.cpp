// The devices module: access-control and recorder gateways post signed events; doors move visits
// (visits module) or check people in to rooms (rooms module), recorders register footage through
// the visits module. Both must start before it.
#include "modules/devices/module.hpp"

namespace zhidu::api::module_openapi {
std::string_view devices();  // generated from openapi.json
}

namespace zhidu::devices {
namespace {

class DevicesModule final : public api::Module {
 public:
  std::string_view name() const override { return "devices"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::devices(); }
  std::vector<store::Migration> Migrations() const override { return devices::Migrations(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{{std::string(kPermManage), "管理门禁与录像接入",
              "register access-control and recorder sources and rotate their secrets"}}};
  }
  Result<void> Start(api::Kernel& k) override {
    ZHIDU_TRY(auto* visits, k.services.Need<visits::Visits>(name()));
    ZHIDU_TRY(auto* rooms, k.services.Need<rooms::Rooms>(name()));
    devices_ = std::make_unique<Devices>(k.store, k.writer, k.roles, *visits, *rooms);
    clock_ = &k.clock;
    return Ok();
  }
  void AddRoutes(api::Router& router) override {
    devices::AddRoutes(router, devices_.get(), clock_);
  }

 private:
  std::unique_ptr<Devices> devices_;  // null until Start
  const Clock* clock_ = nullptr;
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<DevicesModule>(); }

}  // namespace zhidu::devices
