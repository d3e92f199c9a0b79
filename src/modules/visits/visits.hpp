// Visitors (来访) to controlled places and the footage (录像) register of the control rooms.
// docs/visitors.md has the design.
//
// Visits. A visit is allowed by an approved request whose type a place's access rule names
// (places[].access[] with effect `request`: R12's r12-control-room-entry for 中控室, R16's
// r16-outsider-entry / r16-department-entry for 厂区中控室): the request kind decides the rule and
// the clause cited. Approval is the requests module's (kernel/runtime/requests.*): this module
// only reads the request and its decisions.
//   registered ──entry──> entered ──exit──> exited
// Invariants:
//  1. A visit is registered only under an approved request of its site whose type the place's
//     access rule names; one visit per request (UNIQUE(request_id)). Anything else is refused
//     (kFailedPrecondition citing the rule's clauses) and nothing is written.
//  2. The escort is the person the approver named (names_escort steps, R12 §四(二之2)4); the
//     registering operator cannot substitute another.
//  3. Each step (visit.registered, visit.entered, visit.exited) and its duty-log entry (kind
//     visitor) commit with the state change in one writer job; state changes are compare-and-set,
//     so a double entry or exit is kConflict and writes nothing.
//  4. When the last visit inside a place exits, the site event visitors_left (data: place,
//     if_staffed) is raised in the same job, so R02 §一4's 参观人员走后立即清扫 falls due for the
//     posts of the place's regulation that have a shift under way (docs/visitors.md).
//
// Footage. Segments are registered (site, camera, start, end, storage reference, tape number of
// the 盘带登记, R16 §二9). Deletion is soft and refused while the segment is younger than the pack
// retention's `min` (R16 §二3: counted from the segment's end, calendar months in the site's time
// zone). Copying is always refused (R16 §一6, the pack's copy prohibitions / copy_forbidden),
// and the refusal is journaled. Viewing needs an approved footage-view request of the viewer
// (R12 §三(五), R16 §一7); each view is journaled (footage.viewed).
//
// Thread-safe: handlers call it concurrently; writes go through the single Writer.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/events.hpp"
#include "modules/visits/visits_types.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::visits {

using store::Id;

// Registering visits and recording entry/exit (the control-room operators and their leads).
inline constexpr std::string_view kPermVisitsManage = "visits.manage";
// Registering and deleting footage segments.
inline constexpr std::string_view kPermFootageManage = "footage.manage";
// The site event raised when the last visitor inside a place leaves (invariant 4).
inline constexpr std::string_view kVisitorsLeft = "visitors_left";

// What the pack does not type yet: which record is the footage and which request types allow
// viewing it. Set by the composition root (src/app/server.cpp) from the shipped pack's ids.
struct FootageRules {
  std::string record = "r16-cctv-footage";  // retention rules of this record apply
  std::vector<std::string> view_requests = {"r16-footage-view", "r12-footage-access"};
};

// A refusal that cites the regulation: the error plus the clause ids (first = error.clause).
struct Cited {
  std::vector<std::string> clauses;
};

struct NewVisit {
  Id site_id = 0;
  std::string place;  // pack place id
  Id request_id = 0;
  std::string name;
  std::string company;
  std::string reason;           // empty: the request's reason
  Id escort_person_id = 0;      // only when the approval named nobody
  bool visitor_signed = false;  // 签名确认, required when the record has a signature
  std::vector<std::pair<std::string, std::string>> fields;  // other fields of the record
};

struct VisitView {
  Visit visit;
  std::string escort_name;
  std::string approver_name;
  std::vector<std::string> clauses;  // of the access rule that allowed it
};

struct NewFootage {
  Id site_id = 0;
  std::string camera;
  TimePoint starts_at;
  TimePoint ends_at;
  std::string storage_ref;
  std::string tape;
};

struct FootageView {
  FootageSegment segment;
  TimePoint keep_until;                // deletable from this instant (epoch: no retention rule)
  std::vector<std::string> retention;  // retention rule ids
};

class Visits {
 public:
  // Every reference must outlive the service.
  Visits(store::Store& store, store::Writer& writer, const org::RoleCatalogue& roles,
         const policy::ActivePack& pack, FootageRules footage = {});

  // `cited` (if given) receives the clauses a refusal cites.
  Result<VisitView> Register(const org::Principal& who, const NewVisit& in, Cited* cited = nullptr);
  Result<VisitView> Enter(const org::Principal& who, Id visit_id);
  Result<VisitView> Exit(const org::Principal& who, Id visit_id);
  // The event bus visitors_left is raised on (invariant 4); null: not raised. Set before serving.
  void SetBus(const runtime::EventBus* bus) { bus_ = bus; }
  Result<VisitView> Get(const org::Principal& who, Id visit_id);
  // filter.state "entered" lists the open visits (entered, not exited).
  Result<std::vector<VisitView>> List(const org::Principal& who, VisitFilter filter,
                                      store::PageRequest page);

  Result<FootageView> AddFootage(const org::Principal& who, const NewFootage& in);
  Result<FootageView> GetFootage(const org::Principal& who, Id id);
  Result<std::vector<FootageView>> ListFootage(const org::Principal& who, FootageFilter filter,
                                               store::PageRequest page);
  Result<FootageView> DeleteFootage(const org::Principal& who, Id id, Cited* cited = nullptr);
  // Always refused (kPermissionDenied citing the copy prohibitions); the refusal is journaled.
  Result<void> CopyFootage(const org::Principal& who, Id id, Cited* cited = nullptr);
  // Journals footage.viewed; refused (kPermissionDenied) without an approved view request of
  // `who` at the segment's site.
  Result<FootageView> ViewFootage(const org::Principal& who, Id id, Id request_id,
                                  Cited* cited = nullptr);

 private:
  Result<VisitView> Move(const org::Principal& who, Id visit_id, bool entering);
  Result<void> RaiseIfPlaceEmpty(store::Tx& tx, const org::Principal& who, const Visit& v);
  Result<VisitView> ViewOf(store::UnitOfWork& unit, Visit v) const;
  FootageView FootageOf(const policy::Pack& pack, const FootageSegment& s,
                        const TimeZone& zone) const;
  Result<TimeZone> ZoneOf(store::UnitOfWork& unit, Id site_id) const;

  store::Store& store_;
  const runtime::EventBus* bus_ = nullptr;
  store::Writer& writer_;
  const org::RoleCatalogue& roles_;
  const policy::ActivePack& pack_;
  FootageRules footage_;
};

}  // namespace zhidu::visits
