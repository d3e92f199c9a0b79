#include "modules/service/module.hpp"

#include "api/indicator_sources.hpp"
#include "modules/service/board.hpp"
#include "modules/service/carry.hpp"
#include "modules/service/overview.hpp"
#include "modules/service/reports.hpp"

namespace zhidu::api::module_openapi {
std::string_view service();  // generated from openapi.json
}

namespace zhidu::service {
namespace {

class ServiceModule final : public api::Module {
 public:
  std::string_view name() const override { return "service"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::service(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{{std::string(service::kCustomerDataPermission), "查看完整客户资料",
              "see customers' full phone and ID numbers (every view journaled)"},
             {std::string(service::kSupervisePermission), "督导全部客服队列",
              "reassign tickets of every queue of the site"}}};
  }
  std::vector<store::Migration> Migrations() const override { return service::Migrations(); }
  std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack) const override {
    auto all = Service::Parameters(pack);
    for (auto& p : Service::ReviewParameters(pack)) all.push_back(std::move(p));
    return all;
  }
  // Counted by the people module's assessment runs through api::IndicatorSources (kpi.cpp).
  std::vector<std::string> AssessmentSources() const override { return IndicatorSourceNames(); }
  std::vector<std::string> RaisedEvents() const override {
    return {std::string(kTicketOpened),       std::string(kComplaintReceived),
            std::string(kTicketFirstReply),   std::string(kTicketResolved),
            std::string(kTicketReopened),     std::string(kSatisfactionRecorded),
            std::string(kTicketPending),      std::string(kTicketUnpending),
            std::string(kTicketReplied),      std::string(kTicketCustomerMessage),
            std::string(kOrderReceived),      std::string(kOrderShipped),
            std::string(kUrgentOrder),        std::string(kStockOut),
            std::string(kDeliveryDateAgreed), std::string(kReturnRequested),
            std::string(kInfoFeedback),       std::string(kCallbackPromised),
            std::string(kCallbackDone),       std::string(kTicketPriorityChanged),
            std::string(kTicketMerged)};
  }
  std::vector<std::string> WrittenRecords() const override {
    return {std::string(kCustomerArchive), std::string(kVisitorRecord),
            std::string(kInfoFeedbackRecord), std::string(kCallbackRecord),
            std::string(kOrderRemarkRecord)};
  }
  Result<void> Start(api::Kernel& k) override {
    service_ =
        std::make_unique<Service>(k.store, k.writer, k.pack, k.roles, k.bus, k.clock, &k.scheduler);
    ZHIDU_TRY(int indexed, service_->IndexTickets());
    (void)indexed;
    service_->RegisterHandlers(k.scheduler);
    service_->SetRequests(&k.requests);
    service_->SetWebFormLimit(k.settings.web_form_per_hour);
    service_->SubscribeOrderEvents(k.bus);
    SubscribeHandoverCarry(k.bus);  // open tickets carried over at a handover (carry.hpp)
    k.services.Offer<Service>(service_.get());
    desk_ = std::make_unique<Desk>(k.store, k.writer, k.pack, k.bus);
    reports_ = std::make_unique<Reports>(k.store, k.pack, *service_);
    board_ = std::make_unique<Board>(k.store, k.pack, *service_, k.clock);
    c360_ = std::make_unique<Overview>(k.store, k.pack, *service_, *desk_);
    ZHIDU_TRY(api::IndicatorSources * sources, k.services.Need<api::IndicatorSources>("service"));
    return AddIndicatorSources(*sources, k.pack);
  }
  void AddRoutes(api::Router& router) override {
    service::AddRoutes(router, service_.get());
    service::AddOrderRoutes(router, service_.get());
    service::AddWebFormRoutes(router, service_.get());
    service::AddDeskRoutes(router, desk_.get());
    service::AddReportRoutes(router, reports_.get());
    service::AddBoardRoutes(router, board_.get());
    service::AddOverviewRoutes(router, c360_.get());
  }

 private:
  std::unique_ptr<Service> service_;  // null until Start
  std::unique_ptr<Desk> desk_;        // R17's registers; null until Start
  std::unique_ptr<Reports> reports_;  // the reports (issue 18 §10); null until Start
  std::unique_ptr<Board> board_;      // the supervisor board (§10); null until Start
  std::unique_ptr<Overview> c360_;    // a customer's overview (§10's 360° view); null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<ServiceModule>(); }

}  // namespace zhidu::service
