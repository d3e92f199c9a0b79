#include "modules/alarms/alarms.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "kernel/policy/post_rules.hpp"
#include "kernel/runtime/events.hpp"
#include "kernel/scheduler/subject.hpp"
#include "modules/alarms/alarms_store.hpp"
#include "modules/dutylog/dutylog.hpp"
#include "modules/dutylog/dutylog_store.hpp"

namespace zhidu::alarms {

namespace {

constexpr std::string_view kDutyManage = "duty.manage";  // kernel/runtime/duties.hpp
constexpr Micros kWindow = std::chrono::minutes(10);     // ISA-18.2 measures per 10 minutes
constexpr int kFloodAbove = 10;                          // > 10 alarms per 10 min: a flood
constexpr Micros kChatterSpan = std::chrono::seconds(60);
constexpr int kChatterCount = 3;                        // >= 3 activations in 60 s: chattering
constexpr Micros kStaleAfter = std::chrono::hours(24);  // standing > 24 h: stale

std::string Subject(store::Id id) { return scheduler::TimerSubject{"alarm", id, {}}.Str(); }

bool Shelved(const AlarmPoint& p) { return p.shelved_until != TimePoint{}; }

CanonicalObject PointPayload(const AlarmPoint& p) {
  CanonicalObject o;
  o.Add("id", p.id).Add("site_id", p.site_id).Add("source", p.source).Add("tag", p.tag);
  o.Add("kind", p.kind)
      .Add("state", std::string(AlarmStateName(p.state)))
      .Add("title", p.title)
      .Add("priority", p.priority);
  return o;
}

}  // namespace

Alarms::Alarms(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
               const org::RoleCatalogue& roles, const Clock& clock, AlarmOptions options)
    : store_(store),
      writer_(writer),
      scheduler_(scheduler),
      roles_(roles),
      clock_(clock),
      options_(options) {}

void Alarms::RegisterHandlers() {
  scheduler_.Register(
      std::string(kUnshelveTimer), [](store::Tx& tx, const store::Timer& t) -> Result<void> {
        ZHIDU_TRY(auto subject, scheduler::SubjectOf(t, "alarm"));
        ZHIDU_TRY(auto p, db::GetAlarmPoint(tx.unit().sql(), subject.id));
        if (p.shelve_timer != t.id) return Ok();  // unshelved by hand already
        p.shelved_until = TimePoint{};
        p.shelve_reason.clear();
        p.shelved_by = 0;
        p.shelve_timer = 0;
        ZHIDU_TRY_VOID(db::UpdateAlarmPoint(tx.unit().sql(), p));
        auto payload = PointPayload(p);
        payload.Add("reason", "expired");
        ZHIDU_TRY(auto seq, tx.Journal("alarm.unshelved", 0, Subject(p.id), payload.Str()));
        (void)seq;
        return Ok();
      });
}

Result<AlarmPoint> Alarms::CreatePoint(const org::Principal& who, const NewPoint& in) {
  if (!roles_.Allows(who, org::perm::kOrgWrite, {in.site_id, 0}))
    return Fail(Errc::kPermissionDenied, "configuring alarm points needs org.write at the site");
  auto check = [](const std::string& v, std::string_view field, size_t max) -> Result<void> {
    if (v.empty() || v.size() > max)
      return Fail(Errc::kInvalidArgument,
                  std::string(field) + " must have 1 to " + std::to_string(max) + " bytes",
                  std::string(field));
    return Ok();
  };
  ZHIDU_TRY_VOID(check(in.source, "source", 100));
  ZHIDU_TRY_VOID(check(in.tag, "tag", 200));
  ZHIDU_TRY_VOID(check(in.title, "title", 200));
  ZHIDU_TRY_VOID(check(in.kind, "kind", 50));
  if (in.priority < 1 || in.priority > 4)
    return Fail(Errc::kInvalidArgument, "priority must be 1 (highest) to 4", "priority");
  return writer_.Run<AlarmPoint>([&](store::Tx& tx) -> Result<AlarmPoint> {
    auto site = tx.unit().GetSite(in.site_id);
    if (!site) return Fail(site.error().code, site.error().message, "site_id");
    if (in.post_id) {
      auto post = tx.unit().GetPost(in.post_id);
      if (!post || post->site_id != in.site_id)
        return Fail(Errc::kInvalidArgument,
                    "post " + std::to_string(in.post_id) + " is not a post of this site",
                    "post_id");
    }
    AlarmPoint p;
    p.site_id = in.site_id;
    p.post_id = in.post_id;
    p.source = in.source;
    p.tag = in.tag;
    p.title = in.title;
    p.kind = in.kind;
    p.priority = in.priority;
    p.created_at = tx.now();
    auto id = db::InsertAlarmPoint(tx.unit().sql(), p);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict,
                  "source \"" + in.source + "\" already has a point \"" + in.tag + "\"", "tag");
    ZHIDU_TRY(p.id, std::move(id));
    auto payload = PointPayload(p);
    payload.Add("title", p.title).Add("priority", p.priority).Add("post_id", p.post_id);
    ZHIDU_TRY(auto seq,
              tx.Journal("alarm.point.created", who.account_id, Subject(p.id), payload.Str()));
    (void)seq;
    ZHIDU_TRY_VOID(Annotate(tx.unit(), {&p}));
    return p;
  });
}

Result<AlarmPoint> Alarms::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto p, db::GetAlarmPoint(unit->sql(), id));
  if (!roles_.Allows(who, org::perm::kOrgRead, {p.site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading this site's alarms needs org.read");
  ZHIDU_TRY_VOID(Annotate(*unit, {&p}));
  return p;
}

Result<void> Alarms::Annotate(store::UnitOfWork& unit, std::vector<AlarmPoint*> points) const {
  if (!pack_) return Ok();
  auto pack = pack_->Current();
  std::map<store::Id, std::vector<std::string>> by_post;
  for (AlarmPoint* p : points) {
    if (!p->post_id) continue;
    auto it = by_post.find(p->post_id);
    if (it == by_post.end()) {
      ZHIDU_TRY(auto post, unit.GetPost(p->post_id));
      it = by_post.emplace(p->post_id, policy::OperatingClauses(*pack, post.name)).first;
    }
    p->operating_clauses = it->second;
  }
  return Ok();
}

Result<std::vector<AlarmPoint>> Alarms::List(const org::Principal& who, store::Id site_id,
                                             bool only_live, store::PageRequest page) {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!roles_.Allows(who, org::perm::kOrgRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading this site's alarms needs org.read");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rows, db::ListAlarmPoints(unit->sql(), site_id, only_live, page));
  std::vector<AlarmPoint*> points;
  for (auto& p : rows) points.push_back(&p);
  ZHIDU_TRY_VOID(Annotate(*unit, std::move(points)));
  return rows;
}

std::string AlarmEventOf(std::string_view kind) { return std::string(kind) + "_alarm"; }

Result<void> Alarms::RaiseFor(store::Tx& tx, const AlarmPoint& p, const std::string& event) const {
  if (!bus_ || p.kind.empty()) return Ok();
  return bus_->Emit(
      tx, runtime::SiteEvent{p.site_id, event, p.title, "alarm-point/" + std::to_string(p.id), {}});
}

Result<const std::vector<std::string>*> Alarms::AudienceOf(store::UnitOfWork& unit,
                                                           store::Id site_id,
                                                           Audiences& audiences) const {
  if (auto known = audiences.find(site_id); known != audiences.end()) return &known->second;
  std::vector<std::string> roles;
  auto add = [&roles](const std::string& role) {
    if (!role.empty() && std::find(roles.begin(), roles.end(), role) == roles.end())
      roles.push_back(role);
  };
  if (pack_) {
    auto pack = pack_->Current();
    store::PageRequest page{0, 500};
    for (;;) {
      ZHIDU_TRY(auto posts, unit.ListPosts(site_id, page));
      for (const auto& post : posts)
        if (const policy::Post* rule = pack->FindPost(post.name))
          for (const auto& role : rule->roles) {
            add(role);
            if (const policy::Role* r = pack->FindRole(role)) add(r->reports_to);
          }
      if (static_cast<int>(posts.size()) < page.limit) break;
      page.after_id = posts.back().id;
    }
  }
  return &audiences.emplace(site_id, std::move(roles)).first->second;
}

// The points an ingest job reads, keyed by (source, tag), and the rows its events write: the
// activations, the duty-log repeats (per entry) and the points' new state, written by Flush at the
// end of the job — in its transaction, before the writer commits it, so what a request changes
// still commits or vanishes with its journal records and the procedures it starts (invariant 1).
// Nothing in the job reads these rows back: the points are read from here, and no other module
// reads alarm_points or alarm_activations.
struct Alarms::IngestJob {
  Audiences audiences;
  std::map<std::pair<std::string, std::string>, AlarmPoint> points;
  std::vector<const AlarmPoint*> changed;  // distinct, in the order of their first change
  std::set<store::Id> changed_ids;
  std::vector<AlarmActivation> activations;
  std::map<store::Id, dutylog::db::Repeats> repeats;  // by duty-log entry

  Result<void> Load(store::Sql& sql, const std::vector<Event>& events) {
    std::vector<std::pair<std::string, std::string>> keys;
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const auto& e : events)
      if (seen.emplace(e.source, e.point).second) keys.emplace_back(e.source, e.point);
    return db::FindAlarmPoints(sql, keys, [&](AlarmPoint p) {
      auto key = std::make_pair(p.source, p.tag);
      points.insert_or_assign(std::move(key), std::move(p));
    });
  }
  AlarmPoint* Find(const Event& e) {
    auto it = points.find(std::make_pair(e.source, e.point));
    return it == points.end() ? nullptr : &it->second;
  }
  void Changed(const AlarmPoint& p) {
    if (changed_ids.insert(p.id).second) changed.push_back(&p);
  }
  void Repeat(store::Id entry, TimePoint at) {
    auto& r = repeats[entry];
    r.id = entry;
    ++r.n;
    r.last_at = std::max(r.last_at, at);
  }
  Result<void> Flush(store::Sql& sql) {
    ZHIDU_TRY_VOID(db::InsertAlarmActivations(sql, activations));
    std::vector<dutylog::db::Repeats> entries;
    for (const auto& [id, r] : repeats) entries.push_back(r);
    ZHIDU_TRY_VOID(dutylog::db::AddDutyLogRepeats(sql, entries));
    return db::UpdateAlarmPoints(sql, changed);
  }
};

Result<void> Alarms::Apply(store::Tx& tx, AlarmPoint& p, const Event& e, IngestResult& out,
                           IngestJob& job) {
  const TimePoint at = e.at.value_or(tx.now());
  const bool active = IsActive(p.state);
  if (e.state == "active") {
    if (active) {
      ++out.unchanged;
      return Ok();
    }
    p.state = AlarmState::kActiveUnack;
    p.active_since = at;
    p.changed_at = at;
    ++p.activations;
    ++out.activations;
    const bool annunciated = !p.suppressed && !Shelved(p);
    job.activations.push_back({0, p.site_id, p.id, p.post_id, at, e.value, annunciated});
    auto payload = PointPayload(p);
    payload.Add("at", FormatIso8601Utc(at)).Add("value", e.value).Add("annunciated", annunciated);
    // A suppressed or shelved point's activation is recorded, not announced to anyone.
    if (annunciated) {
      ZHIDU_TRY(auto audience, AudienceOf(tx.unit(), p.site_id, job.audiences));
      payload.AddRaw("notify_roles", JsonStringArray(*audience));
    }
    if (annunciated) {
      // Invariant 3: merge into the point's entry while inside its aggregation window.
      if (p.log_entry_id && at >= p.log_window_start &&
          at - p.log_window_start < options_.aggregation_window) {
        job.Repeat(p.log_entry_id, at);
        payload.Add("log_entry", p.log_entry_id).Add("merged", true);
      } else {
        store::DutyLogEntry entry;
        entry.site_id = p.site_id;
        entry.post_id = p.post_id;
        entry.kind = "alarm";
        entry.text = p.title + "报警（" + p.source + "/" + p.tag + "）" +
                     (e.value.empty() ? "" : "，值 " + e.value);
        entry.at = at;
        entry.ref = Subject(p.id);
        ZHIDU_TRY(auto made, dutylog::DutyLog::AppendInTx(tx, std::move(entry)));
        p.log_entry_id = made.id;
        p.log_window_start = at;
        payload.Add("log_entry", made.id).Add("merged", false);
      }
      ZHIDU_TRY_VOID(RaiseFor(tx, p, AlarmEventOf(p.kind)));
    }
    ZHIDU_TRY(auto seq, tx.Journal("alarm.activated", 0, Subject(p.id), payload.Str()));
    (void)seq;
  } else {
    if (!active) {
      ++out.unchanged;
      return Ok();
    }
    p.state = p.state == AlarmState::kActiveUnack ? AlarmState::kRtnUnack : AlarmState::kNormal;
    p.active_since = TimePoint{};
    p.changed_at = at;
    ++out.returned;
    ZHIDU_TRY(auto audience, AudienceOf(tx.unit(), p.site_id, job.audiences));
    auto payload = PointPayload(p);
    payload.Add("at", FormatIso8601Utc(at))
        .Add("value", e.value)
        .AddRaw("notify_roles", JsonStringArray(*audience));
    ZHIDU_TRY(auto seq, tx.Journal("alarm.returned", 0, Subject(p.id), payload.Str()));
    (void)seq;
    ZHIDU_TRY_VOID(RaiseFor(tx, p, std::string(kClearedEvent)));
  }
  job.Changed(p);
  return Ok();
}

Result<IngestResult> Alarms::Ingest(const org::Principal& who, const std::vector<Event>& events) {
  ZHIDU_TRY(auto out, writer_.Run<IngestResult>([&](store::Tx& tx) -> Result<IngestResult> {
    IngestResult out;
    IngestJob job;
    ZHIDU_TRY_VOID(job.Load(tx.unit().sql(), events));
    std::set<store::Id> allowed_sites;
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      AlarmPoint* p = job.Find(e);
      if (!p) {
        std::string field = "events[" + std::to_string(i) + "]";
        return Fail(Errc::kInvalidArgument,
                    field + ": unknown alarm point \"" + e.point + "\" of source \"" + e.source +
                        "\" (configure the alarm point first)",
                    field + ".point");
      }
      if (!allowed_sites.contains(p->site_id)) {
        if (!roles_.Allows(who, kIngestPermission, {p->site_id, 0}))
          return Fail(
              Errc::kPermissionDenied,
              "sending alarms for site " + std::to_string(p->site_id) + " needs alarms.ingest");
        allowed_sites.insert(p->site_id);
      }
      ++out.received;
      ZHIDU_TRY_VOID(Apply(tx, *p, e, out, job));
    }
    ZHIDU_TRY_VOID(job.Flush(tx.unit().sql()));
    return out;
  }));
  return out;
}

Result<IngestResult> Alarms::IngestTrusted(const std::vector<Event>& events,
                                           const std::string& channel) {
  ZHIDU_TRY(auto out, writer_.Run<IngestResult>([&](store::Tx& tx) -> Result<IngestResult> {
    IngestResult out;
    IngestJob job;
    ZHIDU_TRY_VOID(job.Load(tx.unit().sql(), events));
    for (const auto& e : events) {
      ++out.received;
      AlarmPoint* p = job.Find(e);
      if (!p) {
        std::string why = "unknown alarm point \"" + e.point + "\" of source \"" + e.source + "\"";
        CanonicalObject payload;
        payload.Add("channel", channel).Add("source", e.source).Add("point", e.point);
        payload.Add("reason", why);
        ZHIDU_TRY(auto seq, tx.Journal("alarm.ingest.rejected", 0, "alarm/ingest", payload.Str()));
        (void)seq;
        out.rejected.push_back(why);
        continue;
      }
      ZHIDU_TRY_VOID(Apply(tx, *p, e, out, job));
    }
    ZHIDU_TRY_VOID(job.Flush(tx.unit().sql()));
    return out;
  }));
  rejected_ += out.rejected.size();
  return out;
}

void Alarms::Reject(const std::string& channel, const std::string& topic,
                    const std::string& reason) {
  ++rejected_;
  (void)writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    CanonicalObject payload;
    payload.Add("channel", channel).Add("topic", topic).Add("reason", reason);
    ZHIDU_TRY(auto seq, tx.Journal("alarm.ingest.rejected", 0, "alarm/ingest", payload.Str()));
    (void)seq;
    return 0;
  });
}

Result<void> Alarms::CanOperate(const org::Principal& who, store::UnitOfWork& unit,
                                const AlarmPoint& p, TimePoint now,
                                std::vector<std::string>* cited) {
  // Invariant 5: the post's equipment is operated by whoever is on duty at that post.
  if (p.post_id && pack_) {
    ZHIDU_TRY(auto post, unit.GetPost(p.post_id));
    auto clauses = policy::OperatingClauses(*pack_->Current(), post.name);
    if (!clauses.empty()) {
      if (who.person_id) {
        ZHIDU_TRY(auto on, unit.ListAttendanceAt(p.post_id, who.person_id, now));
        if (!on.empty()) return Ok();
      }
      if (cited) *cited = clauses;
      return Fail(Errc::kPermissionDenied,
                  policy::ClausePrefix(clauses) + post.name +
                      "的设备只由在岗值班人员操作 — you are not on duty at "
                      "post " +
                      std::to_string(p.post_id));
    }
  }
  if (roles_.Allows(who, kDutyManage, {p.site_id, 0})) return Ok();
  if (who.person_id) {
    ZHIDU_TRY(auto stints, unit.ListAttendanceAt(0, who.person_id, now));
    for (const auto& a : stints)
      if (a.site_id == p.site_id) return Ok();
  }
  return Fail(Errc::kPermissionDenied,
              "only a person on duty at this site or an account with duty.manage handles its "
              "alarms");
}

Result<AlarmPoint> Alarms::Change(const org::Principal& who, store::Id id, bool manage,
                                  const std::function<Result<void>(store::Tx&, AlarmPoint&)>& f,
                                  std::vector<std::string>* cited) {
  return writer_.Run<AlarmPoint>([&](store::Tx& tx) -> Result<AlarmPoint> {
    ZHIDU_TRY(auto p, db::GetAlarmPoint(tx.unit().sql(), id));
    if (manage) {
      // Shelving and suppression take an alarm away from the operator: a lead authorises them.
      if (!roles_.Allows(who, kDutyManage, {p.site_id, 0}))
        return Fail(Errc::kPermissionDenied, "shelving or suppressing alarms needs duty.manage");
    } else {
      ZHIDU_TRY_VOID(CanOperate(who, tx.unit(), p, tx.now(), cited));
    }
    ZHIDU_TRY_VOID(f(tx, p));
    ZHIDU_TRY_VOID(db::UpdateAlarmPoint(tx.unit().sql(), p));
    ZHIDU_TRY_VOID(Annotate(tx.unit(), {&p}));
    return p;
  });
}

Result<AlarmPoint> Alarms::Acknowledge(const org::Principal& who, store::Id id,
                                       std::vector<std::string>* cited) {
  return Change(
      who, id, false,
      [&](store::Tx& tx, AlarmPoint& p) -> Result<void> {
        const std::string from(AlarmStateName(p.state));
        if (p.state == AlarmState::kActiveUnack)
          p.state = AlarmState::kActiveAck;
        else if (p.state == AlarmState::kRtnUnack)
          p.state = AlarmState::kNormal;
        else
          return Fail(Errc::kFailedPrecondition, "alarm " + std::to_string(id) +
                                                     " is not unacknowledged (it is " + from + ")");
        p.changed_at = tx.now();
        Audiences audiences;
        ZHIDU_TRY(auto audience, AudienceOf(tx.unit(), p.site_id, audiences));
        auto payload = PointPayload(p);
        payload.Add("from", from)
            .Add("person_id", who.person_id)
            .AddRaw("notify_roles", JsonStringArray(*audience));
        ZHIDU_TRY(auto seq,
                  tx.Journal("alarm.acknowledged", who.account_id, Subject(p.id), payload.Str()));
        (void)seq;
        return Ok();
      },
      cited);
}

Result<AlarmPoint> Alarms::Shelve(const org::Principal& who, store::Id id, TimePoint until,
                                  const std::string& reason) {
  if (reason.empty() || reason.size() > 1000)
    return Fail(Errc::kInvalidArgument, "reason must have 1 to 1000 bytes", "reason");
  auto p = Change(who, id, true, [&](store::Tx& tx, AlarmPoint& p) -> Result<void> {
    if (until <= tx.now())
      return Fail(Errc::kInvalidArgument, "until must be in the future", "until");
    if (until - tx.now() > options_.max_shelve)
      return Fail(
          Errc::kInvalidArgument,
          "until is further away than the longest shelving this server allows (" +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::minutes>(options_.max_shelve).count()) +
              " minutes)",
          "until");
    if (Shelved(p))
      return Fail(Errc::kFailedPrecondition,
                  "alarm " + std::to_string(id) + " is already shelved; unshelve it first");
    store::Timer t;
    t.site_id = p.site_id;
    t.kind = std::string(kUnshelveTimer);
    t.subject = Subject(p.id);
    t.payload = "{}";
    t.due_at = until;
    ZHIDU_TRY(p.shelve_timer, scheduler::Scheduler::Schedule(tx, t));
    p.shelved_until = until;
    p.shelve_reason = reason;
    p.shelved_by = who.account_id;
    auto payload = PointPayload(p);
    payload.Add("until", FormatIso8601Utc(until)).Add("reason", reason);
    ZHIDU_TRY(auto seq, tx.Journal("alarm.shelved", who.account_id, Subject(p.id), payload.Str()));
    (void)seq;
    return Ok();
  });
  if (p) scheduler_.Wake(until);
  return p;
}

Result<AlarmPoint> Alarms::Unshelve(const org::Principal& who, store::Id id) {
  return Change(who, id, true, [&](store::Tx& tx, AlarmPoint& p) -> Result<void> {
    if (!Shelved(p))
      return Fail(Errc::kFailedPrecondition, "alarm " + std::to_string(id) + " is not shelved");
    if (p.shelve_timer) {
      auto cancelled = tx.unit().CancelTimer(p.shelve_timer, tx.now());
      if (!cancelled && cancelled.error().code != Errc::kFailedPrecondition)
        return Fail(cancelled.error());
    }
    p.shelved_until = TimePoint{};
    p.shelve_reason.clear();
    p.shelved_by = 0;
    p.shelve_timer = 0;
    auto payload = PointPayload(p);
    payload.Add("reason", "manual");
    ZHIDU_TRY(auto seq,
              tx.Journal("alarm.unshelved", who.account_id, Subject(p.id), payload.Str()));
    (void)seq;
    return Ok();
  });
}

Result<AlarmPoint> Alarms::Suppress(const org::Principal& who, store::Id id,
                                    const std::string& reason) {
  if (reason.empty() || reason.size() > 1000)
    return Fail(Errc::kInvalidArgument, "reason must have 1 to 1000 bytes", "reason");
  return Change(who, id, true, [&](store::Tx& tx, AlarmPoint& p) -> Result<void> {
    if (p.suppressed)
      return Fail(Errc::kFailedPrecondition, "alarm " + std::to_string(id) + " is suppressed");
    p.suppressed = true;
    p.suppress_reason = reason;
    auto payload = PointPayload(p);
    payload.Add("reason", reason);
    ZHIDU_TRY(auto seq,
              tx.Journal("alarm.suppressed", who.account_id, Subject(p.id), payload.Str()));
    (void)seq;
    return Ok();
  });
}

Result<AlarmPoint> Alarms::Unsuppress(const org::Principal& who, store::Id id) {
  return Change(who, id, true, [&](store::Tx& tx, AlarmPoint& p) -> Result<void> {
    if (!p.suppressed)
      return Fail(Errc::kFailedPrecondition, "alarm " + std::to_string(id) + " is not suppressed");
    p.suppressed = false;
    p.suppress_reason.clear();
    ZHIDU_TRY(auto seq, tx.Journal("alarm.unsuppressed", who.account_id, Subject(p.id),
                                   PointPayload(p).Str()));
    (void)seq;
    return Ok();
  });
}

Result<Kpi> Alarms::ComputeKpi(const org::Principal& who, store::Id site_id, store::Id post_id,
                               TimePoint from, TimePoint to) {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!roles_.Allows(who, org::perm::kOrgRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading this site's alarms needs org.read");
  if (to <= from) return Fail(Errc::kInvalidArgument, "to must be after from", "to");
  if (to - from > std::chrono::hours(24 * 366))
    return Fail(Errc::kInvalidArgument, "the period is longer than 366 days", "to");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto site, unit->GetSite(site_id));
  (void)site;
  ZHIDU_TRY(auto acts, db::ListAlarmActivations(unit->sql(), site_id, post_id, from, to));
  Kpi k;
  k.from = from;
  k.to = to;
  k.windows = static_cast<int>((to - from + kWindow - Micros(1)) / kWindow);
  std::vector<int> per_window(static_cast<size_t>(k.windows), 0);
  std::map<store::Id, std::vector<TimePoint>> by_point;
  for (const auto& a : acts) {
    if (!a.annunciated) continue;
    ++k.activations;
    ++per_window[static_cast<size_t>((a.at - from) / kWindow)];
    by_point[a.point_id].push_back(a.at);
  }
  for (int c : per_window) {
    k.peak_10min = std::max(k.peak_10min, c);
    if (c > kFloodAbove) ++k.flood_windows;
  }
  k.per_10min = static_cast<double>(k.activations) / k.windows;
  k.flood_percent = 100.0 * k.flood_windows / k.windows;
  for (const auto& [point, times] : by_point) {
    int best = 0;
    size_t lo = 0;
    for (size_t hi = 0; hi < times.size(); ++hi) {
      while (times[hi] - times[lo] >= kChatterSpan) ++lo;
      best = std::max(best, static_cast<int>(hi - lo + 1));
    }
    if (best >= kChatterCount) k.chattering.push_back({point, best});
  }
  const TimePoint at = std::min(to, clock_.Now());
  store::PageRequest page{0, 500};
  for (int guard = 0; guard < 10000; ++guard) {
    ZHIDU_TRY(auto points, db::ListAlarmPoints(unit->sql(), site_id, true, page));
    for (const auto& p : points) {
      if (post_id && p.post_id != post_id) continue;
      if (Shelved(p)) ++k.shelved;
      if (p.suppressed) ++k.suppressed;
      bool active = IsActive(p.state);
      if (active && at - p.active_since > kStaleAfter) k.stale.push_back(p);
    }
    if (points.size() < static_cast<size_t>(page.limit)) break;
    page.after_id = points.back().id;
  }
  return k;
}

}  // namespace zhidu::alarms
