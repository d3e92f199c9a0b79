// Handover (交接班, 五交五不接): one handover per post and shift change, run from the pack's
// `kind: handover` checklists and the post's shift pattern.
//
// Invariants:
//  1. Opened by the incoming person only inside the policy window of a shift change S: from
//     S - arrive_before (R12 §四(一)1: 接班人员必须提前10分钟到岗; R20 gives no figure: the site's
//     parameter, unset: S) to S + the site parameter `handover_grace` (unset: S — the regulations
//     give no grace). The shift changes are the starts of the post's published roster slots that
//     follow another slot; without a published roster, those of the pack's pattern for the post.
//     The outgoing must be on the post.
//  2. Opening freezes the outgoing shift's report: canonical JSON with its SHA-256, stored and
//     journaled. What happens after opening belongs to the next shift's report.
//  3. At most one open handover per post (the store's unique index).
//  4. The incoming acknowledges every abnormal entry of the frozen report before signing; the
//     checklist answers are validated like a duty's form before anyone signs.
//  5. Signatures re-confirm the password (AuthService::ConfirmPassword, throttled); a wrong one is
//     journaled and changes nothing else. Order as the pack lists them ([outgoing, incoming]).
//  6. Only the last signature completes it: in one transaction the outgoing leaves the post, the
//     incoming takes it, the seal (SHA-256 over the report, answers, acknowledgements and
//     signatures) is stored, and the responsibility change (R12 §四(一)3) is journaled.
//  7. A refusal (五不接) names one of the pack's refuse_if reasons; attendance does not change, the
//     superiors of the post's roles are notified (notify_roles), and a new handover may be opened.
//
//   open ──refuse──> refused            (a new handover may be opened)
//    │
//    └──answers / acknowledge / sign (outgoing) / sign (incoming)──> completed (sealed)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/duties.hpp"
#include "modules/handover/handover_types.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::handover {

// An entry of the duty log (值班记录) as the handover reads it.
struct LogEntry {
  store::Id id = 0;
  TimePoint at;
  store::Id author = 0;  // person
  std::string kind;
  std::string text;
  bool abnormal = false;
};
// Entries of post `post_id` in [from, to), by time. Injected by the composition root once the duty
// log exists; until then the report says the log is not wired.
using LogSource =
    std::function<Result<std::vector<LogEntry>>(store::Id post_id, TimePoint from, TimePoint to)>;
// A published roster slot of a post: one shift, its instants and the people on it.
struct RosterShift {
  TimePoint starts_at;
  TimePoint ends_at;
  std::string name;  // the shift's name in its pattern ("夜班")
  std::vector<store::Id> person_ids;
};
// The published roster slots of post `post_id` starting in [from, to), by start. Injected by the
// composition root; until then the roster check is skipped and every response says so, and shift
// changes come from the pack's shift pattern alone.
using RosterSource = std::function<Result<std::vector<RosterShift>>(store::Id post_id,
                                                                    TimePoint from, TimePoint to)>;

// What the pack says about handing over one post: the merged handover checklists and the shift
// pattern the pack names for the post, if any. Pure; built per request from the pack in force.
struct HandoverRule {
  std::vector<std::string> checklists;  // ids, in the order merged
  std::string title;
  std::vector<std::string> clauses;
  std::vector<policy::ChecklistItem> items;
  std::vector<policy::RefusalCondition> refuse_if;
  std::vector<std::string> signatures;    // "outgoing", "incoming" in order
  std::chrono::seconds arrive_before{0};  // the window opens this long before the change
  // Arriving at least this long before the change is early enough (R17 §一1's 10-15 minutes: 10;
  // R12 §四(一)1's 10 minutes: 10). The journal and the report say whether the incoming did.
  std::chrono::seconds arrive_at_least{0};
  bool face_to_face = false;  // R17 §一2 当面履行交接手续: both parties sign in person
  // The site parameter giving the early-arrival window where the regulation names no figure
  // (R20 §四8); empty when the pack gives one. Unset at the site: no early arrival.
  std::string arrive_before_param;
  std::vector<std::string> window_clauses;  // the clause of arrive_before
  bool issues_after_belong_to_incoming = false;
  std::vector<std::string> issues_clauses;
  std::vector<std::string> notify_roles;  // superiors of the post's roles
  policy::ShiftPattern pattern;  // a copy (outlives a pack reload); no shifts: the pack names none
};

// The handover checklists applying to `post_name`: the first `kind: handover` checklist of the
// regulation defining the post and of each regulation defining one of its roles (R12 §二: its
// handover applies to every 中控员 post). kFailedPrecondition when the pack has no handover
// checklist for the post. The shift changes come from the post's published roster (any pattern the
// site chose, docs/rosters.md) and, where none covers the time, from the pack's pattern for it.
Result<HandoverRule> RuleFor(const policy::Pack& pack, std::string_view post_name);

inline constexpr std::string_view kGraceParameter = "handover_grace";

struct HandoverView {
  Handover handover;
  std::string post_name;
  HandoverRule rule;
  std::vector<std::string> unacknowledged;  // refs of abnormal entries not yet acknowledged
  std::vector<std::string> signed_by;       // "outgoing", "incoming" as signed
  std::string roster_check;                 // "passed" or why it was skipped
  std::string time_zone;                    // the site's (IANA name): print views show its times
};

class Handovers {
 public:
  Handovers(store::Store& store, store::Writer& writer, org::AuthService& auth,
            const policy::ActivePack& pack);
  // Set before serving; null functions mean "not available".
  void SetLogSource(LogSource source) { log_ = std::move(source); }
  void SetRosterSource(RosterSource source) { roster_ = std::move(source); }
  // The bus on which opening and completion are told (kernel/runtime/handover_events.hpp): what
  // other modules hand over with the post (the service module's open tickets). Null: nothing.
  void SetBus(const runtime::EventBus* bus) { bus_ = bus; }

  // The incoming person opens the handover of `post_id`; `outgoing_person_id` names the outgoing
  // when several people are on the post (0: the only one).
  Result<HandoverView> Open(const org::Principal& who, store::Id post_id,
                            store::Id outgoing_person_id);
  Result<HandoverView> Answer(const org::Principal& who, store::Id id,
                              const runtime::Answers& answers);
  Result<HandoverView> Acknowledge(const org::Principal& who, store::Id id,
                                   const std::vector<std::string>& refs);
  Result<HandoverView> Refuse(const org::Principal& who, store::Id id, const std::string& reason,
                              const std::string& note);
  Result<HandoverView> Sign(const org::Principal& who, store::Id id, const std::string& password);
  Result<HandoverView> Get(store::Id id);
  Result<std::vector<Handover>> List(const HandoverFilter& filter, store::PageRequest page);

 private:
  Result<HandoverView> View(store::UnitOfWork& unit, Handover h);
  Result<HandoverView> Mutate(
      const org::Principal& who, store::Id id,
      const std::function<Result<void>(store::Tx&, const HandoverRule&, Handover&)>& f);

  store::Store& store_;
  store::Writer& writer_;
  org::AuthService& auth_;
  const policy::ActivePack& pack_;
  LogSource log_;
  RosterSource roster_;
  const runtime::EventBus* bus_ = nullptr;
};

}  // namespace zhidu::handover
