// Requests and approvals (申请与审批): instances of the pack's `requests:` — an applicant files a
// request of a type, the approval chain's steps are decided by the roles they name, and the
// request ends approved, rejected or withdrawn. docs/runtime_requests.md has the design.
//
// Invariants:
//  1. A prohibition is checked before anything else that could let the request through and is
//     never overridable: a request that hits one is refused (kPermissionDenied citing the clause)
//     and the refusal itself is journaled (request.refused) — a refused request leaves a record.
//  2. Every state change and its journal record commit in one writer job.
//  3. A step is decided at most once (UNIQUE(request_id, step) in the store) and a request leaves
//     `pending` at most once (DecideApprovalRequest is conditional), so two concurrent decisions
//     never both win: the loser gets kConflict / kFailedPrecondition and writes nothing.
//  4. A signature re-confirms the signer's password at the moment of deciding; a wrong password
//     writes no decision (only a request.signature_failed record for auditors).
//  5. The applicant never decides a step of their own request.
//
// Request life:   pending ──(every step approved)──> approved
//                    │ └───(one step rejected)─────> rejected
//                    └─────(applicant withdraws)───> withdrawn
// Step life (per request): waiting ──(its `after` steps approved)──> open ──> approved | rejected;
// undecided steps of a request that is no longer pending are closed.
//
// Thread-safe: handlers call it concurrently; writes go through the single Writer. Each operation
// takes one snapshot of the pack in force.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/pack.hpp"
#include "kernel/runtime/bus.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

using store::Id;

// The step role that stands for the applicant's superior (Role::reports_to of their roles).
inline constexpr std::string_view kSuperiorRole = "$superior";
// Seeing every request of a site (auditors, administrators); deciding needs the step's role.
inline constexpr std::string_view kPermRequestsRead = "requests.read";

// ---- the chain logic: pure functions, unit-tested beside the code (requests_test.cpp)

enum class StepState { kWaiting, kOpen, kApproved, kRejected, kClosed };
std::string_view StepStateName(StepState state);

// The state of each step of `type` (same order as type.approvals) given the decisions made so
// far. A step is open when the request is pending, it has no decision, and every step in its
// `after` list is approved; undecided steps of a request that is not pending are closed.
// Decisions on steps the type does not have are ignored.
std::vector<StepState> StepStates(const policy::Request& type,
                                  const std::vector<store::ApprovalDecision>& decisions,
                                  bool pending);
// True when every step has an approving decision (a chain without steps is never approved by
// decisions; Create approves nothing on its own).
bool ChainApproved(const policy::Request& type,
                   const std::vector<store::ApprovalDecision>& decisions);
// The superior roles (reports_to) of `role_ids`, deduplicated, in the order of `role_ids`.
std::vector<std::string> SuperiorRoles(const std::vector<policy::Role>& pack_roles,
                                       const std::vector<std::string>& role_ids);
// The roles that may decide `step`, with "$superior" replaced by `superior_roles`.
std::vector<std::string> StepRoles(const policy::ApprovalStep& step,
                                   const std::vector<std::string>& superior_roles);
// Whether `grant` applies to a request at `site_id` filed by a person of `department_id`:
// global grants cover every site, site grants their site, department grants the requests of
// their department's people.
bool GrantCovers(const store::RoleGrant& grant, Id site_id, Id department_id);
// The roles of `grants` that cover (site_id, department_id), deduplicated, in grant order.
std::vector<std::string> RolesAt(const std::vector<store::RoleGrant>& grants, Id site_id,
                                 Id department_id);
// True when some covering grant holds one of `roles`.
bool HoldsOneOf(const std::vector<store::RoleGrant>& grants, const std::vector<std::string>& roles,
                Id site_id, Id department_id);

// "bool", "number", "string", "list" — the names the pack's `inputs` use.
std::string_view ValueTypeName(policy::ValueType type);
// kInvalidArgument naming the field ("inputs.request.copy") unless `inputs` has exactly the
// names of `schema`, each with its declared type (numbers finite).
Result<void> CheckInputs(const policy::ContextSchema& schema, const policy::Context& inputs);
// Canonical JSON of typed inputs, as stored and journaled.
std::string InputsJson(const policy::Context& inputs);

// ---- the service

struct NewRequest {
  Id site_id = 0;
  std::string type;        // pack request id ("r16-footage-view")
  policy::Context inputs;  // typed per the type's `inputs`; every declared input, nothing else
  std::string reason;      // free text, at most 1000 characters
};

struct DecisionInput {
  std::string step;  // empty: the first open step the decider may decide
  bool approve = true;
  std::optional<std::string> password;  // required by `signature` steps; signs any step if given
  Id escort_person_id = 0;              // required to approve a `names_escort` step
  std::string note;                     // at most 1000 characters
};

struct StepView {
  std::string id;
  std::vector<std::string> roles;  // who may decide it ("$superior" resolved)
  std::vector<std::string> after;
  bool signature = false;
  bool names_escort = false;
  StepState state = StepState::kWaiting;
  bool viewer_may_decide = false;  // open, and the viewer holds a role for it (not the applicant)
};

struct RequestView {
  store::ApprovalRequest request;
  std::vector<store::ApprovalDecision> decisions;
  std::vector<StepView> steps;  // empty when the type is no longer in the pack
  std::string title;            // the type's title
  std::vector<std::string> clauses;
};

struct RequestQuery {
  Id site_id = 0;    // 0: any
  std::string type;  // empty: any
  std::optional<store::RequestState> state;
  bool mine = false;            // only the viewer's own requests
  bool waiting_for_me = false;  // only requests with a step open to the viewer
};

struct RequestPage {
  std::vector<RequestView> items;
  Id next_after_id = 0;  // 0: no more
};

class Requests {
 public:
  // Every reference must outlive the service. Filings and approvals are emitted on `bus`
  // (request_events.hpp); null emits nothing.
  Requests(store::Store& store, store::Writer& writer, org::AuthService& auth,
           const org::RoleCatalogue& roles, const policy::ActivePack& pack,
           const EventBus* bus = nullptr);

  // Files a request. Order: type, inputs, site, applicant role, prohibitions (refused with
  // kPermissionDenied and journaled as request.refused), preconditions (kFailedPrecondition), the
  // chain's first approvers; then inserts it pending (request.created). When it fails on a
  // prohibition or precondition, `*cited_clauses` (if given) gets the clause ids it cites.
  Result<RequestView> Create(const org::Principal& who, const NewRequest& input,
                             std::vector<std::string>* cited_clauses = nullptr);
  // Decides one step (see DecisionInput). Ends the request when the chain is approved or a step
  // is rejected.
  Result<RequestView> Decide(const org::Principal& who, Id request_id, const DecisionInput& input);
  // The applicant withdraws a pending request.
  Result<RequestView> Withdraw(const org::Principal& who, Id request_id, const std::string& note);
  // Visible to the applicant, to whoever holds a role of one of its steps, and to holders of
  // requests.read at its site; kNotFound for anyone else.
  Result<RequestView> Get(const org::Principal& who, Id request_id);
  // Requests visible to `who`, ascending by id, after `page.after_id`, at most `page.limit`.
  Result<RequestPage> List(const org::Principal& who, const RequestQuery& query,
                           store::PageRequest page);

 private:
  struct Loaded;
  Result<Loaded> Load(store::UnitOfWork& unit, const policy::Pack& pack, Id request_id);
  // Load in a read unit of its own; kNotFound unless `who` may see the request.
  Result<Loaded> LoadVisible(const org::Principal& who, const policy::Pack& pack, Id request_id);
  RequestView ViewOf(const Loaded& loaded, const org::Principal& who) const;
  bool MaySee(const Loaded& loaded, const org::Principal& who) const;

  store::Store& store_;
  store::Writer& writer_;
  org::AuthService& auth_;
  const org::RoleCatalogue& roles_;
  const policy::ActivePack& pack_;
  const EventBus* bus_;
};

}  // namespace zhidu::runtime
