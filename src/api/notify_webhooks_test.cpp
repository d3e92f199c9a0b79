// The robots' message formats and how their replies are judged.
#include "api/notify_webhooks.hpp"
#include "api/signing.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace zhidu::api {
namespace {

using nlohmann::json;

TEST(RobotBodyTest, EachFormatHasItsShape) {
  auto wecom = json::parse(RobotBody("wecom", "值班提醒"));
  EXPECT_EQ(wecom, json::parse(R"({"msgtype":"text","text":{"content":"值班提醒"}})"));
  auto dingtalk = json::parse(RobotBody("dingtalk", "值班提醒"));
  EXPECT_EQ(dingtalk, json::parse(R"({"msgtype":"text","text":{"content":"值班提醒"}})"));
  auto feishu = json::parse(RobotBody("feishu", "值班提醒"));
  EXPECT_EQ(feishu, json::parse(R"({"msg_type":"text","content":{"text":"值班提醒"}})"));
}

TEST(RobotTextTest, KindSubjectSummaryAndSiteTime) {
  store::JournalRecord r;
  r.seq = 42;
  r.kind = "duty.late";
  r.subject = "duty/7";
  r.payload = R"({"title":"消防巡查未按时完成","site_id":1})";
  r.at = TimePoint(Micros(1'790'000'000'000'000));  // 2026-09-21T20:53:20Z
  auto shanghai = RobotText(r, "");
  EXPECT_NE(shanghai.find("duty.late"), std::string::npos) << shanghai;
  EXPECT_NE(shanghai.find("duty/7"), std::string::npos);
  EXPECT_NE(shanghai.find("消防巡查未按时完成"), std::string::npos);
  EXPECT_NE(shanghai.find("+08:00"), std::string::npos) << shanghai;
  EXPECT_NE(shanghai.find("#42"), std::string::npos);
  auto urumqi = RobotText(r, "Asia/Urumqi");
  EXPECT_NE(urumqi.find("+06:00"), std::string::npos) << urumqi;
  r.payload = R"({"reminder":{"message":"交接班"}})";
  EXPECT_NE(RobotText(r, "").find("交接班"), std::string::npos);
}

TEST(RobotAcceptedTest, StatusAndErrorCodes) {
  std::string status;
  EXPECT_TRUE(RobotAccepted(200, R"({"errcode":0,"errmsg":"ok"})", status));
  EXPECT_EQ(status, "200");
  EXPECT_TRUE(RobotAccepted(200, "", status));
  EXPECT_TRUE(RobotAccepted(204, "not json", status));
  EXPECT_FALSE(RobotAccepted(500, R"({"errcode":0})", status));
  EXPECT_EQ(status, "500");
  EXPECT_FALSE(
      RobotAccepted(200, R"({"errcode":310000,"errmsg":"keywords not in content"})", status));
  EXPECT_EQ(status, "errcode 310000");
  EXPECT_FALSE(RobotAccepted(200, R"({"code":19021,"msg":"sign match fail"})", status));
  EXPECT_EQ(status, "code 19021");
  EXPECT_TRUE(RobotAccepted(200, R"({"code":0,"msg":"success"})", status));
}

TEST(HttpPostTest, RefusesWhatItCannotSpeakAndReportsRefusedConnections) {
  auto other = HttpPostJson("ftp://127.0.0.1/x", "{}", std::chrono::milliseconds(200));
  EXPECT_EQ(other.status, 0);
  EXPECT_EQ(other.error, "bad URL");
  // https:// is spoken (docs/operations.md §Outbound HTTPS); a closed port is refused first.
  auto https = HttpPostJson("https://127.0.0.1:9/x", "{}", std::chrono::milliseconds(2000));
  EXPECT_EQ(https.status, 0);
  EXPECT_FALSE(https.error.empty());
  // Port 9 (discard) on loopback is closed in the test environment: refused fast.
  auto refused = HttpPostJson("http://127.0.0.1:9/hook", "{}", std::chrono::milliseconds(2000));
  EXPECT_EQ(refused.status, 0);
  EXPECT_FALSE(refused.error.empty());
}

}  // namespace
}  // namespace zhidu::api

namespace zhidu::api {
namespace {

// RFC 4231 test case 2.
TEST(SigningTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(HexOf(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Base64Of(""), "");
  EXPECT_EQ(Base64Of("ab"), "YWI=");
  EXPECT_EQ(PercentEncode("a+b/c=d ~"), "a%2Bb%2Fc%3Dd%20~");
  EXPECT_TRUE(SameSecret("abc", "abc"));
  EXPECT_FALSE(SameSecret("abc", "abd"));
  EXPECT_FALSE(SameSecret("abc", "abcd"));
}

// Expected values computed with Python's hmac/base64 from the vendors' formulas
// (docs/operations.md §Signed robots).
TEST(SigningTest, DingTalkAndFeishuSignatures) {
  EXPECT_EQ(DingTalkSign(1577262236757, "this is secret"),
            "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=");
  EXPECT_EQ(FeishuSign(1599360473, "this is secret"),
            "/eYKrXQBzTjUZJ3s6NX16VxGbTwmK7AEs8/FnvC1CSw=");
}

TEST(SigningTest, SignRobotPutsTheSignatureWhereEachVendorWantsIt) {
  const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1577262236757));
  std::string url = "https://oapi.dingtalk.com/robot/send?access_token=t";
  std::string body = RobotBody("dingtalk", "x");
  SignRobot("dingtalk", "this is secret", at, url, body);
  EXPECT_EQ(url,
            "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1577262236757&sign="
            "hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D");
  EXPECT_EQ(body, RobotBody("dingtalk", "x"));

  url = "https://open.feishu.cn/open-apis/bot/v2/hook/h";
  body = RobotBody("feishu", "x");
  SignRobot("feishu", "this is secret", at, url, body);
  EXPECT_EQ(url, "https://open.feishu.cn/open-apis/bot/v2/hook/h");
  auto signed_body = nlohmann::json::parse(body);
  EXPECT_EQ(signed_body["timestamp"], "1577262236");
  EXPECT_EQ(signed_body["sign"], FeishuSign(1577262236, "this is secret"));
  EXPECT_EQ(signed_body["msg_type"], "text");

  url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k";
  body = RobotBody("wecom", "x");
  SignRobot("wecom", "ignored", at, url, body);
  EXPECT_EQ(url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k");
  EXPECT_EQ(body, RobotBody("wecom", "x"));
}

TEST(SigningTest, TheSecretFragmentIsNeverSent) {
  const std::string stored = "https://h/x?a=1#secret=SECabc";
  EXPECT_EQ(WithoutSecret(stored), "https://h/x?a=1");
  EXPECT_EQ(SecretOf(stored), "SECabc");
  EXPECT_EQ(SecretOf("https://h/x"), "");
}

}  // namespace
}  // namespace zhidu::api
