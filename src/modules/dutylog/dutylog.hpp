// The duty log (值班记录, R02 §三2, R09 §三2, R12 §四(二之2)2, R16 §二9, R20 §四7): what happened
// on a site's posts, written by the people on duty and by the alarm system.
//
// Invariants:
//  1. Append-only ("不得有乱涂乱画或缺页、丢页", R02 §三2): there is no update or delete verb, and
//     the tables refuse it (SQLite triggers, a PostgreSQL trigger). A correction is a new entry of
//     kind `correction` naming the entry it corrects (`corrects`), at the same site.
//  2. Every entry is journaled (`dutylog.entry.created`) in the transaction that inserts it and its
//     search terms; merged alarm repeats are journaled as `dutylog.entry.repeated`.
//  3. Alarm entries are written only by kernel/alarms (AppendInTx); the API refuses kind `alarm`.
//  4. Search goes through the index (store/text_search.hpp), never a scan of the text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::dutylog {

// Entry kinds: routine 日常, abnormal 异常, instruction 指令, equipment 设备, visitor 来访,
// alarm 报警, call 报警电话 (R20 §四7), correction 更正.
const std::vector<std::string>& Kinds();
// The Chinese label of a kind ("abnormal" -> "异常").
std::string KindLabel(std::string_view kind);

inline constexpr size_t kMaxTextBytes = 4000;
inline constexpr int kMaxPrintRows = 5000;

struct NewEntry {
  store::Id site_id = 0;
  store::Id post_id = 0;  // optional
  std::string kind;
  std::string text;
  store::Id corrects = 0;  // required for kind correction, refused otherwise
  std::string ref;         // optional free reference ("visitor/3")
  TimePoint occurred_at;   // optional: when it happened, not after the writing (epoch: not given)
};

// 消防控制室值班记录表 and the other packs' duty-log records: rows of a period, oldest first.
struct PrintRow {
  store::DutyLogEntry entry;
  std::string post_name;
  std::string author_name;
};
struct PrintView {
  std::string record_id;  // the pack record it prints ("r20-duty-log")
  std::string title;
  std::vector<std::string> clauses;
  store::Site site;
  TimePoint from, to;
  std::vector<PrintRow> rows;
  int abnormal = 0;     // entries of kind abnormal
  int alarms = 0;       // activations merged into alarm entries
  int corrections = 0;  // correction entries
};

class DutyLog {
 public:
  DutyLog(store::Store& store, store::Writer& writer, const org::RoleCatalogue& roles,
          const policy::ActivePack& pack);

  // By a person on one of the site's posts now, or an account with duty.manage at the site.
  Result<store::DutyLogEntry> Append(const org::Principal& who, const NewEntry& in);
  Result<store::DutyLogEntry> Get(const org::Principal& who, store::Id id);
  // `q` (may be empty) is parsed by store::ParseTextQuery. Newest first.
  Result<std::vector<store::DutyLogEntry>> List(const org::Principal& who,
                                                store::DutyLogFilter filter, std::string_view q,
                                                store::PageRequest page);
  // The printable record of [from, to) at a site; `record` a pack record id (default
  // r20-duty-log). kInvalidArgument when the period holds more than kMaxPrintRows entries.
  Result<PrintView> Print(const org::Principal& who, store::Id site_id, TimePoint from,
                          TimePoint to, std::string record);

  // Inserts `e` (its index terms computed here) and journals it, inside the caller's transaction.
  static Result<store::DutyLogEntry> AppendInTx(store::Tx& tx, store::DutyLogEntry e);
  // The entries of `post_id` in [from, to), oldest first, at most 50,000 (the handover's report
  // of a shift; no permission check: the caller decides who sees it).
  Result<std::vector<store::DutyLogEntry>> PostEntries(store::Id post_id, TimePoint from,
                                                       TimePoint to);

 private:
  store::Store& store_;
  store::Writer& writer_;
  const org::RoleCatalogue& roles_;
  const policy::ActivePack& pack_;
};

// The print view as an XLSX workbook (libxlsxwriter), bytes.
Result<std::string> ExportXlsx(const PrintView& view, const TimeZone& zone);

}  // namespace zhidu::dutylog
