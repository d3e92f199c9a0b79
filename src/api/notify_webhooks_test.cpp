// The robots' message formats and how their replies are judged.
#include "api/notify_webhooks.hpp"

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
  auto https = HttpPostJson("https://example.com/x", "{}", std::chrono::milliseconds(200));
  EXPECT_EQ(https.status, 0);
  EXPECT_NE(https.error.find("https"), std::string::npos);
  // Port 9 (discard) on loopback is closed in the test environment: refused fast.
  auto refused = HttpPostJson("http://127.0.0.1:9/hook", "{}", std::chrono::milliseconds(2000));
  EXPECT_EQ(refused.status, 0);
  EXPECT_FALSE(refused.error.empty());
}

}  // namespace
}  // namespace zhidu::api
