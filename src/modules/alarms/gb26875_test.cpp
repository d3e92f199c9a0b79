// The GB/T 26875.3 frame scanner and data-unit decoder on byte streams a TCP read can hand it:
// a frame arriving one byte at a time, several frames in one read, noise between frames, and the
// refusals, each leaving the stream usable.
#include "modules/alarms/gb26875.hpp"

#include <gtest/gtest.h>

namespace zhidu::api::gb26875 {
namespace {

using namespace std::chrono;

const local_time<Micros> kAt =
    local_days(year(2026) / 12 / 5) + hours(17) + minutes(4) + seconds(9);

// One component object (type 2) with the given address and state.
std::string ComponentUnit(std::uint32_t address, std::uint16_t state) {
  std::string u = {2, 1, 1, 7, 42};  // type 2, one object, 系统类型 1, 系统地址 7, 部件类型 42
  for (int i = 0; i < 4; ++i) u.push_back(static_cast<char>((address >> (8 * i)) & 0xff));
  u.push_back(static_cast<char>(state & 0xff));
  u.push_back(static_cast<char>(state >> 8));
  u.append(31, '\0');
  for (auto b : TimeTag(kAt)) u.push_back(static_cast<char>(b));
  return u;
}

Frame SendData(std::uint16_t serial, std::string unit) {
  Frame f;
  f.serial = serial;
  f.time = TimeTag(kAt);
  f.source = 0x0000C0A8010Aull;
  f.destination = 1;
  f.command = static_cast<std::uint8_t>(Command::kSendData);
  f.unit = std::move(unit);
  return f;
}

TEST(Gb26875, FrameLayoutAndChecksum) {
  auto bytes = Encode(SendData(0x0102, ComponentUnit(0x04030201, kFire)));
  ASSERT_EQ(bytes.size(), kControlBytes + 48 + kTailBytes);
  EXPECT_EQ(bytes.substr(0, 2), "@@");
  EXPECT_EQ(bytes.substr(bytes.size() - 2), "##");
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[2]), 0x02);  // serial, low byte first
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[3]), 0x01);
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[24]), 48);  // length, low byte first
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[26]), 2);   // 发送数据
  unsigned sum = 0;
  for (size_t i = 2; i < bytes.size() - 3; ++i) sum += static_cast<std::uint8_t>(bytes[i]);
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[bytes.size() - 3]), sum & 0xff);
}

TEST(Gb26875, OneByteAtATimeAndSeveralFramesInOneRead) {
  auto a = Encode(SendData(1, ComponentUnit(0x04030201, kFire)));
  auto b = Encode(SendData(2, ComponentUnit(0x00000009, kFault | kSupervisory)));
  Scanner s;
  int frames = 0;
  for (char c : a) {
    s.Feed(std::string_view(&c, 1));
    auto r = s.Next();
    if (r.kind == Scanned::Kind::kFrame)
      ++frames;
    else
      ASSERT_EQ(r.kind, Scanned::Kind::kNeedMore);
  }
  EXPECT_EQ(frames, 1);
  s.Feed("noise" + b + a);
  auto r = s.Next();
  ASSERT_EQ(r.kind, Scanned::Kind::kRefused);
  EXPECT_EQ(r.refusal, Refusal::kBadStart);
  EXPECT_FALSE(r.has_header);
  r = s.Next();
  ASSERT_EQ(r.kind, Scanned::Kind::kFrame);
  EXPECT_EQ(r.frame.serial, 2);
  EXPECT_EQ(r.frame.source, 0x0000C0A8010Aull);
  auto unit = DecodeUnit(r.frame.unit);
  ASSERT_TRUE(unit.has_value());
  ASSERT_EQ(unit->objects.size(), 1u);
  EXPECT_TRUE(unit->objects[0].component);
  EXPECT_EQ(unit->objects[0].system_address, 7);
  EXPECT_EQ(unit->objects[0].component_address, 9u);
  EXPECT_EQ(unit->objects[0].state, kFault | kSupervisory);
  EXPECT_EQ(unit->objects[0].at, kAt);
  EXPECT_EQ(s.Next().frame.serial, 1);
  EXPECT_EQ(s.Next().kind, Scanned::Kind::kNeedMore);
  EXPECT_EQ(s.buffered(), 0u);
}

TEST(Gb26875, RefusalsKeepTheStreamUsable) {
  auto good = Encode(SendData(9, ComponentUnit(1, kFire)));
  auto bad_sum = good;
  bad_sum[bad_sum.size() - 3] ^= 0x55;
  auto bad_end = good;
  bad_end[bad_end.size() - 1] = '$';
  auto oversize = good;
  oversize[25] = 0x08;  // length 0x0830 = 2096
  auto short_length = good;
  short_length[24] = 40;  // 8 bytes less than the data unit sent
  Scanner s;
  s.Feed(bad_sum + bad_end + oversize + short_length + good);
  for (auto want :
       {Refusal::kChecksum, Refusal::kBadEnd, Refusal::kOversize, Refusal::kLengthMismatch}) {
    auto r = s.Next();
    ASSERT_EQ(r.kind, Scanned::Kind::kRefused);
    EXPECT_EQ(r.refusal, want) << RefusalName(r.refusal);
    EXPECT_TRUE(r.has_header);
    EXPECT_EQ(r.frame.serial, 9);
  }
  auto r = s.Next();
  ASSERT_EQ(r.kind, Scanned::Kind::kFrame);
  EXPECT_EQ(s.Next().kind, Scanned::Kind::kNeedMore);
}

// A frame whose length is wrong ends at its '##' even when its checksum byte is '#' or its data
// unit holds a "##" (a time tag at 35 min 35 s): one refusal, no tail counted as noise after it.
TEST(Gb26875, UntrustedLengthEndsAtTheRightEndMarker) {
  auto find = [](auto&& make) {
    for (std::uint16_t serial = 1; serial < 2000; ++serial) {
      auto bytes = make(serial);
      if (bytes[bytes.size() - 3] == '#') return bytes;
    }
    ADD_FAILURE() << "no serial gives a checksum of '#'";
    return std::string();
  };
  auto short_by = [](std::string bytes, int n) {
    bytes[24] = static_cast<char>(static_cast<std::uint8_t>(bytes[24]) - n);
    return bytes;
  };
  // The checksum is over the bytes sent, wrong length included, as a device computes it.
  auto hash_sum_short = find([&](std::uint16_t serial) {
    auto bytes = short_by(Encode(SendData(serial, ComponentUnit(1, kFire))), 6);
    bytes[bytes.size() - 3] =
        static_cast<char>(Checksum(std::string_view(bytes).substr(2, bytes.size() - 5)));
    return bytes;
  });
  auto hash_sum_oversize = find([](std::uint16_t serial) {
    auto bytes = Encode(SendData(serial, std::string(10, '\0')));
    bytes[24] = static_cast<char>(2000 & 0xff);
    bytes[25] = static_cast<char>(2000 >> 8);
    bytes[bytes.size() - 3] =
        static_cast<char>(Checksum(std::string_view(bytes).substr(2, bytes.size() - 5)));
    return bytes;
  });
  auto unit = ComponentUnit(1, kFire);
  unit[unit.size() - 6] = '#';  // 35 s
  unit[unit.size() - 5] = '#';  // 35 min
  auto hash_in_unit = short_by(Encode(SendData(5, unit)), 6);
  hash_in_unit[hash_in_unit.size() - 3] = static_cast<char>(
      Checksum(std::string_view(hash_in_unit).substr(2, hash_in_unit.size() - 5)));
  auto good = Encode(SendData(9, ComponentUnit(1, kFire)));
  for (const auto& bad : {hash_sum_short, hash_sum_oversize, hash_in_unit}) {
    ASSERT_FALSE(bad.empty());
    Scanner s;
    s.Feed(bad + "GARBAGE" + good);
    auto r = s.Next();
    ASSERT_EQ(r.kind, Scanned::Kind::kRefused);
    EXPECT_NE(r.refusal, Refusal::kBadStart) << RefusalName(r.refusal);
    r = s.Next();
    ASSERT_EQ(r.kind, Scanned::Kind::kRefused);
    EXPECT_EQ(r.refusal, Refusal::kBadStart);
    EXPECT_EQ(r.detail, "7 bytes before a start '@@'");
    r = s.Next();
    ASSERT_EQ(r.kind, Scanned::Kind::kFrame);
    EXPECT_EQ(r.frame.serial, 9);
    EXPECT_EQ(s.Next().kind, Scanned::Kind::kNeedMore);
  }
}

TEST(Gb26875, ConfirmSwapsAddressesAndKeepsTheSerial) {
  auto to = SendData(77, "");
  auto reply = Reply(to, Command::kConfirm, kAt);
  EXPECT_EQ(reply.serial, 77);
  EXPECT_EQ(reply.source, to.destination);
  EXPECT_EQ(reply.destination, to.source);
  EXPECT_EQ(reply.command, 3);
  EXPECT_TRUE(reply.unit.empty());
  EXPECT_EQ(ReadTimeTag(reply.time.data()), kAt);
}

TEST(Gb26875, DataUnitSizesAndTimeTags) {
  EXPECT_FALSE(DecodeUnit(ComponentUnit(1, 0).substr(0, 40)).has_value());
  std::string system = {1, 1, 1, 2, 0x01, 0x20};  // type 1: 系统 1/2, state 0x2001 (复位, 正常)
  for (auto b : TimeTag(kAt)) system.push_back(static_cast<char>(b));
  auto unit = DecodeUnit(system);
  ASSERT_TRUE(unit.has_value());
  EXPECT_FALSE(unit->objects[0].component);
  EXPECT_EQ(unit->objects[0].state, kSystemReset | 1);
  // Type 4 (操作信息): 系统 1/2, 操作标志 0x03 (复位, 消音), 操作员 0xfa.
  std::string operation = {4, 1, 1, 2, 0x03, static_cast<char>(0xfa)};
  for (auto b : TimeTag(kAt)) operation.push_back(static_cast<char>(b));
  auto op = DecodeUnit(operation);
  ASSERT_TRUE(op.has_value());
  ASSERT_EQ(op->objects.size(), 1u);
  EXPECT_TRUE(op->objects[0].operation);
  EXPECT_EQ(op->objects[0].system_address, 2);
  EXPECT_EQ(op->objects[0].state, kOperationReset | 2);
  EXPECT_EQ(op->objects[0].at, kAt);
  auto other = DecodeUnit(std::string("\x03\x00", 2));  // 模拟量: not decoded
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(other->status);
  const std::uint8_t month13[6] = {0, 0, 0, 1, 13, 26};
  EXPECT_FALSE(ReadTimeTag(month13).has_value());
}

}  // namespace
}  // namespace zhidu::api::gb26875
