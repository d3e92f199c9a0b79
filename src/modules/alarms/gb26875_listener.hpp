// The GB/T 26875.3 receiver (`zhidu serve --gb26875-listen HOST:PORT`): a TCP listener that
// 用户信息传输装置 connect to. Each well-formed 发送数据 frame is decoded (gb26875.hpp), its
// 建筑消防设施系统状态 and 部件运行状态 objects mapped (field_devices.hpp) to alarm events and fed
// to Alarms::IngestTrusted in one transaction, then answered 确认. A frame that cannot be read is
// refused: answered 否认 when its header could be read (so the device resends, as the standard's
// 重发机制 expects), counted by reason, and logged.
//
// Mapping of one status object from device D (the frame's 源地址), system S, component C:
//  - a component object → every mapping (D, S, C): active while one of its `on` bits is set,
//    normal otherwise;
//  - a system object → every mapping (D, S, no component) the same way; with the 复位 bit (bit 13)
//    set, every mapping of (D, S), components included, returns to normal (the panel was reset);
//    so does a 建筑消防设施操作信息 object (type 4) whose 操作标志 has 复位 (bit 0) — other
//    operations (消音, 自检, …) change nothing;
//  - no mapping: counted as unmapped, logged, and journaled `alarm.ingest.rejected` (never dropped
//    silently); the frame is still confirmed — the device did nothing wrong.
// Data unit types other than 1, 2 and 4 are confirmed and counted as ignored.
//
// Threads: one I/O thread owns the sockets; ingest runs on it (the writer serialises anyway).
// Counters are atomics, read from any thread.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "modules/alarms/alarms.hpp"
#include "modules/alarms/field_devices.hpp"
#include "modules/alarms/gb26875.hpp"

namespace zhidu::api {

class Gb26875Listener {
 public:
  Gb26875Listener(alarms::Alarms& alarms, const Clock& clock, std::string listen,
                  std::vector<PanelMapping> mappings);
  ~Gb26875Listener();
  Gb26875Listener(const Gb26875Listener&) = delete;
  Gb26875Listener& operator=(const Gb26875Listener&) = delete;

  // Binds; kInvalidArgument/kUnavailable when the address is bad or taken. Accepts nothing yet.
  Result<void> Start();
  // Starts accepting on the I/O thread (once the server no longer uses the store on its own
  // thread: see module.cpp).
  void Serve();
  void Stop();
  // The counters, for GET /api/v1/alarms/feeds.
  nlohmann::json Counters() const;
  std::uint64_t refused_total() const;

 private:
  struct Impl;
  friend struct Impl;
  // Decodes and ingests one well-formed frame; returns the reply to send ("" for none).
  std::string Handle(const gb26875::Frame& frame, const std::string& peer);
  std::string Refuse(const gb26875::Scanned& s, const std::string& peer);

  alarms::Alarms& alarms_;
  const Clock& clock_;
  std::string listen_;
  std::vector<PanelMapping> mappings_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;

  std::atomic<std::uint64_t> connections_{0}, frames_{0}, confirmed_{0}, denied_{0}, objects_{0},
      events_{0}, unmapped_{0}, ignored_units_{0}, answers_{0}, ingest_failures_{0};
  std::array<std::atomic<std::uint64_t>, std::size(gb26875::kAllRefusals)> refused_{};
};

}  // namespace zhidu::api
