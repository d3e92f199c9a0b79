// Unit tests of the runtime's pure parts on the shipped pack: penalty ladders, answer validation,
// site-local month arithmetic. The store-backed paths are tested over HTTP (tests/api).
#include <gtest/gtest.h>

#include "kernel/policy/loader.hpp"
#include "kernel/policy/shipped_pack_for_tests.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/runtime_util.hpp"

namespace zhidu::runtime {
namespace {

using policy::testing::ShippedPack;

TEST(Ledger, R18WasteIsAWarningFirstThenFiftyYuan) {  // R18 §四2
  auto first = ComputeConsequence(ShippedPack(), "R18-WASTE", 1);
  EXPECT_TRUE(first.scheduled);
  EXPECT_TRUE(first.warning);
  EXPECT_FALSE(first.fine_fen.has_value());
  auto second = ComputeConsequence(ShippedPack(), "R18-WASTE", 2);
  EXPECT_FALSE(second.warning);
  ASSERT_TRUE(second.fine_fen.has_value());
  EXPECT_EQ(*second.fine_fen, 5000);
  EXPECT_EQ(DescribeConsequence(second), "第2次：罚款50元");
  auto fifth = ComputeConsequence(ShippedPack(), "R18-WASTE", 5);  // "again": every later time
  EXPECT_EQ(fifth.fine_fen.value_or(0), 5000);
}

TEST(Ledger, R03LadderClimbsTheDisciplineSteps) {  // R03 §二
  std::vector<std::string> steps;
  for (int n = 1; n <= 5; ++n)
    steps.push_back(ComputeConsequence(ShippedPack(), "R03-CONDUCT", n).discipline);
  EXPECT_EQ(steps, (std::vector<std::string>{"educate", "report-manager", "public-criticism",
                                             "company-discipline", "company-discipline"}));
  auto c = ComputeConsequence(ShippedPack(), "R03-CONDUCT", 2);
  EXPECT_FALSE(c.discipline_title.empty());
  EXPECT_EQ(c.discipline_by, "管理人员");
}

TEST(Ledger, AFineTheRegulationLeavesOpenNamesTheParameter) {  // R04: 罚款 without an amount
  auto c = ComputeConsequence(ShippedPack(), "R04-VIOLATION", 1);
  EXPECT_FALSE(c.fine_fen.has_value());
  EXPECT_EQ(c.fine_param, "r04_fine_yuan");
  EXPECT_NE(ConsequenceJson(c).find("\"fine_param\":\"r04_fine_yuan\""), std::string::npos);
}

TEST(Ledger, UnknownCodeIsUnscheduled) {
  auto c = ComputeConsequence(ShippedPack(), "NO-SUCH-CODE", 3);
  EXPECT_FALSE(c.scheduled);
  EXPECT_EQ(c.occurrence, 3);
}

TEST(Duties, AnswersAreValidatedAgainstTheForm) {
  std::vector<policy::ChecklistItem> items(3);
  items[0].id = "radio";
  items[0].label = "对讲机";
  items[0].kind = policy::ItemKind::kCheck;
  items[1].id = "pressure";
  items[1].label = "管网压力";
  items[1].kind = policy::ItemKind::kNumber;
  items[1].min = 0.1;
  items[1].max = 1.2;
  items[2].id = "floor";
  items[2].label = "地面";
  items[2].kind = policy::ItemKind::kPassFlagFail;
  items[2].required = false;

  auto ok = Duties::ValidateAnswers(items, {{"radio", true}, {"pressure", 0.5}});
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(*ok, R"({"pressure":0.5,"radio":true})");

  auto missing = Duties::ValidateAnswers(items, {{"pressure", 0.5}});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().field, "answers.radio");

  // Outside the normal range (min/max) is abnormal, not invalid: accepted and flagged later.
  auto abnormal = Duties::ValidateAnswers(items, {{"radio", true}, {"pressure", 3.0}});
  ASSERT_TRUE(abnormal.has_value()) << abnormal.error().message;

  // Only the hard limit refuses.
  items[1].limit_min = 0.0;
  auto below = Duties::ValidateAnswers(items, {{"radio", true}, {"pressure", -1.0}});
  ASSERT_FALSE(below.has_value());
  EXPECT_EQ(below.error().field, "answers.pressure");
  EXPECT_NE(below.error().message.find("cannot be below 0"), std::string::npos)
      << below.error().message;

  auto kind = Duties::ValidateAnswers(items, {{"radio", true}, {"pressure", 1.0}, {"floor", true}});
  ASSERT_FALSE(kind.has_value());
  EXPECT_EQ(kind.error().field, "answers.floor");

  auto unknown = Duties::ValidateAnswers(items, {{"radio", true}, {"pressure", 1.0}, {"x", 1.0}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().field, "answers.x");
}

TEST(RuntimeTime, MonthsAreLocalCalendarMonths) {
  auto zone = TimeZone::Default();
  auto range = LocalMonthRange("2026-12", zone);
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(FormatIso8601(range->first, zone), "2026-12-01T00:00:00+08:00");
  EXPECT_EQ(FormatIso8601(range->second, zone), "2027-01-01T00:00:00+08:00");
  EXPECT_FALSE(LocalMonthRange("2026-13", zone).has_value());
  EXPECT_FALSE(LocalMonthRange("26-12", zone).has_value());

  auto t = ParseIso8601("2026-03-31T10:00:00+08:00");
  ASSERT_TRUE(t.has_value());
  policy::Duration month{std::chrono::seconds(0), 1, 0};
  EXPECT_EQ(FormatIso8601(SubtractDuration(*t, month, zone), zone), "2026-02-28T10:00:00+08:00");
  EXPECT_EQ(FormatDuration(month), "1mo");
  EXPECT_EQ(FormatDuration(policy::Duration{std::chrono::seconds(5400), 0, 0}), "1h30m");
}

// Issue 17 §4: a miss is charged to whoever held the post during the window, not to whoever is
// on it at its last microsecond; a late taker (inside the site's grace) is spared.
TimePoint At(const char* local) { return *ParseIso8601(std::string(local) + "+08:00"); }

store::Attendance Stint(store::Id person, const char* from, const char* to = nullptr) {
  return {0, 1, 1, person, At(from), to ? At(to) : TimePoint{}, 0};
}

TEST(WhoAnswersForMiss, WhoeverHeldThePostDuringTheWindowAnswers) {
  const TimePoint start = At("2026-12-07T00:00:00"), end = At("2026-12-08T00:00:00");
  std::vector<store::Attendance> stints = {
      Stint(1, "2026-12-06T16:00:00", "2026-12-07T00:00:00"),  // left as the window opened
      Stint(2, "2026-12-07T00:00:00", "2026-12-07T08:00:00"),  // held it, left before the end
      Stint(3, "2026-12-07T08:00:00"),                         // still on it
      Stint(4, "2026-12-08T00:00:00"),                         // came after the window
  };
  auto charge = WhoAnswersForMiss(stints, start, end, std::nullopt);
  EXPECT_EQ(charge.charged, (std::vector<store::Id>{2, 3}));
  EXPECT_TRUE(charge.spared.empty());
  EXPECT_TRUE(WhoAnswersForMiss({}, start, end, std::nullopt).charged.empty());
}

TEST(WhoAnswersForMiss, ALateTakerInsideTheGraceIsSpared) {
  const TimePoint start = At("2026-12-07T00:00:00"), end = At("2026-12-08T00:00:00");
  const std::optional<Micros> grace = std::chrono::minutes(30);
  std::vector<store::Attendance> stints = {Stint(5, "2026-12-07T23:40:00"),
                                           Stint(6, "2026-12-07T23:20:00")};
  auto charge = WhoAnswersForMiss(stints, start, end, grace);
  EXPECT_EQ(charge.charged, (std::vector<store::Id>{6}));  // 40 minutes before the end
  EXPECT_EQ(charge.spared, (std::vector<store::Id>{5}));
  // Without a grace (the site has not set one) nobody is spared.
  charge = WhoAnswersForMiss(stints, start, end, std::nullopt);
  EXPECT_EQ(charge.charged, (std::vector<store::Id>{6, 5}));
  // Someone who also held the post earlier in the window answers for it.
  stints.push_back(Stint(5, "2026-12-07T09:00:00", "2026-12-07T10:00:00"));
  charge = WhoAnswersForMiss(stints, start, end, grace);
  EXPECT_EQ(charge.charged, (std::vector<store::Id>{5, 6}));
  EXPECT_TRUE(charge.spared.empty());
}

TEST(WhoAnswersForMiss, AGraceLongerThanTheWindowNeverSparesWhoeverWasOnAsItOpened) {
  // A 15-minute patrol, a 30-minute grace: on the post as the window opened is no late takeover.
  const TimePoint start = At("2026-12-07T10:00:00"), end = At("2026-12-07T10:15:00");
  const std::optional<Micros> grace = std::chrono::minutes(30);
  EXPECT_FALSE(LateTakeover(At("2026-12-07T09:55:00"), start, end, grace));
  EXPECT_FALSE(LateTakeover(start, start, end, grace));
  EXPECT_TRUE(LateTakeover(At("2026-12-07T10:05:00"), start, end, grace));
  EXPECT_FALSE(LateTakeover(end, start, end, grace));  // after the window: not a taker of it
  EXPECT_FALSE(LateTakeover(At("2026-12-07T10:05:00"), start, end, std::nullopt));
}

TEST(SiteSettings, ReadsValuesWorkingHoursAndPostsNotStaffedFromOneRead) {
  const policy::Pack& pack = ShippedPack();
  std::vector<store::SiteParameter> rows = {
      {1, "floors", "B1,1F", 0, {}},
      {1, "not_staffed/post/7", "夜间不设岗", 2, {}},
      {1, "not_staffed/post/8", "", 2, {}},  // staffed again
      {1, "working_hours", "09:00-12:00", 2, {}},
      {1, "working_hours/department/3", "", 2, {}},  // cleared: the site's apply
  };
  SiteSettings site(rows);
  EXPECT_EQ(site.Value("floors"), std::optional<std::string>("B1,1F"));
  EXPECT_EQ(site.Value("no_such"), std::nullopt);
  EXPECT_EQ(site.NotStaffed(7), std::optional<std::string>("夜间不设岗"));
  EXPECT_EQ(site.NotStaffed(8), std::nullopt);
  ASSERT_EQ(site.NotStaffedPosts().size(), 1u);
  EXPECT_EQ(site.NotStaffedPosts()[0].post_id, 7);
  EXPECT_EQ(site.WorkingHoursFor(pack, 3).from, "site");
  EXPECT_EQ(site.WorkingHoursFor(pack, 0).periods.size(), 1u);
}

}  // namespace
}  // namespace zhidu::runtime
