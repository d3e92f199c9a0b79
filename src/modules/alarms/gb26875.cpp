#include "modules/alarms/gb26875.hpp"

#include <algorithm>
#include <chrono>

namespace zhidu::api::gb26875 {

namespace {

std::uint16_t Le16(const std::string& b, size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(b[at]) |
                                    (static_cast<std::uint8_t>(b[at + 1]) << 8));
}

std::uint64_t Le48(const std::string& b, size_t at) {
  std::uint64_t v = 0;
  for (int i = 5; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(b[at + i]);
  return v;
}

void PutLe(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The 控制单元 fields of the frame starting at buffer[0] (at least kControlBytes long).
Frame ReadHeader(const std::string& b) {
  Frame f;
  f.serial = Le16(b, 2);
  f.version_major = static_cast<std::uint8_t>(b[4]);
  f.version_user = static_cast<std::uint8_t>(b[5]);
  for (int i = 0; i < 6; ++i) f.time[i] = static_cast<std::uint8_t>(b[6 + i]);
  f.source = Le48(b, 12);
  f.destination = Le48(b, 18);
  f.command = static_cast<std::uint8_t>(b[26]);
  return f;
}

Scanned Refused(Refusal r, std::string detail, const Frame* header = nullptr) {
  Scanned s;
  s.kind = Scanned::Kind::kRefused;
  s.refusal = r;
  s.detail = std::move(detail);
  if (header) {
    s.has_header = true;
    s.frame = *header;
  }
  return s;
}

// Where a frame whose length cannot be trusted ends: the first '##' before `limit` whose checksum
// (the byte before it) is right for the bytes from the header on, else the first '##' before
// `limit` — the last two of a run of '#', since a checksum byte can itself be '#' — else npos.
// Without the checksum a '##' inside the data unit (a time tag at 35 min 35 s) or a checksum of
// '#' would cut the frame short and count its tail once more as bytes before a start.
size_t FrameEnd(const std::string& b, size_t limit) {
  limit = std::min(limit, b.size());
  size_t first = std::string::npos;
  unsigned sum = 0;
  for (size_t i = 2; i + 1 < limit; ++i) {
    if (i >= kControlBytes + 1 && b[i] == '#' && b[i + 1] == '#') {
      if (static_cast<std::uint8_t>(sum & 0xff) == static_cast<std::uint8_t>(b[i - 1])) return i;
      if (first == std::string::npos) {
        first = i;
        while (first + 2 < limit && b[first + 2] == '#') ++first;
      }
    }
    if (i >= 3) sum += static_cast<std::uint8_t>(b[i - 1]);
  }
  return first;
}

}  // namespace

std::string_view RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kBadStart:
      return "bad_start";
    case Refusal::kBadEnd:
      return "bad_end";
    case Refusal::kLengthMismatch:
      return "length_mismatch";
    case Refusal::kChecksum:
      return "bad_checksum";
    case Refusal::kOversize:
      return "oversize";
    case Refusal::kBadUnit:
      return "bad_data_unit";
    case Refusal::kBadCommand:
      return "bad_command";
  }
  return "unknown";
}

std::uint8_t Checksum(std::string_view bytes) {
  unsigned sum = 0;
  for (char c : bytes) sum += static_cast<std::uint8_t>(c);
  return static_cast<std::uint8_t>(sum & 0xff);
}

Scanned Scanner::Next() {
  size_t start = buffer_.find("@@");
  if (start != 0) {
    // Keep a trailing '@': it may be half of the next start.
    size_t junk = start == std::string::npos
                      ? buffer_.size() - (!buffer_.empty() && buffer_.back() == '@' ? 1 : 0)
                      : start;
    if (junk == 0) return {};
    buffer_.erase(0, junk);
    return Refused(Refusal::kBadStart, std::to_string(junk) + " bytes before a start '@@'");
  }
  if (buffer_.size() < kControlBytes) return {};
  Frame header = ReadHeader(buffer_);
  const size_t length = Le16(buffer_, 24);
  if (length > kMaxUnitBytes) {
    // Its length cannot be trusted: the frame ends at the first '##' after its header, or, when
    // none has arrived, the scan resumes at the next '@@'.
    size_t end = FrameEnd(buffer_, std::string::npos);
    buffer_.erase(0, end == std::string::npos ? 2 : end + 2);
    return Refused(Refusal::kOversize,
                   "application data unit length " + std::to_string(length) + " > 1024", &header);
  }
  const size_t total = kControlBytes + length + kTailBytes;
  if (buffer_.size() < total) {
    // A frame that ends ("##" last, its checksum right) before its length says it should: the
    // length is wrong. Without this the receiver would wait for bytes that never come.
    size_t size = buffer_.size();
    if (size >= kControlBytes + kTailBytes && buffer_.compare(size - 2, 2, "##") == 0 &&
        Checksum(std::string_view(buffer_).substr(2, size - kTailBytes - 2)) ==
            static_cast<std::uint8_t>(buffer_[size - kTailBytes])) {
      buffer_.clear();
      return Refused(Refusal::kLengthMismatch,
                     "length " + std::to_string(length) + " but the frame ends after " +
                         std::to_string(size - kControlBytes - kTailBytes) + " bytes",
                     &header);
    }
    return {};
  }
  if (buffer_.compare(total - 2, 2, "##") != 0) {
    // A '##' before the next '@@' ends this frame elsewhere than its length says; none: its end
    // marker is wrong (the bytes up to its length are dropped, the scan goes on after them).
    size_t end = FrameEnd(buffer_, buffer_.find("@@", 2));
    if (end != std::string::npos) {
      buffer_.erase(0, end + 2);
      return Refused(Refusal::kLengthMismatch,
                     "length " + std::to_string(length) + " but '##' after " +
                         std::to_string(end - kControlBytes - 1) + " bytes",
                     &header);
    }
    buffer_.erase(0, total);
    return Refused(Refusal::kBadEnd, "no '##' at the end of the frame", &header);
  }
  const auto want = Checksum(std::string_view(buffer_).substr(2, kControlBytes - 2 + length));
  const auto got = static_cast<std::uint8_t>(buffer_[kControlBytes + length]);
  if (want != got) {
    buffer_.erase(0, total);
    return Refused(Refusal::kChecksum,
                   "checksum " + std::to_string(got) + ", computed " + std::to_string(want),
                   &header);
  }
  Scanned s;
  s.kind = Scanned::Kind::kFrame;
  s.frame = std::move(header);
  s.frame.unit = buffer_.substr(kControlBytes, length);
  buffer_.erase(0, total);
  return s;
}

std::string Encode(const Frame& f) {
  std::string out = "@@";
  PutLe(out, f.serial, 2);
  out.push_back(static_cast<char>(f.version_major));
  out.push_back(static_cast<char>(f.version_user));
  for (auto b : f.time) out.push_back(static_cast<char>(b));
  PutLe(out, f.source, 6);
  PutLe(out, f.destination, 6);
  PutLe(out, f.unit.size(), 2);
  out.push_back(static_cast<char>(f.command));
  out += f.unit;
  out.push_back(static_cast<char>(Checksum(std::string_view(out).substr(2))));
  out += "##";
  return out;
}

Frame Reply(const Frame& to, Command command, std::chrono::local_time<Micros> now_local) {
  Frame r;
  r.serial = to.serial;
  r.version_major = to.version_major;
  r.version_user = to.version_user;
  r.time = TimeTag(now_local);
  r.source = to.destination;
  r.destination = to.source;
  r.command = static_cast<std::uint8_t>(command);
  return r;
}

std::array<std::uint8_t, 6> TimeTag(std::chrono::local_time<Micros> t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{floor<seconds>(t - day)};
  return {static_cast<std::uint8_t>(hms.seconds().count()),
          static_cast<std::uint8_t>(hms.minutes().count()),
          static_cast<std::uint8_t>(hms.hours().count()),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day())),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month())),
          static_cast<std::uint8_t>((static_cast<int>(ymd.year()) - 2000) % 100)};
}

std::optional<std::chrono::local_time<Micros>> ReadTimeTag(const std::uint8_t* p) {
  using namespace std::chrono;
  if (p[0] > 59 || p[1] > 59 || p[2] > 23 || p[5] > 99) return std::nullopt;
  year_month_day ymd{year(2000 + p[5]), month(p[4]), day(p[3])};
  if (!ymd.ok()) return std::nullopt;
  return local_days(ymd) + hours(p[2]) + minutes(p[1]) + seconds(p[0]);
}

Result<DecodedUnit> DecodeUnit(std::string_view unit) {
  DecodedUnit out;
  if (unit.empty()) return out;  // e.g. a keep-alive 发送数据 without data
  if (unit.size() < 2)
    return Fail(Errc::kInvalidArgument, "a data unit shorter than its identifier (2 bytes)");
  const auto* u = reinterpret_cast<const std::uint8_t*>(unit.data());
  out.type = u[0];
  const size_t n = u[1];
  size_t object_bytes = 0;
  if (out.type == 1 || out.type == 4)
    object_bytes = 4 + 6;  // 系统类型, 系统地址, 系统状态 2 | 操作标志, 操作员编号; time 6
  if (out.type == 2)
    object_bytes = 40 + 6;  // … 部件类型, 部件地址 4, 部件状态 2, 部件说明 31; time
  if (!object_bytes) return out;
  if (unit.size() != 2 + n * object_bytes)
    return Fail(Errc::kInvalidArgument, "data unit type " + std::to_string(out.type) + " with " +
                                            std::to_string(n) + " objects must be " +
                                            std::to_string(2 + n * object_bytes) + " bytes, not " +
                                            std::to_string(unit.size()));
  out.status = true;
  for (size_t i = 0; i < n; ++i) {
    const std::uint8_t* o = u + 2 + i * object_bytes;
    StatusObject s;
    s.system_type = o[0];
    s.system_address = o[1];
    if (out.type == 1) {
      s.state = static_cast<std::uint16_t>(o[2] | (o[3] << 8));
      s.at = ReadTimeTag(o + 4);
    } else if (out.type == 4) {
      s.operation = true;
      s.state = o[2];
      s.at = ReadTimeTag(o + 4);
    } else {
      s.component = true;
      s.component_type = o[2];
      s.component_address =
          static_cast<std::uint32_t>(o[3]) | (static_cast<std::uint32_t>(o[4]) << 8) |
          (static_cast<std::uint32_t>(o[5]) << 16) | (static_cast<std::uint32_t>(o[6]) << 24);
      s.state = static_cast<std::uint16_t>(o[7] | (o[8] << 8));
      s.at = ReadTimeTag(o + 40);
    }
    out.objects.push_back(s);
  }
  return out;
}

}  // namespace zhidu::api::gb26875
