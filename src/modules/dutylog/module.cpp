// The duty log (值班记录) module: append-only entries, Chinese search, print and XLSX. Offers
// dutylog::DutyLog to the modules that write or read the log (alarms, visits, handover).
#include "modules/dutylog/module.hpp"

#include "modules/dutylog/dutylog.hpp"
#include "modules/dutylog/routes.hpp"

namespace zhidu::api::module_openapi {
std::string_view dutylog();  // generated from openapi.json
}

namespace zhidu::dutylog {
namespace {

class DutyLogModule final : public api::Module {
 public:
  std::string_view name() const override { return "dutylog"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::dutylog(); }
  // Its entries are the site's 值班记录, printed as any pack record named *-duty-log (Print).
  std::vector<std::string> WrittenRecords() const override { return {"duty-log"}; }
  Result<void> Start(api::Kernel& k) override {
    log_ = std::make_unique<DutyLog>(k.store, k.writer, k.roles, k.pack);
    k.services.Offer<DutyLog>(log_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override { api::AddDutyLogRoutes(router, log_.get()); }

 private:
  std::unique_ptr<DutyLog> log_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<DutyLogModule>(); }

}  // namespace zhidu::dutylog
