// The approval-chain logic of requests.hpp: step ordering, role resolution, grant scopes, inputs.
#include "kernel/runtime/requests.hpp"

#include <gtest/gtest.h>

namespace zhidu::runtime {
namespace {

using policy::ApprovalStep;
using store::ApprovalDecision;

policy::Request Chain(std::vector<ApprovalStep> steps) {
  policy::Request r;
  r.id = "test";
  r.approvals = std::move(steps);
  return r;
}

ApprovalStep Step(std::string id, std::vector<std::string> after,
                  std::vector<std::string> roles = {"值班长"}) {
  ApprovalStep s;
  s.id = std::move(id);
  s.after = std::move(after);
  s.roles = std::move(roles);
  return s;
}

ApprovalDecision Decision(std::string step, bool approve) {
  ApprovalDecision d;
  d.step = std::move(step);
  d.approve = approve;
  return d;
}

std::vector<std::string> Names(const std::vector<StepState>& states) {
  std::vector<std::string> out;
  for (auto s : states) out.emplace_back(StepStateName(s));
  return out;
}

using V = std::vector<std::string>;

TEST(StepStates, SequentialChainOpensOneStepAtATime) {
  // The loader makes `after` default to the previous step.
  auto chain = Chain({Step("a", {}), Step("b", {"a"}), Step("c", {"b"})});
  EXPECT_EQ(Names(StepStates(chain, {}, true)), (V{"open", "waiting", "waiting"}));
  EXPECT_EQ(Names(StepStates(chain, {Decision("a", true)}, true)),
            (V{"approved", "open", "waiting"}));
  EXPECT_FALSE(ChainApproved(chain, {Decision("a", true), Decision("b", true)}));
  EXPECT_TRUE(
      ChainApproved(chain, {Decision("a", true), Decision("b", true), Decision("c", true)}));
}

TEST(StepStates, ParallelStepsAreOpenTogetherAndJoin) {
  auto chain =
      Chain({Step("leader", {}), Step("production", {}), Step("sign", {"leader", "production"})});
  EXPECT_EQ(Names(StepStates(chain, {}, true)), (V{"open", "open", "waiting"}));
  EXPECT_EQ(Names(StepStates(chain, {Decision("leader", true)}, true)),
            (V{"approved", "open", "waiting"}));
  EXPECT_EQ(
      Names(StepStates(chain, {Decision("leader", true), Decision("production", true)}, true)),
      (V{"approved", "approved", "open"}));
}

TEST(StepStates, ARejectedStepNeverOpensItsSuccessors) {
  auto chain = Chain({Step("a", {}), Step("b", {"a"})});
  EXPECT_EQ(Names(StepStates(chain, {Decision("a", false)}, true)), (V{"rejected", "waiting"}));
  EXPECT_FALSE(ChainApproved(chain, {Decision("a", false)}));
}

TEST(StepStates, UndecidedStepsCloseWhenTheRequestEnds) {
  auto chain = Chain({Step("a", {}), Step("b", {"a"})});
  EXPECT_EQ(Names(StepStates(chain, {Decision("a", false)}, false)), (V{"rejected", "closed"}));
  EXPECT_EQ(Names(StepStates(chain, {}, false)), (V{"closed", "closed"}));
}

TEST(StepStates, DecisionsOnUnknownStepsAreIgnored) {
  auto chain = Chain({Step("a", {})});
  EXPECT_EQ(Names(StepStates(chain, {Decision("gone", true)}, true)), (V{"open"}));
  EXPECT_FALSE(ChainApproved(chain, {Decision("gone", true)}));
}

TEST(ChainApproved, AnEmptyChainIsNotApprovedByDecisions) {
  EXPECT_FALSE(ChainApproved(Chain({}), {}));
}

TEST(SuperiorRoles, FollowsReportsToOfEachRoleOnce) {
  std::vector<policy::Role> roles(4);
  roles[0].id = "中控员";
  roles[0].reports_to = "秩序维护主管";
  roles[1].id = "消防控制室值班员";
  roles[1].reports_to = "值班长";
  roles[2].id = "消防中控员";
  roles[2].reports_to = "值班长";
  roles[3].id = "部长";
  EXPECT_EQ(SuperiorRoles(roles, {"中控员"}), (V{"秩序维护主管"}));
  EXPECT_EQ(SuperiorRoles(roles, {"消防控制室值班员", "消防中控员", "中控员"}),
            (V{"值班长", "秩序维护主管"}));
  EXPECT_TRUE(SuperiorRoles(roles, {"部长"}).empty());
  EXPECT_TRUE(SuperiorRoles(roles, {"unknown"}).empty());
}

TEST(StepRoles, ReplacesSuperiorAndKeepsAlternatives) {
  ApprovalStep s = Step("x", {}, {"$superior", "部长", "值班长"});
  EXPECT_EQ(StepRoles(s, {"值班长"}), (V{"值班长", "部长"}));
  EXPECT_EQ(StepRoles(Step("y", {}, {"$superior"}), {}), V{});
}

TEST(GrantCovers, GlobalSiteAndDepartmentScopes) {
  store::RoleGrant global{0, 1, "部长", "global", 0};
  store::RoleGrant site{0, 1, "值班长", "site", 7};
  store::RoleGrant dept{0, 1, "值班长", "department", 3};
  EXPECT_TRUE(GrantCovers(global, 7, 0));
  EXPECT_TRUE(GrantCovers(site, 7, 0));
  EXPECT_FALSE(GrantCovers(site, 8, 0));
  EXPECT_TRUE(GrantCovers(dept, 7, 3));
  EXPECT_FALSE(GrantCovers(dept, 7, 4));
  EXPECT_FALSE(GrantCovers(dept, 7, 0));
  EXPECT_TRUE(HoldsOneOf({site}, {"部长", "值班长"}, 7, 0));
  EXPECT_FALSE(HoldsOneOf({site}, {"部长", "值班长"}, 8, 0));
  EXPECT_FALSE(HoldsOneOf({global}, {"值班长"}, 7, 0));
  EXPECT_EQ(RolesAt({global, site, dept}, 7, 0), (V{"部长", "值班长"}));
}

TEST(CheckInputs, NamesTheFieldThatIsWrong) {
  policy::ContextSchema schema{{"request.copy", policy::ValueType::kBool},
                               {"order.pieces", policy::ValueType::kNumber}};
  EXPECT_TRUE(CheckInputs(schema, {{"request.copy", false}, {"order.pieces", 3.0}}));
  auto unknown = CheckInputs(schema, {{"request.copy", false}, {"order.pieces", 3.0}, {"x", true}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "inputs.x");
  auto wrong = CheckInputs(schema, {{"request.copy", std::string("yes")}, {"order.pieces", 3.0}});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(wrong.error().field, "inputs.request.copy");
  auto missing = CheckInputs(schema, {{"request.copy", true}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "inputs.order.pieces");
}

TEST(InputsJson, IsCanonical) {
  EXPECT_EQ(InputsJson({{"b", true},
                        {"a", 2.5},
                        {"c", 3.0},
                        {"d", std::string("x\"y")},
                        {"e", std::vector<std::string>{"p", "q"}}}),
            R"({"a":2.5,"b":true,"c":3,"d":"x\"y","e":["p","q"]})");
  EXPECT_EQ(InputsJson({}), "{}");
}

}  // namespace
}  // namespace zhidu::runtime
