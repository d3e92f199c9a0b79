// The supervisor board (board.hpp): one read of the tickets, the deadlines and attendance.
#include "modules/service/board.hpp"

#include <algorithm>
#include <map>

#include "kernel/runtime/procedures.hpp"
#include "modules/service/reports.hpp"

namespace zhidu::service {

namespace {

// The states of a ticket not yet resolved, as SQL.
constexpr const char* kUnresolved = "('new','open','pending')";

struct QueuePost {
  store::Id id = 0;
  std::string name;
};

Result<std::vector<QueuePost>> QueuesWithTickets(store::Sql& sql, store::Id site_id) {
  return sql.Many<QueuePost>(
      "queues of the board",
      "SELECT p.id, p.name FROM posts p WHERE p.site_id = ? AND EXISTS (SELECT 1 FROM "
      "service_tickets t WHERE t.site_id = p.site_id AND t.queue_post_id = p.id) ORDER BY p.id",
      {site_id}, [](const store::SqlRow& r) {
        return QueuePost{r.Int(0), r.Text(1)};
      });
}

// The unresolved tickets of the queue with a deadline breached now or warned and still running.
// A warning is the deadline engine's fired warn timer of the deadline's current run (due at or
// after the run started: a reopened ticket's restarted clock does not inherit an old warning).
Result<std::vector<BoardTicket>> Flagged(store::Sql& sql, store::Id site_id, store::Id post_id) {
  std::map<store::Id, BoardTicket> by_id;
  std::vector<store::Id> order;
  std::string q =
      "SELECT t.id, t.subject, t.state, t.priority, t.assignee, t.created_at, d.state "
      "FROM service_tickets t JOIN deadlines d ON d.site_id = t.site_id AND "
      "d.ref = 'ticket/' || CAST(t.id AS TEXT) WHERE t.site_id = ? AND t.queue_post_id = ? AND "
      "t.state IN " +
      std::string(kUnresolved) +
      " AND (d.state = 'breached' OR (d.state = 'open' AND EXISTS (SELECT 1 FROM timers w "
      "WHERE w.subject = 'deadline/' || CAST(d.id AS TEXT) AND w.kind = ? AND "
      "w.state = 'fired' AND w.due_at >= d.started_at))) ORDER BY t.created_at, t.id";
  ZHIDU_TRY_VOID(sql.Query("flagged tickets of the board", q,
                           {site_id, post_id, std::string(runtime::kDeadlineWarnTimer)},
                           [&](const store::SqlRow& r) {
                             store::Id id = r.Int(0);
                             auto [it, fresh] = by_id.try_emplace(id);
                             auto& b = it->second;
                             if (fresh) {
                               order.push_back(id);
                               b.id = id;
                               b.subject = r.Text(1);
                               b.state = r.Text(2);
                               b.priority = r.Text(3);
                               b.assignee = r.Int(4);
                               b.created_at = r.Time(5);
                             }
                             if (r.Text(6) == "breached")
                               b.breached = true;
                             else
                               b.at_risk = true;
                           }));
  std::vector<BoardTicket> out;
  for (store::Id id : order) {
    auto& b = by_id[id];
    if (b.breached) b.at_risk = false;  // breached counts once, as breached
    out.push_back(std::move(b));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.breached > b.breached;  // breached first, each oldest first
  });
  return out;
}

}  // namespace

Result<ServiceBoard> Board::Of(const org::Principal& who, store::Id site_id) const {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto& sql = unit->sql();
  ZHIDU_TRY(auto site, ReportedSite(*unit, site_id));
  auto pack = pack_.Current();
  ServiceBoard out;
  out.site_id = site_id;
  out.site_name = site.name;
  out.at = clock_.Now();

  ZHIDU_TRY(auto posts, QueuesWithTickets(sql, site_id));
  bool allowed = service_.Supervises(who, site_id, "");
  for (const auto& p : posts) {
    const policy::Post* declared = nullptr;
    if (pack)
      for (const auto& pp : pack->posts())
        if (pp.id == p.name) declared = &pp;
    if (!declared || !service_.Supervises(who, site_id, p.name)) continue;
    allowed = true;
    BoardQueue q;
    q.queue_post_id = p.id;
    q.queue = p.name;
    q.title = declared->title;
    ZHIDU_TRY_VOID(sql.Query(
        "board counts",
        std::string("SELECT state, COUNT(*), SUM(CASE WHEN assignee IS NULL THEN 1 ELSE 0 END) "
                    "FROM service_tickets WHERE site_id = ? AND queue_post_id = ? AND state IN ") +
            kUnresolved + " GROUP BY state",
        {site_id, p.id}, [&](const store::SqlRow& r) {
          int n = static_cast<int>(r.Int(1));
          std::string state = r.Text(0);
          if (state == "new")
            q.new_count = n;
          else if (state == "open")
            q.open_count = n;
          else
            q.pending_count = n;
          q.unassigned += static_cast<int>(r.Int(2));
        }));
    ZHIDU_TRY(auto oldest,
              sql.Many<BoardTicket>(
                  "oldest waiting ticket",
                  "SELECT id, subject, state, priority, assignee, created_at FROM service_tickets "
                  "WHERE site_id = ? AND queue_post_id = ? AND state IN ('new','open') "
                  "ORDER BY created_at, id LIMIT 1",
                  {site_id, p.id}, [](const store::SqlRow& r) {
                    BoardTicket b;
                    b.id = r.Int(0);
                    b.subject = r.Text(1);
                    b.state = r.Text(2);
                    b.priority = r.Text(3);
                    b.assignee = r.Int(4);
                    b.created_at = r.Time(5);
                    return b;
                  }));
    if (!oldest.empty()) q.oldest = std::move(oldest.front());
    ZHIDU_TRY(auto flagged, Flagged(sql, site_id, p.id));
    for (const auto& b : flagged) (b.breached ? q.breached : q.at_risk) += 1;
    if (static_cast<int>(flagged.size()) > kBoardTicketsPerQueue)
      flagged.resize(kBoardTicketsPerQueue);
    q.tickets = std::move(flagged);
    // On the post now, as routing sees them (db::RouteTo): an open stint, an agent of the site.
    ZHIDU_TRY(auto on_post,
              sql.Many<BoardAgent>(
                  "agents on the queue's post",
                  std::string("SELECT a.person_id, MIN(a.started_at), (SELECT COUNT(*) FROM "
                              "service_tickets t WHERE t.assignee = a.person_id AND t.state IN ") +
                      kUnresolved +
                      ") FROM attendance a WHERE a.site_id = ? AND a.post_id = ? AND "
                      "a.ended_at = 0 GROUP BY a.person_id ORDER BY a.person_id",
                  {site_id, p.id}, [](const store::SqlRow& r) {
                    return BoardAgent{r.Int(0), {}, r.Time(1), static_cast<int>(r.Int(2))};
                  }));
    for (auto& a : on_post) {
      ZHIDU_TRY(bool agent, db::IsAgentAt(sql, a.person_id, site_id));
      if (!agent) continue;
      if (auto person = unit->GetPerson(a.person_id)) a.name = person->name;
      q.agents.push_back(std::move(a));
    }
    auto name_of = [&](BoardTicket& b) {
      if (b.assignee == 0) return;
      if (auto person = unit->GetPerson(b.assignee)) b.assignee_name = person->name;
    };
    if (q.oldest) name_of(*q.oldest);
    for (auto& b : q.tickets) name_of(b);
    out.queues.push_back(std::move(q));
  }
  if (!allowed)
    return Fail(Errc::kPermissionDenied, Reason{"service.board_denied"},
                "the supervisor board is for a supervisor of the site's queues");
  return out;
}

}  // namespace zhidu::service
