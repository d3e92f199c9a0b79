#include "modules/lounge/module.hpp"

namespace zhidu::api::module_openapi {
std::string_view lounge();  // generated from openapi.json
}

namespace zhidu::lounge {
namespace {

class LoungeModule final : public api::Module {
 public:
  std::string_view name() const override { return "lounge"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::lounge(); }
  std::vector<store::Migration> Migrations() const override { return lounge::Migrations(); }
  std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack) const override {
    return Lounge::Parameters(pack);
  }
  std::vector<std::string> RaisedEvents() const override {
    return {std::string(kArrived),  std::string(kRegistered), std::string(kReminded),
            std::string(kEscorted), std::string(kSmsSent),    std::string(kMissedTrain)};
  }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{std::string(kReviewPermission), "查看贵宾厅漏提醒",
             "list the VIP lounge's boarding reminders not recorded in time (breached, escalated "
             "or met late) with their guests and attendants"}};
  }
  std::vector<std::string> WrittenRecords() const override { return {std::string(kGuestRegister)}; }
  Result<void> Start(api::Kernel& k) override {
    if (!k.settings.sms_url.empty()) sms_ = MakeHttpSmsSender(k.settings.sms_url);
    lounge_ = std::make_unique<Lounge>(k.store, k.writer, k.pack, k.roles, k.bus, k.clock,
                                       k.scheduler, sms_.get());
    lounge_->RegisterHandlers();
    return Ok();
  }
  void AddRoutes(api::Router& router) override { lounge::AddRoutes(router, lounge_.get()); }

 private:
  std::unique_ptr<SmsSender> sms_;  // null without --sms-url
  std::unique_ptr<Lounge> lounge_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<LoungeModule>(); }

}  // namespace zhidu::lounge
