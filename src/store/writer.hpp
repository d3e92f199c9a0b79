// Writer: the single writer of zhidu, with group commit.
//
// Invariants:
//  1. Exactly one thread (the writer thread) opens write units; every state change and its
//     journal records happen in one UnitOfWork, so they commit or vanish together.
//  2. Jobs are batched: one transaction holds up to max_batch jobs, each inside its own savepoint.
//     A job that fails is rolled back to its savepoint and alone gets its error; the others commit.
//  3. A job's completion callback runs only after the transaction holding it has committed
//     durably (SQLite synchronous=FULL, PostgreSQL fsync), so a 2xx always means durable.
//  4. If the commit itself fails, every job of the batch gets kUnavailable and nothing of the
//     batch is visible.
//  5. The journal head is read from the store at the start of every batch, so several processes
//     sharing one PostgreSQL extend a single chain.
//  6. Stop() refuses new jobs, finishes every queued job, then returns.
//  7. The writes jobs deferred (Tx::Defer) run after the last job, in job order, outside the
//     savepoints, before the commit; a rolled-back job's are dropped with it.
//
// Job life: queued -> running (savepoint) -> {released | rolled back} -> committed -> completed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::store {

// A write a job leaves to the end of its transaction (Tx::Defer).
using DeferredWrite = std::function<Result<void>(UnitOfWork&)>;

// What a job sees: the transaction and the journal.
class Tx {
 public:
  Tx(UnitOfWork& unit, JournalHead& head, const Clock& clock,
     std::vector<DeferredWrite>* deferred = nullptr)
      : unit_(unit), head_(head), clock_(clock), deferred_(deferred) {}
  UnitOfWork& unit() { return unit_; }
  TimePoint now() const { return clock_.Now(); }
  // Appends a journal record in this transaction. `payload` must be canonical JSON text.
  Result<std::int64_t> Journal(std::string kind, Id actor, std::string subject,
                               std::string payload);
  // Runs `write` in this transaction after the last job of the batch, outside every job's
  // savepoint, just before the commit; dropped if this job is rolled back. For derived rows
  // nothing in the job reads back and that cannot fail on the job's input — search index rows:
  // SQLite's FTS5 writes its pending terms out as a new segment at every savepoint and statement
  // journal once its table is in the transaction, so index rows written inside the jobs cost a
  // segment a job (docs/performance.md, session 23). A deferred write that fails fails the whole
  // batch, as a failed commit does (invariant 4). Without a writer (a Tx made by hand), at once.
  Result<void> Defer(DeferredWrite write);

 private:
  UnitOfWork& unit_;
  JournalHead& head_;
  const Clock& clock_;
  std::vector<DeferredWrite>* deferred_;
};

// An Idempotency-Key claimed by the request running on this thread (api/ sets it with
// ScopedIdempotencyClaim). The first write job the thread submits also inserts the claim (status 0)
// inside the job's own savepoint, so the write and the claim commit or vanish together; a second
// request racing with the same key fails with kConflict instead of writing twice.
struct IdempotencyClaim {
  Id account_id = 0;
  std::string key;
  std::string request_hash;
  std::shared_ptr<std::atomic<bool>> persisted = std::make_shared<std::atomic<bool>>(false);
};

class ScopedIdempotencyClaim {
 public:
  explicit ScopedIdempotencyClaim(IdempotencyClaim* claim);
  ~ScopedIdempotencyClaim();
  ScopedIdempotencyClaim(const ScopedIdempotencyClaim&) = delete;
  ScopedIdempotencyClaim& operator=(const ScopedIdempotencyClaim&) = delete;

 private:
  IdempotencyClaim* previous_;
};

// The claim of the current thread not yet attached to a job, or nullptr. Attaching consumes it.
std::optional<IdempotencyClaim> TakeThreadIdempotencyClaim();

struct WriterStats {
  std::uint64_t commits = 0;
  std::uint64_t jobs = 0;
  std::uint64_t journal_records = 0;
};

class Writer {
 public:
  // `store` and `clock` must outlive the Writer. `on_commit(seconds, jobs)` (optional) is called
  // on the writer thread after each commit, for metrics.
  Writer(Store& store, const Clock& clock, int max_batch = 512,
         std::function<void(double, int)> on_commit = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Runs `job(tx)` in the writer and calls `done(result)` after commit (on the writer thread;
  // keep it short). After Stop(), `done` gets kUnavailable at once.
  template <typename T>
  void Submit(std::function<Result<T>(Tx&)> job, std::function<void(Result<T>)> done);

  // Blocking convenience for callers that may wait (CLI, tests, handler threads).
  template <typename T>
  Result<T> Run(std::function<Result<T>(Tx&)> job) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    Submit<T>(std::move(job), [promise](Result<T> r) { promise->set_value(std::move(r)); });
    return future.get();
  }

  void Stop();
  WriterStats stats() const;
  // stats().commits without the writer's lock: the read and principal caches read it on every
  // request (api/generation_cache.hpp). Bumped after a commit is durable, before any of its jobs
  // is answered.
  std::uint64_t commit_count() const noexcept {
    return commit_count_.load(std::memory_order_acquire);
  }

  // `listener(head_seq)` is called on the writer thread after each durable commit that appended
  // journal records, with the new head sequence number, outside the writer's lock (so it may
  // take its own locks, but must not block: signal a condition variable and return). Replaces
  // the previous listener; empty disables. Thread-safe.
  void SetCommitListener(std::function<void(std::int64_t head_seq)> listener);

 private:
  struct Job {
    std::function<Result<void>(Tx&)> run;        // stores its value in shared state
    std::function<void(const Error*)> complete;  // nullptr: committed
    std::optional<IdempotencyClaim> claim;       // inserted after `run` succeeds
  };
  void Enqueue(Job job);
  void Loop();
  void RunBatch(std::deque<Job>& batch);

  Store& store_;
  const Clock& clock_;
  const int max_batch_;
  std::function<void(double, int)> on_commit_;
  mutable std::mutex mu_;
  std::function<void(std::int64_t)> commit_listener_;  // guarded by mu_
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  WriterStats stats_;
  std::atomic<std::uint64_t> commit_count_{0};
  std::thread thread_;
};

template <typename T>
void Writer::Submit(std::function<Result<T>(Tx&)> job, std::function<void(Result<T>)> done) {
  auto value = std::make_shared<std::optional<T>>();
  Job j;
  j.run = [job = std::move(job), value](Tx& tx) -> Result<void> {
    auto r = job(tx);
    if (!r) return Fail(std::move(r).error());
    value->emplace(std::move(*r));
    return Ok();
  };
  j.claim = TakeThreadIdempotencyClaim();
  j.complete = [done = std::move(done), value](const Error* error) {
    if (error) {
      done(Fail(*error));
    } else {
      done(std::move(**value));
    }
  };
  Enqueue(std::move(j));
}

}  // namespace zhidu::store
