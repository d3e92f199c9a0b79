#include "modules/alarms/field_devices.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "modules/alarms/gb26875.hpp"

namespace zhidu::api {

namespace {

Error Bad(const std::string& where, const std::string& why) {
  return Error{Errc::kInvalidArgument, "--field-devices: " + where + ": " + why, ""};
}

// An integer written in decimal or 0x hex, within [lo, hi].
Result<std::uint64_t> Integer(const YAML::Node& node, const std::string& where, std::uint64_t lo,
                              std::uint64_t hi) {
  if (!node || !node.IsScalar()) return std::unexpected(Bad(where, "an integer is required"));
  const std::string text = node.Scalar();
  size_t used = 0;
  std::uint64_t v = 0;
  try {
    if (!text.empty() && text[0] == '-') throw std::invalid_argument("negative");
    v = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || v < lo || v > hi)
    return std::unexpected(Bad(where, "\"" + text + "\" is not an integer from " +
                                          std::to_string(lo) + " to " + std::to_string(hi)));
  return v;
}

Result<long> Signed(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) return std::unexpected(Bad(where, "an integer is required"));
  try {
    size_t used = 0;
    long v = std::stol(node.Scalar(), &used, 0);
    if (used == node.Scalar().size()) return v;
  } catch (const std::exception&) {
  }
  return std::unexpected(Bad(where, "\"" + node.Scalar() + "\" is not an integer"));
}

Result<std::string> Text(const YAML::Node& node, const std::string& where) {
  if (!node || !node.IsScalar() || node.Scalar().empty())
    return std::unexpected(Bad(where, "text is required"));
  return node.Scalar();
}

Result<void> OnlyKeys(const YAML::Node& node, const std::string& where,
                      const std::set<std::string>& keys) {
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    if (!keys.count(key)) return std::unexpected(Bad(where, "unknown field " + key));
  }
  return Ok();
}

Result<PanelMapping> Panel(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap()) return std::unexpected(Bad(where, "an entry must be a map"));
  ZHIDU_TRY_VOID(OnlyKeys(n, where, {"device", "system", "component", "on", "source", "point"}));
  PanelMapping m;
  ZHIDU_TRY(m.device, Integer(n["device"], where + ".device", 0, 0xffffffffffffull));
  ZHIDU_TRY(auto system, Integer(n["system"], where + ".system", 0, 255));
  m.system = static_cast<int>(system);
  if (n["component"]) {
    ZHIDU_TRY(auto c, Integer(n["component"], where + ".component", 0, 0xffffffffull));
    m.component = static_cast<std::uint32_t>(c);
  }
  const auto on = n["on"];
  if (!on || !on.IsSequence() || on.size() == 0)
    return std::unexpected(
        Bad(where + ".on", "a list of fire, fault, shielded, supervisory is required"));
  for (size_t i = 0; i < on.size(); ++i) {
    auto flag = on[i].IsScalar() ? on[i].Scalar() : "";
    if (flag == "fire")
      m.mask |= gb26875::kFire;
    else if (flag == "fault")
      m.mask |= gb26875::kFault;
    else if (flag == "shielded")
      m.mask |= gb26875::kShielded;
    else if (flag == "supervisory")
      m.mask |= gb26875::kSupervisory;
    else
      return std::unexpected(Bad(where + ".on[" + std::to_string(i) + "]",
                                 "\"" + flag + "\" is not fire, fault, shielded or supervisory"));
  }
  ZHIDU_TRY(m.source, Text(n["source"], where + ".source"));
  ZHIDU_TRY(m.point, Text(n["point"], where + ".point"));
  return m;
}

Result<ModbusPoll> Poll(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap()) return std::unexpected(Bad(where, "an entry must be a map"));
  ZHIDU_TRY_VOID(OnlyKeys(n, where,
                          {"host", "port", "unit", "table", "address", "interval_ms", "active_when",
                           "source", "point"}));
  ModbusPoll p;
  ZHIDU_TRY(p.host, Text(n["host"], where + ".host"));
  ZHIDU_TRY(auto port, Integer(n["port"], where + ".port", 1, 65535));
  ZHIDU_TRY(auto unit, Integer(n["unit"], where + ".unit", 0, 255));
  ZHIDU_TRY(p.table, Text(n["table"], where + ".table"));
  if (p.table != "coil" && p.table != "discrete_input" && p.table != "holding_register" &&
      p.table != "input_register")
    return std::unexpected(Bad(where + ".table", "\"" + p.table +
                                                     "\" is not coil, discrete_input, "
                                                     "holding_register or input_register"));
  ZHIDU_TRY(auto address, Integer(n["address"], where + ".address", 0, 65535));
  ZHIDU_TRY(auto interval, Integer(n["interval_ms"], where + ".interval_ms", 100, 86'400'000));
  p.port = static_cast<int>(port);
  p.unit = static_cast<int>(unit);
  p.address = static_cast<int>(address);
  p.interval_ms = static_cast<int>(interval);
  const auto w = n["active_when"];
  if (!w || !w.IsMap() || w.size() != 1)
    return std::unexpected(
        Bad(where + ".active_when", "one of equals, not_equals, above, below, bit is required"));
  const auto key = w.begin()->first.as<std::string>();
  const auto value = w.begin()->second;
  const std::string f = where + ".active_when." + key;
  if (key == "equals") {
    ZHIDU_TRY(p.equals, Signed(value, f));
  } else if (key == "not_equals") {
    ZHIDU_TRY(p.not_equals, Signed(value, f));
  } else if (key == "above") {
    ZHIDU_TRY(p.above, Signed(value, f));
  } else if (key == "below") {
    ZHIDU_TRY(p.below, Signed(value, f));
  } else if (key == "bit") {
    if (p.table == "coil" || p.table == "discrete_input")
      return std::unexpected(Bad(f, "bit applies to registers, not to " + p.table));
    ZHIDU_TRY(auto b, Integer(value, f, 0, 15));
    p.bit = static_cast<int>(b);
  } else {
    return std::unexpected(Bad(f, "not one of equals, not_equals, above, below, bit"));
  }
  ZHIDU_TRY(p.source, Text(n["source"], where + ".source"));
  ZHIDU_TRY(p.point, Text(n["point"], where + ".point"));
  return p;
}

}  // namespace

bool ModbusPoll::ActiveFor(long value) const {
  if (equals) return value == *equals;
  if (not_equals) return value != *not_equals;
  if (above) return value > *above;
  if (below) return value < *below;
  if (bit) return (value >> *bit) & 1;
  return false;
}

Result<FieldDevices> LoadFieldDevices(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const std::exception& e) {
    return Fail(Errc::kInvalidArgument, "--field-devices " + file.string() + ": " + e.what());
  }
  FieldDevices out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) return std::unexpected(Bad(file.string(), "the file must be a map"));
  ZHIDU_TRY_VOID(OnlyKeys(root, file.string(), {"gb26875", "modbus"}));
  if (auto list = root["gb26875"]) {
    if (!list.IsSequence()) return std::unexpected(Bad("gb26875", "must be a list"));
    for (size_t i = 0; i < list.size(); ++i) {
      ZHIDU_TRY(auto m, Panel(list[i], "gb26875[" + std::to_string(i) + "]"));
      out.gb26875.push_back(std::move(m));
    }
  }
  if (auto list = root["modbus"]) {
    if (!list.IsSequence()) return std::unexpected(Bad("modbus", "must be a list"));
    for (size_t i = 0; i < list.size(); ++i) {
      ZHIDU_TRY(auto p, Poll(list[i], "modbus[" + std::to_string(i) + "]"));
      out.modbus.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace zhidu::api
