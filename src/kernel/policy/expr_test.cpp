// The expression sandbox: what an expression can and cannot do.
#include "kernel/policy/expr.hpp"

#include <gtest/gtest.h>

namespace zhidu::policy {
namespace {

TEST(ExprTest, EvaluatesTypedContext) {
  auto engine = MakeExprEngine();
  auto e = Expr::Compile(
      engine, "applicant.manual_worker or not applicant.has_office",
      {{"applicant.manual_worker", ValueType::kBool}, {"applicant.has_office", ValueType::kBool}},
      ValueType::kBool);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_TRUE(*e->EvalBool({{"applicant.manual_worker", true}, {"applicant.has_office", true}}));
  EXPECT_FALSE(*e->EvalBool({{"applicant.manual_worker", false}, {"applicant.has_office", true}}));
  EXPECT_TRUE(*e->EvalBool({}));  // zero values: false, false -> not false
}

TEST(ExprTest, NumbersStringsAndLists) {
  auto engine = MakeExprEngine();
  auto e = Expr::Compile(
      engine, "#roles * 10 + math.max(a, 2) + (name == 'x' and 1 or 0)",
      {{"roles", ValueType::kStringList}, {"a", ValueType::kNumber}, {"name", ValueType::kString}},
      ValueType::kNumber);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  auto v =
      e->EvalNumber({{"roles", std::vector<std::string>{"a", "b"}}, {"a", 5.0}, {"name", "x"}});
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_DOUBLE_EQ(*v, 26);
}

TEST(ExprTest, SyntaxErrorIsACompileError) {
  auto engine = MakeExprEngine();
  auto e = Expr::Compile(engine, "a and", {{"a", ValueType::kBool}}, ValueType::kBool);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("invalid expression"), std::string::npos);
}

TEST(ExprTest, UnknownNameAndWrongResultTypeAreCompileErrors) {
  auto engine = MakeExprEngine();
  EXPECT_FALSE(Expr::Compile(engine, "b", {{"a", ValueType::kBool}}, ValueType::kBool).has_value());
  EXPECT_FALSE(
      Expr::Compile(engine, "applicant.x", {{"applicant.y", ValueType::kBool}}, ValueType::kBool)
          .has_value());
  EXPECT_FALSE(Expr::Compile(engine, "1 + 1", {}, ValueType::kBool).has_value());
}

TEST(ExprTest, CannotAssignGlobals) {
  auto engine = MakeExprEngine();
  auto r = RunSandboxed(*engine, "x = 1 return true");
  EXPECT_FALSE(r.has_value());
}

TEST(SandboxTest, DangerousLibrariesAreAbsent) {
  auto engine = MakeExprEngine();
  for (const char* chunk :
       {"return os.execute('true')", "return io.open('/etc/passwd')", "return require('os')",
        "return load('return 1')()", "return dofile('/etc/passwd')", "return loadfile('/x')",
        "return debug.getinfo(1)", "return string.dump(function() end)", "return (''):dump()",
        "return pcall(error)", "return setmetatable({}, {})", "return getmetatable('').__index",
        "return collectgarbage('count')", "return package.loaded", "return _G",
        "return coroutine.create(print)"}) {
    auto r = RunSandboxed(*engine, chunk);
    EXPECT_FALSE(r.has_value()) << chunk << " was allowed";
  }
}

TEST(SandboxTest, EndlessLoopIsStopped) {
  auto engine = MakeExprEngine({.instructions = 100'000, .memory_bytes = 8u << 20});
  auto r = RunSandboxed(*engine, "while true do end");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("instruction limit"), std::string::npos) << r.error().message;
  // The engine stays usable afterwards.
  auto ok = RunSandboxed(*engine, "return 1 + 1");
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(std::get<double>(*ok), 2);
}

TEST(SandboxTest, MemoryBombIsStopped) {
  auto engine = MakeExprEngine({.instructions = 100'000'000, .memory_bytes = 4u << 20});
  auto r = RunSandboxed(*engine, "local s = string.rep('x', 64 * 1024 * 1024) return #s");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("memory"), std::string::npos) << r.error().message;
  auto t = RunSandboxed(*engine, "local t = {} for i = 1, 1e8 do t[i] = i end return #t");
  ASSERT_FALSE(t.has_value());
  auto ok = RunSandboxed(*engine, "return 3");
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
}

TEST(SandboxTest, ExpressionLoopInsideCompiledExprIsStopped) {
  auto engine = MakeExprEngine({.instructions = 50'000, .memory_bytes = 8u << 20});
  // The dry run at compile time already hits the limit: a load error, not a hang.
  auto e = Expr::Compile(engine, "(function() while true do end end)()", {}, ValueType::kBool);
  EXPECT_FALSE(e.has_value());
}

}  // namespace
}  // namespace zhidu::policy
