// Unit tests of the roster kernel's pure staffing check on the shipped pack (R09's 四班三运转 and
// its rule r09-never-unattended: at least one on every shift). The store-backed paths (generate,
// publish, swaps) are tested over HTTP in tests/api/test_rosters.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <unistd.h>

#include "kernel/policy/loader.hpp"
#include "kernel/policy/shipped_pack_for_tests.hpp"
#include "modules/roster/roster.hpp"

namespace zhidu::roster {
namespace {

using policy::testing::ShippedPack;

const policy::ShiftDef& Shift(const policy::ShiftPattern& p, const std::string& id) {
  for (const auto& s : p.shifts)
    if (s.id == id) return s;
  throw std::runtime_error("no shift " + id);
}

struct Fixture {
  const policy::ShiftPattern* pattern = nullptr;
  Roster roster;
  store::Post post{1, 1, 0, "中控值班岗四班"};
  TimeZone zone = TimeZone::Default();
  std::chrono::local_days first{std::chrono::year{2027} / 1 / 1};

  Fixture() {
    for (const auto& p : ShippedPack().shift_patterns())
      if (p.id == "r09-four-team-three-shift") pattern = &p;
    roster.id = 1;
    roster.site_id = 1;
    roster.post_id = 1;
    roster.pattern = "r09-four-team-three-shift";
    roster.first_day = "2027-01-01";
    roster.last_day = "2027-01-03";
  }
  RosterAssignment On(const std::string& shift, int day, store::Id person) const {
    auto [start, end] = SlotTimes(Shift(*pattern, shift), first + std::chrono::days(day), zone);
    RosterAssignment a;
    a.roster_id = 1;
    a.site_id = 1;
    a.post_id = 1;
    a.person_id = person;
    a.shift = shift;
    a.starts_at = start;
    a.ends_at = end;
    return a;
  }
  // Two people on every shift of the three days, a slot's people next to each other.
  std::vector<RosterAssignment> Full() const {
    std::vector<RosterAssignment> out;
    for (int day = 0; day < 3; ++day)
      for (const char* s : {"early", "middle", "late"})
        for (store::Id p : {10, 11}) out.push_back(On(s, day, p + day * 100));
    return out;
  }
  std::vector<Problem> Check(const std::vector<RosterAssignment>& mine) const {
    return CheckStaffing(
        ShippedPack(), roster, post, zone, mine, {},
        [](store::Id) { return std::vector<store::Certification>{}; },
        [](store::Id) { return std::vector<std::string>{}; });
  }
};

TEST(CheckStaffing, EveryShiftCoveredIsNoProblem) {
  Fixture f;
  ASSERT_NE(f.pattern, nullptr);
  EXPECT_TRUE(f.Check(f.Full()).empty());
}

TEST(CheckStaffing, AnEmptyShiftIsUnderstaffedAtItsStart) {  // R09 §二2
  Fixture f;
  auto mine = f.Full();
  const auto empty = f.On("middle", 1, 0);
  std::erase_if(mine, [&](const auto& a) { return a.starts_at == empty.starts_at; });
  mine[0].state = "retired";  // a retired assignment does not count: early of day 0 keeps one
  auto problems = f.Check(mine);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, "understaffed");
  EXPECT_EQ(problems[0].shift, "middle");
  EXPECT_EQ(problems[0].starts_at, empty.starts_at);
  EXPECT_NE(problems[0].message.find("middle"), std::string::npos);
}

TEST(CheckStaffing, PeopleOffThePatternDoNotFillItsShifts) {
  Fixture f;
  auto mine = f.Full();
  const auto empty = f.On("middle", 1, 0);
  std::erase_if(mine, [&](const auto& a) { return a.starts_at == empty.starts_at; });
  // Someone on "late" at the middle shift's start is a slot of its own: it has one person (no
  // problem of its own) and leaves the middle shift empty.
  auto odd = f.On("late", 1, 77);
  odd.starts_at = empty.starts_at;
  odd.ends_at = empty.ends_at;
  mine.push_back(odd);
  auto problems = f.Check(mine);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].shift, "middle");
  EXPECT_EQ(problems[0].starts_at, empty.starts_at);
  // Someone on the middle shift itself, listed last (out of the slots' order), fills it.
  mine.push_back(f.On("middle", 1, 78));
  EXPECT_TRUE(f.Check(mine).empty());
}

TEST(CheckStaffing, TheOrderOfTheAssignmentsDoesNotMatter) {
  Fixture f;
  auto mine = f.Full();
  std::erase_if(mine, [&](const auto& a) {
    return a.starts_at == f.On("late", 0, 0).starts_at ||
           a.starts_at == f.On("early", 2, 0).starts_at;
  });
  auto odd = f.On("early", 0, 90);
  odd.starts_at += std::chrono::hours(3);  // off the pattern
  mine.push_back(odd);
  auto ordered = f.Check(mine);
  ASSERT_EQ(ordered.size(), 2u);
  EXPECT_EQ(ordered[0].shift, "late");
  EXPECT_EQ(ordered[1].shift, "early");
  std::mt19937 random(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(mine.begin(), mine.end(), random);
    auto shuffled = f.Check(mine);
    ASSERT_EQ(shuffled.size(), ordered.size());
    for (size_t i = 0; i < ordered.size(); ++i) {
      EXPECT_EQ(shuffled[i].shift, ordered[i].shift);
      EXPECT_EQ(shuffled[i].starts_at, ordered[i].starts_at);
      EXPECT_EQ(shuffled[i].message, ordered[i].message);
    }
  }
}

// 每班至少一人持证 (issue 16 §6): the shipped pack's R09 rule with at_least_one_certified added,
// loaded from a copy; a shift where nobody holds a certificate valid on its last day is a
// certificate_missing problem, and one holder makes the shift whole.
TEST(CheckStaffing, EveryShiftNeedsOneHolderOfTheCertificate) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("zhidu-roster-cert-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(fs::path(ZHIDU_SOURCE_DIR) / "policies/cn-default", dir, fs::copy_options::recursive);
  {
    std::ifstream in(dir / "R09.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    const std::string rule = "    around_the_clock: true\n    substitute_before_leaving: true\n";
    auto at = yaml.find(rule);
    ASSERT_NE(at, std::string::npos);
    yaml.insert(at + rule.size(), "    at_least_one_certified: [中控上岗证]\n");
    std::ofstream(dir / "R09.yaml") << yaml;
  }
  auto pack = policy::LoadPack(dir);
  fs::remove_all(dir);
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  Fixture f;
  auto mine = f.Full();  // people 10/11 on day 0, 110/111 on day 1, 210/211 on day 2
  auto check = [&](std::set<store::Id> holders, std::string expires) {
    return CheckStaffing(
        *pack, f.roster, f.post, f.zone, mine, {},
        [&](store::Id p) {
          std::vector<store::Certification> out;
          if (holders.contains(p)) out.push_back({1, p, "中控上岗证", "A-1", expires});
          out.push_back({2, p, "其他证", "B-1", ""});
          return out;
        },
        [](store::Id) { return std::vector<std::string>{}; });
  };
  EXPECT_TRUE(check({10, 111, 210}, "").empty());
  auto problems = check({10, 210}, "");  // nobody on day 1's three shifts holds it
  ASSERT_EQ(problems.size(), 3u);
  for (const auto& p : problems) {
    EXPECT_EQ(p.kind, "certificate_missing");
    EXPECT_EQ(p.rule, "r09-never-unattended");
    EXPECT_EQ(p.clauses, std::vector<std::string>{"R09 §二2"});
    EXPECT_NE(p.message.find("中控上岗证"), std::string::npos) << p.message;
  }
  EXPECT_EQ(problems[0].starts_at, f.On("early", 1, 0).starts_at);
  // A certificate that expired before the shift's last day does not count.
  EXPECT_EQ(check({10, 111, 210}, "2026-12-31").size(), 9u);
}

}  // namespace
}  // namespace zhidu::roster
