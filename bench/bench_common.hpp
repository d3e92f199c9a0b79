// Small helpers shared by the benchmark tools: realistic duty-log payloads and peak RSS.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "base/canonical_json.hpp"

namespace zhidu::bench {

// A deterministic xorshift generator, so every run writes the same rows.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed ? seed : 0x9e3779b97f4a7c15ull) {}
  std::uint64_t Next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }

 private:
  std::uint64_t s_;
};

inline const char* Pick(Rng& rng, const char* const* items, std::size_t n) {
  return items[rng.Below(n)];
}

// One journal record as the duty modules will write them: a kind, a site subject and a canonical
// JSON payload with Chinese duty-log text (about 150-250 bytes).
struct DutyRecord {
  std::string kind;
  std::string subject;
  std::string payload;
};

inline DutyRecord MakeDutyRecord(Rng& rng, std::int64_t n) {
  static const char* const kKinds[] = {"duty.log.entry", "duty.patrol.done", "alarm.received",
                                       "alarm.confirmed", "handover.signed"};
  static const char* const kNames[] = {"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊",
                                       "赵敏", "黄强", "周杰", "吴霞", "徐明", "孙丽"};
  static const char* const kPlaces[] = {"1F大堂",     "B1车库", "3F消防通道", "5F机房",  "屋顶水箱",
                                        "东侧配电室", "2F走廊", "消防控制室", "西门岗亭"};
  static const char* const kNotes[] = {"视频巡查完毕，消防通道畅通，无异常",
                                       "火灾报警控制器显示烟感误报，已现场确认并复位",
                                       "喷淋泵压力正常，主备电源切换测试正常",
                                       "交接班：五交五不接已逐项核对，钥匙、对讲机、记录本齐全",
                                       "发现安全出口指示灯不亮，已报修，维修单已登记",
                                       "外来施工人员登记入场，已核验证件并告知动火审批要求",
                                       "烟感报警，值班员到场确认为误报，原因：施工粉尘",
                                       "巡查发现消防栓箱门被杂物遮挡，已通知物业清理"};
  DutyRecord r;
  r.kind = Pick(rng, kKinds, std::size(kKinds));
  const auto site = static_cast<std::int64_t>(1 + rng.Below(10000));
  r.subject = "site/" + std::to_string(site);
  r.payload = CanonicalObject()
                  .Add("site_id", site)
                  .Add("operator", Pick(rng, kNames, std::size(kNames)))
                  .Add("place", Pick(rng, kPlaces, std::size(kPlaces)))
                  .Add("note", Pick(rng, kNotes, std::size(kNotes)))
                  .Add("shift", static_cast<std::int64_t>(n % 3))
                  .Add("device", "FAS-" + std::to_string(rng.Below(100000)))
                  .Str();
  return r;
}

// Peak resident set size of this process in KiB (VmHWM), 0 if unknown.
inline std::int64_t PeakRssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  return 0;
}

}  // namespace zhidu::bench
