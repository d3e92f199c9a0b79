#include "modules/rooms/module.hpp"

namespace zhidu::api::module_openapi {
std::string_view rooms();  // generated from openapi.json
}

namespace zhidu::rooms {
namespace {

class RoomsModule final : public api::Module {
 public:
  std::string_view name() const override { return "rooms"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::rooms(); }
  std::vector<store::Migration> Migrations() const override { return rooms::Migrations(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{std::string(kManagePermission), "管理休息室/宿舍",
             "create rooms, allocate and release beds, choose the room leader, keep the key "
             "register"}};
  }
  std::vector<std::string> WrittenRecords() const override {
    return {std::string(kAllocationRecord), std::string(kKeyRecord)};
  }
  // Its inspections, move-outs and damage reports; the office may also report them by hand.
  std::vector<std::string> SharedEvents() const override {
    return {std::string(kInspectionFailed), std::string(kRectified), std::string(kEmployeeLeft),
            std::string(kDamageFound), std::string(kMovedOut)};
  }
  Result<void> Start(api::Kernel& k) override {
    rooms_ = std::make_unique<Rooms>(k.store, k.writer, k.pack, k.roles, k.requests, k.bus);
    rooms_->RegisterHandlers(k.scheduler);
    k.services.Offer<Rooms>(rooms_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override { rooms::AddRoutes(router, rooms_.get()); }

 private:
  std::unique_ptr<Rooms> rooms_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<RoomsModule>(); }

}  // namespace zhidu::rooms
