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
    for (auto& m : AssessmentMigrations()) all.push_back(std::move(m));  // 3: assessments
    for (auto& m : EmploymentMigrations()) all.push_back(std::move(m));  // 4: employment stage
    for (auto& m : WithdrawalMigrations()) all.push_back(std::move(m));  // 5: findings withdrawn
    return all;
  }
  std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack) const override {
    auto all = AttendanceCheck::Parameters(pack);
    for (auto& p : Assessments::Parameters(pack)) all.push_back(std::move(p));
    return all;
  }
  std::vector<std::string> AssessmentSources() const override {
    std::vector<std::string> out;
    for (const auto& s : people::AssessmentSources()) out.emplace_back(s.name);
    return out;
  }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{std::string(kManagePermission), "管理纪律处分",
             "take any step of a discipline case, whatever role the pack names for it"},
            {std::string(kAssessPermission), "管理绩效考核",
             "run assessments, enter managers' scores and pay inputs, close and re-open a month"}};
  }
  Result<void> Start(api::Kernel& k) override {
    discipline_ = std::make_unique<Discipline>(k.store, k.writer, k.scheduler, k.pack, k.roles);
    discipline_->RegisterHandlers();
    k.services.Offer<Discipline>(discipline_.get());
    // Sources other modules contribute (api/indicator_sources.hpp); none repeats one of ours.
    ZHIDU_TRY(const api::IndicatorSources* contributed,
              k.services.Need<api::IndicatorSources>("people"));
    for (const auto& s : contributed->all())
      if (FindSource(s.name))
        return Fail(Errc::kFailedPrecondition, "the module " + s.module +
                                                   " contributes the assessment source " + s.name +
                                                   ", which the people module computes itself");
    assessments_ = std::make_unique<Assessments>(k.store, k.writer, k.pack, k.roles, contributed);
    // 请假 approved after the day withdraws what attendance found (attendance.hpp); the roster,
    // started before this module, has retired the shifts by then.
    k.bus.Subscribe<runtime::RequestApproved>("people", WithdrawForLeave);
    attendance_ =
        std::make_unique<AttendanceCheck>(k.store, k.writer, k.scheduler, k.pack, k.roles, k.clock);
    return attendance_->Start();
  }
  void AddRoutes(api::Router& router) override {
    people::AddRoutes(router, discipline_.get());
    people::AddAttendanceRoutes(router, attendance_.get());
    people::AddAssessmentRoutes(router, assessments_.get());
  }

 private:
  std::unique_ptr<Discipline> discipline_;       // null until Start
  std::unique_ptr<AttendanceCheck> attendance_;  // null until Start
  std::unique_ptr<Assessments> assessments_;     // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<PeopleModule>(); }

}  // namespace zhidu::people
