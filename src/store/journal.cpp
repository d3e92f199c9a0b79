#include "store/journal.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
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

std::optional<JournalAnchor> ParseAnchor(std::string_view text) {
  JournalAnchor anchor;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    auto digits = text.substr(0, colon);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), anchor.seq);
    if (ec != std::errc() || p != digits.data() + digits.size() || anchor.seq <= 0)
      return std::nullopt;
    text.remove_prefix(colon + 1);
  }
  if (!FromHex(text, anchor.hash.data(), anchor.hash.size())) return std::nullopt;
  return anchor;
}

namespace {

// What is wrong with `seq`/`prev_hash` following the record (`expected`), or "" when it follows.
std::string LinkProblem(const JournalHead& expected, std::int64_t seq, const Sha256Digest& prev) {
  if (seq <= 0)
    return "sequence number " + std::to_string(seq) +
           " is not a record's (they start at 1): a row was inserted";
  if (seq != expected.seq + 1) {
    if (seq <= expected.seq)
      return "sequence number " + std::to_string(seq) + " repeats or goes backwards after " +
             std::to_string(expected.seq) + " (a record was inserted or reordered)";
    return "records " + std::to_string(expected.seq + 1) + ".." + std::to_string(seq - 1) +
           " are missing (deleted)";
  }
  if (prev != expected.hash) {
    if (expected.seq == 0)
      return "record 1 does not start the chain: its prev_hash is not zero (it was replaced)";
    return "prev_hash does not match the hash of record " + std::to_string(expected.seq) +
           " (a record before it was altered, replaced or swapped)";
  }
  return {};
}

// Where an anchor was met in a scan.
struct AnchorSeen {
  std::int64_t found_seq = 0;  // the record holding its hash (0: not met)
  bool differs = false;        // its seq was met with another hash
};

// One contiguous range of the journal checked on its own. The links of its first record to the
// range before are checked when the ranges are stitched together, in seq order.
struct RangeCheck {
  std::int64_t records = 0;  // read, the bad one included; 0: the range held no record
  std::int64_t first_seq = 0;
  Sha256Digest first_prev{};
  JournalHead last;          // seq and hash of its last good record (records > 1 on failure)
  std::int64_t bad_seq = 0;  // the first failure inside the range (0: none)
  std::string problem;
  bool failed = false;
  std::vector<AnchorSeen> anchors;  // one per VerifyOptions::anchors
};

void NoteAnchors(const std::vector<JournalAnchor>& anchors, const JournalRecord& r,
                 std::vector<AnchorSeen>& seen) {
  for (size_t i = 0; i < anchors.size(); ++i) {
    const auto& a = anchors[i];
    if (a.seq != 0 ? r.seq != a.seq : r.hash != a.hash) continue;
    if (r.hash == a.hash)
      seen[i].found_seq = r.seq;
    else
      seen[i].differs = true;
  }
}

Result<RangeCheck> CheckRange(UnitOfWork& unit, std::int64_t first, std::int64_t last,
                              const VerifyOptions& options,
                              const std::function<bool()>& cancelled) {
  RangeCheck out;
  out.anchors.resize(options.anchors.size());
  auto fail = [&](std::int64_t seq, std::string problem) {
    out.failed = true;
    out.bad_seq = seq;
    out.problem = std::move(problem);
    return false;
  };
  auto status = unit.ScanJournalRange(first, last, [&](const JournalRecord& r) {
    out.records++;
    if (out.records == 1) {
      out.first_seq = r.seq;
      out.first_prev = r.prev_hash;
      if (r.seq <= 0) return fail(r.seq, LinkProblem({}, r.seq, r.prev_hash));
    } else if (auto problem = LinkProblem(out.last, r.seq, r.prev_hash); !problem.empty()) {
      return fail(r.seq, std::move(problem));
    }
    if (ComputeHash(r) != r.hash)
      return fail(r.seq, "content does not match its hash (the record was altered)");
    out.last = {r.seq, r.hash};
    NoteAnchors(options.anchors, r, out.anchors);
    return (out.records & 0xffff) != 0 || !cancelled();
  });
  if (!status) return Fail(status.error());
  return out;
}

// Joins the ranges in order into one report: the first failure in seq order wins, exactly as a
// single scan would find it. Then the anchors: each must have been met with its hash.
VerifyReport Stitch(const std::vector<RangeCheck>& ranges, const VerifyOptions& options) {
  VerifyReport report;
  JournalHead expected;  // seq 0, zero hash
  // On failure: records counts every record read up to the bad one, head is the hash of the
  // last good record.
  auto fail = [&](std::int64_t seq, std::string problem, const JournalHead& last_good) {
    report.ok = false;
    report.bad_seq = seq;
    report.problem = std::move(problem);
    report.head = last_good.hash;
    return report;
  };
  std::vector<AnchorSeen> anchors(options.anchors.size());
  for (const auto& range : ranges) {
    if (range.records == 0) continue;
    if (auto problem = LinkProblem(expected, range.first_seq, range.first_prev); !problem.empty()) {
      report.records += 1;
      return fail(range.first_seq, std::move(problem), expected);
    }
    report.records += range.records;
    if (range.failed)
      return fail(range.bad_seq, range.problem, range.records > 1 ? range.last : expected);
    expected = range.last;
    for (size_t i = 0; i < anchors.size(); ++i) {
      if (range.anchors[i].found_seq != 0) anchors[i].found_seq = range.anchors[i].found_seq;
      anchors[i].differs = anchors[i].differs || range.anchors[i].differs;
    }
  }
  report.head = expected.hash;
  report.records = expected.seq;
  for (size_t i = 0; i < anchors.size(); ++i) {
    const auto& a = options.anchors[i];
    if (anchors[i].found_seq != 0) continue;
    std::string named = a.what + " (" + (a.seq ? "record " + std::to_string(a.seq) + ", " : "") +
                        "hash " + ToHex(a.hash).substr(0, 16) + "…)";
    if (anchors[i].differs)
      return fail(a.seq,
                  named +
                      " differs from the record the journal holds now: the journal "
                      "was rewritten since",
                  expected);
    if (a.seq > expected.seq)
      return fail(expected.seq + 1,
                  "records " + std::to_string(expected.seq + 1) + ".." + std::to_string(a.seq) +
                      " are missing at the end (deleted): " + named + " is gone",
                  expected);
    return fail(a.seq, named + " is not in the journal: it was rewritten or cut back since",
                expected);
  }
  if (!options.anchors.empty()) report.anchor_seq = anchors[0].found_seq;
  return report;
}

// The options plus what the store keeps beside the journal; a problem the chain cannot show
// (kept in `broken`).
VerifyOptions WithAudit(const VerifyOptions& options, const JournalAudit& audit,
                        std::string& broken) {
  VerifyOptions out = options;
  if (!audit.storage_problems.empty()) {
    broken = "the database file is damaged: " + audit.storage_problems.front();
    if (audit.storage_problems.size() > 1)
      broken += " (and " + std::to_string(audit.storage_problems.size() - 1) + " more)";
  } else if (audit.keeps_head && !audit.recorded_head) {
    broken = "the journal's recorded head is missing (deleted)";
  } else if (audit.recorded_head && audit.recorded_head->seq > 0) {
    out.anchors.push_back(
        {audit.recorded_head->seq, audit.recorded_head->hash, "the journal's recorded head"});
  }
  return out;
}

// The report for a chain that held together, with what the audit says about an empty journal.
VerifyReport Finish(VerifyReport report, const JournalAudit& audit) {
  if (report.ok && report.records == 0 && audit.data_rows > 0) {
    report.ok = false;
    report.problem = "the journal is empty but " + std::to_string(audit.data_rows) +
                     " accounts and sites exist: the journal was deleted";
  }
  return report;
}

VerifyReport Broken(std::string problem) {
  VerifyReport report;
  report.ok = false;
  report.problem = std::move(problem);
  return report;
}

constexpr std::int64_t kWholeFirst = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kWholeLast = std::numeric_limits<std::int64_t>::max();

}  // namespace

Result<VerifyReport> VerifyJournal(UnitOfWork& unit, const VerifyOptions& options) {
  ZHIDU_TRY(JournalAudit audit, unit.ReadJournalAudit());
  std::string broken;
  VerifyOptions all = WithAudit(options, audit, broken);
  if (!broken.empty()) return Broken(std::move(broken));
  ZHIDU_TRY(RangeCheck whole, CheckRange(unit, kWholeFirst, kWholeLast, all, [] { return false; }));
  return Finish(Stitch({whole}, all), audit);
}

namespace {

// The ranges of a parallel verify, `threads` of them, each on its own read unit in its own thread,
// alongside `beside()` (the audit) in one more: the audit's quick_check reads the whole file, as
// long as the scans, so it runs beside them instead of before.
Result<std::vector<RangeCheck>> CheckRanges(Store& store, std::int64_t head_seq, int threads,
                                            const VerifyOptions& options,
                                            const std::function<void()>& beside) {
  // Ranges partition the whole seq space (the first and last are open-ended), so every row is in
  // exactly one and a record inserted before 1 or after the head is still seen.
  std::vector<std::pair<std::int64_t, std::int64_t>> bounds;
  for (int i = 0; i < threads; ++i) {
    std::int64_t first = i == 0 ? kWholeFirst : head_seq * i / threads + 1;
    std::int64_t last = i == threads - 1 ? kWholeLast : head_seq * (i + 1) / threads;
    bounds.emplace_back(first, last);
  }
  std::vector<Result<RangeCheck>> results(threads, Fail(Errc::kInternal, "not run"));
  std::atomic<int> lowest_failed{threads};  // a range after a failed one need not finish
  {
    std::vector<std::jthread> workers;
    if (beside) workers.emplace_back(beside);
    for (int i = 0; i < threads; ++i) {
      workers.emplace_back([&, i] {
        auto unit = store.BeginRead();
        if (!unit) {
          results[i] = Fail(unit.error());
          return;
        }
        results[i] = CheckRange(**unit, bounds[i].first, bounds[i].second, options,
                                [&] { return lowest_failed.load() < i; });
        if (!results[i] || results[i]->failed) {
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
    if (ranges.back().failed) break;  // later ranges may have stopped early
  }
  return ranges;
}

}  // namespace

Result<VerifyReport> VerifyJournal(Store& store, int threads, std::int64_t min_per_thread,
                                   const VerifyOptions& options) {
  JournalHead head;
  {
    ZHIDU_TRY(auto unit, store.BeginRead());
    ZHIDU_TRY(head, unit->ReadJournalHead());
  }
  threads = static_cast<int>(
      std::clamp<std::int64_t>(head.seq / std::max<std::int64_t>(min_per_thread, 1), 1, threads));
  if (threads <= 1) {
    ZHIDU_TRY(auto unit, store.BeginRead());
    return VerifyJournal(*unit, options);
  }
  // The audit (quick_check, the recorded head) beside the scans, which check the caller's anchors.
  Result<JournalAudit> audit = Fail(Errc::kInternal, "not run");
  auto read_audit = [&] {
    auto unit = store.BeginRead();
    audit = unit ? (*unit)->ReadJournalAudit() : Result<JournalAudit>(Fail(unit.error()));
  };
  auto ranges = CheckRanges(store, head.seq, threads, options, read_audit);
  if (!audit) return Fail(audit.error());
  std::string broken;
  VerifyOptions all = WithAudit(options, *audit, broken);
  if (!broken.empty()) return Broken(std::move(broken));  // before a scan's error on a bad file
  if (!ranges) return Fail(ranges.error());
  VerifyReport report = Stitch(*ranges, options);
  // The recorded head is the chain's last record, as it is unless the journal grew or was cut
  // back meanwhile (the audit read another snapshot) or tampered with: its own anchor check.
  if (report.ok && all.anchors.size() > options.anchors.size()) {
    const JournalAnchor& recorded = all.anchors.back();
    if (recorded.seq == report.records && recorded.hash == report.head) {
      if (options.anchors.empty()) report.anchor_seq = recorded.seq;
      return Finish(report, *audit);
    }
    // Anything else: everything again in order, the audit first and its head as an anchor.
    {
      ZHIDU_TRY(auto unit, store.BeginRead());
      ZHIDU_TRY(head, unit->ReadJournalHead());
    }
    ZHIDU_TRY(auto again, CheckRanges(store, head.seq, threads, all, {}));
    report = Stitch(again, all);
  }
  return Finish(report, *audit);
}

}  // namespace zhidu::store
