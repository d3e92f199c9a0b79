#include "modules/repairs/repairs.hpp"

#include <array>
#include <chrono>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "modules/alarms/alarms_store.hpp"
#include "modules/repairs/repairs_store.hpp"

namespace zhidu::repairs {

namespace {

struct Edge {
  std::string_view from, action, to;
};
// The lifecycle (repairs.hpp). Order is the order AllowedActions lists them in.
constexpr std::array kEdges = {
    Edge{"open", "assign", "assigned"},         Edge{"open", "cancel", "cancelled"},
    Edge{"assigned", "start", "in_progress"},   Edge{"assigned", "assign", "assigned"},
    Edge{"assigned", "cancel", "cancelled"},    Edge{"in_progress", "fix", "fixed"},
    Edge{"in_progress", "cancel", "cancelled"}, Edge{"fixed", "close", "closed"},
    Edge{"fixed", "reopen", "in_progress"},
};
constexpr std::array<std::string_view, 6> kActions = {"assign", "start",  "fix",
                                                      "close",  "reopen", "cancel"};
constexpr size_t kMaxText = 4000;

std::string Subject(store::Id id) { return "repair/" + std::to_string(id); }

std::string Past(std::string_view action) {
  if (action == "assign") return "assigned";
  if (action == "start") return "started";
  if (action == "fix") return "fixed";
  if (action == "close") return "closed";
  if (action == "reopen") return "reopened";
  return "cancelled";
}

CanonicalObject Payload(const Repair& r) {
  CanonicalObject o;
  o.Add("id", r.id)
      .Add("site_id", r.site_id)
      .Add("what", r.what)
      .Add("state", r.state)
      .Add("source_kind", r.source_kind)
      .Add("source_id", r.source_id)
      .AddRaw("clauses", r.clauses);
  return o;
}

// Appends one entry to the repair's JSON history.
std::string AppendHistory(const std::string& history, const std::string& entry) {
  if (history.size() <= 2) return "[" + entry + "]";
  return history.substr(0, history.size() - 1) + "," + entry + "]";
}

std::string Entry(std::string_view action, std::string_view from, std::string_view to,
                  store::Id account, store::Id person, TimePoint at, const std::string& note) {
  return CanonicalObject()
      .Add("action", std::string(action))
      .Add("from", std::string(from))
      .Add("to", std::string(to))
      .Add("by", account)
      .Add("person_id", person)
      .Add("at", FormatIso8601Utc(at))
      .Add("note", note)
      .Str();
}

}  // namespace

std::optional<std::string> NextState(std::string_view state, std::string_view action) {
  for (const auto& e : kEdges)
    if (e.from == state && e.action == action) return std::string(e.to);
  return std::nullopt;
}

std::vector<std::string> AllowedActions(std::string_view state) {
  std::vector<std::string> out;
  for (const auto& e : kEdges)
    if (e.from == state) out.emplace_back(e.action);
  return out;
}

std::optional<std::int64_t> SecondsToFix(const Repair& r) {
  if (r.fixed_at == TimePoint{}) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(r.fixed_at - r.created_at).count();
}

Repairs::Repairs(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
                 const org::RoleCatalogue& roles)
    : store_(store), writer_(writer), pack_(pack), roles_(roles) {}

Result<Repair> Repairs::Open(store::Tx& tx, const NewRepair& in, store::Id account,
                             store::Id person) {
  Repair r;
  r.site_id = in.site_id;
  r.what = in.what;
  r.description = in.description;
  r.source_kind = in.source_kind;
  r.source_id = in.source_id;
  r.source_item = in.source_item;
  r.clauses = JsonStringArray(in.clauses);
  r.reported_by = account;
  r.reporter_person = person;
  r.reporter_post = in.reporter_post;
  r.assignee_role = in.assignee_role;
  r.state = "open";
  r.created_at = r.updated_at = tx.now();
  r.history =
      "[" + Entry("report", "", "open", account, person, r.created_at, in.description) + "]";
  ZHIDU_TRY(r.id, db::InsertRepair(tx.unit().sql(), r));
  std::vector<std::string> notify;
  if (!r.assignee_role.empty()) notify.push_back(r.assignee_role);
  ZHIDU_TRY(auto seq, tx.Journal("repair.opened", account, Subject(r.id),
                                 Payload(r)
                                     .Add("title", "报修：" + r.what)
                                     .Add("description", r.description)
                                     .Add("source_item", r.source_item)
                                     .Add("person_id", person)
                                     .Add("assignee_role", r.assignee_role)
                                     .AddRaw("notify_roles", JsonStringArray(notify))
                                     .Str()));
  (void)seq;
  return r;
}

bool Repairs::MayRead(const org::Principal& who, store::Id site_id) const {
  if (org::HoldsRoleAt(who, {site_id, 0})) return true;
  return roles_.Allows(who, perm::kRepairManage, {site_id, 0});
}

Result<Repair> Repairs::Report(const org::Principal& who, NewRepair in) {
  if (in.site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (in.what.empty() || in.what.size() > 200)
    return Fail(Errc::kInvalidArgument, "what (the equipment, point or place) takes 1–200 bytes",
                "what");
  if (in.description.size() > kMaxText)
    return Fail(Errc::kInvalidArgument, "description is longer than 4000 bytes", "description");
  if (in.source_kind != "manual" && in.source_kind != "procedure" && in.source_kind != "alarm")
    return Fail(Errc::kInvalidArgument,
                "source.kind is manual, procedure or alarm (checklist repairs are opened by "
                "completing the duty)",
                "source.kind");
  if (in.source_kind == "manual" && in.source_id != 0)
    return Fail(Errc::kInvalidArgument, "a manual repair cites no source id", "source.id");
  auto pack = pack_.Current();
  for (auto& c : in.clauses) {
    c = policy::NormalizeClauseId(c);
    if (pack->clauses().Find(c) == nullptr)
      return Fail(Errc::kInvalidArgument, "clause \"" + c + "\" is not in the pack", "clauses");
  }
  return writer_.Run<Repair>([&](store::Tx& tx) -> Result<Repair> {
    auto& unit = tx.unit();
    ZHIDU_TRY(store::Site site, unit.GetSite(in.site_id));
    (void)site;
    if (!MayRead(who, in.site_id))
      return Fail(Errc::kPermissionDenied,
                  "you hold no role at site " + std::to_string(in.site_id));
    if (in.source_kind == "procedure") {
      ZHIDU_TRY(store::ProcedureInstance p, unit.GetProcedureInstance(in.source_id));
      if (p.site_id != in.site_id)
        return Fail(Errc::kInvalidArgument, "procedure instance is at another site", "source.id");
    } else if (in.source_kind == "alarm") {
      ZHIDU_TRY(alarms::AlarmPoint a, alarms::db::GetAlarmPoint(unit.sql(), in.source_id));
      if (a.site_id != in.site_id)
        return Fail(Errc::kInvalidArgument, "alarm point is at another site", "source.id");
    }
    if (who.person_id != 0) {
      ZHIDU_TRY(auto on, unit.ListAttendanceAt(0, who.person_id, tx.now()));
      for (const auto& a : on)
        if (a.site_id == in.site_id) in.reporter_post = a.post_id;
    }
    return Open(tx, in, who.account_id, who.person_id);
  });
}

Result<void> Repairs::MayAct(const org::Principal& who, store::Tx& tx, const Repair& r,
                             std::string_view action) {
  org::Scope scope{r.site_id, 0};
  if (roles_.Allows(who, perm::kRepairManage, scope)) return Ok();
  if (action == "assign")
    return Fail(Errc::kPermissionDenied, "assigning a repair needs repair.manage at the site");
  if (action == "start" || action == "fix") {
    if (r.assignee_person != 0 && who.person_id == r.assignee_person) return Ok();
    if (!r.assignee_role.empty())
      for (const auto& g : who.roles)
        if (g.role == r.assignee_role && org::GrantCovers(g, scope)) return Ok();
    return Fail(Errc::kPermissionDenied,
                "only the person or role the repair is assigned to (" +
                    (r.assignee_role.empty() ? std::string("nobody yet") : r.assignee_role) +
                    ") or repair.manage may " + std::string(action) + " it");
  }
  if (who.account_id == r.reported_by) return Ok();
  if (action != "cancel" && r.reporter_post != 0 && who.person_id != 0) {
    ZHIDU_TRY(auto on, tx.unit().ListAttendanceAt(r.reporter_post, who.person_id, tx.now()));
    if (!on.empty()) return Ok();
  }
  return Fail(Errc::kPermissionDenied,
              action == "cancel"
                  ? "only the reporter or repair.manage may cancel a repair"
                  : "the fix is verified by the reporter, a person on the reporter's post, or "
                    "repair.manage");
}

Result<Repair> Repairs::Act(const org::Principal& who, store::Id id, const Action& a) {
  bool known = false;
  for (auto k : kActions) known = known || k == a.action;
  if (!known)
    return Fail(Errc::kInvalidArgument,
                "action is one of assign, start, fix, close, reopen, cancel", "action");
  if (a.note.size() > kMaxText)
    return Fail(Errc::kInvalidArgument, "note is longer than 4000 bytes", "note");
  return writer_.Run<Repair>([&](store::Tx& tx) -> Result<Repair> {
    auto& unit = tx.unit();
    ZHIDU_TRY(Repair r, db::GetRepair(unit.sql(), id));
    if (!MayRead(who, r.site_id))
      return Fail(Errc::kPermissionDenied,
                  "repair " + std::to_string(id) + " belongs to a site where you hold no role");
    auto to = NextState(r.state, a.action);
    if (!to) {
      auto allowed = AllowedActions(r.state);
      return Fail(Errc::kFailedPrecondition,
                  "repair " + std::to_string(id) + " is " + r.state + ": cannot " + a.action +
                      (allowed.empty() ? " (no action is allowed any more)"
                                       : "; allowed: " + Join(allowed, ", ")),
                  "action");
    }
    ZHIDU_TRY_VOID(MayAct(who, tx, r, a.action));
    if (a.action == "assign") {
      if (a.role.empty() && a.person_id == 0)
        return Fail(Errc::kInvalidArgument, "name the role or the person who repairs", "role");
      if (a.person_id != 0) {
        ZHIDU_TRY(store::Person p, unit.GetPerson(a.person_id));
        if (p.site_id != r.site_id)
          return Fail(Errc::kInvalidArgument, "the person works at another site", "person_id");
      }
      if (a.role.size() > 200)
        return Fail(Errc::kInvalidArgument, "role takes at most 200 bytes", "role");
      if (!a.role.empty()) r.assignee_role = a.role;
      r.assignee_person = a.person_id;
    }
    if ((a.action == "cancel" || a.action == "reopen") && a.note.empty())
      return Fail(Errc::kInvalidArgument, "say why (note)", "note");
    std::string from = r.state;
    TimePoint now = tx.now();
    r.state = *to;
    r.note = a.note;
    r.updated_at = now;
    if (a.action == "fix") r.fixed_at = now;
    if (a.action == "reopen") r.fixed_at = TimePoint{};
    if (r.state == "closed" || r.state == "cancelled") r.closed_at = now;
    r.history = AppendHistory(
        r.history, Entry(a.action, from, r.state, who.account_id, who.person_id, now, a.note));
    ZHIDU_TRY_VOID(db::UpdateRepair(unit.sql(), r, from));
    std::vector<std::string> notify;
    if (a.action == "assign" && !r.assignee_role.empty()) notify.push_back(r.assignee_role);
    CanonicalObject payload = Payload(r);
    payload.Add("from", from)
        .Add("person_id", who.person_id)
        .Add("note", a.note)
        .Add("assignee_role", r.assignee_role)
        .Add("assignee_person", r.assignee_person)
        .Add("title", "报修" + std::string(a.action == "fix" ? "已修复" : "") + "：" + r.what)
        .AddRaw("notify_roles", JsonStringArray(notify));
    if (auto s = SecondsToFix(r)) payload.Add("seconds_to_fix", *s);
    ZHIDU_TRY(auto seq,
              tx.Journal("repair." + Past(a.action), who.account_id, Subject(r.id), payload.Str()));
    (void)seq;
    return r;
  });
}

Result<Repair> Repairs::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Repair r, db::GetRepair(unit->sql(), id));
  if (!MayRead(who, r.site_id))
    return Fail(Errc::kPermissionDenied,
                "repair " + std::to_string(id) + " belongs to a site where you hold no role");
  return r;
}

Result<std::vector<Repair>> Repairs::List(const org::Principal& who, const RepairFilter& filter,
                                          store::PageRequest page) {
  bool known = filter.state.empty() || filter.state == "closed" || filter.state == "cancelled" ||
               !AllowedActions(filter.state).empty();
  if (!known)
    return Fail(Errc::kInvalidArgument, "unknown state \"" + filter.state + "\"", "state");
  if (!MayRead(who, filter.site_id))
    return Fail(Errc::kPermissionDenied,
                filter.site_id == 0 ? "give site_id: you hold no company-wide role"
                                    : "you hold no role at site " + std::to_string(filter.site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListRepairs(unit->sql(), filter, page);
}

}  // namespace zhidu::repairs
