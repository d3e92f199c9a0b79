#include <date/tz.h>
#include <gtest/gtest.h>

#include "base/crypto.hpp"
#include "base/result.hpp"
#include "base/time.hpp"

namespace zhidu {
namespace {

TEST(Time, FormatsInShanghaiWithOffset) {
  auto t = ParseIso8601("2026-11-27T04:00:00Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatIso8601(*t, TimeZone::Default()), "2026-11-27T12:00:00+08:00");
  EXPECT_EQ(FormatIso8601Utc(*t), "2026-11-27T04:00:00Z");
}

TEST(Time, ParsesOffsetsAndFractions) {
  auto a = ParseIso8601("2026-11-27T12:00:00.250+08:00");
  auto b = ParseIso8601("2026-11-27T04:00:00.25Z");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(FormatIso8601Utc(*a), "2026-11-27T04:00:00.250000Z");
}

TEST(Time, FormatsFractionsAndNegativeOffsets) {
  auto t = ParseIso8601("2026-01-15T12:00:00.000001Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIso8601(*t, *TimeZone::Find("America/New_York")),
            "2026-01-15T07:00:00.000001-05:00");
  EXPECT_EQ(FormatIso8601(*t, *TimeZone::Find("Asia/Kolkata")), "2026-01-15T17:30:00.000001+05:30");
  EXPECT_EQ(FormatIso8601Utc(TimePoint{}), "1970-01-01T00:00:00Z");
}

TEST(Time, RejectsTimestampsWithoutOffsetOrInvalidDates) {
  EXPECT_FALSE(ParseIso8601("2026-11-27T12:00:00"));
  EXPECT_FALSE(ParseIso8601("2026-02-30T12:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2026-11-27T25:00:00Z"));
  EXPECT_FALSE(ParseIso8601("yesterday"));
  auto e = ParseIso8601("2026-11-27");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Errc::kInvalidArgument);
}

TEST(Time, UnknownZoneIsAnInvalidArgument) {
  auto z = TimeZone::Find("Mars/Olympus");
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().field, "time_zone");
  auto berlin = TimeZone::Find("Europe/Berlin");
  ASSERT_TRUE(berlin);
  auto summer = ParseIso8601("2026-07-01T00:00:00Z");
  EXPECT_EQ(berlin->OffsetAt(*summer).count(), 120);
}

TEST(Time, LocalRoundTrip) {
  auto zone = TimeZone::Default();
  auto t = *ParseIso8601("2026-11-27T23:30:00+08:00");
  EXPECT_EQ(zone.FromLocal(zone.ToLocal(t)), t);
}

// TimeZone keeps the last zone interval per thread (time.cpp). Against date's own answers, every
// 17 minutes of two years, across DST starts (nonexistent local times: the later offset) and ends
// (ambiguous: the earlier), with zones alternating so the remembered interval keeps changing.
TEST(Time, ZoneIntervalCacheAgreesWithTheTzDatabase) {
  using namespace std::chrono;
  for (const char* name : {"Europe/Berlin", "Australia/Lord_Howe", "America/New_York",
                           "Asia/Shanghai", "Pacific/Apia"}) {
    auto zone = TimeZone::Find(name);
    ASSERT_TRUE(zone) << name;
    const auto* tz = date::locate_zone(name);
    const auto other = *TimeZone::Find("Asia/Kolkata");
    const auto start = date::local_days{date::year{2011} / 1 / 1};
    for (long step = 0; step < 2 * 366 * 24 * 60 / 17; ++step) {
      const auto local = date::local_time<Micros>(start.time_since_epoch()) + minutes(17 * step);
      auto info = tz->get_info(local);
      auto offset =
          info.result == date::local_info::nonexistent ? info.second.offset : info.first.offset;
      const TimePoint expected(local.time_since_epoch() - duration_cast<Micros>(offset));
      const std::chrono::local_time<Micros> std_local(local.time_since_epoch());
      ASSERT_EQ(zone->FromLocal(std_local), expected) << name << " step " << step;
      const TimePoint sys(local.time_since_epoch());
      ASSERT_EQ(zone->OffsetAt(sys),
                duration_cast<minutes>(
                    tz->get_info(date::sys_time<Micros>(sys.time_since_epoch())).offset))
          << name << " step " << step;
      if (step % 97 == 0) (void)other.OffsetAt(sys);  // another zone takes the thread's interval
    }
  }
}

TEST(Crypto, Sha256KnownAnswer) {
  EXPECT_EQ(ToHex(Sha256Of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.Finish(), Sha256Of("abc"));
}

TEST(Crypto, HexAndBase64RoundTrip) {
  std::uint8_t buf[3];
  ASSERT_TRUE(FromHex("00ff10", buf, 3));
  EXPECT_EQ(buf[1], 0xff);
  EXPECT_FALSE(FromHex("zz", buf, 1));
  std::string out;
  ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode("site:42"), out));
  EXPECT_EQ(out, "site:42");
  EXPECT_FALSE(Base64UrlDecode("***", out));
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

TEST(Result, TryPropagates) {
  auto inner = []() -> Result<int> { return Fail(Errc::kNotFound, "no such site 7", "site_id"); };
  auto outer = [&]() -> Result<int> {
    ZHIDU_TRY(int v, inner());
    return v + 1;
  };
  auto r = outer();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_EQ(ErrcName(r.error().code), "not_found");
}

}  // namespace
}  // namespace zhidu

#include "base/canonical_json.hpp"

namespace zhidu {
namespace {
TEST(CanonicalJson, SortsKeysAndEscapes) {
  CanonicalObject o;
  o.Add("z", 1).Add("a", "值班\n\"x\"").Add("m", true);
  EXPECT_EQ(o.Str(), "{\"a\":\"值班\\n\\\"x\\\"\",\"m\":true,\"z\":1}");
  CanonicalObject p;
  p.Add("m", true).Add("z", 1).Add("a", "值班\n\"x\"");
  EXPECT_EQ(o.Str(), p.Str());
}
}  // namespace
}  // namespace zhidu
