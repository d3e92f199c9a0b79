// Ledger (违规台账): violations, the consequence each one carries under the pack's penalty
// schedule, appeals (申诉) and monthly statements.
//
// Invariants:
//  1. The consequence is computed once, when the violation is recorded, from the person's history:
//     occurrence n = (violations of the same code by the same person in the look-back window before
//     it, not overturned) + 1, and the ladder step covering n. It is stored with the violation and
//     never recomputed, so a later appeal that overturns an earlier violation does not rewrite
//     history; it only stops counting for violations recorded after it.
//  2. Figures come from the pack. A ladder step whose fine the regulation leaves to the site
//  carries
//     the parameter's name; the amount is the site's value of that parameter when an administrator
//     has set one (site_parameters.hpp), otherwise none (fine_fen 0): nothing is guessed.
//  3. Every change is journaled in the transaction that makes it: violation.recorded,
//     violation.assigned, violation.appealed, violation.decided, violation.withdrawn. Payloads
//     follow the notification convention (docs/notifications.md): site_id, person_id, notify_roles.
//  4. Who may do what: recording needs ledger.record (or is automatic, actor 0); a person appeals
//     only their own violation, once, while it is recorded; deciding needs ledger.decide; reading
//     needs ledger.read, except one's own violations.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/pack.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

namespace perm {
inline constexpr std::string_view kLedgerRecord = "ledger.record";
inline constexpr std::string_view kLedgerRead = "ledger.read";
inline constexpr std::string_view kLedgerDecide = "ledger.decide";
}  // namespace perm

// What the n-th occurrence of a code brings, from the penalty ladder.
struct Consequence {
  std::string code;
  std::string title;       // the penalty's title
  bool scheduled = false;  // false: the code has no penalty schedule (a cited conduct rule)
  int occurrence = 1;
  bool warning = false;                  // 口头警告
  std::optional<std::int64_t> fine_fen;  // known amount, in 分
  std::string fine_param;  // the site parameter naming the amount, when the regulation gives none
  bool fine_set_by_site = false;  // fine_fen is the site's value of fine_param
  bool compensation_at_cost = false;
  std::string discipline;  // discipline-ladder step id
  std::string discipline_title;
  std::string discipline_by;  // role that takes the step
  std::vector<std::string> revoke;
  bool liability = false;
  std::string note;
  std::string look_back;  // "" when the whole record counts, else e.g. "1mo"
};

// Pure: the consequence of the `occurrence`-th violation of `code` under `pack`.
Consequence ComputeConsequence(const policy::Pack& pack, std::string_view code, int occurrence);
// Canonical JSON of `c` (stored with the violation, carried by the journal record).
std::string ConsequenceJson(const Consequence& c);
// One zh-CN line: "第2次：罚款50元；报客服部经理".
std::string DescribeConsequence(const Consequence& c);

struct NewViolation {
  store::Id site_id = 0;
  store::Id person_id = 0;  // 0: nobody identified
  std::string party;        // an outside party without a person record (never with person_id)
  store::Id post_id = 0;
  std::string code;                  // a penalty code or a conduct rule's code
  std::vector<std::string> clauses;  // empty: the penalty's own clauses
  std::string subject;               // "duty/12"
  TimePoint occurred_at;
  std::string note;
  std::vector<std::string> notify_roles;
};

// A month of the ledger for a person or a department.
struct Statement {
  store::Id site_id = 0;
  store::Id person_id = 0;
  store::Id department_id = 0;
  std::string month;  // "2026-12"
  std::vector<store::Violation> violations;
  std::int64_t counted = 0;   // not overturned
  std::int64_t fine_fen = 0;  // sum over counted violations with a known amount
  std::int64_t warnings = 0;
  std::int64_t unpriced = 0;  // counted violations whose amount is a site parameter
};

class Ledger {
 public:
  Ledger(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
         const org::RoleCatalogue& roles);

  // The automatic path, inside the caller's transaction (a missed duty, a breached deadline).
  // `actor` 0 for the system.
  static Result<store::Violation> Raise(store::Tx& tx, const policy::Pack& pack, NewViolation v,
                                        store::Id actor, std::string_view source = "auto");

  // 撤销 by the system, inside the caller's transaction: what the violation charged turns out
  // excused by an approved decision (an attendance finding of a shift whose leave was approved
  // after the day). State overturned, decided_by `actor` (the approver), decision_note `note`;
  // journaled violation.withdrawn with `clauses` (the decision's) and `request_id`. One already
  // overturned is answered unchanged, nothing journaled.
  static Result<store::Violation> Withdraw(store::Tx& tx, store::Id id, store::Id actor,
                                           std::string note,
                                           const std::vector<std::string>& clauses,
                                           store::Id request_id);

  // An inspector records a violation citing any clause of the pack (or a code).
  Result<store::Violation> Record(const org::Principal& who, NewViolation v);
  // 指定当事人: a violation recorded against nobody (person_id 0: a post nobody was on, an
  // inspector who could not tell who) is assigned to a person of its site, once. Its occurrence
  // and consequence are computed then, from that person's history before it — invariant 1 applied
  // at the first moment the person is known — and journaled violation.assigned with the old and
  // new consequence. Needs ledger.record in the violation's site. kFailedPrecondition
  // (violation.already_assigned) when it names someone already.
  Result<store::Violation> Assign(const org::Principal& who, store::Id id, store::Id person_id,
                                  std::string note);
  Result<store::Violation> Appeal(const org::Principal& who, store::Id id, std::string text);
  Result<store::Violation> Decide(const org::Principal& who, store::Id id, bool uphold,
                                  std::string note);
  Result<store::Violation> Get(const org::Principal& who, store::Id id);
  Result<std::vector<store::Violation>> List(const org::Principal& who,
                                             store::ViolationFilter filter,
                                             store::PageRequest page);
  // `month` "YYYY-MM" in the site's time zone; exactly one of person_id / department_id.
  Result<Statement> MonthlyStatement(const org::Principal& who, store::Id site_id,
                                     std::string_view month, store::Id person_id,
                                     store::Id department_id);

 private:
  bool MayRead(const org::Principal& who, const store::Violation& v) const;

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
};

}  // namespace zhidu::runtime
