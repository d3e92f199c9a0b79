#include "modules/lounge/lounge.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <thread>

#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/runtime/events.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "kernel/runtime/site_parameters.hpp"

namespace zhidu::lounge {

namespace {

constexpr std::string_view kStateNames[] = {"arrived",  "seated", "reminded",
                                            "escorted", "missed", "done"};

std::string GuestRef(store::Id id) { return "lounge-guest/" + std::to_string(id); }
std::string Iso(TimePoint t) { return FormatIso8601Utc(t); }
// The guest as the pack's events and the journal name them: 贵宾 王先生, or 贵宾 #7.
std::string SubjectOf(const Guest& g) {
  return g.name.empty() ? "贵宾 #" + std::to_string(g.id) : "贵宾 " + g.name;
}

// Guest `id` when `who` holds a role at its site; 404 otherwise (another site's guest is unknown).
Result<Guest> LoadGuest(store::Sql& sql, const org::Principal& who, store::Id id) {
  auto found = db::Get(sql, id);
  if (!found || !org::HoldsRoleAt(who, {found->site_id, 0}))
    return Fail(Errc::kNotFound, Reason{"lounge.unknown_guest"},
                "guest " + std::to_string(id) + " does not exist");
  return *found;
}

// The pack's service level started by `event` (a `before` one first: the boarding reminder).
const policy::ServiceLevel* LevelStartedBy(const policy::Pack& pack, std::string_view event) {
  const policy::ServiceLevel* found = nullptr;
  for (const auto& sl : pack.service_levels()) {
    if (sl.start_event != event) continue;
    if (sl.before) return &sl;
    if (!found) found = &sl;
  }
  return found;
}

// The roles that may record `event` in the pack's procedures (those the reminder notice reaches).
std::vector<std::string> RolesOf(const policy::Pack& pack, std::string_view event) {
  std::vector<std::string> out;
  for (const auto& p : pack.procedures())
    for (const auto& t : p.transitions)
      if (t.on == event)
        for (const auto& r : t.roles)
          if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  return out;
}

// The clauses of the pack's procedures the arrival starts.
std::vector<std::string> VisitClauses(const policy::Pack& pack) {
  std::vector<std::string> out;
  for (const auto& p : pack.procedures())
    if (p.trigger == kArrived) out.insert(out.end(), p.clauses.begin(), p.clauses.end());
  return out;
}

std::vector<std::string> LevelClauses(const policy::Pack& pack, std::string_view event) {
  const auto* sl = LevelStartedBy(pack, event);
  return sl ? sl->clauses : VisitClauses(pack);
}

Result<TimeZone> ZoneOf(store::UnitOfWork& unit, store::Id site_id) {
  ZHIDU_TRY(auto site, unit.GetSite(site_id));
  return TimeZone::Find(site.time_zone.empty() ? std::string(kDefaultTimeZone) : site.time_zone);
}

// The people on the site's posts, at `at`, that the pack staffs with one of `roles` (a site post
// is the pack's post of its name): the lounge's on-duty attendants.
Result<std::vector<store::Id>> OnDuty(store::UnitOfWork& unit, const policy::Pack& pack,
                                      store::Id site_id, const std::vector<std::string>& roles,
                                      TimePoint at) {
  std::vector<store::Id> out;
  ZHIDU_TRY(auto posts, unit.ListPosts(site_id, {0, 1000}));
  for (const auto& post : posts) {
    bool staffed = false;
    for (const auto& p : pack.posts())
      if (p.id == post.name)
        for (const auto& r : p.roles)
          if (std::find(roles.begin(), roles.end(), r) != roles.end()) staffed = true;
    if (!staffed) continue;
    ZHIDU_TRY(auto stints, unit.ListAttendanceAt(post.id, 0, at));
    for (const auto& s : stints)
      if (std::find(out.begin(), out.end(), s.person_id) == out.end()) out.push_back(s.person_id);
  }
  return out;
}

Result<void> Text(const std::string& value, const char* field, bool required,
                  size_t max = kMaxText) {
  return CheckText(value, field, required, max);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<int> ParseHhMm(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() - colon != 3)
    return std::nullopt;
  int h = 0, m = 0;
  auto [e1, c1] = std::from_chars(s.data(), s.data() + colon, h);
  auto [e2, c2] = std::from_chars(s.data() + colon + 1, s.data() + s.size(), m);
  if (c1 != std::errc() || c2 != std::errc() || e1 != s.data() + colon ||
      e2 != s.data() + s.size() || h > 23 || m > 59 || h < 0 || m < 0)
    return std::nullopt;
  return h * 60 + m;
}

}  // namespace

std::string_view StateName(State s) { return kStateNames[static_cast<int>(s)]; }

std::string_view SmsStateName(SmsState s) {
  constexpr std::string_view kNames[] = {"", "sending", "sent", "failed"};
  return kNames[static_cast<int>(s)];
}

Result<State> ParseState(std::string_view name) {
  for (size_t i = 0; i < std::size(kStateNames); ++i)
    if (kStateNames[i] == name) return static_cast<State>(i);
  return Fail(Errc::kInvalidArgument, kInvalid,
              "state must be one of arrived, seated, reminded, escorted, missed, done", "state");
}

Result<std::string> NormaliseTrainNo(std::string_view s, const char* field) {
  s = Trim(s);
  std::string out;
  size_t i = 0;
  if (!s.empty() && std::isalpha(static_cast<unsigned char>(s[0]))) {
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    i = 1;
  }
  size_t digits = 0;
  for (; i < s.size(); ++i, ++digits) {
    if (s[i] < '0' || s[i] > '9') break;
    out += s[i];
  }
  if (s.empty())
    return Fail(Errc::kInvalidArgument, kRequired, std::string(field) + " is required", field);
  if (i != s.size() || digits == 0 || digits > 4)
    return Fail(Errc::kInvalidArgument, kInvalid,
                std::string(field) + " must be a train number such as G1234 or K102", field);
  return out;
}

TimePoint NearestDeparture(TimePoint now, const TimeZone& zone, int minutes) {
  using std::chrono::hours;
  TimePoint best{};
  for (TimePoint day : {now - hours(24), now, now + hours(24)}) {
    TimePoint t = runtime::LocalDayStart(day, zone) + std::chrono::minutes(minutes);
    if (best == TimePoint{} ||
        (t > now ? t - now : now - t) < (best > now ? best - now : now - best))
      best = t;
  }
  return best;
}

Result<std::vector<Train>> ParseTimetable(std::string_view csv) {
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  std::vector<Train> out;
  int line_no = 0, train_col = -1, departs_col = -1;
  // "第 3 行第 2 列：… — line 3, column 2: …": the console shows the Chinese part.
  auto bad = [&](int line, int col, const std::string& zh, const std::string& what) {
    std::string l = std::to_string(line), c = std::to_string(col);
    return Fail(
        Errc::kInvalidArgument, Reason{"lounge.bad_timetable"},
        "第 " + l + " 行第 " + c + " 列：" + zh + " — line " + l + ", column " + c + ": " + what,
        "csv");
  };
  while (!csv.empty()) {
    auto nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv = nl == std::string_view::npos ? std::string_view{} : csv.substr(nl + 1);
    ++line_no;
    if (Trim(line).empty()) continue;
    std::vector<std::string_view> cells;
    for (size_t start = 0;;) {
      auto comma = line.find(',', start);
      cells.push_back(Trim(line.substr(start, comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (train_col < 0) {
      for (size_t c = 0; c < cells.size(); ++c) {
        if (cells[c] == "train_no" || cells[c] == "车次") train_col = static_cast<int>(c);
        if (cells[c] == "departs" || cells[c] == "开车时间") departs_col = static_cast<int>(c);
      }
      if (train_col < 0 || departs_col < 0)
        return bad(line_no, 1, "表头须有「车次」和「开车时间」两列",
                   "the header must name the columns 车次 (train_no) and 开车时间 (departs)");
      continue;
    }
    if (static_cast<int>(cells.size()) <= std::max(train_col, departs_col))
      return bad(line_no, static_cast<int>(cells.size()) + 1, "列数不足",
                 "the line has too few columns");
    auto train = NormaliseTrainNo(cells[static_cast<size_t>(train_col)], "train_no");
    if (!train)
      return bad(line_no, train_col + 1, "车次格式不对（如 G1234、K102）",
                 "车次 must be a train number such as G1234");
    auto minutes = ParseHhMm(cells[static_cast<size_t>(departs_col)]);
    if (!minutes)
      return bad(line_no, departs_col + 1, "开车时间须为 时:分（00:00–23:59）",
                 "开车时间 must be HH:MM (00:00-23:59)");
    for (const auto& t : out)
      if (t.train_no == *train)
        return bad(line_no, train_col + 1, "车次 " + *train + " 重复",
                   "train " + *train + " is listed twice");
    out.push_back({*train, *minutes});
    if (out.size() > 5000) return bad(line_no, 1, "最多 5000 个车次", "at most 5000 trains");
  }
  if (train_col < 0) return bad(1, 1, "时刻表为空", "the timetable is empty");
  return out;
}

std::vector<policy::ParamDecl> Lounge::Parameters(const policy::Pack& pack) {
  return {{std::string(kNoticeParam), policy::ParamKind::kDuration,
           "lounge: how long before the boarding reminder is due the attendant is told (unset: "
           "no advance notice)",
           LevelClauses(pack, kRegistered)}};
}

Result<void> Lounge::MayWorkAt(const org::Principal& who, store::Id site_id) const {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (org::HoldsRoleAt(who, {site_id, 0})) return Ok();
  return Fail(Errc::kPermissionDenied, Reason{"site.no_role"},
              "the lounge of site " + std::to_string(site_id) + " needs a role at that site");
}

Result<GuestView> Lounge::ViewOf(store::UnitOfWork& unit, const Guest& g) {
  GuestView v{g, {}, "", "", "", {}};
  ZHIDU_TRY(auto sms, db::GetSms(unit.sql(), g.id));
  if (sms) v.sms = *sms;
  auto pack = pack_.Current();
  store::DeadlineFilter f;
  f.site_id = g.site_id;
  f.ref = GuestRef(g.id);
  ZHIDU_TRY(auto rows, unit.ListDeadlines(f, {0, 20}));
  for (const auto& d : rows) {
    const policy::ServiceLevel* sl = nullptr;
    for (const auto& s : pack->service_levels())
      if (s.id == d.service_level) sl = &s;
    if (!sl) continue;
    if (sl->start_event == kArrived) {
      v.checkin_due_at = d.due_at;
      v.checkin_state = d.state;
    } else if (sl->start_event == kRegistered) {
      v.reminder_state = d.state;
      if (g.state == State::kMissed && (d.state == "breached" || d.state == "met_late"))
        v.violation_code = sl->violation;
    }
  }
  return v;
}

void Lounge::RegisterHandlers() {
  scheduler_.Register(
      std::string(kNoticeTimer), [this](store::Tx& tx, const store::Timer& t) -> Result<void> {
        store::Id id = std::stoll(t.subject.substr(t.subject.find('/') + 1));
        ZHIDU_TRY(Guest g, db::Get(tx.unit().sql(), id));
        if (g.state != State::kSeated) return Ok();  // reminded (or gone) meanwhile
        auto pack = pack_.Current();
        ZHIDU_TRY(TimeZone zone, ZoneOf(tx.unit(), g.site_id));
        std::string subject = SubjectOf(g);
        auto roles = RolesOf(*pack, kReminded);
        ZHIDU_TRY(auto on_duty, OnDuty(tx.unit(), *pack, g.site_id, roles, tx.now()));
        // Told: whoever is on the lounge's posts now, and the attendant who seated the guest; the
        // roles at the site only when nobody is on those posts.
        std::vector<store::Id> told = on_duty;
        if (g.attendant && std::find(told.begin(), told.end(), g.attendant) == told.end())
          told.push_back(g.attendant);
        if (told.empty()) told.push_back(0);
        for (store::Id person : told) {
          CanonicalObject o;
          o.Add("guest_id", g.id)
              .Add("site_id", g.site_id)
              .Add("title", subject + "（" + g.train_no + " 次，" +
                                FormatIso8601(g.departure_at, zone).substr(11, 5) + " 开车）请于 " +
                                FormatIso8601(g.reminder_at, zone).substr(11, 5) + " 前提醒上车")
              .Add("train_no", g.train_no)
              .Add("departure_at", Iso(g.departure_at))
              .Add("reminder_at", Iso(g.reminder_at))
              .Add("on_duty", std::find(on_duty.begin(), on_duty.end(), person) != on_duty.end())
              .AddRaw("notify_roles",
                      JsonStringArray(on_duty.empty() ? roles : std::vector<std::string>{}))
              .AddRaw("clauses", JsonStringArray(LevelClauses(*pack, kRegistered)));
          if (person) o.Add("person_id", person);
          ZHIDU_TRY(auto seq, tx.Journal("lounge.reminder.due", 0, GuestRef(g.id), o.Str()));
          (void)seq;
        }
        return Ok();
      });
}

Result<GuestView> Lounge::Arrive(const org::Principal& who, const NewGuest& in) {
  ZHIDU_TRY_VOID(MayWorkAt(who, in.site_id));
  ZHIDU_TRY_VOID(Text(in.name, "name", false));
  ZHIDU_TRY_VOID(Text(in.phone, "phone", false, 32));
  auto pack = pack_.Current();
  ZHIDU_TRY(Guest g, writer_.Run<Guest>([&](store::Tx& tx) -> Result<Guest> {
    Guest g;
    g.site_id = in.site_id;
    g.name = in.name;
    g.phone = in.phone;
    g.arrived_at = tx.now();
    g.arrived_by = who.account_id;
    ZHIDU_TRY(g.id, db::Insert(tx.unit().sql(), g));
    std::string subject = SubjectOf(g);
    ZHIDU_TRY(auto seq, tx.Journal("lounge.guest.arrived", who.account_id, GuestRef(g.id),
                                   CanonicalObject()
                                       .Add("guest_id", g.id)
                                       .Add("site_id", g.site_id)
                                       .Add("title", subject + " 入厅")
                                       .AddRaw("clauses", JsonStringArray(VisitClauses(*pack)))
                                       .Str()));
    (void)seq;
    ZHIDU_TRY_VOID(bus_.Emit(
        tx, runtime::SiteEvent{
                g.site_id, std::string(kArrived), subject, GuestRef(g.id), {}, who.account_id}));
    return g;
  }));
  // The check-in deadline's timer: the scheduler learns it from the store at its next plan; wake
  // it so that a short deadline is not overslept.
  scheduler_.Wake(g.arrived_at);
  return Get(who, g.id);
}

Result<GuestView> Lounge::CheckInGuest(const org::Principal& who, store::Id id, const CheckIn& in) {
  ZHIDU_TRY(std::string train_no, NormaliseTrainNo(in.train_no, "train_no"));
  ZHIDU_TRY_VOID(Text(in.card_no, "card_no", true, 64));
  ZHIDU_TRY_VOID(Text(in.card_kind, "card_kind", false, 64));
  ZHIDU_TRY_VOID(Text(in.carriage, "carriage", false, 16));
  ZHIDU_TRY_VOID(Text(in.seat, "seat", false, 16));
  auto pack = pack_.Current();
  std::optional<TimePoint> wake;
  ZHIDU_TRY(auto done, writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY(Guest g, LoadGuest(sql, who, id));
    if (g.state != State::kArrived)
      return Fail(Errc::kConflict, Reason{"lounge.already_checked_in"},
                  "guest " + std::to_string(id) + " was checked in already (" +
                      std::string(StateName(g.state)) + ")");
    ZHIDU_TRY(TimeZone zone, ZoneOf(unit, g.site_id));
    TimePoint departure;
    const char* field = "departure_at";
    if (in.departure_at) {
      departure = *in.departure_at;
    } else {
      ZHIDU_TRY(auto trains, db::Timetable(sql, g.site_id));
      auto it = std::find_if(trains.begin(), trains.end(),
                             [&](const Train& t) { return t.train_no == train_no; });
      if (it == trains.end())
        return Fail(Errc::kInvalidArgument, Reason{"lounge.unknown_train"},
                    "train " + train_no + " is not in the site's timetable: give its departure_at",
                    "train_no");
      departure = NearestDeparture(tx.now(), zone, it->departs);
      field = "train_no";
    }
    if (departure <= tx.now())
      return Fail(Errc::kInvalidArgument, Reason{"lounge.train_departed"},
                  "train " + train_no + " departed at " + FormatIso8601(departure, zone) +
                      ": a check-in is for a train that has not left",
                  field);
    g.state = State::kSeated;
    g.train_no = train_no;
    g.departure_at = departure;
    g.carriage = in.carriage;
    g.seat = in.seat;
    g.card_kind = in.card_kind;
    g.card_no = in.card_no;
    g.checked_in_at = tx.now();
    g.checked_in_by = who.account_id;
    g.attendant = who.person_id;
    ZHIDU_TRY_VOID(db::Update(sql, g, State::kArrived));
    std::string subject = SubjectOf(g);
    ZHIDU_TRY(auto seq,
              tx.Journal("lounge.guest.checked_in", who.account_id, GuestRef(g.id),
                         CanonicalObject()
                             .Add("guest_id", g.id)
                             .Add("site_id", g.site_id)
                             .Add("title", subject + " 已登记入座（" + train_no + " 次）")
                             .Add("train_no", train_no)
                             .Add("departure_at", Iso(departure))
                             .Add("card_kind", g.card_kind)
                             .Add("seconds_after_arrival",
                                  std::chrono::duration_cast<std::chrono::seconds>(g.checked_in_at -
                                                                                   g.arrived_at)
                                      .count())
                             .AddRaw("clauses", JsonStringArray(LevelClauses(*pack, kArrived)))
                             .Str()));
    (void)seq;
    // The departure is the event's data.at: the pack's `before` reminder counts back from it.
    policy::Context data{{"at", Iso(departure)}};
    if (who.person_id) data.emplace("person_id", static_cast<double>(who.person_id));
    ZHIDU_TRY_VOID(bus_.Emit(tx, runtime::SiteEvent{g.site_id, std::string(kRegistered), subject,
                                                    GuestRef(g.id), data, who.account_id}));
    // The reminder time is the pack's deadline's, read back, never computed here.
    const policy::ServiceLevel* sl = LevelStartedBy(*pack, kRegistered);
    if (sl) {
      store::DeadlineFilter f;
      f.site_id = g.site_id;
      f.service_level = sl->id;
      f.ref = GuestRef(g.id);
      ZHIDU_TRY(auto rows, unit.ListDeadlines(f, {0, 5}));
      for (const auto& d : rows)
        if (d.state == "open") g.reminder_at = d.due_at;
    }
    ZHIDU_TRY(auto param, runtime::SiteParameters::Lookup(unit, g.site_id, kNoticeParam));
    std::optional<policy::Duration> lead;
    if (param) {
      auto d = policy::ParseDuration(*param);
      if (d) lead = *d;
    }
    if (g.reminder_at == TimePoint{}) {
      g.notice_note = "现行制度没有按开车时间计时的提醒时限：不通知";
    } else {
      // Unset (or not a duration): the attendant on post is told at the reminder time itself —
      // the regulation gives no lead time, none is assumed.
      if (!param)
        g.notice_note = "本单位参数 " + std::string(kNoticeParam) +
                        " 未设置：到提醒时间才通知礼宾员（制度未给出提前量，不自行假定）";
      else if (!lead)
        g.notice_note = "本单位参数 " + std::string(kNoticeParam) + " 的值 \"" + *param +
                        "\" 不是时长：到提醒时间才通知礼宾员";
      g.notice_at = lead ? std::max(runtime::SubtractDuration(g.reminder_at, *lead, zone), tx.now())
                         : std::max(g.reminder_at, tx.now());
      store::Timer t;
      t.site_id = g.site_id;
      t.kind = std::string(kNoticeTimer);
      t.subject = GuestRef(g.id);
      t.payload = "{}";
      t.due_at = g.notice_at;
      ZHIDU_TRY(auto timer, scheduler::Scheduler::Schedule(tx, t));
      (void)timer;
      wake = g.notice_at;
    }
    ZHIDU_TRY_VOID(db::Update(sql, g, State::kSeated));
    return true;
  }));
  (void)done;
  if (wake) scheduler_.Wake(*wake);
  return Get(who, id);
}

namespace {

// The roles the level's on_breach notifies (alert:ROLE, escalate:ROLE), as the pack names them.
std::vector<std::string> NotifiedRoles(const policy::ServiceLevel& sl) {
  std::vector<std::string> out;
  for (const auto& a : sl.on_breach)
    if (auto colon = a.find(':'); colon != std::string::npos) {
      auto verb = a.substr(0, colon), arg = a.substr(colon + 1);
      if ((verb == "alert" || verb == "escalate") && arg != policy::kEventPerson)
        out.push_back(arg);
    }
  return out;
}

// The reminder was not recorded in time: its deadline breached or met late, or still open past
// its due time (the breach timer not yet run).
bool ReminderMissed(const store::Deadline& d, TimePoint now) {
  return d.state == "breached" || d.state == "met_late" || (d.state == "open" && d.due_at <= now);
}

}  // namespace

Result<GuestView> Lounge::Step(const org::Principal& who, store::Id id, std::vector<State> from,
                               State to, std::string_view event, const char* kind,
                               const std::string& note) {
  auto pack = pack_.Current();
  ZHIDU_TRY(auto done, writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Guest g, LoadGuest(sql, who, id));
    State was = g.state;
    if (std::find(from.begin(), from.end(), was) == from.end())
      return Fail(Errc::kFailedPrecondition, Reason{"lounge.wrong_state"},
                  "guest " + std::to_string(id) + " is " + std::string(StateName(was)) +
                      ": cannot be " + std::string(StateName(to)));
    // 误车 is known once the train has left (invariant 5).
    if (to == State::kMissed && g.departure_at > tx.now()) {
      ZHIDU_TRY(TimeZone zone, ZoneOf(tx.unit(), g.site_id));
      return Fail(Errc::kFailedPrecondition, Reason{"lounge.not_departed"},
                  "train " + g.train_no + " departs at " + FormatIso8601(g.departure_at, zone) +
                      ": a missed train is recorded after it has left");
    }
    g.state = to;
    if (to == State::kReminded) {
      g.reminded_at = tx.now();
      g.reminded_by = who.account_id;
    } else if (to == State::kEscorted) {
      g.escorted_at = tx.now();
      g.escorted_by = who.account_id;
    } else if (to == State::kMissed) {
      g.missed_at = tx.now();
      g.missed_by = who.account_id;
      g.note = note;
    }
    ZHIDU_TRY_VOID(db::Update(sql, g, was));
    std::string subject = SubjectOf(g);
    std::vector<std::string> clauses =
        to == State::kEscorted ? VisitClauses(*pack) : LevelClauses(*pack, kRegistered);
    // 误车: the attendant answers for it when the reminder deadline was missed (R15 第十四条).
    const policy::ServiceLevel* sl = LevelStartedBy(*pack, kRegistered);
    std::string reminder_state, violation;
    if (to == State::kMissed && sl) {
      store::DeadlineFilter f;
      f.site_id = g.site_id;
      f.service_level = sl->id;
      f.ref = GuestRef(g.id);
      ZHIDU_TRY(auto rows, tx.unit().ListDeadlines(f, {0, 5}));
      for (const auto& d : rows) {
        reminder_state = d.state;
        if (ReminderMissed(d, tx.now())) violation = sl->violation;
      }
    }
    CanonicalObject o;
    o.Add("guest_id", g.id)
        .Add("site_id", g.site_id)
        .Add("state", StateName(to))
        .Add("title", subject + "（" + g.train_no + " 次）" + (to == State::kMissed ? "误车" : ""))
        .Add("note", note);
    if (to == State::kMissed) {
      // The missed train's record: the train, whether the reminder was in time, who answers.
      o.Add("train_no", g.train_no)
          .Add("departure_at", Iso(g.departure_at))
          .Add("reminder_state", reminder_state)
          .Add("reminded", g.reminded_at != TimePoint{})
          .Add("violation", violation);
      if (g.attendant) o.Add("attendant_person_id", g.attendant);
    }
    o.AddRaw("clauses", JsonStringArray(clauses));
    ZHIDU_TRY(auto seq, tx.Journal(kind, who.account_id, GuestRef(g.id), o.Str()));
    (void)seq;
    if (!event.empty()) {
      policy::Context data;
      if (who.person_id) data.emplace("person_id", static_cast<double>(who.person_id));
      ZHIDU_TRY_VOID(bus_.Emit(tx, runtime::SiteEvent{g.site_id, std::string(event), subject,
                                                      GuestRef(g.id), data, who.account_id}));
    }
    if (violation.empty()) return true;
    runtime::NewViolation v;
    v.site_id = g.site_id;
    v.person_id = g.attendant;
    v.code = violation;
    v.clauses = sl->clauses;
    v.subject = GuestRef(g.id);
    v.occurred_at = tx.now();
    v.note = subject + "（" + g.train_no + " 次）误车：开车前未按时提醒" +
             (note.empty() ? "" : "；" + note);
    v.notify_roles = NotifiedRoles(*sl);
    ZHIDU_TRY(auto recorded, runtime::Ledger::Raise(tx, *pack, v, who.account_id));
    (void)recorded;
    return true;
  }));
  (void)done;
  return Get(who, id);
}

Result<GuestView> Lounge::Remind(const org::Principal& who, store::Id id) {
  return Step(who, id, {State::kSeated}, State::kReminded, kReminded, "lounge.guest.reminded", "");
}

Result<GuestView> Lounge::Escort(const org::Principal& who, store::Id id) {
  return Step(who, id, {State::kReminded}, State::kEscorted, kEscorted, "lounge.guest.escorted",
              "");
}

Result<GuestView> Lounge::MissedTrain(const org::Principal& who, store::Id id,
                                      const std::string& note) {
  ZHIDU_TRY_VOID(Text(note, "note", false, 1000));
  return Step(who, id, {State::kSeated, State::kReminded}, State::kMissed, kMissedTrain,
              "lounge.guest.missed_train", note);
}

Result<GuestView> Lounge::SendSms(const org::Principal& who, store::Id id,
                                  const std::string& text) {
  ZHIDU_TRY_VOID(Text(text, "text", true, 500));
  if (!sms_)
    return Fail(Errc::kUnavailable, Reason{"lounge.sms_not_configured"},
                "no SMS relay is configured (zhidu serve --sms-url)");
  // 1. The claim (invariant 6): one send per guest, decided by the lounge_sms row.
  struct Claim {
    Guest guest;
    SmsRecord sms;
  };
  ZHIDU_TRY(Claim claim, writer_.Run<Claim>([&](store::Tx& tx) -> Result<Claim> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Guest g, LoadGuest(sql, who, id));
    if (g.state != State::kEscorted)
      return Fail(Errc::kFailedPrecondition, Reason{"lounge.wrong_state"},
                  "guest " + std::to_string(id) + " is " + std::string(StateName(g.state)) +
                      ": the follow-up SMS comes after the escort to the gate");
    if (g.phone.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"lounge.no_phone"},
                  "guest " + std::to_string(id) + " left no phone number", "phone");
    ZHIDU_TRY(auto had, db::GetSms(sql, id));
    SmsRecord r;
    r.guest_id = id;
    r.state = SmsState::kSending;
    r.claimed_by = who.account_id;
    r.claimed_at = tx.now();
    if (!had) {
      ZHIDU_TRY_VOID(db::InsertSms(sql, r));
      return Claim{g, r};
    }
    bool abandoned =
        had->state == SmsState::kSending && tx.now() - had->claimed_at > kSmsClaimStale;
    if (had->state != SmsState::kFailed && !abandoned)
      return Fail(Errc::kConflict, Reason{"lounge.sms_in_progress"},
                  "the follow-up SMS of guest " + std::to_string(id) +
                      " is being sent by another attendant");
    if (r.claimed_at == had->claimed_at) r.claimed_at += std::chrono::microseconds(1);
    ZHIDU_TRY_VOID(db::UpdateSms(sql, r, had->state, had->claimed_at));
    return Claim{g, r};
  }));
  // 2. The relay, outside any transaction, at most kSmsAttempts times.
  SmsRecord r = claim.sms;
  Result<std::string> sent = Fail(Errc::kUnavailable, "not sent");
  for (r.attempts = 1;; ++r.attempts) {
    sent = sms_->Send({claim.guest.phone, text, GuestRef(id)});
    if (sent || r.attempts >= kSmsAttempts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * r.attempts));
  }
  // 3. The outcome, in one transaction.
  auto pack = pack_.Current();
  ZHIDU_TRY(auto done, writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Guest now, db::Get(sql, id));
    SmsRecord out = r;
    out.finished_at = tx.now();
    std::string subject = SubjectOf(now);
    if (!sent) {
      out.state = SmsState::kFailed;
      out.error = sent.error().message.substr(0, 200);
      ZHIDU_TRY_VOID(db::UpdateSms(sql, out, SmsState::kSending, r.claimed_at));
      ZHIDU_TRY(auto seq, tx.Journal("lounge.guest.sms_failed", who.account_id, GuestRef(id),
                                     CanonicalObject()
                                         .Add("guest_id", id)
                                         .Add("site_id", now.site_id)
                                         .Add("title", subject + " 短信回访未发出")
                                         .Add("attempts", static_cast<std::int64_t>(out.attempts))
                                         .Add("error", out.error)
                                         .AddRaw("clauses", JsonStringArray(VisitClauses(*pack)))
                                         .Str()));
      (void)seq;
      return false;
    }
    out.state = SmsState::kSent;
    out.provider_id = sent->substr(0, 200);
    ZHIDU_TRY_VOID(db::UpdateSms(sql, out, SmsState::kSending, r.claimed_at));
    Guest g = now;
    g.state = State::kDone;
    g.sms_at = tx.now();
    g.sms_by = who.account_id;
    g.sms_id = out.provider_id;
    ZHIDU_TRY_VOID(db::Update(sql, g, State::kEscorted));
    ZHIDU_TRY(auto seq, tx.Journal("lounge.guest.sms_sent", who.account_id, GuestRef(id),
                                   CanonicalObject()
                                       .Add("guest_id", id)
                                       .Add("site_id", g.site_id)
                                       .Add("state", StateName(g.state))
                                       .Add("title", subject + " 已短信回访")
                                       .Add("sms_id", g.sms_id)
                                       .Add("attempts", static_cast<std::int64_t>(out.attempts))
                                       .AddRaw("clauses", JsonStringArray(VisitClauses(*pack)))
                                       .Str()));
    (void)seq;
    policy::Context data;
    if (who.person_id) data.emplace("person_id", static_cast<double>(who.person_id));
    ZHIDU_TRY_VOID(bus_.Emit(tx, runtime::SiteEvent{g.site_id, std::string(kSmsSent), subject,
                                                    GuestRef(id), data, who.account_id}));
    return true;
  }));
  if (!done)
    return Fail(Errc::kUnavailable, Reason{"lounge.sms_failed"},
                "the SMS relay did not accept the message after " + std::to_string(r.attempts) +
                    " attempts: " + sent.error().message);
  return Get(who, id);
}

Result<std::vector<MissedReminder>> Lounge::MissedReminders(const org::Principal& who,
                                                            store::Id site_id,
                                                            store::PageRequest page) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id));
  if (!roles_.Allows(who, kReviewPermission, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, Reason{"lounge.review_denied"},
                "the missed boarding reminders of site " + std::to_string(site_id) + " need the " +
                    std::string(kReviewPermission) + " permission there");
  auto pack = pack_.Current();
  std::vector<MissedReminder> out;
  const policy::ServiceLevel* sl = LevelStartedBy(*pack, kRegistered);
  if (!sl) return out;
  ZHIDU_TRY(auto unit, store_.BeginRead());
  // Both states after the cursor, merged by deadline id: one page of either.
  std::vector<store::Deadline> rows;
  for (const char* state : {"breached", "met_late"}) {
    store::DeadlineFilter f;
    f.site_id = site_id;
    f.service_level = sl->id;
    f.state = state;
    ZHIDU_TRY(auto some, unit->ListDeadlines(f, page));
    rows.insert(rows.end(), some.begin(), some.end());
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  if (rows.size() > static_cast<size_t>(page.limit)) rows.resize(static_cast<size_t>(page.limit));
  for (const auto& d : rows) {
    if (!d.ref.starts_with("lounge-guest/")) continue;
    auto g = db::Get(unit->sql(), std::stoll(d.ref.substr(13)));
    if (!g) continue;
    MissedReminder m;
    ZHIDU_TRY(m.view, ViewOf(*unit, *g));
    m.deadline_id = d.id;
    m.state = d.state;
    m.due_at = d.due_at;
    m.breached_at = d.breached_at;
    m.stopped_at = d.stopped_at;
    m.escalated_to = NotifiedRoles(*sl);
    if (g->attendant)
      if (auto p = unit->GetPerson(g->attendant)) m.attendant_name = p->name;
    out.push_back(std::move(m));
  }
  return out;
}

Result<GuestView> Lounge::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Guest g, LoadGuest(unit->sql(), who, id));
  return ViewOf(*unit, g);
}

Result<std::vector<GuestView>> Lounge::List(const org::Principal& who, const Filter& f,
                                            store::PageRequest page) {
  ZHIDU_TRY_VOID(MayWorkAt(who, f.site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rows, db::List(unit->sql(), f, page));
  std::vector<GuestView> out;
  out.reserve(rows.size());
  for (const auto& g : rows) {
    ZHIDU_TRY(auto v, ViewOf(*unit, g));
    out.push_back(std::move(v));
  }
  return out;
}

Result<size_t> Lounge::ImportTimetable(const org::Principal& who, store::Id site_id,
                                       std::string_view csv) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id));
  if (csv.size() > 1'000'000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "the timetable is too long", "csv");
  ZHIDU_TRY(auto rows, ParseTimetable(csv));
  return writer_.Run<size_t>([&](store::Tx& tx) -> Result<size_t> {
    ZHIDU_TRY_VOID(db::ReplaceTimetable(tx.unit().sql(), site_id, rows));
    ZHIDU_TRY(auto seq, tx.Journal("lounge.timetable.imported", who.account_id,
                                   "site/" + std::to_string(site_id),
                                   CanonicalObject()
                                       .Add("site_id", site_id)
                                       .Add("trains", static_cast<std::int64_t>(rows.size()))
                                       .Str()));
    (void)seq;
    return rows.size();
  });
}

Result<std::vector<Train>> Lounge::Timetable(const org::Principal& who, store::Id site_id) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::Timetable(unit->sql(), site_id);
}

}  // namespace zhidu::lounge
