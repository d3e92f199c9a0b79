// The journal: canonical bytes, the hash chain and its verification. Knows bytes, sequence
// numbers and hashes — never what a record is about (see docs/journal_format.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/crypto.hpp"
#include "base/result.hpp"
#include "store/store.hpp"
#include "store/types.hpp"

namespace zhidu::store {

// The canonical byte encoding of every field of `record` except its own hash.
std::string CanonicalBytes(const JournalRecord& record);
// Feeds exactly the bytes of CanonicalBytes(record) into `hash`, field by field, without building
// the string (verify's hot path).
void UpdateCanonical(Sha256& hash, const JournalRecord& record);
// SHA-256 over CanonicalBytes(record); record.prev_hash must already be set.
Sha256Digest ComputeHash(const JournalRecord& record);
// Fills seq, prev_hash and hash of `record` so that it extends `head`, and advances `head`.
void Chain(JournalRecord& record, JournalHead& head);

struct VerifyReport {
  bool ok = true;
  std::int64_t records = 0;
  std::int64_t bad_seq = 0;  // the first record that breaks the chain (0 when ok, or when what
                             // is broken is not one record: the file, an empty journal)
  std::string problem;       // what is wrong with it, for a person
  Sha256Digest head{};       // hash of the last good record
  // Where the first anchor was found: the caller's first, else the recorded head (0: neither).
  std::int64_t anchor_seq = 0;
};

// A record an auditor noted earlier (`zhidu verify --anchor [SEQ:]HASH`): the journal must still
// hold it, or it was rewritten or cut back since. seq 0: the record with this hash, at any seq.
struct JournalAnchor {
  std::int64_t seq = 0;
  Sha256Digest hash{};
  std::string what = "the anchor";  // names it in a problem ("the anchor", "the recorded head")
};

struct VerifyOptions {
  std::vector<JournalAnchor> anchors;
};

// Parses "HASH" or "SEQ:HASH" (64 hex digits, SEQ a positive integer); nullopt when malformed.
std::optional<JournalAnchor> ParseAnchor(std::string_view text);

// Walks the whole journal in seq order and checks: seq starts at 1 and has no gaps, repeats or
// values below 1, record 1's prev_hash is zero, each prev_hash equals the previous record's hash,
// each hash equals ComputeHash(record). Catches a record altered, deleted, inserted, or two
// swapped. Then what the chain alone cannot show (UnitOfWork::ReadJournalAudit): every anchor and
// the head the store keeps beside the journal are still in it (the last records deleted), the
// journal is not empty while accounts or sites exist (all of it deleted), and the store reports
// its file sound (SQLite's quick_check).
Result<VerifyReport> VerifyJournal(UnitOfWork& unit, const VerifyOptions& options = {});
// The same checks with the journal split into `threads` seq ranges, each scanned on its own read
// unit in its own thread and stitched in seq order: the same report as one scan (the first bad
// record in seq order), in about 1/threads of the time. A thread gets at least `min_per_thread`
// records, so small journals use one.
Result<VerifyReport> VerifyJournal(Store& store, int threads, std::int64_t min_per_thread = 50'000,
                                   const VerifyOptions& options = {});

}  // namespace zhidu::store
