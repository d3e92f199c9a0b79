#include "modules/alarms/mqtt_ingest.hpp"

#include <mosquitto.h>

#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "api/json_body.hpp"
#include "modules/alarms/routes.hpp"

namespace zhidu::api {

namespace {
// The topic level that the pattern's first single-level wildcard matched, or "".
std::string WildcardLevel(const std::string& pattern, const std::string& topic) {
  size_t pi = 0, ti = 0;
  while (pi <= pattern.size() && ti <= topic.size()) {
    size_t pe = pattern.find('/', pi), te = topic.find('/', ti);
    if (pe == std::string::npos) pe = pattern.size();
    if (te == std::string::npos) te = topic.size();
    if (pattern.compare(pi, pe - pi, "+") == 0) return topic.substr(ti, te - ti);
    pi = pe + 1;
    ti = te + 1;
  }
  return "";
}
}  // namespace

MqttIngest::MqttIngest(alarms::Alarms& alarms, std::string broker, std::string topic,
                       std::string group)
    : alarms_(alarms),
      topic_(std::move(topic)),
      group_(std::move(group)),
      subscription_(group_.empty() ? topic_ : "$share/" + group_ + "/" + topic_) {
  auto colon = broker.rfind(':');
  host_ = broker.substr(0, colon);
  if (colon != std::string::npos) port_ = std::atoi(broker.c_str() + colon + 1);
}

MqttIngest::~MqttIngest() { Stop(); }

Result<void> MqttIngest::Check() const {
  if (host_.empty() || port_ <= 0 || port_ > 65535)
    return Fail(Errc::kInvalidArgument, "--mqtt must be host:port");
  if (group_.find_first_of("/+#") != std::string::npos)
    return Fail(Errc::kInvalidArgument, "--mqtt-group must not contain /, + or #");
  return Ok();
}

Result<void> MqttIngest::Start() {
  static std::once_flag init;
  std::call_once(init, [] { mosquitto_lib_init(); });
  ZHIDU_TRY_VOID(Check());
  client_ = mosquitto_new(nullptr, true, this);
  if (!client_) return Fail(Errc::kInternal, "mosquitto_new failed");
  mosquitto_connect_callback_set(client_, &MqttIngest::OnConnect);
  mosquitto_message_callback_set(client_, &MqttIngest::OnMessage);
  mosquitto_reconnect_delay_set(client_, 1, 10, false);
  // connect_async: a broker that is down at start is retried by the loop thread.
  int rc = mosquitto_connect_async(client_, host_.c_str(), port_, 30);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO)
    return Fail(Errc::kUnavailable, std::string("MQTT: ") + mosquitto_strerror(rc));
  rc = mosquitto_loop_start(client_);
  if (rc != MOSQ_ERR_SUCCESS)
    return Fail(Errc::kInternal, std::string("MQTT loop: ") + mosquitto_strerror(rc));
  return Ok();
}

void MqttIngest::Stop() {
  if (!client_) return;
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, true);
  mosquitto_destroy(client_);
  client_ = nullptr;
}

void MqttIngest::OnConnect(mosquitto* m, void* self, int rc) {
  auto* me = static_cast<MqttIngest*>(self);
  if (rc != 0) {
    std::cerr << "zhidu: MQTT connect refused: " << mosquitto_connack_string(rc) << std::endl;
    return;
  }
  mosquitto_subscribe(m, nullptr, me->subscription_.c_str(), 1);
  std::cout << "zhidu: MQTT subscribed to " << me->subscription_ << " on " << me->host_ << ":"
            << me->port_ << std::endl;
}

void MqttIngest::OnMessage(mosquitto*, void* self, const mosquitto_message* msg) {
  auto* me = static_cast<MqttIngest*>(self);
  std::string payload(static_cast<const char*>(msg->payload), static_cast<size_t>(msg->payloadlen));
  me->Handle(msg->topic ? msg->topic : "", payload);
}

void MqttIngest::Handle(const std::string& topic, const std::string& payload) {
  ++messages_;
  auto body = ParseJson(payload, "the payload");
  if (!body) {
    alarms_.Reject("mqtt", topic, body.error().message);
    return;
  }
  auto events = ParseAlarmEvents(*body, WildcardLevel(topic_, topic));
  if (!events) {
    alarms_.Reject("mqtt", topic, events.error().message);
    return;
  }
  auto out = alarms_.IngestTrusted(*events, "mqtt");
  if (!out) std::cerr << "zhidu: MQTT ingest failed: " << out.error().message << std::endl;
}

}  // namespace zhidu::api
