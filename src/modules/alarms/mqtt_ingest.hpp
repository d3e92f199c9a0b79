// Alarm ingest from MQTT (libmosquitto): subscribes to a topic pattern on a broker and feeds each
// message's events to Alarms::IngestTrusted. Payloads are JSON, as for POST /api/v1/alarms:ingest;
// an event without `source` takes the topic level matched by the pattern's first '+'. A message
// that cannot be read, or an event for an unknown source or point, is counted and journaled as
// `alarm.ingest.rejected` — MQTT has no reply to refuse it with.
//
// Several nodes: with a group, the subscription is shared ("$share/<group>/<topic>", MQTT v5
// shared subscriptions, which mosquitto 2 also offers MQTT 3.1.1 clients): the broker hands each
// message to one subscriber of the group, so nodes on one database ingest it once between them,
// and a node that goes away leaves its share to the others at once (docs/operations.md).
//
// Threads: libmosquitto's network thread runs the callbacks; it reconnects by itself.
#pragma once

#include <atomic>
#include <string>

#include "base/result.hpp"
#include "modules/alarms/alarms.hpp"

struct mosquitto;
struct mosquitto_message;

namespace zhidu::api {

class MqttIngest {
 public:
  // `broker` is "host:port"; `group` "" subscribes to `topic` itself.
  MqttIngest(alarms::Alarms& alarms, std::string broker, std::string topic, std::string group);
  ~MqttIngest();
  MqttIngest(const MqttIngest&) = delete;
  MqttIngest& operator=(const MqttIngest&) = delete;

  // The broker address is host:port (checked at server start, before anything is connected).
  Result<void> Check() const;
  Result<void> Start();
  void Stop();
  std::uint64_t messages() const { return messages_.load(); }

 private:
  static void OnConnect(mosquitto* m, void* self, int rc);
  static void OnMessage(mosquitto* m, void* self, const mosquitto_message* msg);
  void Handle(const std::string& topic, const std::string& payload);

  alarms::Alarms& alarms_;
  std::string host_;
  int port_ = 1883;
  std::string topic_;         // the pattern messages' topics match
  std::string group_;         // the shared-subscription group; "": none
  std::string subscription_;  // what is subscribed: topic_, or $share/<group>/topic_
  mosquitto* client_ = nullptr;
  std::atomic<std::uint64_t> messages_{0};
};

}  // namespace zhidu::api
