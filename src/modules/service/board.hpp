// The supervisor board (班长/主管看板, issue 18 §10): per queue of the site, its tickets not yet
// resolved by state, those whose SLA is at risk (a warning was raised and the clock still runs)
// or breached now, the oldest waiting, and the agents on the queue's post now with their load.
// A read of existing records in one read transaction (the tickets, the deadline engine's
// deadlines and warning timers, attendance); nothing is stored.
//
// Which queues: the posts of the site named as a post of the pack that hold a ticket of the site
// (the reports' queues), of them those the reader supervises (Service::Supervises: a holder of a
// role the queue's roles report to in the pack, or of service.supervise). A reader supervising
// none: 403 service.board_denied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "modules/service/service.hpp"

namespace zhidu::service {

// At most this many tickets needing attention listed per queue (breached first, then at risk,
// oldest first); the counts cover them all. Our bound, not the regulations'.
inline constexpr int kBoardTicketsPerQueue = 50;

struct BoardTicket {
  store::Id id = 0;
  std::string subject, state, priority;
  store::Id assignee = 0;
  std::string assignee_name;
  TimePoint created_at;
  bool breached = false;  // a deadline of the ticket is breached and still running
  bool at_risk = false;   // a running deadline was warned (deadline.warning), not breached
};

struct BoardAgent {
  store::Id person_id = 0;
  std::string name;
  TimePoint on_post_since;  // the open stint of attendance
  int load = 0;             // tickets held not yet resolved (new, open, pending): routing's load
};

struct BoardQueue {
  store::Id queue_post_id = 0;
  std::string queue, title;  // the post's name; the pack's title of that post
  int new_count = 0, open_count = 0, pending_count = 0;
  int unassigned = 0;             // not yet resolved and held by nobody
  int at_risk = 0, breached = 0;  // tickets, not deadlines
  std::optional<BoardTicket>
      oldest;                      // the oldest new or open ticket (pending waits on the customer)
  std::vector<BoardAgent> agents;  // by person id
  std::vector<BoardTicket> tickets;  // breached or at risk, at most kBoardTicketsPerQueue
};

struct ServiceBoard {
  store::Id site_id = 0;
  std::string site_name;
  TimePoint at;                    // when it was read
  std::vector<BoardQueue> queues;  // by post id
};

class Board {
 public:
  Board(store::Store& store, const policy::ActivePack& pack, const Service& service,
        const Clock& clock)
      : store_(store), pack_(pack), service_(service), clock_(clock) {}

  // 400 required (site_id), 404 service.unknown_site, 403 service.board_denied.
  Result<ServiceBoard> Of(const org::Principal& who, store::Id site_id) const;

 private:
  store::Store& store_;
  const policy::ActivePack& pack_;
  const Service& service_;
  const Clock& clock_;
};

}  // namespace zhidu::service
