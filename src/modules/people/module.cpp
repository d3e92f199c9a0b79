#include "modules/people/module.hpp"

namespace zhidu::api::module_openapi {
std::string_view people();  // generated from openapi.json
}

namespace zhidu::people {
namespace {

class PeopleModule final : public api::Module {
 public:
  std::string_view name() const override { return "people"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::people(); }
  std::vector<store::Migration> Migrations() const override { return people::Migrations(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{std::string(kManagePermission), "管理纪律处分",
             "take any step of a discipline case, whatever role the pack names for it"}};
  }
  Result<void> Start(api::Kernel& k) override {
    discipline_ = std::make_unique<Discipline>(k.store, k.writer, k.scheduler, k.pack, k.roles);
    discipline_->RegisterHandlers();
    k.services.Offer<Discipline>(discipline_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override { people::AddRoutes(router, discipline_.get()); }

 private:
  std::unique_ptr<Discipline> discipline_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<PeopleModule>(); }

}  // namespace zhidu::people
