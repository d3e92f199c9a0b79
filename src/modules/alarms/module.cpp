// The alarms (报警) module: points, the ISA-18.2 lifecycle, ingest over HTTP and MQTT, KPIs.
// A point's activation raises the site event named after its kind (fire → fire_alarm) on the bus
// inside the ingest's transaction.
#include "modules/alarms/module.hpp"

#include "modules/alarms/alarms.hpp"
#include "modules/alarms/mqtt_ingest.hpp"
#include "modules/alarms/routes.hpp"

namespace zhidu::api::module_openapi {
std::string_view alarms();  // generated from openapi.json
}

namespace zhidu::alarms {
namespace {

class AlarmsModule final : public api::Module {
 public:
  std::string_view name() const override { return "alarms"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::alarms(); }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{{std::string(alarms::kIngestPermission), "接入报警",
              "feed alarm events into the alarm module (integrations and gateways)"}}};
  }
  // "K_alarm" for a point of kind K going active, "cleared" on its return (alarms.hpp); an alarm
  // may also be phoned in and reported by hand.
  std::vector<std::string> SharedEvents() const override {
    return {"*_alarm", std::string(kClearedEvent)};
  }
  Result<void> Start(api::Kernel& k) override {
    AlarmOptions options;
    options.aggregation_window = std::chrono::seconds(k.settings.alarm_aggregation_s);
    options.max_shelve = std::chrono::minutes(k.settings.alarm_max_shelve_min);
    alarms_ = std::make_unique<Alarms>(k.store, k.writer, k.scheduler, k.roles, k.clock, options);
    alarms_->RegisterHandlers();
    alarms_->SetPack(&k.pack);
    alarms_->SetBus(&k.bus);
    if (!k.settings.mqtt.empty()) {
      mqtt_ = std::make_unique<api::MqttIngest>(*alarms_, k.settings.mqtt, k.settings.mqtt_topic);
      ZHIDU_TRY_VOID(mqtt_->Start());
    }
    k.metrics.SetCounter("zhidu_alarm_ingest_rejected_total",
                         "Alarm messages or events refused on MQTT (unknown point, bad payload).",
                         [this] { return static_cast<double>(alarms_->rejected()); });
    k.services.Offer<Alarms>(alarms_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override {
    api::AddAlarmRoutes(router, alarms_.get());
    router.MarkCacheable("/api/v1/alarms");  // the duty board polls it
  }
  void Stop() override {
    if (mqtt_) mqtt_->Stop();
  }

 private:
  std::unique_ptr<Alarms> alarms_;  // null until Start
  std::unique_ptr<api::MqttIngest> mqtt_;
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<AlarmsModule>(); }

}  // namespace zhidu::alarms
