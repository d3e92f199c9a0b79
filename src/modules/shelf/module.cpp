#include "modules/shelf/module.hpp"

namespace zhidu::api::module_openapi {
std::string_view shelf();  // generated from openapi.json
}

namespace zhidu::shelf {
namespace {

class ShelfModule final : public api::Module {
 public:
  std::string_view name() const override { return "shelf"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::shelf(); }
  std::vector<store::Migration> Migrations() const override { return shelf::Migrations(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{std::string(kManagePermission), "管理休息室货架",
             "add shelf goods and their prices, receive stock, record losses with compensation"},
            {std::string(kSellPermission), "货架销售与盘点",
             "record shelf sales, the stocktakes before and after work and the weekly "
             "reconciliation"}};
  }
  std::vector<std::string> WrittenRecords() const override {
    return {std::string(kGoodsRecord), std::string(kReconciliationRecord)};
  }
  Result<void> Start(api::Kernel& k) override {
    shelf_ =
        std::make_unique<Shelf>(k.store, k.writer, k.clock, k.pack, k.roles, k.duties, k.requests);
    return Ok();
  }
  void AddRoutes(api::Router& router) override { shelf::AddRoutes(router, shelf_.get()); }

 private:
  std::unique_ptr<Shelf> shelf_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<ShelfModule>(); }

}  // namespace zhidu::shelf
