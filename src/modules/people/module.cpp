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
  std::vector<store::Migration> Migrations() const override {
    auto all = people::Migrations();                                     // 1: discipline cases
    for (auto& m : AttendanceMigrations()) all.push_back(std::move(m));  // 2: attendance findings
    return all;
  }
  std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack) const override {
    return AttendanceCheck::Parameters(pack);
  }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{std::string(kManagePermission), "管理纪律处分",
             "take any step of a discipline case, whatever role the pack names for it"}};
  }
  Result<void> Start(api::Kernel& k) override {
    discipline_ = std::make_unique<Discipline>(k.store, k.writer, k.scheduler, k.pack, k.roles);
    discipline_->RegisterHandlers();
    k.services.Offer<Discipline>(discipline_.get());
    attendance_ =
        std::make_unique<AttendanceCheck>(k.store, k.writer, k.scheduler, k.pack, k.roles, k.clock);
    return attendance_->Start();
  }
  void AddRoutes(api::Router& router) override {
    people::AddRoutes(router, discipline_.get());
    people::AddAttendanceRoutes(router, attendance_.get());
  }

 private:
  std::unique_ptr<Discipline> discipline_;       // null until Start
  std::unique_ptr<AttendanceCheck> attendance_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<PeopleModule>(); }

}  // namespace zhidu::people
