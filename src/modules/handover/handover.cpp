#include "modules/handover/handover.hpp"

#include <algorithm>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "base/time.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/policy/post_rules.hpp"
#include "kernel/runtime/handover_events.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "modules/handover/handover_store.hpp"

namespace zhidu::handover {

namespace {

using store::Id;

std::string Ref(std::string_view kind, Id id) {
  return std::string(kind) + "/" + std::to_string(id);
}

template <typename T>
void AddUnique(std::vector<T>& to, const T& v) {
  if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

std::string StringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& s : items) out += (out.size() > 1 ? "," : "") + JsonQuote(s);
  return out + "]";
}

// Appends canonical object `obj` to the canonical JSON array `array`.
void Append(std::string& array, const std::string& obj) {
  if (array.size() <= 2) {
    array = "[" + obj + "]";
    return;
  }
  array.pop_back();
  array += "," + obj + "]";
}

// The strings of every `"key":"…"` in `json` — the report, acknowledgements and signatures are
// canonical JSON this module wrote, whose ref and role values never contain quotes.
std::vector<std::string> ValuesOf(const std::string& json, std::string_view key) {
  std::vector<std::string> out;
  const std::string needle = "\"" + std::string(key) + "\":\"";
  for (size_t at = json.find(needle); at != std::string::npos; at = json.find(needle, at)) {
    at += needle.size();
    size_t end = json.find('"', at);
    if (end == std::string::npos) break;
    out.push_back(json.substr(at, end - at));
  }
  return out;
}

// One acknowledgement or signature: what (ref or role), by whom, when.
std::string Mark(std::string_view key, std::string_view value, const org::Principal& who,
                 const std::string& at) {
  return CanonicalObject()
      .Add(key, value)
      .Add("person_id", who.person_id)
      .Add("account_id", who.account_id)
      .Add("at", at)
      .Str();
}

std::string Hhmm(TimePoint t, const TimeZone& zone) {
  std::string iso = FormatIso8601(t, zone);
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

TimeZone ZoneOf(const store::Site& site) {
  auto z = TimeZone::Find(site.time_zone);
  return z ? *z : TimeZone::Default();
}

struct ShiftChange {
  TimePoint at;               // the incoming shift starts
  std::string incoming_name;  // the shift starting at `at`
  std::string outgoing_name;  // the shift ending at `at`
  TimePoint outgoing_start;
  std::optional<std::vector<Id>> rostered;  // the incoming slot's people; none: no roster slot
};

// Shift changes of `pattern` on the local days around `now` in `zone`, by time.
std::vector<ShiftChange> ChangesAround(const policy::ShiftPattern& pattern, TimePoint now,
                                       const TimeZone& zone) {
  using namespace std::chrono;
  std::vector<ShiftChange> out;
  auto today = floor<days>(zone.ToLocal(now));
  for (int d = -1; d <= 1; ++d)
    for (const auto& in : pattern.shifts) {
      const policy::ShiftDef* out_def = nullptr;
      for (const auto& o : pattern.shifts)
        if (o.end.minutes % 1440 == in.start.minutes % 1440) out_def = &o;
      if (!out_def) continue;
      TimePoint at =
          zone.FromLocal(local_time<Micros>(today + days(d)) + minutes(in.start.minutes));
      out.push_back({at, in.name, out_def->name, at - duration_cast<Micros>(out_def->Length()),
                     std::nullopt});
    }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  return out;
}

// Shift changes of a published roster: every slot that starts where another ends (the first
// slot of a roster has no outgoing shift to take over from), by time.
std::vector<ShiftChange> ChangesOfRoster(const std::vector<RosterShift>& slots) {
  std::vector<ShiftChange> out;
  for (const auto& in : slots)
    for (const auto& o : slots)
      if (o.ends_at == in.starts_at) {
        out.push_back({in.starts_at, in.name, o.name, o.starts_at, in.person_ids});
        break;
      }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  return out;
}

std::string_view RoleOf(const Handover& h, Id person_id) {
  if (person_id != 0 && person_id == h.outgoing_person) return "outgoing";
  if (person_id != 0 && person_id == h.incoming_person) return "incoming";
  return "";
}

Result<void> RequireIncoming(const org::Principal& who, const Handover& h, std::string_view what) {
  if (RoleOf(h, who.person_id) != "incoming")
    return Fail(
        Errc::kPermissionDenied, Reason{"handover.not_incoming"},
        "only the incoming person of handover " + std::to_string(h.id) + " " + std::string(what));
  return Ok();
}

Result<void> RequireOpen(const Handover& h) {
  if (h.state != HandoverState::kOpen)
    return Fail(Errc::kFailedPrecondition, Reason{"handover.already_closed"},
                "handover " + std::to_string(h.id) + " is already " +
                    std::string(HandoverStateName(h.state)));
  return Ok();
}

}  // namespace

Result<HandoverRule> RuleFor(const policy::Pack& pack, std::string_view post_name) {
  const policy::Post* post = pack.FindPost(post_name);
  if (!post)
    return Fail(Errc::kFailedPrecondition, Reason{"handover.no_checklist"},
                "post \"" + std::string(post_name) +
                    "\" is not a post of the pack in force, so no " +
                    "handover checklist applies to it");
  HandoverRule rule;
  for (const policy::Checklist* checklist :
       policy::HandoverFormOf(pack, *post, &rule.notify_roles)) {
    const policy::Checklist& c = *checklist;
    rule.checklists.push_back(c.id);
    if (rule.title.empty()) rule.title = c.title;
    for (const auto& cl : c.clauses) AddUnique(rule.clauses, cl);
    for (const auto& item : c.items)
      if (std::none_of(rule.items.begin(), rule.items.end(),
                       [&](const auto& i) { return i.id == item.id; }))
        rule.items.push_back(item);
    for (const auto& r : c.refuse_if) rule.refuse_if.push_back(r);
    if (rule.signatures.empty()) rule.signatures = c.signatures;
    auto lead =
        std::max(c.arrive_before ? c.arrive_before->fixed : std::chrono::seconds(0),
                 c.arrive_before_max ? c.arrive_before_max->fixed : std::chrono::seconds(0));
    if (lead > rule.arrive_before) {
      rule.arrive_before = lead;
      rule.arrive_at_least = c.arrive_before ? c.arrive_before->fixed : lead;
      rule.window_clauses = {c.clauses.front()};
    }
    if (c.face_to_face) rule.face_to_face = true;
    if (!c.arrive_before_param.empty() && rule.arrive_before_param.empty()) {
      rule.arrive_before_param = c.arrive_before_param;
      if (rule.window_clauses.empty()) rule.window_clauses = {c.clauses.front()};
    }
    if (c.issues_after_belong_to_incoming) {
      rule.issues_after_belong_to_incoming = true;
      rule.issues_clauses = c.clauses;
    }
  }
  if (rule.checklists.empty())
    return Fail(Errc::kFailedPrecondition, Reason{"handover.no_checklist"},
                "the pack has no handover checklist (kind: handover) for post \"" +
                    std::string(post_name) + "\"");
  std::erase_if(rule.signatures,
                [](const std::string& s) { return s != "outgoing" && s != "incoming"; });
  for (const char* s : {"outgoing", "incoming"}) AddUnique(rule.signatures, std::string(s));
  for (const auto& p : pack.shift_patterns())
    if (p.post == post_name) {
      rule.pattern = p;
      break;
    }
  return rule;
}

Handovers::Handovers(store::Store& store, store::Writer& writer, org::AuthService& auth,
                     const policy::ActivePack& pack)
    : store_(store), writer_(writer), auth_(auth), pack_(pack) {}

Result<HandoverView> Handovers::Open(const org::Principal& who, Id post_id, Id outgoing_person_id) {
  if (who.person_id == 0)
    return Fail(Errc::kPermissionDenied, Reason{"account.no_person"},
                "your account is not linked to a person, so it cannot take over a post");
  auto pack = pack_.Current();
  const bool roster_wired = static_cast<bool>(roster_);
  return writer_.Run<HandoverView>([&](store::Tx& tx) -> Result<HandoverView> {
    auto& unit = tx.unit();
    ZHIDU_TRY(store::Post post, unit.GetPost(post_id));
    ZHIDU_TRY(store::Person me, unit.GetPerson(who.person_id));
    if (me.site_id != post.site_id)
      return Fail(Errc::kPermissionDenied, "post " + post.name + " is at another site");
    ZHIDU_TRY(store::Site site, unit.GetSite(post.site_id));
    const TimeZone zone = ZoneOf(site);
    ZHIDU_TRY(HandoverRule rule, RuleFor(*pack, post.name));
    const TimePoint now = tx.now();

    // The window: [S - arrive_before, S + handover_grace].
    std::chrono::seconds grace{0};
    ZHIDU_TRY(auto grace_text,
              runtime::SiteParameters::Lookup(unit, post.site_id, kGraceParameter));
    if (grace_text)
      if (auto d = policy::ParseDuration(*grace_text); d) grace = d->fixed;
    std::string lead_text = std::to_string(rule.arrive_before.count() / 60) + " min";
    if (!rule.arrive_before_param.empty()) {
      ZHIDU_TRY(auto text,
                runtime::SiteParameters::Lookup(unit, post.site_id, rule.arrive_before_param));
      std::chrono::seconds param{0};
      if (text)
        if (auto d = policy::ParseDuration(*text); d) param = d->fixed;
      if (param >= rule.arrive_before)
        lead_text = text ? *text + " (the site's " + rule.arrive_before_param + ")"
                         : "0 min (the site's " + rule.arrive_before_param + " is not set)";
      rule.arrive_before = std::max(rule.arrive_before, param);
      rule.arrive_at_least = std::max(rule.arrive_at_least, param);
    }
    const auto lead = std::chrono::duration_cast<Micros>(rule.arrive_before);

    // The shift changes: the published roster's (whatever pattern the site rostered the post
    // with), else the pack's pattern for the post.
    std::vector<ShiftChange> changes;
    if (roster_wired) {
      ZHIDU_TRY(auto slots,
                roster_(post_id, now - std::chrono::hours(48), now + std::chrono::hours(48)));
      changes = ChangesOfRoster(slots);
    }
    if (changes.empty() && !rule.pattern.shifts.empty()) {
      // A pattern whose hours are the site's (R19's 排班表): unset, it gives no shift change.
      ZHIDU_TRY(auto settings, runtime::SiteSettings::Read(unit, post.site_id));
      auto pattern = policy::WithSiteHours(
          rule.pattern, [&](std::string_view name) { return settings.Value(name); });
      if (pattern) changes = ChangesAround(*pattern, now, zone);
    }
    if (changes.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"handover.no_roster"},
                  "post " + post.name +
                      " has no published roster around now and the pack names no shift pattern "
                      "for it, so its shift changes are unknown: publish a roster for the post");
    std::optional<ShiftChange> change;
    std::optional<ShiftChange> next;
    for (const auto& c : changes) {
      if (now >= c.at - lead && now <= c.at + grace) change = c;
      if (!next && c.at - lead > now) next = c;
    }
    const std::string window_clause =
        rule.window_clauses.empty() ? std::string() : "（" + Join(rule.window_clauses, "、") + "）";
    if (!change) {
      std::string msg =
          "outside the handover window of post " + post.name + ": now is " + Hhmm(now, zone) + "; ";
      if (next)
        msg += "the next one, for the " + next->incoming_name + " starting " +
               Hhmm(next->at, zone) + ", is open from " + Hhmm(next->at - lead, zone) + " to " +
               Hhmm(next->at + grace, zone);
      else
        msg += "no shift change is near";
      msg += window_clause + " — the incoming arrives " + lead_text +
             " before the shift starts; after the start only within the site's " +
             std::string(kGraceParameter) + " (" +
             (grace_text ? *grace_text : std::string("not set: no grace")) + ")";
      return Fail(Errc::kConflict, Reason{"handover.outside_window"}, msg);
    }

    // The outgoing is on the post; the incoming is not.
    ZHIDU_TRY(auto on, unit.ListAttendanceAt(post_id, 0, now));
    for (const auto& a : on)
      if (a.person_id == who.person_id)
        return Fail(Errc::kConflict, Reason{"handover.already_on_post"},
                    "you are already on post " + post.name +
                        ": the handover is opened by the incoming person");
    if (on.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"handover.nobody_on_post"},
                  "nobody is on post " + post.name +
                      " to hand over: the outgoing must be on the "
                      "post (attendance)");
    Id outgoing = outgoing_person_id;
    if (outgoing == 0) {
      if (on.size() > 1)
        return Fail(Errc::kInvalidArgument, Reason{"handover.name_outgoing"},
                    std::to_string(on.size()) + " people are on post " + post.name +
                        ": name the outgoing (outgoing_person_id)",
                    "outgoing_person_id");
      outgoing = on.front().person_id;
    } else if (std::none_of(on.begin(), on.end(),
                            [&](const auto& a) { return a.person_id == outgoing; })) {
      return Fail(Errc::kInvalidArgument, Reason{"handover.outgoing_not_on_post"},
                  "person " + std::to_string(outgoing) + " is not on post " + post.name,
                  "outgoing_person_id");
    }
    std::string roster_check = "skipped: rosters are not wired into handover yet";
    if (roster_wired) {
      if (!change->rostered) {
        roster_check = "skipped: no published roster covers post " + post.name +
                       " for the shift starting " + Hhmm(change->at, zone);
      } else if (std::find(change->rostered->begin(), change->rostered->end(), who.person_id) ==
                 change->rostered->end()) {
        return Fail(Errc::kFailedPrecondition, Reason{"handover.not_rostered"},
                    "you are not rostered on post " + post.name + " for the shift starting " +
                        Hhmm(change->at, zone));
      } else {
        roster_check = "passed";
      }
    }

    // The frozen report: what the outgoing shift did, from its start (or from the previous
    // handover's opening, whose later entries rolled into this shift) until now.
    TimePoint from = change->outgoing_start;
    ZHIDU_TRY(auto prev, db::LatestHandover(unit.sql(), post_id, HandoverState::kCompleted));
    if (prev && prev->shift_change == change->outgoing_start) from = prev->opened_at;
    std::vector<std::string> duties, violations, abnormal, log;
    auto ts = [&](TimePoint t) { return FormatIso8601(t, zone); };
    store::DutyFilter df;
    df.site_id = post.site_id;
    df.post_id = post_id;
    df.due_from = from - std::chrono::hours(24);
    df.due_before = now;
    store::PageRequest page{0, 500};
    for (int pages = 0; pages < 100; ++pages) {
      ZHIDU_TRY(auto rows, unit.ListDutyInstances(df, page));
      for (const auto& d : rows) {
        bool done_in =
            d.completed_at != TimePoint{} && d.completed_at >= from && d.completed_at < now;
        bool due_in = d.due_at >= from && d.due_at < now;
        if (!done_in && !due_in) continue;
        CanonicalObject o;
        o.Add("id", d.id)
            .Add("duty", d.duty)
            .Add("due_at", ts(d.due_at))
            .Add("state", store::DutyStateName(d.state))
            .AddRaw("answers", d.answers);
        if (done_in)
          o.Add("completed_at", ts(d.completed_at)).Add("completed_person", d.completed_person);
        duties.push_back(o.Str());
        bool flagged = d.answers.find(":\"flag\"") != std::string::npos ||
                       d.answers.find(":\"fail\"") != std::string::npos;
        if (d.state == store::DutyState::kMissed || flagged)
          abnormal.push_back(CanonicalObject()
                                 .Add("ref", Ref("duty", d.id))
                                 .Add("what", d.duty + (flagged ? " flagged" : " missed"))
                                 .Str());
      }
      if (static_cast<int>(rows.size()) < page.limit) break;
      page.after_id = rows.back().id;
    }
    store::ViolationFilter vf;
    vf.site_id = post.site_id;
    vf.from = from;
    vf.before = now;
    ZHIDU_TRY(auto vrows, unit.ListViolations(vf, {0, 500}));
    for (const auto& v : vrows) {
      if (v.post_id != post_id) continue;
      violations.push_back(CanonicalObject()
                               .Add("id", v.id)
                               .Add("code", v.code)
                               .Add("person_id", v.person_id)
                               .Add("occurred_at", ts(v.occurred_at))
                               .Add("note", v.note)
                               .Str());
      abnormal.push_back(
          CanonicalObject().Add("ref", Ref("violation", v.id)).Add("what", v.code).Str());
    }
    std::string log_source = "not wired: the duty log is read once it exists";
    if (log_) {
      ZHIDU_TRY(auto entries, log_(post_id, from, now));
      for (const auto& e : entries) {
        log.push_back(CanonicalObject()
                          .Add("id", e.id)
                          .Add("at", ts(e.at))
                          .Add("author", e.author)
                          .Add("kind", e.kind)
                          .Add("text", e.text)
                          .Add("abnormal", e.abnormal)
                          .Str());
        if (e.abnormal)
          abnormal.push_back(
              CanonicalObject().Add("ref", Ref("log", e.id)).Add("what", e.text).Str());
      }
      log_source = "duty log";
    }
    // What other modules hand over with the post (the outgoing's open tickets on a queue's post),
    // frozen into the report (kernel/runtime/handover_events.hpp).
    std::vector<runtime::CarriedItem> carried_items;
    if (bus_)
      ZHIDU_TRY_VOID(
          bus_->Emit(tx, runtime::HandoverOpening{post.site_id, post_id, post.name, outgoing,
                                                  who.person_id, &carried_items}));
    std::vector<std::string> carried;
    for (const auto& c : carried_items)
      carried.push_back(
          CanonicalObject().Add("item", c.item).Add("what", c.what).Add("module", c.module).Str());
    // The incoming's arrival against the early-arrival rule (R12 §四(一)1, R17 §一1).
    const auto ahead = std::chrono::duration_cast<std::chrono::seconds>(change->at - now);
    const bool early_enough = ahead >= rule.arrive_at_least;
    std::vector<std::string> on_post;
    for (const auto& a : on)
      on_post.push_back(
          CanonicalObject().Add("person_id", a.person_id).Add("since", ts(a.started_at)).Str());
    auto array = [](const std::vector<std::string>& objs) { return "[" + Join(objs, ",") + "]"; };

    Handover h;
    h.site_id = post.site_id;
    h.post_id = post_id;
    h.checklists = Join(rule.checklists, "\n");
    h.shift_change = change->at;
    h.report_from = from;
    h.outgoing_person = outgoing;
    h.incoming_person = who.person_id;
    h.opened_by = who.account_id;
    h.opened_at = now;
    h.report =
        CanonicalObject()
            .Add("post_id", post_id)
            .Add("post", post.name)
            .Add("site_id", post.site_id)
            .Add("from", ts(from))
            .Add("to", ts(now))
            .Add("outgoing_shift", change->outgoing_name)
            .Add("incoming_shift", change->incoming_name)
            .Add("shift_change", ts(change->at))
            .AddRaw("duties", array(duties))
            .AddRaw("violations", array(violations))
            .AddRaw("on_post", array(on_post))
            .AddRaw("log", log_ ? array(log) : std::string("null"))
            .Add("log_source", log_source)
            .AddRaw("abnormal", array(abnormal))
            .AddRaw("carried", array(carried))
            .AddRaw("arrival", CanonicalObject()
                                   .Add("minutes_before_change", ahead.count() / 60)
                                   .Add("required_minutes", rule.arrive_at_least.count() / 60)
                                   .Add("early_enough", early_enough)
                                   .AddRaw("clauses", StringArray(rule.window_clauses))
                                   .Str())
            .Str();
    h.report_sha256 = ToHex(Sha256Of(h.report));
    auto inserted = db::InsertHandover(unit.sql(), h);
    if (!inserted && inserted.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"handover.already_open"},
                  "post " + post.name + " already has an open handover");
    if (!inserted) return Fail(inserted.error());
    h.id = *inserted;
    ZHIDU_TRY(auto seq, tx.Journal("handover.opened", who.account_id, Ref("handover", h.id),
                                   CanonicalObject()
                                       .Add("handover_id", h.id)
                                       .Add("site_id", h.site_id)
                                       .Add("post_id", post_id)
                                       .Add("post", post.name)
                                       .Add("shift_change", FormatIso8601Utc(change->at))
                                       .Add("outgoing_person_id", outgoing)
                                       .Add("incoming_person_id", who.person_id)
                                       .Add("report_sha256", h.report_sha256)
                                       .Add("arrived_early_enough", early_enough)
                                       .Add("carried", static_cast<std::int64_t>(carried.size()))
                                       .Add("roster_check", roster_check)
                                       .AddRaw("checklists", StringArray(rule.checklists))
                                       .AddRaw("clauses", StringArray(rule.window_clauses))
                                       .Str()));
    (void)seq;
    ZHIDU_TRY(HandoverView view, View(unit, h));
    view.roster_check = roster_check;
    return view;
  });
}

Result<HandoverView> Handovers::Mutate(
    const org::Principal& who, Id id,
    const std::function<Result<void>(store::Tx&, const HandoverRule&, Handover&)>& f) {
  (void)who;
  auto pack = pack_.Current();
  return writer_.Run<HandoverView>([&](store::Tx& tx) -> Result<HandoverView> {
    ZHIDU_TRY(Handover h, db::GetHandover(tx.unit().sql(), id));
    ZHIDU_TRY_VOID(RequireOpen(h));
    ZHIDU_TRY(store::Post post, tx.unit().GetPost(h.post_id));
    ZHIDU_TRY(HandoverRule rule, RuleFor(*pack, post.name));
    ZHIDU_TRY_VOID(f(tx, rule, h));
    ZHIDU_TRY_VOID(db::UpdateHandover(tx.unit().sql(), h));
    return View(tx.unit(), h);
  });
}

Result<HandoverView> Handovers::Answer(const org::Principal& who, Id id,
                                       const runtime::Answers& answers) {
  return Mutate(who, id, [&](store::Tx& tx, const HandoverRule& rule, Handover& h) -> Result<void> {
    std::string_view role = RoleOf(h, who.person_id);
    if (role.empty())
      return Fail(Errc::kPermissionDenied, Reason{"handover.not_party"},
                  "only the outgoing and the incoming person fill the "
                  "checklist of handover " +
                      std::to_string(id));
    if (h.signatures.find("\"role\":\"") != std::string::npos)
      return Fail(Errc::kFailedPrecondition, Reason{"handover.answers_final"},
                  "handover " + std::to_string(id) + " is being signed: the answers are final");
    ZHIDU_TRY(h.answers, runtime::Duties::ValidateAnswers(rule.items, answers));
    ZHIDU_TRY(auto seq, tx.Journal("handover.answered", who.account_id, Ref("handover", id),
                                   CanonicalObject()
                                       .Add("handover_id", id)
                                       .Add("site_id", h.site_id)
                                       .Add("by", role)
                                       .AddRaw("answers", h.answers)
                                       .Str()));
    (void)seq;
    return Ok();
  });
}

Result<HandoverView> Handovers::Acknowledge(const org::Principal& who, Id id,
                                            const std::vector<std::string>& refs) {
  return Mutate(who, id, [&](store::Tx& tx, const HandoverRule&, Handover& h) -> Result<void> {
    ZHIDU_TRY_VOID(RequireIncoming(who, h, "acknowledges the previous shift's abnormal entries"));
    if (refs.empty())
      return Fail(Errc::kInvalidArgument, kRequired, "name the abnormal entries you acknowledge",
                  "items");
    auto abnormal = ValuesOf(h.report, "ref");
    auto acked = ValuesOf(h.acknowledgements, "ref");
    const std::string at = FormatIso8601Utc(tx.now());
    for (const auto& ref : refs) {
      if (std::find(abnormal.begin(), abnormal.end(), ref) == abnormal.end())
        return Fail(Errc::kInvalidArgument, kInvalid,
                    "\"" + ref + "\" is not an abnormal entry of this handover's report (" +
                        (abnormal.empty() ? std::string("it has none") : Join(abnormal, ", ")) +
                        ")",
                    "items");
      if (std::find(acked.begin(), acked.end(), ref) != acked.end()) continue;
      acked.push_back(ref);
      Append(h.acknowledgements, Mark("ref", ref, who, at));
    }
    ZHIDU_TRY(auto seq, tx.Journal("handover.acknowledged", who.account_id, Ref("handover", id),
                                   CanonicalObject()
                                       .Add("handover_id", id)
                                       .Add("site_id", h.site_id)
                                       .AddRaw("items", StringArray(refs))
                                       .Str()));
    (void)seq;
    return Ok();
  });
}

Result<HandoverView> Handovers::Refuse(const org::Principal& who, Id id, const std::string& reason,
                                       const std::string& note) {
  return Mutate(who, id, [&](store::Tx& tx, const HandoverRule& rule, Handover& h) -> Result<void> {
    ZHIDU_TRY_VOID(RequireIncoming(who, h, "refuses to take over (五不接)"));
    const policy::RefusalCondition* cond = nullptr;
    std::vector<std::string> ids;
    for (const auto& r : rule.refuse_if) {
      ids.push_back(r.id);
      if (r.id == reason) cond = &r;
    }
    if (!cond)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  ids.empty() ? "the pack gives no refusal reasons (refuse_if) for this post"
                              : "unknown reason \"" + reason + "\": one of " + Join(ids, ", "),
                  "reason");
    if (note.size() > 4000)
      return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "the note is longer than 4000 bytes",
                  "note");
    const std::string at = FormatIso8601Utc(tx.now());
    h.state = HandoverState::kRefused;
    h.closed_at = tx.now();
    h.refusal = CanonicalObject()
                    .Add("reason", cond->id)
                    .Add("label", cond->label)
                    .AddRaw("clauses", StringArray(cond->clauses))
                    .Add("note", note)
                    .Add("person_id", who.person_id)
                    .Add("at", at)
                    .Str();
    ZHIDU_TRY(store::Post post, tx.unit().GetPost(h.post_id));
    ZHIDU_TRY(auto seq, tx.Journal("handover.refused", who.account_id, Ref("handover", id),
                                   CanonicalObject()
                                       .Add("handover_id", id)
                                       .Add("site_id", h.site_id)
                                       .Add("post_id", h.post_id)
                                       .Add("post", post.name)
                                       .Add("reason", cond->id)
                                       .Add("title", "拒绝接班：" + cond->label)
                                       .AddRaw("clauses", StringArray(cond->clauses))
                                       .Add("note", note)
                                       .Add("outgoing_person_id", h.outgoing_person)
                                       .Add("incoming_person_id", h.incoming_person)
                                       .Add("outgoing_stays_on_post", true)
                                       .AddRaw("notify_roles", StringArray(rule.notify_roles))
                                       .Str()));
    (void)seq;
    return Ok();
  });
}

Result<HandoverView> Handovers::Sign(const org::Principal& who, Id id,
                                     const std::string& password) {
  // Everything that can refuse is judged before the password is checked, and again in the write.
  auto check = [&](store::UnitOfWork& unit, const Handover& h,
                   std::string_view* role_out) -> Result<void> {
    ZHIDU_TRY_VOID(RequireOpen(h));
    std::string_view role = RoleOf(h, who.person_id);
    if (role.empty())
      return Fail(Errc::kPermissionDenied, Reason{"handover.not_party"},
                  "only the outgoing (person " + std::to_string(h.outgoing_person) +
                      ") and the incoming (person " + std::to_string(h.incoming_person) +
                      ") sign handover " + std::to_string(id));
    ZHIDU_TRY(HandoverView v, View(unit, h));
    auto signed_by = v.signed_by;
    if (std::find(signed_by.begin(), signed_by.end(), role) != signed_by.end())
      return Fail(Errc::kConflict, Reason{"handover.already_signed"},
                  "the " + std::string(role) + " has already signed");
    for (const auto& s : v.rule.signatures) {
      if (s == role) break;
      if (std::find(signed_by.begin(), signed_by.end(), s) == signed_by.end())
        return Fail(Errc::kFailedPrecondition,
                    Reason{s == "outgoing" ? "handover.outgoing_signs_first"
                                           : "handover.incoming_signs_first"},
                    "the " + s + " signs first (" + Join(v.rule.clauses, "、") + ": " +
                        Join(v.rule.signatures, " → ") + ")");
    }
    if (h.answers == "{}" && std::any_of(v.rule.items.begin(), v.rule.items.end(),
                                         [](const auto& i) { return i.required; }))
      return Fail(Errc::kFailedPrecondition, Reason{"handover.checklist_first"},
                  "fill handover " + std::to_string(id) + "'s checklist first");
    if (role == "incoming" && !v.unacknowledged.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"handover.acknowledge_first"},
                  "acknowledge the previous shift's abnormal entries before signing: " +
                      Join(v.unacknowledged, ", "));
    *role_out = role;
    return Ok();
  };
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY(Handover h, db::GetHandover(unit->sql(), id));
    std::string_view role;
    ZHIDU_TRY_VOID(check(*unit, h, &role));
  }
  auto confirmed = auth_.ConfirmPassword(who.account_id, password);
  if (!confirmed && confirmed.error().code == Errc::kUnauthenticated) {
    ZHIDU_TRY(auto seq, writer_.Run<std::int64_t>([&](store::Tx& tx) {
      return tx.Journal("handover.signature_failed", who.account_id, Ref("handover", id),
                        CanonicalObject()
                            .Add("handover_id", id)
                            .Add("signer", who.account_id)
                            .Add("person_id", who.person_id)
                            .Str());
    }));
    (void)seq;
    return Fail(Errc::kPermissionDenied, Reason{"auth.signature_password"},
                "签名失败：密码不正确 (the signature was not made)", "password");
  }
  if (!confirmed) return Fail(confirmed.error());

  return writer_.Run<HandoverView>([&](store::Tx& tx) -> Result<HandoverView> {
    auto& unit = tx.unit();
    ZHIDU_TRY(Handover h, db::GetHandover(unit.sql(), id));
    std::string_view role;
    ZHIDU_TRY_VOID(check(unit, h, &role));
    ZHIDU_TRY(store::Post post, unit.GetPost(h.post_id));
    ZHIDU_TRY(HandoverView before, View(unit, h));
    const TimePoint now = tx.now();
    const std::string at = FormatIso8601Utc(now);
    Append(h.signatures, Mark("role", role, who, at));
    ZHIDU_TRY(auto seq, tx.Journal("handover.signed", who.account_id, Ref("handover", id),
                                   CanonicalObject()
                                       .Add("handover_id", id)
                                       .Add("site_id", h.site_id)
                                       .Add("role", role)
                                       .Add("person_id", who.person_id)
                                       // both parties see each signature live (the incoming's
                                       // 接班人签名 waits for the outgoing's)
                                       .AddRaw("notify_people",
                                               "[" + std::to_string(h.outgoing_person) + "," +
                                                   std::to_string(h.incoming_person) + "]")
                                       .Str()));
    (void)seq;
    auto signed_by = ValuesOf(h.signatures, "role");
    bool all = std::all_of(
        before.rule.signatures.begin(), before.rule.signatures.end(), [&](const auto& s) {
          return std::find(signed_by.begin(), signed_by.end(), s) != signed_by.end();
        });
    if (all) {
      // The switch of attendance (在岗): the outgoing leaves, relieved by the incoming.
      ZHIDU_TRY(auto out, unit.ListAttendanceAt(h.post_id, h.outgoing_person, now));
      if (out.empty())
        return Fail(Errc::kFailedPrecondition, Reason{"handover.outgoing_left"},
                    "the outgoing (person " + std::to_string(h.outgoing_person) +
                        ") is no longer on post " + post.name);
      ZHIDU_TRY_VOID(unit.EndAttendance(out.front().id, now, h.incoming_person));
      ZHIDU_TRY(auto in, unit.ListAttendanceAt(h.post_id, h.incoming_person, now));
      if (in.empty()) {
        store::Attendance a{0, h.site_id, h.post_id, h.incoming_person, now, TimePoint{}, 0};
        ZHIDU_TRY(a.id, unit.InsertAttendance(a));
      }
      auto post_record = [&](Id person, Id relief) {
        CanonicalObject o;
        o.Add("site_id", h.site_id)
            .Add("post_id", h.post_id)
            .Add("post", post.name)
            .Add("person_id", person)
            .Add("handover_id", id);
        if (relief) o.Add("relief_person_id", relief);
        return o.Str();
      };
      ZHIDU_TRY(auto s1, tx.Journal("post.left", who.account_id, Ref("post", h.post_id),
                                    post_record(h.outgoing_person, h.incoming_person)));
      ZHIDU_TRY(auto s2, tx.Journal("post.taken", who.account_id, Ref("post", h.post_id),
                                    post_record(h.incoming_person, 0)));
      (void)s1;
      (void)s2;
      // What other modules pass to the incoming (the outgoing's open tickets), in this transaction.
      std::vector<runtime::CarriedItem> passed;
      if (bus_)
        ZHIDU_TRY_VOID(bus_->Emit(
            tx, runtime::HandoverCompleted{id, h.site_id, h.post_id, post.name, h.outgoing_person,
                                           h.incoming_person, who.account_id, before.rule.clauses,
                                           &passed}));
      std::vector<std::string> passed_items;
      for (const auto& c : passed) passed_items.push_back(c.item);
      // The seal: SHA-256 over the frozen report and everything both sides put to it.
      h.seal_sha256 = ToHex(
          Sha256Of(h.report + "\n" + h.answers + "\n" + h.acknowledgements + "\n" + h.signatures));
      h.state = HandoverState::kCompleted;
      h.closed_at = now;
      CanonicalObject done;
      done.Add("handover_id", id)
          .Add("site_id", h.site_id)
          .Add("post_id", h.post_id)
          .Add("post", post.name)
          .Add("report_sha256", h.report_sha256)
          .Add("seal_sha256", h.seal_sha256)
          .Add("outgoing_person_id", h.outgoing_person)
          .Add("incoming_person_id", h.incoming_person)
          .AddRaw("clauses", StringArray(before.rule.clauses))
          .AddRaw("carried", StringArray(passed_items))
          .Add("face_to_face", before.rule.face_to_face);
      if (before.rule.issues_after_belong_to_incoming)
        done.Add("responsible_person_id", h.incoming_person)
            .Add("responsible_from", at)
            .AddRaw("responsibility_clauses", StringArray(before.rule.issues_clauses));
      ZHIDU_TRY(auto s3,
                tx.Journal("handover.completed", who.account_id, Ref("handover", id), done.Str()));
      (void)s3;
    }
    ZHIDU_TRY_VOID(db::UpdateHandover(unit.sql(), h));
    return View(unit, h);
  });
}

Result<HandoverView> Handovers::View(store::UnitOfWork& unit, Handover h) {
  HandoverView v;
  ZHIDU_TRY(store::Post post, unit.GetPost(h.post_id));
  v.post_name = post.name;
  ZHIDU_TRY(store::Site site, unit.GetSite(post.site_id));
  v.time_zone = std::string(ZoneOf(site).name());
  if (auto rule = RuleFor(*pack_.Current(), post.name); rule) v.rule = std::move(*rule);
  auto acked = ValuesOf(h.acknowledgements, "ref");
  for (const auto& ref : ValuesOf(h.report, "ref"))
    if (std::find(acked.begin(), acked.end(), ref) == acked.end()) v.unacknowledged.push_back(ref);
  v.signed_by = ValuesOf(h.signatures, "role");
  // The outcome at opening is in the handover.opened journal record (and the open response).
  v.roster_check = roster_ ? "checked at opening (journal record handover.opened)"
                           : "skipped: rosters are not wired into handover yet";
  v.handover = std::move(h);
  return v;
}

Result<HandoverView> Handovers::Get(Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Handover h, db::GetHandover(unit->sql(), id));
  return View(*unit, std::move(h));
}

Result<std::vector<Handover>> Handovers::List(const HandoverFilter& filter,
                                              store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListHandovers(unit->sql(), filter, page);
}

}  // namespace zhidu::handover
