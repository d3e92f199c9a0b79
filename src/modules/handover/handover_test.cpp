// Unit tests of the pure part of handover on the shipped pack: which checklists, shift pattern,
// window and refusal reasons apply to a post. The store-backed paths are tested over HTTP
// (tests/api/test_handover.py).
#include "modules/handover/handover.hpp"

#include <gtest/gtest.h>

#include "kernel/policy/loader.hpp"
#include "kernel/policy/shipped_pack_for_tests.hpp"

namespace zhidu::handover {
namespace {

using policy::testing::ShippedPack;

TEST(HandoverRule, FourTeamControlRoomGetsR09AndR12ByItsRole) {
  auto rule = RuleFor(ShippedPack(), "中控值班岗四班");
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_EQ(rule->checklists, (std::vector<std::string>{"r09-handover", "r12-handover"}));
  EXPECT_EQ(rule->arrive_before, std::chrono::minutes(10));  // R12 §四(一)1
  EXPECT_EQ(rule->window_clauses, (std::vector<std::string>{"R12 §四(一)1"}));
  ASSERT_EQ(rule->refuse_if.size(), 4u);  // 五不接 (1)-(4); (5) is the outgoing staying
  EXPECT_EQ(rule->refuse_if[0].id, "ops-unclear");
  EXPECT_EQ(rule->signatures, (std::vector<std::string>{"outgoing", "incoming"}));
  EXPECT_EQ(rule->notify_roles, (std::vector<std::string>{"秩序维护主管"}));
  EXPECT_TRUE(rule->issues_after_belong_to_incoming);
  EXPECT_EQ(rule->pattern.shifts.size(), 3u);
  EXPECT_EQ(rule->items.front().id, "read-log");
}

// R12 and R20 give their control rooms no shift times: the rule has no pattern and the shift
// changes come from the post's published roster (tests/api/test_handover.py).
TEST(HandoverRule, APostWithoutShiftPatternStillHasItsRule) {
  auto rule = RuleFor(ShippedPack(), "中控岗");
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_TRUE(rule->pattern.shifts.empty());
  EXPECT_EQ(rule->checklists, (std::vector<std::string>{"r12-handover"}));
  EXPECT_FALSE(RuleFor(ShippedPack(), "没有这个岗"));
}

// R20 §四8: 按时交接班 with no figure, so the early arrival is the site's parameter; the reasons to
// refuse are the three 交接手续 the clause names.
TEST(HandoverRule, FirePostHasR20ReasonsAndASiteArrivalWindow) {
  auto rule = RuleFor(ShippedPack(), "消防控制室值班岗");
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_EQ(rule->checklists, (std::vector<std::string>{"r20-handover"}));
  EXPECT_EQ(rule->arrive_before, std::chrono::seconds(0));
  EXPECT_EQ(rule->arrive_before_param, "fire_room_arrive_before");
  EXPECT_EQ(rule->window_clauses, (std::vector<std::string>{"R20 §四8"}));
  ASSERT_EQ(rule->refuse_if.size(), 3u);
  for (const auto& r : rule->refuse_if)
    EXPECT_EQ(r.clauses, (std::vector<std::string>{"R20 §四8"})) << r.id;
  EXPECT_EQ(rule->notify_roles, (std::vector<std::string>{"值班长"}));
}

// Issue 18 §9: R08's and R17's handovers apply to R19's three CS posts; R17 §一1 提前10-15分钟
// opens the window 15 minutes before and counts 10 as early enough; §一2 当面.
TEST(HandoverRule, CsPostsGetR08AndR17WithTheirEarlyArrival) {
  for (const char* post : {"订单组", "投诉组", "客服组"}) {
    auto rule = RuleFor(ShippedPack(), post);
    ASSERT_TRUE(rule) << post << ": " << rule.error().message;
    EXPECT_EQ(rule->checklists, (std::vector<std::string>{"r08-handover", "r17-handover"})) << post;
    EXPECT_EQ(rule->arrive_before, std::chrono::minutes(15)) << post;
    EXPECT_EQ(rule->arrive_at_least, std::chrono::minutes(10)) << post;
    EXPECT_EQ(rule->window_clauses, (std::vector<std::string>{"R17 §一1"})) << post;
    EXPECT_TRUE(rule->face_to_face) << post;
    EXPECT_TRUE(rule->refuse_if.empty()) << post;  // neither lists 五不接 reasons
  }
  // 客服组 names the CS pattern, whose hours are the site's.
  auto rule = RuleFor(ShippedPack(), "客服组");
  ASSERT_TRUE(rule);
  ASSERT_EQ(rule->pattern.shifts.size(), 2u);
  EXPECT_EQ(rule->pattern.shifts[0].hours_param, "service_first_shift_hours");
}

}  // namespace
}  // namespace zhidu::handover
