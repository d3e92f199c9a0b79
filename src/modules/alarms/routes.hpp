// Routes of alarm points and alarms (报警) under /api/v1/alarm-points and /api/v1/alarms
// (docs/alarms.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/router.hpp"
#include "base/result.hpp"
#include "modules/alarms/alarms.hpp"

namespace zhidu::api {

void AddAlarmRoutes(Router& router, alarms::Alarms* alarms);  // null: 503

// Alarm events from JSON — {"events":[…]}, an array, or one event object — each
// {source, point, state: active|normal, at?, value?}. `default_source` fills a missing source
// (MQTT: the topic level matched by '+'). Errors name the field ("events[3].state").
Result<std::vector<alarms::Event>> ParseAlarmEvents(const nlohmann::json& body,
                                                    const std::string& default_source = {});

}  // namespace zhidu::api
