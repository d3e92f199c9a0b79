#include "app/demo.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include "base/crypto.hpp"
#include "base/time.hpp"
#include "modules/roster/roster_store.hpp"
#include "modules/visits/visits_store.hpp"

namespace zhidu::app {

namespace {

struct DemoAccount {
  const char* username;
  const char* person;  // 示例 name of the person, nullptr for none
  const char* role;
  const char* department;
  const char* team;
};

}  // namespace

Result<void> SeedDemo(store::Store& store, org::AuthService& auth, org::OrgService& org,
                      const std::filesystem::path& data_dir) {
  {
    ZHIDU_TRY(auto unit, store.BeginRead());
    ZHIDU_TRY(auto sites, unit->ListSites({0, 1}));
    if (!sites.empty()) {
      std::cout << "zhidu: demo data already present; credentials are in "
                << (data_dir / "demo-credentials.txt").string() << std::endl;
      return Ok();
    }
  }
  // The administrator seeds everything else through the same services a user would call.
  std::string admin_password = RandomHex(8);
  ZHIDU_TRY(auto admin, auth.CreateAccount(
                            nullptr, {"admin", admin_password, 0, {{0, 0, "admin", "global", 0}}}));
  org::Principal root{admin.id, admin.username, 0, {{0, admin.id, "admin", "global", 0}},
                      "",       false};

  ZHIDU_TRY(auto site, org.CreateSite(root, {0, "示范园区（演示）", "Asia/Shanghai", {}}));
  std::map<std::string, store::Id> departments;
  for (const char* name :
       {"消防控制室", "中控室", "秩序维护部", "客服部", "行政办公室", "贵宾厅"}) {
    ZHIDU_TRY(auto d, org.CreateDepartment(root, {0, site.id, name}));
    departments[name] = d.id;
  }
  std::map<std::string, store::Id> teams;
  // 中控室 runs 四班三运转: four teams (R09). 消防控制室 four teams on eight-hour shifts (R20 §一3
  // allows at most twelve hours on end, so 三班二运转's fifteen-hour night is not an option).
  // 客服部 queues (R19).
  for (const char* name : {"甲班", "乙班", "丙班", "丁班"}) {
    ZHIDU_TRY(auto t, org.CreateTeam(
                          root, {0, site.id, departments["中控室"], std::string("中控室") + name}));
    teams[std::string("中控室") + name] = t.id;
  }
  for (const char* name : {"一班", "二班", "三班", "四班"}) {
    ZHIDU_TRY(auto t, org.CreateTeam(root, {0, site.id, departments["消防控制室"],
                                            std::string("消防控制室") + name}));
    teams[std::string("消防控制室") + name] = t.id;
  }
  for (const char* name : {"订单组", "投诉组", "客服组"}) {
    ZHIDU_TRY(auto t, org.CreateTeam(root, {0, site.id, departments["客服部"], name}));
    teams[name] = t.id;
  }
  for (auto [post, dept] : std::initializer_list<std::pair<const char*, const char*>>{
           // Named as the pack's posts (岗位), so the pack's duties are planned for them.
           {"消防控制室值班岗", "消防控制室"},
           {"中控岗", "中控室"},
           {"中控值班岗四班", "中控室"},
           {"秩序维护主管岗", "秩序维护部"},
           {"客服岗", "客服部"},
           {"客服主管岗", "客服部"},
           {"客服经理岗", "客服部"},
           {"舍长岗", "行政办公室"},
           {"办公室岗", "行政办公室"},
           {"贵宾厅礼宾岗", "贵宾厅"},
           {"厅经理岗", "贵宾厅"},
           {"客户休息室岗", "贵宾厅"}}) {
    ZHIDU_TRY_VOID(org.CreatePost(root, {0, site.id, departments[dept], post}));
  }

  const DemoAccount accounts[] = {
      {"fire1", "演示·王消防", "消防控制室值班员", "消防控制室", "消防控制室一班"},
      {"fire2", "演示·李消防", "消防控制室值班员", "消防控制室", "消防控制室一班"},
      {"op1", "演示·张中控", "中控员", "中控室", "中控室甲班"},
      {"op2", "演示·赵中控", "中控员", "中控室", "中控室乙班"},
      {"lead1", "演示·陈值班长", "值班长", "中控室", "中控室甲班"},
      {"guard_chief", "演示·刘主管", "秩序维护主管", "秩序维护部", nullptr},
      {"head", "演示·周部长", "部长", "秩序维护部", nullptr},
      {"cs1", "演示·吴客服", "客服专员", "客服部", "客服组"},
      {"cs_lead", "演示·郑主管", "客服主管", "客服部", nullptr},
      {"cs_manager", "演示·孙经理", "客服经理", "客服部", nullptr},
      {"concierge", "演示·钱礼宾", "礼宾员", "贵宾厅", nullptr},
      {"lounge_mgr", "演示·冯厅经理", "厅经理", "贵宾厅", nullptr},
      {"dorm_lead", "演示·何舍长", "舍长", "行政办公室", nullptr},
      {"office", "演示·高办公室", "办公室", "行政办公室", nullptr},
  };
  std::vector<std::tuple<std::string, std::string, std::string>> credentials;
  credentials.emplace_back("admin", admin_password, "admin");
  int n = 0;
  for (const auto& a : accounts) {
    store::Person p;
    p.site_id = site.id;
    p.department_id = departments[a.department];
    p.team_id = a.team ? teams[a.team] : 0;
    p.name = a.person;
    p.employee_no = "DEMO-" + std::to_string(++n);
    ZHIDU_TRY(auto person, org.CreatePerson(root, p));
    if (std::string_view(a.role) == "消防控制室值班员") {
      // One valid and one expired certificate, so the staffing rules have something to catch.
      const char* expiry = std::string_view(a.username) == "fire1" ? "2028-12-31" : "2026-01-31";
      ZHIDU_TRY_VOID(org.AddCertification(
          root, {0, person.id, "消防设施操作员证", "DEMO-CERT-" + std::to_string(n), expiry}));
    }
    if (std::string_view(a.role) == "中控员")
      // R12 §四(二之2)1 中控员须经培训后方可上机操作: the training the 中控岗 asks for.
      ZHIDU_TRY_VOID(org.AddCertification(
          root, {0, person.id, "中控系统操作培训", "DEMO-TRAIN-" + std::to_string(n), ""}));
    std::string password = RandomHex(6);
    ZHIDU_TRY_VOID(auth.CreateAccount(
        &root, {a.username, password, person.id, {{0, 0, a.role, "site", site.id}}}));
    credentials.emplace_back(a.username, password, a.role);
  }

  // Rostered people without accounts, so every team of the two control rooms is staffed: two
  // certified operators per fire-control team (R20 §四2), one operator per 中控室 team.
  const std::pair<const char*, const char*> rostered[] = {
      {"演示·林消防", "消防控制室一班"}, {"演示·黄消防", "消防控制室二班"},
      {"演示·徐消防", "消防控制室二班"}, {"演示·马消防", "消防控制室三班"},
      {"演示·朱消防", "消防控制室三班"}, {"演示·胡消防", "消防控制室四班"},
      {"演示·郭消防", "消防控制室四班"}, {"演示·罗中控", "中控室丙班"},
      {"演示·梁中控", "中控室丁班"}};
  for (const auto& [name, team] : rostered) {
    store::Person p;
    p.site_id = site.id;
    p.department_id =
        departments[std::string_view(team).starts_with("消防") ? "消防控制室" : "中控室"];
    p.team_id = teams[team];
    p.name = name;
    p.employee_no = "DEMO-" + std::to_string(++n);
    ZHIDU_TRY(auto person, org.CreatePerson(root, p));
    if (std::string_view(team).starts_with("消防"))
      ZHIDU_TRY_VOID(org.AddCertification(root, {0, person.id, "消防设施操作员证",
                                                 "DEMO-CERT-" + std::to_string(n), "2028-12-31"}));
  }

  auto path = data_dir / "demo-credentials.txt";
  {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& [u, p, r] : credentials) out << u << " " << p << " " << r << "\n";
    if (!out) return Fail(Errc::kUnavailable, "cannot write " + path.string());
  }
  ::chmod(path.c_str(), 0600);
  std::cout << "zhidu: demo company seeded. Sign in with (username password role):\n";
  for (const auto& [u, p, r] : credentials) std::cout << "  " << u << " " << p << " " << r << "\n";
  std::cout << "zhidu: credentials written to " << path.string() << std::endl;
  return Ok();
}

}  // namespace zhidu::app

namespace zhidu::app {

Result<void> SeedDemoRosters(store::Store& store, roster::Rosters& rosters, const Clock& clock) {
  ZHIDU_TRY(auto unit, store.BeginRead());
  ZHIDU_TRY(auto sites, unit->ListSites({0, 1}));
  if (sites.empty() || sites[0].name != "示范园区（演示）") return Ok();
  const auto& site = sites[0];
  ZHIDU_TRY(auto existing, roster::db::ListRosters(unit->sql(), site.id, {0, 1}));
  if (!existing.empty()) return Ok();
  ZHIDU_TRY(auto admin, unit->GetAccountByUsername("admin"));
  org::Principal root{admin.id, admin.username, 0, {{0, admin.id, "admin", "global", 0}},
                      "",       false};
  ZHIDU_TRY(auto posts, unit->ListPosts(site.id, {0, 500}));
  ZHIDU_TRY(auto teams, unit->ListTeams(site.id, {0, 500}));
  auto team_ids = [&](std::string_view prefix, std::initializer_list<const char*> names) {
    std::vector<store::Id> out;
    for (const char* n : names)
      for (const auto& t : teams)
        if (t.name == std::string(prefix) + n) out.push_back(t.id);
    return out;
  };
  // The current month in the site's time zone.
  auto zone = TimeZone::Find(site.time_zone).value_or(TimeZone::Default());
  using namespace std::chrono;
  year_month_day today{floor<days>(zone.ToLocal(clock.Now()))};
  year_month ym{today.year(), today.month()};
  auto day_text = [](year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return std::string(buf);
  };
  std::string first = day_text(year_month_day{ym / 1});
  std::string last_day = day_text(year_month_day{ym / std::chrono::last});
  struct Plan {
    const char* post;
    std::vector<store::Id> teams;
  };
  const Plan plans[] = {
      {"中控值班岗四班", team_ids("中控室", {"甲班", "乙班", "丙班", "丁班"})},
      {"消防控制室值班岗", team_ids("消防控制室", {"一班", "二班", "三班", "四班"})}};
  for (const auto& plan : plans) {
    store::Id post_id = 0;
    for (const auto& p : posts)
      if (p.name == plan.post) post_id = p.id;
    if (!post_id || plan.teams.size() != 4) continue;
    ZHIDU_TRY(auto view, rosters.Generate(root, {site.id, post_id, "r09-four-team-three-shift",
                                                 plan.teams, first, last_day, first}));
    // Someone whose certificate has expired comes off every shift (持证上岗, R20 §四5): the demo
    // shows the leave records instead of a roster that cannot be published.
    for (const auto& w : view.warnings) {
      if (w.kind != "uncertified") continue;
      for (const auto& a : view.assignments)
        if (a.person_id == w.person_id && a.state == "active")
          ZHIDU_TRY_VOID(rosters.Leave(root, a.id, "证书已过期，不得上岗（R20 §四5）"));
    }
    ZHIDU_TRY(auto published, rosters.Publish(root, view.roster.id));
    if (!published.published)
      return Fail(Errc::kInternal,
                  std::string("the demo roster of ") + plan.post +
                      " breaks a staffing rule: " + published.problems.front().message);
  }
  return Ok();
}

Result<void> SeedDemoFootage(store::Store& store, visits::Visits& visits, const Clock& clock) {
  ZHIDU_TRY(auto unit, store.BeginRead());
  ZHIDU_TRY(auto sites, unit->ListSites({0, 1}));
  if (sites.empty() || sites[0].name != "示范园区（演示）") return Ok();
  const auto& site = sites[0];
  store::FootageFilter filter;
  filter.site_id = site.id;
  filter.include_deleted = true;
  ZHIDU_TRY(auto existing, visits::db::ListFootage(unit->sql(), filter, {0, 1}));
  if (!existing.empty()) return Ok();
  ZHIDU_TRY(auto admin, unit->GetAccountByUsername("admin"));
  org::Principal root{admin.id, admin.username, 0, {{0, admin.id, "admin", "global", 0}},
                      "",       false};
  using namespace std::chrono;
  const TimePoint hour = floor<hours>(clock.Now());
  for (int i = 3; i >= 1; --i) {
    visits::NewFootage f;
    f.site_id = site.id;
    f.camera = "中控室-01";
    f.starts_at = hour - hours(i);
    f.ends_at = hour - hours(i - 1);
    f.storage_ref = "nvr://demo/ch01/" + std::to_string(4 - i);
    f.tape = "DEMO-T" + std::to_string(4 - i);
    ZHIDU_TRY_VOID(visits.AddFootage(root, f));
  }
  return Ok();
}

}  // namespace zhidu::app
