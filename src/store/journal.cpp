#include "store/journal.hpp"

#include <cstring>

namespace zhidu::store {

namespace {

constexpr std::string_view kMagic = "zhidu.journal.v1";

void PutU64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
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

std::string CanonicalBytes(const JournalRecord& r) {
  std::string out;
  out.reserve(kMagic.size() + 8 * 7 + r.kind.size() + r.subject.size() + r.payload.size() + 32);
  PutBytes(out, kMagic);
  PutU64(out, static_cast<std::uint64_t>(r.seq));
  PutU64(out, static_cast<std::uint64_t>(r.at.time_since_epoch().count()));
  PutBytes(out, r.kind);
  PutU64(out, static_cast<std::uint64_t>(r.actor));
  PutBytes(out, r.subject);
  PutBytes(out, r.payload);
  out.append(reinterpret_cast<const char*>(r.prev_hash.data()), r.prev_hash.size());
  return out;
}

Sha256Digest ComputeHash(const JournalRecord& record) {
  Sha256 h;
  UpdateCanonical(h, record);
  return h.Finish();
}

void Chain(JournalRecord& record, JournalHead& head) {
  record.seq = head.seq + 1;
  record.prev_hash = head.hash;
  record.hash = ComputeHash(record);
  head.seq = record.seq;
  head.hash = record.hash;
}

Result<VerifyReport> VerifyJournal(UnitOfWork& unit) {
  VerifyReport report;
  JournalHead expected;  // seq 0, zero hash
  auto status = unit.ScanJournal([&](const JournalRecord& r) {
    report.records++;
    auto fail = [&](std::string problem) {
      report.ok = false;
      report.bad_seq = r.seq;
      report.problem = std::move(problem);
      return false;
    };
    if (r.seq != expected.seq + 1) {
      if (r.seq <= expected.seq)
        return fail("sequence number " + std::to_string(r.seq) +
                    " repeats or goes backwards after " + std::to_string(expected.seq) +
                    " (a record was inserted or reordered)");
      return fail("records " + std::to_string(expected.seq + 1) + ".." + std::to_string(r.seq - 1) +
                  " are missing (deleted)");
    }
    if (r.prev_hash != expected.hash)
      return fail("prev_hash does not match the hash of record " + std::to_string(expected.seq) +
                  " (a record before it was altered, replaced or swapped)");
    if (ComputeHash(r) != r.hash)
      return fail("content does not match its hash (the record was altered)");
    expected.seq = r.seq;
    expected.hash = r.hash;
    return true;
  });
  if (!status) return Fail(status.error());
  report.head = expected.hash;
  if (report.ok) report.records = expected.seq;
  return report;
}

}  // namespace zhidu::store
