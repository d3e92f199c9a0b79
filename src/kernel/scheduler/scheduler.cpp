#include "kernel/scheduler/scheduler.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <memory>
#include <vector>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "base/time.hpp"

namespace zhidu::scheduler {

namespace {

std::string DefaultNodeId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, 8, "host");
  return std::string(host) + "/" + std::to_string(::getpid()) + "/" + RandomHex(3);
}

std::string TimerRef(store::Id id) { return "timer/" + std::to_string(id); }

// What became of one firing job.
enum class Outcome { kFired, kFiredLate, kLost };

}  // namespace

Scheduler::Scheduler(store::Store& store, store::Writer& writer, const Clock& clock,
                     SchedulerOptions options)
    : store_(store), writer_(writer), clock_(clock), options_(std::move(options)) {
  if (options_.node_id.empty()) options_.node_id = DefaultNodeId();
  if (options_.batch < 1) options_.batch = 1;
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Register(std::string kind, Handler handler) {
  handlers_[std::move(kind)] = std::move(handler);
}

Result<store::Id> Scheduler::Schedule(store::Tx& tx, store::Timer timer) {
  if (timer.kind.empty()) return Fail(Errc::kInvalidArgument, "a timer needs a kind", "kind");
  timer.created_at = tx.now();
  return tx.unit().InsertTimer(timer);
}

void Scheduler::Wake(TimePoint due_at) {
  // "Now, whatever now is": the epoch, so that waiting on (hint - now) cannot overflow.
  due_at = std::max(due_at, TimePoint{});
  std::lock_guard lock(mu_);
  if (due_at < wake_hint_) {
    wake_hint_ = due_at;
    cv_.notify_one();
  }
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Scheduler::ReportError(const Error& e) {
  if (options_.on_error) options_.on_error(e);
}

Result<std::pair<int, int>> Scheduler::ClaimAndFire() {
  const TimePoint now = clock_.Now();
  ZHIDU_TRY(auto claimed, writer_.Run<std::vector<store::Timer>>(
                              [&](store::Tx& tx) -> Result<std::vector<store::Timer>> {
                                return tx.unit().ClaimDueTimers(now, options_.node_id,
                                                                options_.lease, options_.batch);
                              }));
  if (claimed.empty()) return std::pair<int, int>{0, 0};

  // One writer job per timer: the writer batches them into few transactions, each job in its
  // own savepoint, so one failing handler undoes only its own firing (invariant 6).
  std::vector<std::future<Result<Outcome>>> results;
  results.reserve(claimed.size());
  for (const auto& timer : claimed) {
    auto promise = std::make_shared<std::promise<Result<Outcome>>>();
    results.push_back(promise->get_future());
    writer_.Submit<Outcome>(
        [this, timer](store::Tx& tx) -> Result<Outcome> {
          store::Timer t = timer;
          t.fired_at = tx.now();
          t.late = (t.fired_at - t.due_at) > options_.late_tolerance;
          t.state = store::TimerState::kFired;
          auto handler = handlers_.find(t.kind);
          if (handler == handlers_.end())
            return Fail(Errc::kFailedPrecondition,
                        "no handler is registered for timer kind \"" + t.kind + "\"");
          auto marked = tx.unit().MarkTimerFired(t.id, options_.node_id, t.fired_at, t.late);
          if (!marked && marked.error().code == Errc::kConflict) return Outcome::kLost;
          if (!marked) return Fail(marked.error());
          ZHIDU_TRY_VOID(handler->second(tx, t));
          ZHIDU_TRY(auto seq, tx.Journal("scheduler.timer.fired", 0, TimerRef(t.id),
                                         CanonicalObject()
                                             .Add("kind", t.kind)
                                             .Add("subject", t.subject)
                                             .Add("due_at", FormatIso8601Utc(t.due_at))
                                             .Add("fired_at", FormatIso8601Utc(t.fired_at))
                                             .Add("late", t.late)
                                             .Add("node", options_.node_id)
                                             .Add("attempt", t.attempts)
                                             .Str()));
          (void)seq;
          return t.late ? Outcome::kFiredLate : Outcome::kFired;
        },
        [promise](Result<Outcome> r) { promise->set_value(std::move(r)); });
  }

  int fired = 0;
  SchedulerStats delta;
  delta.claimed = claimed.size();
  std::vector<const store::Timer*> dead;
  for (size_t i = 0; i < claimed.size(); ++i) {
    auto r = results[i].get();
    const auto& timer = claimed[i];
    if (r && (*r == Outcome::kFired || *r == Outcome::kFiredLate)) {
      ++fired;
      ++delta.fired;
      if (*r == Outcome::kFiredLate) ++delta.late;
    } else if (r && *r == Outcome::kLost) {
      ++delta.lost;
    } else {
      ++delta.failed;
      ReportError(Error{r.error().code,
                        "timer " + std::to_string(timer.id) + " (" + timer.kind + ", attempt " +
                            std::to_string(timer.attempts) + "): " + r.error().message,
                        "", r.error().reason});
      if (timer.attempts >= options_.max_attempts) dead.push_back(&timer);
    }
  }
  for (const store::Timer* timer : dead) {
    auto moved = writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
      ZHIDU_TRY_VOID(tx.unit().MarkTimerFailed(timer->id, options_.node_id, tx.now()));
      ZHIDU_TRY(auto seq, tx.Journal("scheduler.timer.failed", 0, TimerRef(timer->id),
                                     CanonicalObject()
                                         .Add("kind", timer->kind)
                                         .Add("subject", timer->subject)
                                         .Add("due_at", FormatIso8601Utc(timer->due_at))
                                         .Add("attempts", timer->attempts)
                                         .Add("node", options_.node_id)
                                         .Str()));
      (void)seq;
      return 0;
    });
    if (moved) {
      ++delta.dead;
    } else if (moved.error().code != Errc::kConflict) {
      ReportError(moved.error());
    }
  }
  {
    std::lock_guard lock(mu_);
    stats_.claimed += delta.claimed;
    stats_.fired += delta.fired;
    stats_.late += delta.late;
    stats_.failed += delta.failed;
    stats_.lost += delta.lost;
    stats_.dead += delta.dead;
  }
  return std::pair<int, int>{static_cast<int>(claimed.size()), fired};
}

Result<int> Scheduler::RunOnce() {
  std::lock_guard round(round_mu_);
  int fired = 0;
  for (;;) {
    ZHIDU_TRY(auto batch, ClaimAndFire());
    fired += batch.second;
    if (batch.first < options_.batch) return fired;
    std::lock_guard lock(mu_);
    if (stopping_) return fired;
  }
}

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

void Scheduler::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      wake_hint_ = TimePoint::max();  // everything hinted so far is covered by this round
    }
    bool healthy = true;
    if (auto fired = RunOnce(); !fired) {
      ReportError(fired.error());
      healthy = false;
    }
    // Plan the sleep (invariant 7).
    TimePoint now = clock_.Now();
    TimePoint target = now + options_.poll_interval;
    if (healthy) {
      if (auto unit = store_.BeginRead(); unit) {
        if (auto next = (*unit)->NextDueAt(); next && next->has_value() && **next < target)
          target = **next;
      }
    }
    // Wait in real time for at most one poll interval, waking early for a Wake() hint or Stop().
    // With a ManualClock the poll interval bounds every wait.
    const auto give_up = std::chrono::steady_clock::now() + options_.poll_interval;
    std::unique_lock lock(mu_);
    while (!stopping_) {
      Micros left = std::min(target, wake_hint_) - clock_.Now();
      auto real_left =
          std::chrono::duration_cast<Micros>(give_up - std::chrono::steady_clock::now());
      if (left <= Micros(0) || real_left <= Micros(0)) break;
      cv_.wait_for(lock, std::min(left, real_left));
    }
  }
}

}  // namespace zhidu::scheduler
