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
