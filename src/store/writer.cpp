#include "store/writer.hpp"

#include <algorithm>
#include <exception>

#include "base/canonical_json.hpp"
#include "store/journal.hpp"

namespace zhidu::store {

Result<std::int64_t> Tx::Journal(std::string kind, Id actor, std::string subject,
                                 std::string payload) {
  JournalRecord record;
  record.at = clock_.Now();
  record.kind = std::move(kind);
  record.actor = actor;
  record.subject = std::move(subject);
  record.payload = std::move(payload);
  JournalHead next = head_;
  Chain(record, next);
  ZHIDU_TRY_VOID(unit_.AppendJournal(record));
  head_ = next;
  return record.seq;
}

Result<void> Tx::Defer(DeferredWrite write) {
  if (!deferred_) return write(unit_);
  deferred_->push_back(std::move(write));
  return Ok();
}

namespace {
thread_local IdempotencyClaim* t_claim = nullptr;

// {"journal":[{"kind","seq","subject"}…],"journal_records":N}: the records (first_seq, last_seq]
// of this transaction, the first 100 listed.
Result<std::string> ClaimRecords(UnitOfWork& unit, std::int64_t before_seq, std::int64_t last_seq) {
  constexpr std::int64_t kListed = 100;
  std::vector<std::string> listed;
  if (last_seq > before_seq) {
    ZHIDU_TRY_VOID(unit.ScanJournalRange(before_seq + 1, std::min(last_seq, before_seq + kListed),
                                         [&](const JournalRecord& rec) {
                                           listed.push_back(CanonicalObject()
                                                                .Add("kind", rec.kind)
                                                                .Add("seq", rec.seq)
                                                                .Add("subject", rec.subject)
                                                                .Str());
                                           return true;
                                         }));
  }
  return CanonicalObject()
      .AddRaw("journal", "[" + Join(listed, ",") + "]")
      .Add("journal_records", last_seq - before_seq)
      .Str();
}
}  // namespace

ScopedIdempotencyClaim::ScopedIdempotencyClaim(IdempotencyClaim* claim) : previous_(t_claim) {
  t_claim = claim;
}
ScopedIdempotencyClaim::~ScopedIdempotencyClaim() { t_claim = previous_; }

std::optional<IdempotencyClaim> TakeThreadIdempotencyClaim() {
  if (!t_claim) return std::nullopt;
  IdempotencyClaim copy = *t_claim;
  t_claim = nullptr;
  return copy;
}

Writer::Writer(Store& store, const Clock& clock, int max_batch,
               std::function<void(double, int)> on_commit)
    : store_(store), clock_(clock), max_batch_(max_batch), on_commit_(std::move(on_commit)) {
  thread_ = std::thread([this] { Loop(); });
}

Writer::~Writer() { Stop(); }

void Writer::Enqueue(Job job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      cv_.notify_one();
      return;
    }
  }
  Error e{Errc::kUnavailable, "the server is shutting down; retry the request", ""};
  job.complete(&e);
}

void Writer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Writer::SetCommitListener(std::function<void(std::int64_t)> listener) {
  std::lock_guard lock(mu_);
  commit_listener_ = std::move(listener);
}

WriterStats Writer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Writer::Loop() {
  for (;;) {
    std::deque<Job> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
  }
}

void Writer::RunBatch(std::deque<Job>& batch) {
  double started = MonotonicSeconds();
  auto fail_all = [&](const Error& e) {
    for (auto& job : batch)
      if (job.complete) job.complete(&e);
  };
  auto unit_or = store_.BeginWrite();
  if (!unit_or) return fail_all(unit_or.error());
  auto& unit = **unit_or;
  auto head_or = unit.ReadJournalHead();
  if (!head_or) return fail_all(head_or.error());
  JournalHead head = *head_or;
  const std::int64_t first_seq = head.seq;

  std::vector<std::pair<size_t, Error>> failed;
  std::vector<DeferredWrite> deferred;  // of the jobs released so far, in job order
  for (size_t i = 0; i < batch.size(); ++i) {
    JournalHead saved = head;
    if (auto s = unit.Savepoint(); !s) {
      failed.emplace_back(i, s.error());
      continue;
    }
    const size_t deferred_before = deferred.size();
    Tx tx(unit, head, clock_, &deferred);
    Result<void> r = Ok();
    try {
      r = batch[i].run(tx);
    } catch (const std::exception& ex) {
      r = Fail(Errc::kInternal, std::string("internal error: ") + ex.what());
    }
    if (r && batch[i].claim) {
      const auto& c = *batch[i].claim;
      // The claim carries the records the job appended, committed with them: if the server
      // stops before the response is recorded, a retry is answered with them (api.cpp).
      Result<std::string> records = ClaimRecords(unit, saved.seq, head.seq);
      Result<void> claimed =
          records ? unit.InsertIdempotentResponse(
                        {c.account_id, c.key, c.request_hash, 0, *records, clock_.Now()})
                  : Fail(records.error());
      if (!claimed && claimed.error().code == Errc::kConflict)
        claimed = Fail(Errc::kConflict,
                       "another request with this Idempotency-Key was processed at the same time; "
                       "retry to get its result");
      if (!claimed) r = Fail(claimed.error());
    }
    if (r) {
      if (auto s = unit.ReleaseSavepoint(); !s) r = Fail(s.error());
    }
    if (!r) {
      (void)unit.RollbackToSavepoint();
      head = saved;
      deferred.resize(deferred_before);
      failed.emplace_back(i, r.error());
    }
  }
  Result<void> committed = Ok();
  for (auto& write : deferred) {
    try {
      committed = write(unit);
    } catch (const std::exception& ex) {
      committed = Fail(Errc::kInternal, std::string("internal error: ") + ex.what());
    }
    if (!committed) break;
  }
  if (committed) committed = unit.Commit();
  double seconds = MonotonicSeconds() - started;
  // Counted before any job is answered: a reader that got its write's answer sees the new count
  // (api/read_cache.hpp keys on it).
  std::function<void(std::int64_t)> listener;
  if (committed) {
    std::lock_guard lock(mu_);
    stats_.commits++;
    commit_count_.store(stats_.commits, std::memory_order_release);
    stats_.jobs += batch.size();
    stats_.journal_records += static_cast<std::uint64_t>(head.seq - first_seq);
    if (head.seq > first_seq) listener = commit_listener_;
  }
  size_t next_failed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (next_failed < failed.size() && failed[next_failed].first == i) {
      batch[i].complete(&failed[next_failed].second);
      ++next_failed;
    } else if (!committed) {
      Error e{Errc::kUnavailable, "the write could not be committed: " + committed.error().message,
              ""};
      batch[i].complete(&e);
    } else {
      if (batch[i].claim) batch[i].claim->persisted->store(true);
      batch[i].complete(nullptr);
    }
  }
  if (committed && on_commit_) on_commit_(seconds, static_cast<int>(batch.size()));
  if (listener) listener(head.seq);
}

}  // namespace zhidu::store
