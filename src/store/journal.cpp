#include "store/journal.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

namespace zhidu::store {

namespace {

constexpr std::string_view kMagic = "zhidu.journal.v1";

void PutU64(std::string& out, std::uint64_t v) {
  char buf[8];  // big-endian; one append, not eight push_backs (verify runs this per field)
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xff);
  out.append(buf, sizeof buf);
}
void PutBytes(std::string& out, std::string_view bytes) {
  PutU64(out, bytes.size());
  out.append(bytes);
}

void HashU64(Sha256& h, std::uint64_t v) {
  unsigned char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<unsigned char>((v >> (8 * (7 - i))) & 0xff);
  h.Update(buf, sizeof buf);
}
void HashBytes(Sha256& h, std::string_view bytes) {
  HashU64(h, bytes.size());
  h.Update(bytes);
}

}  // namespace

// Must stay byte-for-byte equal to CanonicalBytes (journal_test checks it on varied records).
void UpdateCanonical(Sha256& h, const JournalRecord& r) {
  HashBytes(h, kMagic);
  HashU64(h, static_cast<std::uint64_t>(r.seq));
  HashU64(h, static_cast<std::uint64_t>(r.at.time_since_epoch().count()));
  HashBytes(h, r.kind);
  HashU64(h, static_cast<std::uint64_t>(r.actor));
  HashBytes(h, r.subject);
  HashBytes(h, r.payload);
  h.Update(r.prev_hash.data(), r.prev_hash.size());
}

namespace {
void AppendCanonical(std::string& out, const JournalRecord& r) {
  out.reserve(out.size() + kMagic.size() + 8 * 7 + r.kind.size() + r.subject.size() +
              r.payload.size() + 32);
  PutBytes(out, kMagic);
  PutU64(out, static_cast<std::uint64_t>(r.seq));
  PutU64(out, static_cast<std::uint64_t>(r.at.time_since_epoch().count()));
  PutBytes(out, r.kind);
  PutU64(out, static_cast<std::uint64_t>(r.actor));
  PutBytes(out, r.subject);
  PutBytes(out, r.payload);
  out.append(reinterpret_cast<const char*>(r.prev_hash.data()), r.prev_hash.size());
}
}  // namespace

std::string CanonicalBytes(const JournalRecord& r) {
  std::string out;
  AppendCanonical(out, r);
  return out;
}

// One buffer per thread and one digest call: feeding the eight fields as eight updates cost more
// than the hashing itself (verify hashes every record; docs/performance.md, Profiles: W5).
Sha256Digest ComputeHash(const JournalRecord& record) {
  thread_local std::string buffer;
  buffer.clear();
  AppendCanonical(buffer, record);
  return Sha256Of(buffer);
}

void Chain(JournalRecord& record, JournalHead& head) {
  record.seq = head.seq + 1;
  record.prev_hash = head.hash;
  record.hash = ComputeHash(record);
  head.seq = record.seq;
  head.hash = record.hash;
}

namespace {

// What is wrong with `seq`/`prev_hash` following the record (`expected`), or "" when it follows.
std::string LinkProblem(const JournalHead& expected, std::int64_t seq, const Sha256Digest& prev) {
  if (seq != expected.seq + 1) {
    if (seq <= expected.seq)
      return "sequence number " + std::to_string(seq) + " repeats or goes backwards after " +
             std::to_string(expected.seq) + " (a record was inserted or reordered)";
    return "records " + std::to_string(expected.seq + 1) + ".." + std::to_string(seq - 1) +
           " are missing (deleted)";
  }
  if (prev != expected.hash)
    return "prev_hash does not match the hash of record " + std::to_string(expected.seq) +
           " (a record before it was altered, replaced or swapped)";
  return {};
}

// One contiguous range of the journal checked on its own. The links of its first record to the
// range before are checked when the ranges are stitched together, in seq order.
struct RangeCheck {
  std::int64_t records = 0;
  std::int64_t first_seq = 0;  // 0: the range held no record
  Sha256Digest first_prev{};
  JournalHead last;          // seq and hash of its last record
  std::int64_t bad_seq = 0;  // the first failure inside the range (0: none)
  std::string problem;
};

Result<RangeCheck> CheckRange(UnitOfWork& unit, std::int64_t first, std::int64_t last,
                              const std::function<bool()>& cancelled) {
  RangeCheck out;
  auto status = unit.ScanJournalRange(first, last, [&](const JournalRecord& r) {
    out.records++;
    if (out.first_seq == 0) {
      out.first_seq = r.seq;
      out.first_prev = r.prev_hash;
    } else if (auto problem = LinkProblem(out.last, r.seq, r.prev_hash); !problem.empty()) {
      out.bad_seq = r.seq;
      out.problem = std::move(problem);
      return false;
    }
    if (ComputeHash(r) != r.hash) {
      out.bad_seq = r.seq;
      out.problem = "content does not match its hash (the record was altered)";
      return false;
    }
    out.last = {r.seq, r.hash};
    return (out.records & 0xffff) != 0 || !cancelled();
  });
  if (!status) return Fail(status.error());
  return out;
}

// Joins the ranges in order into one report: the first failure in seq order wins, exactly as a
// single scan would find it.
VerifyReport Stitch(const std::vector<RangeCheck>& ranges) {
  VerifyReport report;
  JournalHead expected;  // seq 0, zero hash
  for (const auto& range : ranges) {
    if (range.first_seq == 0) continue;
    // On failure: records counts every record read up to the bad one, head is the hash of the
    // last good record.
    auto fail = [&](std::int64_t seq, std::string problem, const JournalHead& last_good) {
      report.ok = false;
      report.bad_seq = seq;
      report.problem = std::move(problem);
      report.head = last_good.hash;
      return report;
    };
    if (auto problem = LinkProblem(expected, range.first_seq, range.first_prev); !problem.empty()) {
      report.records += 1;
      return fail(range.first_seq, std::move(problem), expected);
    }
    if (range.bad_seq != 0) {
      report.records += range.records;
      return fail(range.bad_seq, range.problem, range.last.seq != 0 ? range.last : expected);
    }
    report.records += range.records;
    expected = range.last;
  }
  report.head = expected.hash;
  report.records = expected.seq;
  return report;
}

constexpr std::int64_t kWholeFirst = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kWholeLast = std::numeric_limits<std::int64_t>::max();

}  // namespace

Result<VerifyReport> VerifyJournal(UnitOfWork& unit) {
  ZHIDU_TRY(RangeCheck whole, CheckRange(unit, kWholeFirst, kWholeLast, [] { return false; }));
  return Stitch({whole});
}

Result<VerifyReport> VerifyJournal(Store& store, int threads, std::int64_t min_per_thread) {
  JournalHead head;
  {
    ZHIDU_TRY(auto unit, store.BeginRead());
    ZHIDU_TRY(head, unit->ReadJournalHead());
  }
  threads = static_cast<int>(
      std::clamp<std::int64_t>(head.seq / std::max<std::int64_t>(min_per_thread, 1), 1, threads));
  if (threads <= 1) {
    ZHIDU_TRY(auto unit, store.BeginRead());
    return VerifyJournal(*unit);
  }
  // Ranges partition the whole seq space (the first and last are open-ended), so every row is in
  // exactly one and a record inserted before 1 or after the head is still seen.
  std::vector<std::pair<std::int64_t, std::int64_t>> bounds;
  for (int i = 0; i < threads; ++i) {
    std::int64_t first = i == 0 ? kWholeFirst : head.seq * i / threads + 1;
    std::int64_t last = i == threads - 1 ? kWholeLast : head.seq * (i + 1) / threads;
    bounds.emplace_back(first, last);
  }
  std::vector<Result<RangeCheck>> results(threads, Fail(Errc::kInternal, "not run"));
  std::atomic<int> lowest_failed{threads};  // a range after a failed one need not finish
  {
    std::vector<std::jthread> workers;
    for (int i = 0; i < threads; ++i) {
      workers.emplace_back([&, i] {
        auto unit = store.BeginRead();
        if (!unit) {
          results[i] = Fail(unit.error());
          return;
        }
        results[i] = CheckRange(**unit, bounds[i].first, bounds[i].second,
                                [&] { return lowest_failed.load() < i; });
        if (!results[i] || results[i]->bad_seq != 0) {
          int expected = lowest_failed.load();
          while (i < expected && !lowest_failed.compare_exchange_weak(expected, i)) {
          }
        }
      });
    }
  }
  std::vector<RangeCheck> ranges;
  for (int i = 0; i < threads; ++i) {
    if (!results[i]) return Fail(results[i].error());
    ranges.push_back(std::move(*results[i]));
    if (ranges.back().bad_seq != 0) break;  // later ranges may have stopped early
  }
  return Stitch(ranges);
}

}  // namespace zhidu::store
