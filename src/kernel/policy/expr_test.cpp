// The expression sandbox: what an expression can and cannot do.
#include "kernel/policy/expr.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <lua.hpp>
#include <random>
#include <thread>

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

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Issue 15 §4: a backtracking pattern ran 67 s inside string.find, where the count hook never
// fires, and `zhidu policy check` (the compile-time dry run) waited for it.
TEST(SandboxTest, BacktrackingPatternIsStoppedAtCompile) {
  auto engine = MakeExprEngine();
  auto start = std::chrono::steady_clock::now();
  auto e = Expr::Compile(engine, "string.rep('a',36):find(string.rep('a*',9)..'b') == nil", {},
                         ValueType::kBool);
  double took = SecondsSince(start);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("instruction limit"), std::string::npos) << e.error().message;
  EXPECT_LT(took, 2.0);
  for (const char* chunk :
       {"return ('a'):rep(36):match(('a*'):rep(9)..'b')",
        "for w in string.gmatch(('a'):rep(36), ('a*'):rep(9)..'b') do end return 1",
        "return (string.gsub(('a'):rep(36), ('a*'):rep(9)..'b', 'x'))",
        "return string.rep('', 1 << 62)..'x'", "return #table.move({}, 1, 1 << 50, 2)"}) {
    auto begin = std::chrono::steady_clock::now();
    auto r = RunSandboxed(*engine, chunk);
    EXPECT_LT(SecondsSince(begin), 2.0) << chunk;
    if (std::string_view(chunk).starts_with("return string.rep('',")) {
      ASSERT_TRUE(r.has_value()) << r.error().message;  // rep('', n) is "" at once
      EXPECT_EQ(std::get<std::string>(*r), "x");
    } else {
      ASSERT_FALSE(r.has_value()) << chunk;
      EXPECT_NE(r.error().message.find("instruction limit"), std::string::npos)
          << chunk << ": " << r.error().message;
    }
  }
}

// Issue 15 §4: a trim idiom on a 60 KB user input ran 24 s and blocked every other expression.
TEST(SandboxTest, TrimOnAHugeInputIsStoppedAndTheNormalOneWorks) {
  auto engine = MakeExprEngine();
  auto e = Expr::Compile(engine, "(s:gsub('^%s+', ''):gsub('%s+$', '')) ~= ''",
                         {{"s", ValueType::kString}}, ValueType::kBool);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_TRUE(*e->EvalBool({{"s", std::string("  x  ")}}));
  EXPECT_FALSE(*e->EvalBool({{"s", std::string("    ")}}));
  std::string huge = "x" + std::string(60'000, ' ') + "x";  // '%s+$' retries at every space
  auto start = std::chrono::steady_clock::now();
  auto r = e->EvalBool({{"s", huge}});
  EXPECT_LT(SecondsSince(start), 2.0);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("instruction limit"), std::string::npos) << r.error().message;
}

// Work a VM instruction does inside C (comparing long strings, utf8.len) is bounded by the time
// limit and the block cap, not only by the instruction count.
TEST(SandboxTest, ExpensiveInstructionsAreStoppedByTheTimeLimit) {
  auto engine = MakeExprEngine({.instructions = 1'000'000'000, .time_ms = 200});
  auto start = std::chrono::steady_clock::now();
  auto r = RunSandboxed(*engine,
                        "local s = ('x'):rep(60000) local n = 0 "
                        "for i = 1, 1e9 do n = n + utf8.len(s) end return n");
  EXPECT_LT(SecondsSince(start), 2.0);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("time limit"), std::string::npos) << r.error().message;
  auto big = RunSandboxed(*engine, "return #(('x'):rep(70000))");
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("memory"), std::string::npos) << big.error().message;
}

// Issue 15 §4: an expression replacing math.floor changed another's answer.
TEST(SandboxTest, TheLibrariesAreReadOnly) {
  auto engine = MakeExprEngine();
  for (const char* chunk : {"math.floor = function() return 0 end return true",
                            "string.rep = nil return true", "table.insert = tostring return true",
                            "utf8.char = nil return true", "local m = math m.pi = 3 return true"}) {
    auto r = RunSandboxed(*engine, chunk);
    ASSERT_FALSE(r.has_value()) << chunk;
    EXPECT_NE(r.error().message.find("cannot change the standard library"), std::string::npos)
        << r.error().message;
  }
  auto floor = RunSandboxed(*engine, "return math.floor(2.5) + #(('ab'):rep(2))");
  ASSERT_TRUE(floor.has_value()) << floor.error().message;
  EXPECT_EQ(std::get<double>(*floor), 6);
  // Reading and iterating still work.
  auto n = RunSandboxed(*engine, "local n = 0 for k in pairs(math) do n = n + 1 end return n");
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_GT(std::get<double>(*n), 20);
}

// Issue 15 §4: one lock for the pack — a slow expression held every other one. Now a slow
// evaluation takes one Lua state of the pool and others run beside it.
TEST(SandboxTest, EvaluationsRunSideBySide) {
  auto engine = MakeExprEngine({.instructions = 2'000'000'000, .time_ms = 20'000});
  auto slow = Expr::Compile(engine,
                            "(function() local n = 0 for i = 1, go and 3e7 or 1 do n = n + 1 "
                            "end return n > 0 end)()",
                            {{"go", ValueType::kBool}}, ValueType::kBool);
  ASSERT_TRUE(slow.has_value()) << slow.error().message;
  auto quick = Expr::Compile(engine, "a + 1 > 1", {{"a", ValueType::kNumber}}, ValueType::kBool);
  ASSERT_TRUE(quick.has_value()) << quick.error().message;
  std::atomic<bool> slow_done = false;
  std::thread t([&] {
    EXPECT_TRUE(*slow->EvalBool({{"go", true}}));
    slow_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(*quick->EvalBool({{"a", 1.0}}));
  double took = SecondsSince(start);
  bool overtaken = !slow_done.load();
  t.join();
  EXPECT_TRUE(overtaken) << "the quick expressions waited for the slow one";
  EXPECT_LT(took, 1.0);
  EXPECT_EQ(IdleStates(*engine), 2u);
}

// The bounded pattern functions answer as Lua's own: the same chunks run in a plain Lua state
// (the library as shipped) and in the sandbox, over fixed cases and 20,000 generated ones.
std::string LuaQuoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) out += "\\" + std::to_string(c);
  return out + "\"";
}

std::string PatternChunk(std::string_view s, std::string_view p, int init, int which) {
  std::string S = LuaQuoted(s), P = LuaQuoted(p), I = std::to_string(init);
  std::string ser =
      "local function ser(...) local o = {} for i = 1, select('#', ...) do "
      "local v = select(i, ...) o[#o + 1] = type(v) .. ':' .. tostring(v) end "
      "return table.concat(o, ',') end ";
  switch (which) {
    case 0:
      return ser + "return ser(string.find(" + S + ", " + P + ", " + I + "))";
    case 1:
      return ser + "return ser(string.match(" + S + ", " + P + ", " + I + "))";
    case 2:
      return ser + "return ser(string.find(" + S + ", " + P + ", " + I + ", true))";
    case 3:
      return ser + "local o = {} for a, b in string.gmatch(" + S + ", " + P + ", " + I +
             ") do o[#o + 1] = ser(a, b) end return table.concat(o, ';')";
    case 4:
      return ser + "return ser(string.gsub(" + S + ", " + P + ", '<%0|%1>', " + I + "))";
    case 5:
      return ser + "return ser(string.gsub(" + S + ", " + P +
             ", function(...) return ser(...) "
             "end))";
    default:
      return ser + "return ser(string.gsub(" + S + ", " + P + ", {a = 'A', x = false}))";
  }
}

struct Outcome {
  bool ok;
  std::string text;
};

Outcome RunReference(lua_State* L, const std::string& chunk) {
  int rc = luaL_loadstring(L, chunk.c_str());
  if (rc == LUA_OK) rc = lua_pcall(L, 0, 1, 0);
  Outcome o{rc == LUA_OK, lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : ""};
  lua_settop(L, 0);
  return o;
}

Outcome RunBounded(ExprEngine& engine, const std::string& chunk) {
  auto r = RunSandboxed(engine, chunk);
  if (!r) return {false, r.error().message};
  return {true, std::get<std::string>(*r)};
}

void ExpectSame(lua_State* ref, ExprEngine& engine, std::string_view s, std::string_view p,
                int init, int which) {
  std::string chunk = PatternChunk(s, p, init, which);
  Outcome want = RunReference(ref, chunk);
  Outcome got = RunBounded(engine, chunk);
  ASSERT_EQ(got.ok, want.ok) << "s=" << s << " p=" << p << " init=" << init << " op=" << which
                             << ": reference " << want.text << ", bounded " << got.text;
  if (want.ok) {
    ASSERT_EQ(got.text, want.text)
        << "s=" << s << " p=" << p << " init=" << init << " op=" << which;
  } else {
    // The messages differ only in the chunk's name before ":1: ".
    auto strip = [](const std::string& m) {
      size_t at = m.find(":1: ");
      return at == std::string::npos ? m : m.substr(at + 4);
    };
    ASSERT_EQ(strip(got.text), strip(want.text))
        << "s=" << s << " p=" << p << " op=" << which << ": reference " << want.text << ", bounded "
        << got.text;
  }
}

TEST(SandboxTest, BoundedPatternsAnswerAsLuasOwn) {
  lua_State* ref = luaL_newstate();
  luaL_openlibs(ref);
  auto engine = MakeExprEngine();
  const std::pair<const char*, const char*> fixed[] = {{"hello world from Lua", "(%w+) (%w+)"},
                                                       {"  trim me  ", "^%s*(.-)%s*$"},
                                                       {"key = value", "(%w+)%s*=%s*(%w+)"},
                                                       {"f(a(b)c)d", "%b()"},
                                                       {"THE (quick) fox", "%f[%a]%a+"},
                                                       {"abcabc", "(a)(b)c%1%2"},
                                                       {"x = 1, y = 2", "()(%a)()"},
                                                       {"aaa", "a-b"},
                                                       {"aaab", "a-b"},
                                                       {"[test]", "[]]"},
                                                       {"a.b-c", "[%.%-]"},
                                                       {"^anchor", "^^"},
                                                       {"end$", "$$"},
                                                       {"abc", ""},
                                                       {"abc", "^"},
                                                       {"", "x*"},
                                                       {"abc", "%"},
                                                       {"abc", "[a"},
                                                       {"abc", "(()"},
                                                       {"abc", "%1"},
                                                       {"abc", "a)"},
                                                       {"abc", "%f"},
                                                       {"abc", "%bx"},
                                                       {"a\0b", "%z"},
                                                       {"a\0b", "[\0]"},
                                                       {"2024-01-05", "(%d+)-(%d+)-(%d+)"},
                                                       {"caf\xc3\xa9", "[\x80-\xff]+"},
                                                       {"aXb", "%u"},
                                                       {"a,b,,c", "([^,]*)"},
                                                       {"one two", "%S+"}};
  for (const auto& [s, p] : fixed) {
    for (int which = 0; which < 7; ++which) {
      for (int init : {1, 2, -2, 0, 30}) ExpectSame(ref, *engine, s, p, init, which);
    }
  }
  std::mt19937 rng(15);
  const char* atoms[] = {"a",    "b",      "%",  "(",  ")",    "[",     "]",  "^",      "$",
                         "*",    "+",      "-",  "?",  ".",    "%a",    "%d", "%s",     "%S",
                         "%b()", "%f[%w]", "%1", "()", "[^a]", "[a-c]", "%.", "[%a%d]", " "};
  const char* letters = "ab (1)c .";
  for (int i = 0; i < 20'000; ++i) {
    std::string p, s;
    for (int k = rng() % 7; k > 0; --k) p += atoms[rng() % std::size(atoms)];
    for (int k = rng() % 12; k > 0; --k) s += letters[rng() % 9];
    int init = static_cast<int>(rng() % 5) - 1;
    ExpectSame(ref, *engine, s, p, init, static_cast<int>(rng() % 7));
    if (HasFatalFailure()) break;
  }
  lua_close(ref);
}

}  // namespace
}  // namespace zhidu::policy
