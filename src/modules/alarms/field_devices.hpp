// Field devices (现场设备) that feed the alarm module without speaking its JSON: fire panels over
// GB/T 26875.3 and equipment polled over Modbus TCP. The file given to `zhidu serve
// --field-devices FILE` maps each device's addresses to an alarm point (source, point) configured
// in zhidu; docs/operations.md shows a complete file. No figure here has a default: an interval or
// a threshold is the site's to choose.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace zhidu::api {

// A fire panel's system (系统状态) or component (部件运行状态) → an alarm point.
struct PanelMapping {
  std::uint64_t device = 0;                // 源地址 of the 用户信息传输装置 (48 bits)
  int system = 0;                          // 系统地址 0…255
  std::optional<std::uint32_t> component;  // 部件地址; none: the system's own state
  std::uint16_t mask = 0;                  // the state bits that make the point active
  std::string source, point;
};

// One Modbus TCP poll → an alarm point.
struct ModbusPoll {
  std::string host;
  int port = 0;
  int unit = 0;       // unit identifier (slave id)
  std::string table;  // coil, discrete_input, holding_register, input_register
  int address = 0;    // 0-based protocol address
  int interval_ms = 0;
  // When the value read makes the point active: exactly one of these.
  std::optional<long> equals, not_equals, above, below;
  std::optional<int> bit;  // a register's bit (0…15) set
  std::string source, point;

  bool ActiveFor(long value) const;
};

struct FieldDevices {
  std::vector<PanelMapping> gb26875;
  std::vector<ModbusPoll> modbus;
};

// Reads and checks the file; kInvalidArgument naming the entry and field that is wrong.
Result<FieldDevices> LoadFieldDevices(const std::filesystem::path& file);

}  // namespace zhidu::api
