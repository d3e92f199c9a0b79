// Scheduler: durable timers (定时器) — deadlines, reminders, recurring duty instances — persisted
// in the store and fired by handlers registered per timer kind.
//
// Invariants:
//  1. A timer lives in the store, never only in memory: a restart (even kill -9) loses none.
//     Everything the scheduler keeps in memory (the next wake-up) is a hint rebuilt from the store.
//  2. Exactly once: a timer's handler runs in the same transaction that moves the timer from
//     claimed to fired (MarkTimerFired is conditional on "claimed by this node"), together with
//     the journal record scheduler.timer.fired. Either all three commit or none does; a timer whose
//     firing committed is never claimed again, so its effect happens once, across crashes and
//     nodes.
//  3. Claims are leases. A node claims due timers (state claimed, claimed_by = node id,
//     lease_until = now + lease) in one write; a claim whose node died or stalled expires and
//     another claim (any node, or this one after a restart: node ids are per process) takes it
//     over. A node that lost its lease cannot fire (invariant 2 refuses it with kConflict).
//  4. All claims and firings go through the single Writer; on PostgreSQL the claim also locks
//     the rows with FOR UPDATE SKIP LOCKED, so concurrent nodes never claim the same timer.
//  5. late = (fired_at - due_at) > late_tolerance. A timer that came due while no node ran fires
//     as soon as a node runs, marked late; nothing that was due is skipped.
//  6. A handler that fails rolls back its own firing only (each firing is its own writer job, in
//     its own savepoint); the timer stays claimed and is retried when the lease ends. After
//     max_attempts claims it becomes failed (dead letter, journaled scheduler.timer.failed).
//  7. The loop sleeps until the earliest of: the store's NextDueAt(), a Wake() hint from a local
//     insert, or poll_interval (which picks up timers other processes added).
//  8. Time comes only from the injected Clock (tests use ManualClock and RunOnce()).
//
// Timer life:
//
//   InsertTimer        ClaimDueTimers               MarkTimerFired + handler + journal
//   ---------> pending -------------> claimed(node, lease) --------------------------> fired
//                 |                    |   ^  |
//                 |                    |   |  | lease ended: ClaimDueTimers again (attempts+1)
//                 |                    |   +--+
//                 |  CancelTimer       |  attempts >= max_attempts and the handler failed
//                 +-------> cancelled <+  -----------------------------------------> failed
//
// fired, cancelled and failed are final.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::scheduler {

// Runs inside the transaction that marks `timer` fired (timer.fired_at and timer.late are set).
// Whatever it writes through `tx` commits with the firing or not at all. Must not block on the
// Writer (it runs on the writer thread).
using Handler = std::function<Result<void>(store::Tx& tx, const store::Timer& timer)>;

struct SchedulerOptions {
  std::string node_id;                      // empty: "<hostname>/<pid>/<random>", new per process
  Micros lease = std::chrono::seconds(30);  // how long a claim is exclusive
  Micros late_tolerance = std::chrono::seconds(2);
  Micros poll_interval = std::chrono::seconds(1);  // longest sleep
  int batch = 256;                                 // timers per claim
  int max_attempts = 5;                            // claims before a failing timer is failed
  // Called (on the scheduler thread) when a claim or firing fails for a reason other than a lost
  // lease; for the server log. Optional.
  std::function<void(const Error&)> on_error;
};

struct SchedulerStats {
  std::uint64_t claimed = 0;
  std::uint64_t fired = 0;
  std::uint64_t late = 0;
  std::uint64_t failed = 0;  // firings whose handler failed (retried or dead-lettered)
  std::uint64_t lost = 0;    // firings refused because the lease had been taken over
  std::uint64_t dead = 0;    // timers moved to failed
};

class Scheduler {
 public:
  // `store`, `writer` and `clock` must outlive the Scheduler; the writer must run on the same
  // clock (the firing time is the writer transaction's now()).
  Scheduler(store::Store& store, store::Writer& writer, const Clock& clock,
            SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Registers the handler of a timer kind. Call before Start(); not thread-safe with firing.
  void Register(std::string kind, Handler handler);

  // Inserts `timer` as pending inside the caller's transaction and returns its id. After the
  // transaction commits, call Wake(timer.due_at) so that the loop does not oversleep.
  static Result<store::Id> Schedule(store::Tx& tx, store::Timer timer);
  // Tells the loop a timer due at `due_at` was committed. Thread-safe, cheap.
  void Wake(TimePoint due_at);

  // Claims and fires everything due at the clock's now, batch after batch, and returns how many
  // fired. The background loop calls it; tests call it directly instead of Start(). Calls are
  // serialized: one that starts while another is firing waits for that firing to commit, so a
  // caller that sees 0 knows nothing due at `now` is still in flight on this node (the test
  // clock's advance relies on it: the background loop may have claimed the timer first).
  Result<int> RunOnce();

  // Starts / stops the background thread. Stop() waits for the firing in progress and must be
  // called before the Writer stops. Both idempotent.
  void Start();
  void Stop();

  const std::string& node_id() const { return options_.node_id; }
  const SchedulerOptions& options() const { return options_; }
  SchedulerStats stats() const;

 private:
  // One claim of up to options_.batch timers and their firings; returns {claimed, fired}.
  Result<std::pair<int, int>> ClaimAndFire();
  void Loop();
  void ReportError(const Error& e);

  store::Store& store_;
  store::Writer& writer_;
  const Clock& clock_;
  SchedulerOptions options_;
  std::map<std::string, Handler, std::less<>> handlers_;

  std::mutex round_mu_;  // held by RunOnce: one round of claims and firings at a time
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool running_ = false;
  TimePoint wake_hint_ = TimePoint::max();  // earliest Wake() since the loop last planned
  SchedulerStats stats_;
  std::thread thread_;
};

}  // namespace zhidu::scheduler
