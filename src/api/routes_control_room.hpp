// Routes of the control room's records: the duty log (/api/v1/duty-log) and alarms
// (/api/v1/alarm-points, /api/v1/alarms). Handlers translate JSON; rules live in kernel/dutylog and
// kernel/alarms.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/router.hpp"
#include "base/result.hpp"
#include "kernel/alarms/alarms.hpp"
#include "kernel/dutylog/dutylog.hpp"

namespace zhidu::api {

struct ControlRoomRouteDeps {
  dutylog::DutyLog* dutylog = nullptr;  // null (e.g. `zhidu routes`): routes answer 503
  alarms::Alarms* alarms = nullptr;
};

void AddControlRoomRoutes(Router& router, ControlRoomRouteDeps deps);

// Alarm events from JSON — {"events":[…]}, an array, or one event object — each
// {source, point, state: active|normal, at?, value?}. `default_source` fills a missing source
// (MQTT: the topic level matched by '+'). Errors name the field ("events[3].state").
Result<std::vector<alarms::Event>> ParseAlarmEvents(const nlohmann::json& body,
                                                    const std::string& default_source = {});

}  // namespace zhidu::api
