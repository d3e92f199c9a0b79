// W6: a year of 四班三运转 (the pack's shift pattern r09-four-team-three-shift, R09 §三1) for N
// sites × 12 operators (4 teams of 3), generated and checked with the roster kernel's pure
// functions, without HTTP or storage: per site, the assignments Rosters::Generate would insert
// (pattern->ShiftOn + roster::SlotTimes, the same loop) and the staffing check of publishing
// (roster::CheckStaffing with the pack's rules for the post 中控值班岗四班). Sites are split over
// --threads workers; each site's assignments are discarded after its check (streaming), so the
// figure is CPU, not memory. A site whose check finds a problem, or whose assignment count is not
// the pattern's, fails the run.
//
//   bench_rosters --pack policies/cn-default [--sites 10000] [--days 365] [--threads 2]
// Prints one JSON object on stdout.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.hpp"
#include "kernel/policy/loader.hpp"
#include "modules/roster/roster.hpp"

using namespace zhidu;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kTeams = 4;
constexpr int kPerTeam = 3;  // 12 operators per site
constexpr const char* kPattern = "r09-four-team-three-shift";
constexpr const char* kPost = "中控值班岗四班";

struct Tally {
  double expand_seconds = 0, check_seconds = 0;
  std::int64_t assignments = 0;
  std::int64_t problems = 0;
  std::int64_t bad_sites = 0;
};

// Generates and checks one site's year; returns its assignment count and problems.
void OneSite(const policy::Pack& pack, const policy::ShiftPattern& pattern, const TimeZone& zone,
             store::Id site, std::chrono::local_days first, int days, Tally& tally) {
  roster::Roster roster;
  roster.id = site;
  roster.site_id = site;
  roster.post_id = site;
  roster.pattern = pattern.id;
  roster.first_day = "2027-01-01";
  roster.last_day = "2027-12-31";
  store::Post post{site, site, 0, kPost};
  const auto t0 = Steady::now();
  std::vector<roster::RosterAssignment> mine;
  mine.reserve(static_cast<size_t>(days) * kTeams * kPerTeam);
  const store::Id first_person = site * 100;
  for (int day = 0; day < days; ++day) {
    const auto d = first + std::chrono::days(day);
    for (int t = 0; t < kTeams; ++t) {
      const auto& shift_id = pattern.ShiftOn(static_cast<size_t>(t), day);
      const policy::ShiftDef* shift = nullptr;
      for (const auto& s : pattern.shifts)
        if (s.id == shift_id) shift = &s;
      if (!shift) continue;  // off
      auto [start, end] = roster::SlotTimes(*shift, d, zone);
      for (int p = 0; p < kPerTeam; ++p) {
        roster::RosterAssignment a;
        a.roster_id = roster.id;
        a.site_id = site;
        a.post_id = site;
        a.person_id = first_person + t * kPerTeam + p;
        a.team_id = site * 10 + t;
        a.shift = shift->id;
        a.starts_at = start;
        a.ends_at = end;
        mine.push_back(std::move(a));
      }
    }
  }
  const auto t1 = Steady::now();
  auto problems = roster::CheckStaffing(
      pack, roster, post, zone, mine, {},
      [](store::Id) { return std::vector<store::Certification>{}; },
      [](store::Id) { return std::vector<std::string>{}; });
  const auto t2 = Steady::now();
  tally.expand_seconds += std::chrono::duration<double>(t1 - t0).count();
  tally.check_seconds += std::chrono::duration<double>(t2 - t1).count();
  tally.assignments += static_cast<std::int64_t>(mine.size());
  tally.problems += static_cast<std::int64_t>(problems.size());
  if (!problems.empty()) {
    if (tally.bad_sites == 0) std::cerr << "site " << site << ": " << problems[0].message << "\n";
    ++tally.bad_sites;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string pack_dir = "policies/cn-default";
  int sites = 10000, days = 365;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--pack")
      pack_dir = argv[i + 1];
    else if (a == "--sites")
      sites = std::stoi(argv[i + 1]);
    else if (a == "--days")
      days = std::stoi(argv[i + 1]);
    else if (a == "--threads")
      threads = std::max(1, std::stoi(argv[i + 1]));
    else {
      std::cerr << "unknown argument " << a << "\n";
      return 2;
    }
  }
  auto pack = policy::LoadPack(pack_dir);
  if (!pack) {
    std::cerr << pack.error().message << "\n";
    return 2;
  }
  const policy::ShiftPattern* pattern = nullptr;
  for (const auto& p : pack->shift_patterns())
    if (p.id == kPattern) pattern = &p;
  if (!pattern || pattern->teams.size() != kTeams) {
    std::cerr << "the pack has no four-team pattern " << kPattern << "\n";
    return 2;
  }
  int rules = 0;
  for (const auto& r : pack->staffing())
    if (r.post == kPost) ++rules;
  const auto zone = TimeZone::Default();
  const auto first = std::chrono::local_days{std::chrono::year{2027} / 1 / 1};

  const auto t0 = Steady::now();
  std::vector<Tally> tallies(static_cast<size_t>(threads));
  std::atomic<int> next{1};
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w)
    workers.emplace_back([&, w] {
      for (int s = next++; s <= sites; s = next++)
        OneSite(*pack, *pattern, zone, s, first, days, tallies[static_cast<size_t>(w)]);
    });
  for (auto& t : workers) t.join();
  const double seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  Tally all;
  for (const auto& t : tallies) {
    all.assignments += t.assignments;
    all.expand_seconds += t.expand_seconds;
    all.check_seconds += t.check_seconds;
    all.problems += t.problems;
    all.bad_sites += t.bad_sites;
  }
  // Each day three of the four teams work one shift each (R09 §三1): 3 shifts × 3 people.
  const std::int64_t expected = static_cast<std::int64_t>(sites) * days * 3 * kPerTeam;
  std::printf(
      "{\"sites\":%d,\"operators_per_site\":%d,\"days\":%d,\"threads\":%d,\"staffing_rules\":%d,"
      "\"assignments\":%lld,\"expected_assignments\":%lld,\"problems\":%lld,\"bad_sites\":%lld,"
      "\"seconds\":%.3f,\"expand_seconds\":%.3f,\"check_seconds\":%.3f,\"peak_rss_kib\":%lld}\n",
      sites, kTeams * kPerTeam, days, threads, rules, static_cast<long long>(all.assignments),
      static_cast<long long>(expected), static_cast<long long>(all.problems),
      static_cast<long long>(all.bad_sites), seconds, all.expand_seconds, all.check_seconds,
      static_cast<long long>(bench::PeakRssKib()));
  return all.bad_sites == 0 && all.assignments == expected ? 0 : 1;
}
