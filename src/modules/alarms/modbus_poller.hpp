// Modbus TCP polling (libmodbus) of equipment status points: each poll of --field-devices reads one
// coil, discrete input, holding or input register of one unit at its interval and maps the value
// to an alarm point's state (active_when). The first reading and every change of state are fed to
// Alarms::IngestTrusted (channel "modbus"); an unchanged state is not sent again.
//
// A poll that fails (connection refused, timeout, Modbus exception) is counted and logged when it
// starts failing and when it recovers, not at every interval; the point keeps its last state —
// a lost connection is not a return to normal.
//
// Threads: one polling thread for all polls, each with its own libmodbus context (connected on
// first use, reconnected after an error). Counters are read under a mutex from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "modules/alarms/alarms.hpp"
#include "modules/alarms/field_devices.hpp"

struct _modbus;

namespace zhidu::api {

class ModbusPoller {
 public:
  ModbusPoller(alarms::Alarms& alarms, std::vector<ModbusPoll> polls);
  ~ModbusPoller();
  ModbusPoller(const ModbusPoller&) = delete;
  ModbusPoller& operator=(const ModbusPoller&) = delete;

  // Starts the polling thread (see Gb26875Listener::Serve for when).
  Result<void> Start();
  void Stop();
  nlohmann::json Counters() const;
  std::uint64_t errors_total() const;

 private:
  struct Poll {
    ModbusPoll config;
    _modbus* ctx = nullptr;
    std::chrono::steady_clock::time_point next;
    std::optional<bool> active;  // last state fed to the ingest
    std::optional<long> value;
    std::uint64_t reads = 0, errors = 0, changes = 0;
    std::string last_error;  // empty while reading
  };
  void Run();
  void PollOnce(Poll& p);

  alarms::Alarms& alarms_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;        // guarded by mu_
  std::vector<Poll> polls_;  // counters guarded by mu_; contexts used by the thread only
  std::thread thread_;
};

}  // namespace zhidu::api
