// GB/T 26875.3-2011 (城市消防远程监控系统 第3部分：报警传输网络通信协议): the frames a
// 用户信息传输装置 sends to a monitoring centre, as far as zhidu reads them. Pure bytes in, values
// out: no sockets, no clock (the caller gives "now"), no store.
//
// The standard's own text was not available to us; the layout below rests on public
// implementations that agree with one another (docs/operations.md, "GB/T 26875.3 receiver", says
// which field rests on which source). A frame, all multi-byte integers little-endian:
//
//   '@@' | 业务流水号 2 | 协议版本号 2 (major, user) | 时间标签 6 | 源地址 6 | 目的地址 6 |
//   应用数据单元长度 2 (≤ 1024) | 命令字节 1 | 应用数据单元 (length bytes) | 校验和 1 | '##'
//
// The checksum is the low 8 bits of the sum of every byte from the 业务流水号 to the last byte of
// the 应用数据单元 (bytes 3 … 27 + length). A time tag is six binary bytes: second, minute, hour,
// day, month, year − 2000.
//
// Invariants:
//  1. Scanner::Next never consumes a byte it has not classified: each byte ends up in exactly one
//     frame, one refusal, or the buffer (waiting for more).
//  2. A refusal with has_header carries the refused frame's 业务流水号 and addresses, so the caller
//     can answer 否认; one without (bytes before a start '@@') cannot be answered.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace zhidu::api::gb26875 {

inline constexpr size_t kControlBytes = 27;  // '@@' and the 25-byte 控制单元
inline constexpr size_t kTailBytes = 3;      // 校验和 and '##'
inline constexpr size_t kMaxUnitBytes = 1024;

// 命令字节.
enum class Command : std::uint8_t {
  kControl = 1,   // 控制命令
  kSendData = 2,  // 发送数据
  kConfirm = 3,   // 确认
  kRequest = 4,   // 请求
  kAnswer = 5,    // 应答
  kDeny = 6,      // 否认
};

struct Frame {
  std::uint16_t serial = 0;  // 业务流水号
  std::uint8_t version_major = 1, version_user = 0;
  std::array<std::uint8_t, 6> time{};  // 时间标签, as sent
  std::uint64_t source = 0;            // 源地址 (48 bits)
  std::uint64_t destination = 0;       // 目的地址 (48 bits)
  std::uint8_t command = 0;
  std::string unit;  // 应用数据单元 (may be empty)
};

// Why a frame was refused; the names are the counters' keys (GET /api/v1/alarms/feeds).
enum class Refusal {
  kBadStart,        // bytes before a start '@@'
  kBadEnd,          // no '##' where the length says the frame ends
  kLengthMismatch,  // a '##' earlier than the length says: the length is wrong
  kChecksum,        // 校验和 differs
  kOversize,        // 应用数据单元长度 above 1024
  kBadUnit,         // a data unit whose size does not match its type and object count
  kBadCommand,  // a 命令字节 a transmission device does not send (控制命令, 请求, reserved)
};
std::string_view RefusalName(Refusal r);
inline constexpr Refusal kAllRefusals[] = {
    Refusal::kBadStart, Refusal::kBadEnd,  Refusal::kLengthMismatch, Refusal::kChecksum,
    Refusal::kOversize, Refusal::kBadUnit, Refusal::kBadCommand};

struct Scanned {
  enum class Kind { kNeedMore, kFrame, kRefused } kind = Kind::kNeedMore;
  Frame frame;  // kFrame; for kRefused with has_header, the header fields read
  Refusal refusal = Refusal::kBadStart;
  bool has_header = false;
  std::string detail;  // for the log
};

// Splits a TCP byte stream into frames. Not thread-safe; one per connection.
class Scanner {
 public:
  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  Scanned Next();
  size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

std::uint8_t Checksum(std::string_view bytes);
// The whole frame, '@@' to '##', with its length and checksum computed.
std::string Encode(const Frame& f);
// 确认 or 否认 to `to`: its 业务流水号 (the standard: 确认方按发送包的业务流水号返回), addresses
// swapped, an empty 应用数据单元, `now_local` as the time tag.
Frame Reply(const Frame& to, Command command, std::chrono::local_time<Micros> now_local);

std::array<std::uint8_t, 6> TimeTag(std::chrono::local_time<Micros> t);
// The local time a tag names; nullopt when a field is out of range.
std::optional<std::chrono::local_time<Micros>> ReadTimeTag(const std::uint8_t* p);

// State bits shared by 建筑消防设施系统状态 and 部件运行状态 (bit 0 is 正常运行/测试).
inline constexpr std::uint16_t kFire = 1u << 1;          // 火警
inline constexpr std::uint16_t kFault = 1u << 2;         // 故障
inline constexpr std::uint16_t kShielded = 1u << 3;      // 屏蔽
inline constexpr std::uint16_t kSupervisory = 1u << 4;   // 监管
inline constexpr std::uint16_t kSystemReset = 1u << 13;  // 复位 (系统状态 only)
// 建筑消防设施操作信息 (type 4) 操作标志 bit 0.
inline constexpr std::uint16_t kOperationReset = 1u << 0;  // 复位

// One information object of data unit type 1 (建筑消防设施系统状态), 2 (部件运行状态) or 4
// (建筑消防设施操作信息: `state` holds the 操作标志, the 操作员编号 is not kept).
struct StatusObject {
  bool component = false;  // type 2
  bool operation = false;  // type 4
  std::uint8_t system_type = 0;
  std::uint8_t system_address = 0;
  std::uint8_t component_type = 0;      // type 2 only
  std::uint32_t component_address = 0;  // type 2 only
  std::uint16_t state = 0;
  std::optional<std::chrono::local_time<Micros>> at;  // 状态发生时间; nullopt: out of range
};

struct DecodedUnit {
  int type = -1;        // -1: empty unit
  bool status = false;  // type 1, 2 or 4: objects hold its objects
  std::vector<StatusObject> objects;
};
// Reads a 发送数据 frame's 应用数据单元. Types other than 1, 2 and 4 are returned undecoded
// (status false). Fails kInvalidArgument when a type 1/2/4 unit's size is not 2 + n × object
// size.
Result<DecodedUnit> DecodeUnit(std::string_view unit);

}  // namespace zhidu::api::gb26875
