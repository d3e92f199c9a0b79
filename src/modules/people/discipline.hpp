// Discipline cases (纪律处分, R03 §二, R13 第三则): a case on top of the ledger's violations that
// moves a person along the pack's discipline ladder — a correction order (整改) with a deadline the
// scheduler keeps, a refused or missed correction (拒不整改) moving the case to the step the
// regulation names, up to 辞退 under an approved request — with compensation (赔偿) recorded in
// fen.
//
// The pack's part (docs/policy_format.md §15): the ladder's steps in order, each with the role
// that takes it (`by`), whether it orders a correction and within what (`correction: {within,
// on_refusal}`; a period the regulation does not give is a site parameter with no default), the
// steps that may follow it (`next`), the request type whose approval it needs (`approval`) and
// whether it ends the case (`closes`). No role, step or request name is written in C++.
//
// Invariants:
//  1. A case belongs to one person and one ladder. It opens at the step the ledger's consequence
//     of its violations names (the latest in ladder order), or the ladder's first step when none
//     names one; afterwards it moves only to a step its current step lists in `next`, or, when
//     the correction is refused or missed, to the step's `on_refusal` — nothing else
//     (discipline.step_out_of_order). A closed case never changes again.
//  2. A violation is in at most one case (UNIQUE), belongs to the case's person (a violation
//     against nobody is assigned first: Ledger::Assign) and is not overturned.
//  3. A step that orders a correction sets a deadline and a durable timer (kernel scheduler, kind
//     discipline.correction_due) in the same transaction; the timer firing on a correction still
//     outstanding is the miss (missed, actor 0) and moves the case on in the firing's transaction.
//     A correction recorded, refused or superseded cancels the timer; a timer that finds its
//     correction settled does nothing.
//  4. A step with `approval` is taken only under an approved request of that type at the case's
//     site whose input case.id is the case (kernel/runtime/requests: the pack's approval chain).
//  5. Every change and its journal record (discipline.case.*, citing the step's clauses, with
//     site_id, person_id, notify_roles and title for the notification feed) commit in one writer
//     job; a refused change writes nothing.
//  6. Money is integer fen: a compensation is > 0 fen, once per violation, and only for a
//     violation whose consequence says 照价赔偿 (compensation at cost).
//  7. Who: a step (opening included) is taken by a holder of its `by` role at the case's site and
//     department, a holder of a role above it (reports_to), or of discipline.manage; correction
//     outcomes and closing by whoever may take the current step; compensation needs
//     ledger.record; reading needs ledger.read, except one's own cases.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/migration.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::people {

using store::Id;

// Taking any step of any case, whatever role the pack names for it (administrators).
inline constexpr std::string_view kManagePermission = "discipline.manage";
// The timer of a correction order's deadline.
inline constexpr std::string_view kCorrectionTimer = "discipline.correction_due";

enum class CaseState { kOpen, kCorrecting, kClosed };
std::string_view CaseStateName(CaseState s);
Result<CaseState> ParseCaseState(std::string_view name);  // kInvalidArgument naming "state"

// What happened to a case, one row each (the case's history; each also a journal record).
enum class EventKind { kOpened, kStep, kCorrected, kRefused, kMissed, kCompensation, kClosed };
std::string_view EventKindName(EventKind k);

struct CaseEvent {
  Id id = 0;
  Id case_id = 0;
  EventKind kind = EventKind::kOpened;
  std::string step;  // the step taken (opened, step) or the case's step at the time
  Id actor = 0;      // account; 0: the system (a missed deadline)
  TimePoint at;
  std::string note;
  TimePoint correction_due;  // a correction ordered by this step; epoch: none
  Id request_id = 0;         // the approved request the step was taken under
  std::vector<std::string> clauses;
  std::int64_t journal_seq = 0;
};

struct Compensation {
  Id id = 0;
  Id case_id = 0;
  Id violation_id = 0;
  std::int64_t amount_fen = 0;  // 分, > 0
  std::string note;
  Id recorded_by = 0;
  TimePoint recorded_at;
};

struct Case {
  Id id = 0;
  Id site_id = 0;
  Id person_id = 0;
  Id department_id = 0;
  std::string ladder;  // discipline ladder id
  std::string step;    // the current step
  CaseState state = CaseState::kOpen;
  TimePoint correction_due;  // while correcting
  Id correction_timer = 0;
  std::string outcome;  // closed: "resolved" (closed by hand) or "ended" (by a closing step)
  Id opened_by = 0;
  TimePoint opened_at;
  Id closed_by = 0;
  TimePoint closed_at;
  std::int64_t version = 0;
  // Filled by Get / the verbs (not by List).
  std::vector<Id> violations;
  std::vector<CaseEvent> events;
  std::vector<Compensation> compensations;
};

struct CaseFilter {
  Id site_id = 0;
  Id person_id = 0;
  std::optional<CaseState> state;
};

// The module's tables (discipline_store.cpp), written once for both backends.
std::vector<store::Migration> Migrations();
namespace db {
Result<Id> InsertCase(store::Sql& sql, const Case& c);
Result<Case> GetCase(store::Sql& sql, Id id);
// Writes the case's mutable fields if its version is still `c.version`, and bumps it;
// kConflict when someone changed it meanwhile.
Result<void> UpdateCase(store::Sql& sql, Case& c);
Result<std::vector<Case>> ListCases(store::Sql& sql, const CaseFilter& f, store::PageRequest page);
// kConflict (discipline.violation_in_case) when the violation is in a case already.
Result<void> AddViolation(store::Sql& sql, Id case_id, Id violation_id, TimePoint at);
Result<std::optional<Id>> CaseOfViolation(store::Sql& sql, Id violation_id);
Result<std::vector<Id>> ViolationsOf(store::Sql& sql, Id case_id);
Result<Id> InsertEvent(store::Sql& sql, const CaseEvent& e);
Result<std::vector<CaseEvent>> EventsOf(store::Sql& sql, Id case_id);
Result<Id> InsertCompensation(store::Sql& sql, const Compensation& c);
Result<std::vector<Compensation>> CompensationsOf(store::Sql& sql, Id case_id);
}  // namespace db

struct NewCase {
  Id site_id = 0;
  Id person_id = 0;
  std::vector<Id> violation_ids;  // at least one
  std::string ladder;             // needed only when no violation names a step and the pack has
                                  // several ladders
  std::string note;
  TimePoint correct_by;  // the deadline, only when neither the regulation nor the site gives one
};

struct StepInput {
  std::string step;
  std::string note;
  TimePoint correct_by;           // as in NewCase
  Id request_id = 0;              // an approved request, for a step with `approval`
  std::vector<Id> violation_ids;  // 再犯: further violations of the person that join the case
};

// Limits.
inline constexpr size_t kMaxNote = 4000;
inline constexpr size_t kMaxViolations = 100;

class Discipline {
 public:
  Discipline(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
             const policy::ActivePack& pack, const org::RoleCatalogue& roles);

  // Registers the correction deadline's timer handler (before the scheduler starts).
  void RegisterHandlers();

  Result<Case> Open(const org::Principal& who, const NewCase& in);
  Result<Case> Take(const org::Principal& who, Id case_id, const StepInput& in);
  // The outcome of the outstanding correction order: corrected, or refused (拒不整改: the case
  // moves to the step's on_refusal).
  Result<Case> Correction(const org::Principal& who, Id case_id, bool corrected,
                          const std::string& note);
  Result<Case> Compensate(const org::Principal& who, Id case_id, Id violation_id,
                          std::int64_t amount_fen, const std::string& note);
  Result<Case> Close(const org::Principal& who, Id case_id, const std::string& note);
  Result<Case> Get(const org::Principal& who, Id case_id);
  Result<std::vector<Case>> List(const org::Principal& who, const CaseFilter& f,
                                 store::PageRequest page);

  // Whether `who` may take `step_id` of a case of (site, department) under `pack` (invariant 7).
  bool MayTake(const org::Principal& who, const policy::Pack& pack, Id site_id, Id department_id,
               std::string_view step_id) const;
  std::shared_ptr<const policy::Pack> pack() const { return pack_.Current(); }

 private:
  Result<void> OnCorrectionDue(store::Tx& tx, const store::Timer& timer);
  Result<Case> Load(store::Sql& sql, Id id, const org::Principal* who);
  // Load, refusing a closed case (409 discipline.case_closed): what every move of a case needs.
  Result<Case> LoadOpen(store::Sql& sql, Id id, const org::Principal& who);

  store::Store& store_;
  store::Writer& writer_;
  scheduler::Scheduler& scheduler_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
};

// Pure reads of the pack (discipline.cpp), for the routes and the tests.
const policy::DisciplineLadder* FindLadder(const policy::Pack& pack, std::string_view id);
const policy::DisciplineStep* FindStep(const policy::DisciplineLadder& ladder, std::string_view id);
// The step's own clauses, else its ladder's.
std::vector<std::string> StepClauses(const policy::DisciplineLadder& ladder,
                                     const policy::DisciplineStep& step);
// The step a stored consequence names ("discipline":"…" in its canonical JSON), or "".
std::string ConsequenceStep(std::string_view consequence);
// Whether a stored consequence says 照价赔偿.
bool ConsequenceCompensates(std::string_view consequence);

}  // namespace zhidu::people
