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

TEST(HandoverRule, APostWithoutShiftPatternIsNamed) {
  auto rule = RuleFor(ShippedPack(), "中控岗");
  ASSERT_FALSE(rule);
  EXPECT_EQ(rule.error().code, Errc::kFailedPrecondition);
  EXPECT_NE(rule.error().message.find("shift pattern"), std::string::npos);
  EXPECT_FALSE(RuleFor(ShippedPack(), "没有这个岗"));
}

}  // namespace
}  // namespace zhidu::handover
