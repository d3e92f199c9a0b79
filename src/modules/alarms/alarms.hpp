// Alarms (报警): configured points per site, their ISA-18.2 state, ingest from HTTP and MQTT, the
// duty-log entries they make, and alarm KPIs. R02 §二4 / R09 §二4 (record every fault the control
// system reports and watch it), R20 §三4 (an alarm is checked and recorded), R16 §二7.
//
// States of a point (ISA-18.2 / IEC 62682):
//
//            active                       ack
//   normal ─────────> active_unack ─────────────> active_ack
//     ^                  │ normal                    │ normal
//     │      ack         v                           │
//     └──────────── rtn_unack <── (active again: active_unack)
//     └──────────────────────────────────────────────┘
//
//  plus two overlays that keep the state but stop annunciation (no duty-log entry, not counted in
//  the KPIs): shelved (by an operator, with a mandatory expiry `until` that a durable timer
//  "alarm.unshelve" enforces on the server) and suppressed by design (out of service).
//
// Invariants:
//  1. Every state change is journaled in the transaction that makes it: alarm.point.created,
//     alarm.activated, alarm.returned, alarm.acknowledged, alarm.shelved, alarm.unshelved,
//     alarm.suppressed, alarm.unsuppressed, alarm.ingest.rejected (MQTT).
//  2. An HTTP batch is all or nothing: an unknown source or point refuses the whole batch (4xx
//     naming it) and nothing is written.
//  3. An annunciated activation lands in the duty log as an `alarm` entry; activations of the same
//     point within options.aggregation_window of that entry's first one are merged into it
//     (repeat_count), so a flood cannot flood the log.
//  4. Repeated `active` messages for an active point change nothing (counted as unchanged).
//  5. Operating the equipment (acknowledging): a point of a post whose pack rules say only the
//     person on duty operates it (policy::OperatingClauses: R16 §一5
//     设备除值班人员外其他人不得操作, R12 §四(二之2)1 上机操作, R20 §一1) is acknowledged only by a
//     person on duty at that post — duty.manage does not stand in; refused kPermissionDenied citing
//     those clauses. Other points: a person on duty at the site or an account with duty.manage.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "modules/alarms/alarms_types.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::alarms {

inline constexpr std::string_view kUnshelveTimer = "alarm.unshelve";
inline constexpr std::string_view kIngestPermission = "alarms.ingest";

struct AlarmOptions {
  // Repeats of a point within this window of its log entry's first activation merge into it.
  // Configuration (zhidu serve --alarm-aggregation), not a regulation figure.
  Micros aggregation_window = std::chrono::minutes(10);
  // The longest a point may be shelved (zhidu serve --alarm-max-shelve).
  Micros max_shelve = std::chrono::hours(24);
};

struct NewPoint {
  store::Id site_id = 0;
  store::Id post_id = 0;
  std::string source, tag, title, kind;
  int priority = 3;
};

// One message from a source: point `point` of `source` is now active or normal.
struct Event {
  std::string source;
  std::string point;
  std::string state;            // "active" or "normal"
  std::optional<TimePoint> at;  // when the source saw it; default: now
  std::string value;            // the value sent, as text; empty when none
};

struct IngestResult {
  int received = 0;
  int activations = 0;                // transitions into active
  int returned = 0;                   // transitions to normal / rtn_unack
  int unchanged = 0;                  // e.g. `active` for a point already active
  std::vector<std::string> rejected;  // MQTT only: why each rejected event was refused
};

struct ChatteringPoint {
  store::Id point_id = 0;
  int max_in_60s = 0;  // most activations within any 60 s
};

// ISA-18.2 / EEMUA 191 performance figures over [from, to) (docs/alarms.md).
struct Kpi {
  TimePoint from, to;
  int windows = 0;           // 10-minute windows in the period (the last may be partial)
  int activations = 0;       // annunciated activations
  double per_10min = 0;      // activations / windows
  int peak_10min = 0;        // most activations in one window
  int flood_windows = 0;     // windows with more than 10 activations
  double flood_percent = 0;  // flood_windows / windows * 100
  std::vector<ChatteringPoint> chattering;  // >= 3 activations of one point within 60 s
  std::vector<AlarmPoint> stale;            // active for more than 24 h at min(to, now)
  int shelved = 0, suppressed = 0;          // points shelved / suppressed now
};

// Site events raised on the event bus (kernel/runtime/bus.hpp) inside the ingest's transaction,
// so an alarm and the procedure it starts commit together (docs/alarms.md). The convention names
// the pack's event after the point's kind, so no C++ names a pack's procedure:
//  - every annunciated activation of a point of kind K raises "K_alarm" (kind "fire" →
//    "fire_alarm", R20's procedure; "scada" → "scada_alarm", R02 §二4's), with ref
//    "alarm-point/<id>" and the point's title as subject;
//  - its return to normal raises "cleared" with the same ref (故障自动消除则不上报).
std::string AlarmEventOf(std::string_view kind);
inline constexpr std::string_view kClearedEvent = "cleared";

class Alarms {
 public:
  Alarms(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
         const org::RoleCatalogue& roles, const Clock& clock, AlarmOptions options = {});

  // Registers the alarm.unshelve timer handler (before scheduler.Start()).
  void RegisterHandlers();
  // The bus the site events above go to; without it (unit tests) none is raised. Set before
  // serving.
  void SetBus(const runtime::EventBus* bus) { bus_ = bus; }
  // The pack whose posts say who operates their equipment (invariant 5); without it (unit tests)
  // anyone on duty at the site may. Set before serving.
  void SetPack(const policy::ActivePack* pack) { pack_ = pack; }

  Result<AlarmPoint> CreatePoint(const org::Principal& who, const NewPoint& in);
  Result<AlarmPoint> Get(const org::Principal& who, store::Id id);
  Result<std::vector<AlarmPoint>> List(const org::Principal& who, store::Id site_id, bool only_live,
                                       store::PageRequest page);

  // HTTP: all or nothing (invariant 2). Needs alarms.ingest at every point's site.
  Result<IngestResult> Ingest(const org::Principal& who, const std::vector<Event>& events);
  // MQTT: each event on its own; unknown sources/points are counted, journaled and skipped.
  Result<IngestResult> IngestTrusted(const std::vector<Event>& events, const std::string& channel);
  // Journals a message that could not be read at all (channel "mqtt", the topic, why).
  void Reject(const std::string& channel, const std::string& topic, const std::string& reason);
  std::uint64_t rejected() const { return rejected_.load(); }

  // Invariant 5: `cited` (if given) receives the clauses a refusal cites.
  Result<AlarmPoint> Acknowledge(const org::Principal& who, store::Id id,
                                 std::vector<std::string>* cited = nullptr);
  Result<AlarmPoint> Shelve(const org::Principal& who, store::Id id, TimePoint until,
                            const std::string& reason);
  Result<AlarmPoint> Unshelve(const org::Principal& who, store::Id id);
  Result<AlarmPoint> Suppress(const org::Principal& who, store::Id id, const std::string& reason);
  Result<AlarmPoint> Unsuppress(const org::Principal& who, store::Id id);

  // post_id 0: the whole site; otherwise the alarms of that console position (the operator).
  Result<Kpi> ComputeKpi(const org::Principal& who, store::Id site_id, store::Id post_id,
                         TimePoint from, TimePoint to);

 private:
  // Fills each point's operating_clauses from the pack in force (one post lookup per post).
  Result<void> Annotate(store::UnitOfWork& unit, std::vector<AlarmPoint*> points) const;
  // Site → the roles told of its alarms (AudienceOf), computed once per transaction.
  using Audiences = std::map<store::Id, std::vector<std::string>>;
  // One ingest job (an HTTP request or an MQTT message): its points read in one statement per
  // 64 events, its writes made at its end in a few multi-row statements (alarms.cpp).
  struct IngestJob;
  Result<void> Apply(store::Tx& tx, AlarmPoint& p, const Event& e, IngestResult& out,
                     IngestJob& job);
  // Who is told of a site's alarms live (payload notify_roles, docs/notifications.md): the roles
  // of every post of the site in the pack in force, and each role's superior — everyone who may
  // be on duty there and their leads (issue 17 §6). Without a pack (unit tests): nobody by role.
  // The answer lives in `audiences` (read once per site, never copied per event).
  Result<const std::vector<std::string>*> AudienceOf(store::UnitOfWork& unit, store::Id site_id,
                                                     Audiences& audiences) const;
  // Raises the site event `event` about point `p` on the bus, in `tx` (see above).
  Result<void> RaiseFor(store::Tx& tx, const AlarmPoint& p, const std::string& event) const;
  Result<void> CanOperate(const org::Principal& who, store::UnitOfWork& unit, const AlarmPoint& p,
                          TimePoint now, std::vector<std::string>* cited);
  Result<AlarmPoint> Change(const org::Principal& who, store::Id id, bool manage,
                            const std::function<Result<void>(store::Tx&, AlarmPoint&)>& f,
                            std::vector<std::string>* cited = nullptr);

  store::Store& store_;
  store::Writer& writer_;
  scheduler::Scheduler& scheduler_;
  const org::RoleCatalogue& roles_;
  const Clock& clock_;
  const policy::ActivePack* pack_ = nullptr;
  AlarmOptions options_;
  const runtime::EventBus* bus_ = nullptr;
  std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace zhidu::alarms
