// The alarms (报警) module: points, the ISA-18.2 lifecycle, ingest over HTTP, MQTT, GB/T 26875.3
// fire panels and Modbus TCP polls (docs/operations.md, "Field devices"), KPIs.
// A point's activation raises the site event named after its kind (fire → fire_alarm) on the bus
// inside the ingest's transaction.
#include "modules/alarms/module.hpp"

#include <iostream>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "modules/alarms/alarms.hpp"
#include "modules/alarms/field_devices.hpp"
#include "modules/alarms/gb26875_listener.hpp"
#include "modules/alarms/modbus_poller.hpp"
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
      mqtt_ = std::make_unique<api::MqttIngest>(*alarms_, k.settings.mqtt, k.settings.mqtt_topic,
                                                k.settings.mqtt_group);
      ZHIDU_TRY_VOID(mqtt_->Check());  // connected in AddRoutes, with the other feeds
    }
    ZHIDU_TRY_VOID(StartFieldDevices(k));
    k.metrics.SetCounter("zhidu_alarm_ingest_rejected_total",
                         "Alarm messages or events refused on MQTT (unknown point, bad payload).",
                         [this] { return static_cast<double>(alarms_->rejected()); });
    k.services.Offer<Alarms>(alarms_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override {
    // Before AddAlarmRoutes: /api/v1/alarms/{id} would take "feeds" for an id.
    router.Add("GET", "/api/v1/alarms/feeds", api::Access::kSignedIn,
               [this](api::HttpRequest& req) { return Feeds(req); });
    api::AddAlarmRoutes(router, alarms_.get());
    router.MarkCacheable("/api/v1/alarms");  // the duty board polls it
    // The device feeds start here, not in Start: the server calls AddRoutes after every module's
    // migrations, Start and demo seeding, which use the store on the main thread; an ingest from
    // a feed's thread during those broke them (SQLite: "cannot start a transaction within a
    // transaction", then "file is not a database"). MQTT's loop thread likewise: a broker already
    // up delivers retained messages at once. `zhidu routes` never started them.
    if (mqtt_) {
      if (auto started = mqtt_->Start(); !started)
        std::cerr << "zhidu: " << started.error().message << std::endl;
    }
    if (gb26875_) gb26875_->Serve();
    if (modbus_) (void)modbus_->Start();
  }
  void Stop() override {
    if (mqtt_) mqtt_->Stop();
    if (gb26875_) gb26875_->Stop();
    if (modbus_) modbus_->Stop();
  }

 private:
  // --field-devices and --gb26875-listen (docs/operations.md, "Field devices").
  Result<void> StartFieldDevices(api::Kernel& k) {
    api::FieldDevices devices;
    if (!k.settings.field_devices.empty()) {
      ZHIDU_TRY(devices, api::LoadFieldDevices(k.settings.field_devices));
    }
    if (!k.settings.gb26875_listen.empty()) {
      gb26875_ = std::make_unique<api::Gb26875Listener>(
          *alarms_, k.clock, k.settings.gb26875_listen, std::move(devices.gb26875));
      ZHIDU_TRY_VOID(gb26875_->Start());
      k.metrics.SetCounter("zhidu_gb26875_frames_refused_total",
                           "GB/T 26875.3 frames refused (bad start/end, length, checksum, "
                           "oversize, data unit, command).",
                           [this] { return static_cast<double>(gb26875_->refused_total()); });
    } else if (!devices.gb26875.empty()) {
      std::cerr << "zhidu: --field-devices maps fire panels but --gb26875-listen is not given: "
                   "no GB/T 26875.3 receiver runs"
                << std::endl;
    }
    if (!devices.modbus.empty()) {
      modbus_ = std::make_unique<api::ModbusPoller>(*alarms_, std::move(devices.modbus));
      k.metrics.SetCounter("zhidu_modbus_poll_errors_total",
                           "Modbus TCP polls that failed (connection, timeout, exception).",
                           [this] { return static_cast<double>(modbus_->errors_total()); });
    }
    roles_ = &k.roles;
    return Ok();
  }
  // GET /api/v1/alarms/feeds: the device feeds' counters. journal.read: they count what the
  // journal's alarm.ingest.rejected records do, and more.
  api::HttpResponse Feeds(api::HttpRequest& req) {
    if (!alarms_ || !roles_)
      return api::ErrorResponse({Errc::kUnavailable, "alarms are not running in this process", ""});
    if (!roles_->Allows(api::PrincipalOf(req), org::perm::kJournalRead))
      return api::ErrorResponse(
          {Errc::kPermissionDenied, "reading the device feeds' counters needs journal.read", ""});
    nlohmann::json out = {
        {"rejected_events", alarms_->rejected()},
        {"mqtt", mqtt_ ? nlohmann::json{{"messages", mqtt_->messages()}} : nlohmann::json(nullptr)},
        {"gb26875", gb26875_ ? gb26875_->Counters() : nlohmann::json(nullptr)},
        {"modbus", modbus_ ? modbus_->Counters() : nlohmann::json::array()}};
    return api::JsonResponse(200, out);
  }

  std::unique_ptr<Alarms> alarms_;  // null until Start
  std::unique_ptr<api::MqttIngest> mqtt_;
  std::unique_ptr<api::Gb26875Listener> gb26875_;
  std::unique_ptr<api::ModbusPoller> modbus_;
  const org::RoleCatalogue* roles_ = nullptr;
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<AlarmsModule>(); }

}  // namespace zhidu::alarms
