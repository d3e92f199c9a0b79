#include "app/demo.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "base/crypto.hpp"
#include "base/time.hpp"
#include "modules/roster/roster_store.hpp"
#include "modules/visits/visits_store.hpp"

namespace zhidu::app {

policy::DemoCompany DemoOf(const policy::Pack& pack) {
  if (pack.demo()) return *pack.demo();
  policy::DemoCompany demo;
  demo.site = pack.info().name + "（演示）";
  demo.time_zone = pack.info().time_zone;
  policy::DemoDepartment department{"演示部门", {}, {}};
  for (const auto& post : pack.posts()) department.posts.push_back(post.id);
  demo.departments.push_back(std::move(department));
  int n = 0;
  for (const auto& role : pack.roles()) {
    if (role.system) continue;  // the administrator is seeded as `admin`
    policy::DemoPerson person;
    person.name = "演示·" + (role.title.empty() ? role.id : role.title);
    person.department = "演示部门";
    person.account = "demo" + std::to_string(++n);
    person.role = role.id;
    for (const auto& post : pack.posts()) {
      if (std::find(post.roles.begin(), post.roles.end(), role.id) == post.roles.end()) continue;
      // Certifications without an expiry date: the demo does not invent one.
      for (const auto& c : post.certifications) person.certifications.push_back({c, ""});
      break;
    }
    demo.people.push_back(std::move(person));
  }
  return demo;
}

Result<void> SeedDemo(store::Store& store, org::AuthService& auth, org::OrgService& org,
                      const std::filesystem::path& data_dir, const policy::DemoCompany& demo) {
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

  ZHIDU_TRY(auto site, org.CreateSite(root, {0, demo.site, demo.time_zone, {}}));
  std::map<std::string, store::Id> departments, teams;
  for (const auto& d : demo.departments) {
    ZHIDU_TRY(auto dep, org.CreateDepartment(root, {0, site.id, d.name}));
    departments[d.name] = dep.id;
    for (const auto& t : d.teams) {
      ZHIDU_TRY(auto team, org.CreateTeam(root, {0, site.id, dep.id, t}));
      teams[t] = team.id;
    }
    // Named as the pack's posts (岗位), so the pack's duties are planned for them.
    for (const auto& p : d.posts) ZHIDU_TRY_VOID(org.CreatePost(root, {0, site.id, dep.id, p}));
  }

  std::vector<std::tuple<std::string, std::string, std::string>> credentials;
  credentials.emplace_back("admin", admin_password, "admin");
  int n = 0;
  for (const auto& a : demo.people) {
    store::Person p;
    p.site_id = site.id;
    p.department_id = departments[a.department];
    p.team_id = a.team.empty() ? 0 : teams[a.team];
    p.name = a.name;
    p.employee_no = "DEMO-" + std::to_string(++n);
    ZHIDU_TRY(auto person, org.CreatePerson(root, p));
    for (const auto& c : a.certifications)
      ZHIDU_TRY_VOID(org.AddCertification(
          root,
          {0, person.id, c.name,
           (c.expires.empty() ? "DEMO-TRAIN-" : "DEMO-CERT-") + std::to_string(n), c.expires}));
    if (a.account.empty()) continue;
    std::string password = RandomHex(6);
    ZHIDU_TRY_VOID(auth.CreateAccount(
        &root, {a.account, password, person.id, {{0, 0, a.role, "site", site.id}}}));
    credentials.emplace_back(a.account, password, a.role);
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

Result<void> SeedDemoRosters(store::Store& store, roster::Rosters& rosters, const Clock& clock,
                             const policy::DemoCompany& demo) {
  ZHIDU_TRY(auto unit, store.BeginRead());
  ZHIDU_TRY(auto sites, unit->ListSites({0, 1}));
  if (sites.empty() || sites[0].name != demo.site) return Ok();
  const auto& site = sites[0];
  ZHIDU_TRY(auto existing, roster::db::ListRosters(unit->sql(), site.id, 0, {0, 1}));
  if (!existing.empty()) return Ok();
  ZHIDU_TRY(auto admin, unit->GetAccountByUsername("admin"));
  org::Principal root{admin.id, admin.username, 0, {{0, admin.id, "admin", "global", 0}},
                      "",       false};
  ZHIDU_TRY(auto posts, unit->ListPosts(site.id, {0, 500}));
  ZHIDU_TRY(auto teams, unit->ListTeams(site.id, {0, 500}));
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
  for (const auto& plan : demo.rosters) {
    store::Id post_id = 0;
    for (const auto& p : posts)
      if (p.name == plan.post) post_id = p.id;
    std::vector<store::Id> team_ids;
    for (const auto& name : plan.teams)
      for (const auto& t : teams)
        if (t.name == name) team_ids.push_back(t.id);
    if (!post_id || team_ids.size() != plan.teams.size()) continue;
    ZHIDU_TRY(auto view, rosters.Generate(root, {site.id, post_id, plan.pattern, team_ids, first,
                                                 last_day, first}));
    // Someone whose certificate has expired comes off every shift (持证上岗): the demo shows the
    // leave records instead of a roster that cannot be published.
    for (const auto& w : view.warnings) {
      if (w.kind != "uncertified") continue;
      for (const auto& a : view.assignments)
        if (a.person_id == w.person_id && a.state == "active")
          ZHIDU_TRY_VOID(rosters.Leave(root, a.id, "证书已过期，不得上岗"));
    }
    ZHIDU_TRY(auto published, rosters.Publish(root, view.roster.id));
    if (!published.published)
      return Fail(Errc::kInternal, "the demo roster of " + plan.post + " breaks a staffing rule: " +
                                       published.problems.front().message);
  }
  return Ok();
}

Result<void> SeedDemoFootage(store::Store& store, visits::Visits& visits, const Clock& clock,
                             const policy::DemoCompany& demo) {
  if (demo.footage_camera.empty()) return Ok();
  ZHIDU_TRY(auto unit, store.BeginRead());
  ZHIDU_TRY(auto sites, unit->ListSites({0, 1}));
  if (sites.empty() || sites[0].name != demo.site) return Ok();
  const auto& site = sites[0];
  visits::FootageFilter filter;
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
    f.camera = demo.footage_camera;
    f.starts_at = hour - hours(i);
    f.ends_at = hour - hours(i - 1);
    f.storage_ref = "nvr://demo/ch01/" + std::to_string(4 - i);
    f.tape = "DEMO-T" + std::to_string(4 - i);
    ZHIDU_TRY_VOID(visits.AddFootage(root, f));
  }
  return Ok();
}

}  // namespace zhidu::app
