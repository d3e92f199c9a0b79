// Repairs (报修): a repair order per site for a fault found on a checklist, in a procedure, by an
// alarm or reported by hand, followed until it is fixed and the fix is verified. R12 §三(二)
// (遇系统 故障及时记录并报修), R12 §四(二之2)3 (发现异常和故障应立即报修，并做记录), R16 §二1/§二10
// (及时 通知维修人员/上报工程部修理，不得拖延), R20 §三2/§四9/§五1
// (不能排除的故障请工程技术人员修复; 损坏报修弱电班).
//
//            assign            start              fix                close
//   open ───────────> assigned ──────> in_progress ────> fixed ───────────> closed
//     │                 │  ^ assign        │               │ reopen (not fixed)
//     │                 │  └───────┘       │               └──────> in_progress
//     └──── cancel ─────┴──── cancel ──────┘──> cancelled (with a reason)
//
// Invariants:
//  1. Every change is journaled in the transaction that makes it (repair.opened, repair.assigned,
//     repair.started, repair.fixed, repair.closed, repair.reopened, repair.cancelled) with who and
//     when, and appended to the repair's history.
//  2. A transition moves the repair only from its current state (compare-and-set in the store); an
//     action not allowed in that state is refused (kFailedPrecondition) naming the allowed ones.
//  3. Who may act: assign needs repair.manage at the site; start and fix the assigned person, a
//     holder of the assigned role at the site, or repair.manage; close and reopen (verifying the
//     fix) the reporter, a person on the reporter's post at that moment, or repair.manage; cancel
//     the reporter or repair.manage, with a reason. Reading needs a role at the site.
//  4. Nothing is assigned by default: the role comes from the pack where a regulation names one
//     (a duty's follow_up.assign_to), otherwise the site assigns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "modules/repairs/repairs_types.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::repairs {

namespace perm {
inline constexpr std::string_view kRepairManage = "repair.manage";
}  // namespace perm

struct NewRepair {
  store::Id site_id = 0;
  std::string what;
  std::string description;
  std::string source_kind = "manual";  // checklist | procedure | alarm | manual
  store::Id source_id = 0;
  std::string source_item;
  std::vector<std::string> clauses;
  std::string assignee_role;
  store::Id reporter_post = 0;
};

// One action on a repair: assign (role and/or person_id), start, fix (note), close, reopen
// (note), cancel (note = the reason).
struct Action {
  std::string action;
  std::string role;
  store::Id person_id = 0;
  std::string note;
};

// The state an action leads to from `state`, nullopt when it is not allowed there.
std::optional<std::string> NextState(std::string_view state, std::string_view action);
// The actions allowed in `state` (empty in closed and cancelled).
std::vector<std::string> AllowedActions(std::string_view state);
// Seconds from reporting to fixed, nullopt while not fixed.
std::optional<std::int64_t> SecondsToFix(const Repair& r);

class Repairs {
 public:
  Repairs(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
          const org::RoleCatalogue& roles);

  // Opens a repair in the caller's transaction and journals repair.opened (duty follow-ups).
  // `account`/`person` report it. No permission check: the caller has made its own.
  static Result<Repair> Open(store::Tx& tx, const NewRepair& in, store::Id account,
                             store::Id person);

  // A repair reported by a person with a role at the site: manual, or citing a procedure instance
  // or an alarm point of that site (404 when unknown). Clauses must exist in the pack.
  Result<Repair> Report(const org::Principal& who, NewRepair in);
  Result<Repair> Act(const org::Principal& who, store::Id id, const Action& action);
  Result<Repair> Get(const org::Principal& who, store::Id id);
  // A list without site_id needs a company-wide role.
  Result<std::vector<Repair>> List(const org::Principal& who, const RepairFilter& filter,
                                   store::PageRequest page);

 private:
  bool MayRead(const org::Principal& who, store::Id site_id) const;
  Result<void> MayAct(const org::Principal& who, store::Tx& tx, const Repair& r,
                      std::string_view action);

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
};

}  // namespace zhidu::repairs
