#include "kernel/runtime/requests.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "kernel/org/validate.hpp"
#include "kernel/runtime/request_events.hpp"

namespace zhidu::runtime {

namespace {

constexpr size_t kMaxTextChars = 1000;
constexpr int kListScanLimit = 500;  // rows scanned per store page while filtering a list

std::string RequestRef(Id id) { return "request/" + std::to_string(id); }

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void AddUnique(std::vector<std::string>& out, const std::string& s) {
  if (!s.empty() && !Contains(out, s)) out.push_back(s);
}

// Shortest round-trip text of a finite number; integers without a fraction ("3", not "3.0").
std::string NumberText(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

bool HasType(const policy::Value& v, policy::ValueType t) {
  switch (t) {
    case policy::ValueType::kBool:
      return std::holds_alternative<bool>(v);
    case policy::ValueType::kNumber:
      return std::holds_alternative<double>(v) && std::isfinite(std::get<double>(v));
    case policy::ValueType::kString:
      return std::holds_alternative<std::string>(v);
    case policy::ValueType::kStringList:
      return std::holds_alternative<std::vector<std::string>>(v);
  }
  return false;
}

// "R16 §一6：任何人员无权拷贝中控室录像" — how a condition is cited to a person.
std::string Cite(const policy::Condition& c) {
  return (c.clauses.empty() ? std::string() : Join(c.clauses, "、") + "：") + c.message;
}

bool Signed(const DecisionInput& in) { return in.password.has_value(); }

// The fields every record about a filed request starts with (docs/runtime_requests.md, the
// payload convention): `account_id` is the applicant, whom the record concerns.
CanonicalObject RecordPayload(Id request_id, const store::ApprovalRequest& r) {
  CanonicalObject o;
  o.Add("request_id", request_id)
      .Add("site_id", r.site_id)
      .Add("account_id", r.applicant)
      .Add("type", r.type);
  return o;
}

// kInvalidArgument naming `field` when `text` is longer than kMaxTextChars.
Result<void> CheckLength(const std::string& text, const std::string& field) {
  if (org::Utf8Length(text) <= kMaxTextChars) return Ok();
  return Fail(Errc::kInvalidArgument, Reason{"too_long"},
              "the " + field + " is longer than " + std::to_string(kMaxTextChars) + " characters",
              field);
}

// The answer to deciding a request that has left `pending`.
std::unexpected<Error> NotPending(Id id, store::RequestState state) {
  return Fail(Errc::kFailedPrecondition, Reason{"request.already_decided"},
              "request " + std::to_string(id) + " is already " +
                  std::string(store::RequestStateName(state)));
}

}  // namespace

// ---- pure chain logic

std::string_view ValueTypeName(policy::ValueType type) {
  switch (type) {
    case policy::ValueType::kBool:
      return "bool";
    case policy::ValueType::kNumber:
      return "number";
    case policy::ValueType::kString:
      return "string";
    case policy::ValueType::kStringList:
      return "list";
  }
  return "?";
}

std::string_view StepStateName(StepState state) {
  switch (state) {
    case StepState::kWaiting:
      return "waiting";
    case StepState::kOpen:
      return "open";
    case StepState::kApproved:
      return "approved";
    case StepState::kRejected:
      return "rejected";
    case StepState::kClosed:
      return "closed";
  }
  return "waiting";
}

std::vector<StepState> StepStates(const policy::Request& type,
                                  const std::vector<store::ApprovalDecision>& decisions,
                                  bool pending) {
  std::map<std::string, bool, std::less<>> decided;  // step -> approved
  for (const auto& d : decisions) decided.emplace(d.step, d.approve);
  std::vector<StepState> out;
  out.reserve(type.approvals.size());
  for (const auto& step : type.approvals) {
    if (auto it = decided.find(step.id); it != decided.end()) {
      out.push_back(it->second ? StepState::kApproved : StepState::kRejected);
      continue;
    }
    if (!pending) {
      out.push_back(StepState::kClosed);
      continue;
    }
    bool ready = std::all_of(step.after.begin(), step.after.end(), [&](const std::string& dep) {
      auto it = decided.find(dep);
      return it != decided.end() && it->second;
    });
    out.push_back(ready ? StepState::kOpen : StepState::kWaiting);
  }
  return out;
}

bool ChainApproved(const policy::Request& type,
                   const std::vector<store::ApprovalDecision>& decisions) {
  if (type.approvals.empty()) return false;
  auto states = StepStates(type, decisions, true);
  return std::all_of(states.begin(), states.end(),
                     [](StepState s) { return s == StepState::kApproved; });
}

std::vector<std::string> SuperiorRoles(const std::vector<policy::Role>& pack_roles,
                                       const std::vector<std::string>& role_ids) {
  std::vector<std::string> out;
  for (const auto& id : role_ids) {
    for (const auto& role : pack_roles) {
      if (role.id == id) AddUnique(out, role.reports_to);
    }
  }
  return out;
}

std::vector<std::string> StepRoles(const policy::ApprovalStep& step,
                                   const std::vector<std::string>& superior_roles) {
  std::vector<std::string> out;
  for (const auto& role : step.roles) {
    if (role == kSuperiorRole) {
      for (const auto& s : superior_roles) AddUnique(out, s);
    } else {
      AddUnique(out, role);
    }
  }
  return out;
}

bool GrantCovers(const store::RoleGrant& grant, Id site_id, Id department_id) {
  if (grant.scope_kind == "global") return true;
  if (grant.scope_kind == "site") return site_id != 0 && grant.scope_id == site_id;
  if (grant.scope_kind == "department")
    return department_id != 0 && grant.scope_id == department_id;
  return false;
}

std::vector<std::string> RolesAt(const std::vector<store::RoleGrant>& grants, Id site_id,
                                 Id department_id) {
  std::vector<std::string> out;
  for (const auto& g : grants) {
    if (GrantCovers(g, site_id, department_id)) AddUnique(out, g.role);
  }
  return out;
}

bool HoldsOneOf(const std::vector<store::RoleGrant>& grants, const std::vector<std::string>& roles,
                Id site_id, Id department_id) {
  return std::any_of(grants.begin(), grants.end(), [&](const store::RoleGrant& g) {
    return Contains(roles, g.role) && GrantCovers(g, site_id, department_id);
  });
}

Result<void> CheckInputs(const policy::ContextSchema& schema, const policy::Context& inputs) {
  for (const auto& [name, value] : inputs) {
    auto it = schema.find(name);
    if (it == schema.end()) {
      std::string known;
      for (const auto& [n, _] : schema) known += (known.empty() ? "" : ", ") + n;
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "this request type has no input \"" + name + "\"" +
                      (known.empty() ? " (it takes none)" : " (it takes " + known + ")"),
                  "inputs." + name);
    }
    if (!HasType(value, it->second))
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "input \"" + name + "\" must be a " + std::string(ValueTypeName(it->second)),
                  "inputs." + name);
  }
  for (const auto& [name, type] : schema) {
    if (!inputs.contains(name))
      return Fail(Errc::kInvalidArgument, kRequired,
                  "input \"" + name + "\" (" + std::string(ValueTypeName(type)) + ") is required",
                  "inputs." + name);
  }
  return Ok();
}

std::string InputsJson(const policy::Context& inputs) {
  CanonicalObject o;
  for (const auto& [name, value] : inputs) {
    if (const bool* b = std::get_if<bool>(&value)) {
      o.Add(name, *b);
    } else if (const double* d = std::get_if<double>(&value)) {
      o.AddRaw(name, NumberText(*d));
    } else if (const std::string* s = std::get_if<std::string>(&value)) {
      o.Add(name, *s);
    } else {
      o.AddRaw(name, JsonStringArray(std::get<std::vector<std::string>>(value)));
    }
  }
  return o.Str();
}

Result<policy::Context> InputsOf(const policy::Request& type, const std::string& inputs_json) {
  auto j = nlohmann::json::parse(inputs_json, nullptr, false);
  if (!j.is_object())
    return Fail(Errc::kInternal, "request inputs are not a JSON object: " + inputs_json);
  policy::Context out;
  for (const auto& [name, vt] : type.inputs) {
    auto it = j.find(name);
    if (it == j.end()) continue;  // the type gained an input after the filing
    switch (vt) {
      case policy::ValueType::kBool:
        if (it->is_boolean()) out[name] = it->get<bool>();
        break;
      case policy::ValueType::kNumber:
        if (it->is_number()) out[name] = it->get<double>();
        break;
      case policy::ValueType::kString:
        if (it->is_string()) out[name] = it->get<std::string>();
        break;
      default:
        if (it->is_array()) {
          std::vector<std::string> items;
          for (const auto& v : *it)
            if (v.is_string()) items.push_back(v.get<std::string>());
          out[name] = std::move(items);
        }
    }
  }
  return out;
}

// ---- the service

// One request with everything needed to judge it, read in one unit of work.
struct Requests::Loaded {
  store::ApprovalRequest request;
  std::vector<store::ApprovalDecision> decisions;
  const policy::Request* type = nullptr;  // null when the pack no longer has it
  Id applicant_department = 0;
  std::vector<std::string> superior_roles;  // of the applicant's roles at the request's site
};

Requests::Requests(store::Store& store, store::Writer& writer, org::AuthService& auth,
                   const org::RoleCatalogue& roles, const policy::ActivePack& pack,
                   const EventBus* bus)
    : store_(store), writer_(writer), auth_(auth), roles_(roles), pack_(pack), bus_(bus) {}

Result<Requests::Loaded> Requests::Load(store::UnitOfWork& unit, const policy::Pack& pack,
                                        Id request_id) {
  Loaded out;
  auto request = unit.GetApprovalRequest(request_id);
  if (!request && request.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, "there is no request " + std::to_string(request_id));
  if (!request) return Fail(request.error());
  out.request = std::move(*request);
  ZHIDU_TRY(out.decisions, unit.ListApprovalDecisions(request_id));
  out.type = pack.FindRequest(out.request.type);
  if (out.request.applicant_person != 0) {
    auto person = unit.GetPerson(out.request.applicant_person);
    if (person) out.applicant_department = person->department_id;
  }
  ZHIDU_TRY(auto grants, unit.ListRoleGrants(out.request.applicant));
  out.superior_roles =
      SuperiorRoles(pack.roles(), RolesAt(grants, out.request.site_id, out.applicant_department));
  return out;
}

Result<Requests::Loaded> Requests::LoadVisible(const org::Principal& who, const policy::Pack& pack,
                                               Id request_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto l, Load(*unit, pack, request_id));
  if (!MaySee(l, who))
    return Fail(Errc::kNotFound, "there is no request " + std::to_string(request_id));
  return l;
}

bool Requests::MaySee(const Loaded& l, const org::Principal& who) const {
  if (who.account_id == 0) return false;
  if (who.account_id == l.request.applicant) return true;
  if (roles_.Allows(who, kPermRequestsRead, {l.request.site_id, l.applicant_department}))
    return true;
  if (!l.type) return false;
  for (const auto& step : l.type->approvals) {
    if (HoldsOneOf(who.roles, StepRoles(step, l.superior_roles), l.request.site_id,
                   l.applicant_department))
      return true;
  }
  return false;
}

RequestView Requests::ViewOf(const Loaded& l, const org::Principal& who) const {
  RequestView v;
  v.request = l.request;
  v.decisions = l.decisions;
  if (!l.type) return v;
  v.title = l.type->title;
  v.clauses = l.type->clauses;
  auto states = StepStates(*l.type, l.decisions, l.request.state == store::RequestState::kPending);
  for (size_t i = 0; i < l.type->approvals.size(); ++i) {
    const auto& step = l.type->approvals[i];
    StepView s;
    s.id = step.id;
    s.roles = StepRoles(step, l.superior_roles);
    s.after = step.after;
    s.signature = step.signature;
    s.names_escort = step.names_escort;
    s.state = states[i];
    s.viewer_may_decide = s.state == StepState::kOpen && who.account_id != l.request.applicant &&
                          HoldsOneOf(who.roles, s.roles, l.request.site_id, l.applicant_department);
    v.steps.push_back(std::move(s));
  }
  return v;
}

Result<RequestView> Requests::Create(const org::Principal& who, const NewRequest& input,
                                     std::vector<std::string>* cited_clauses) {
  if (who.account_id == 0)
    return Fail(Errc::kPermissionDenied, "requests are filed by a signed-in account");
  auto pack = pack_.Current();
  const policy::Request* type = pack->FindRequest(input.type);
  if (!type)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "there is no request type \"" + input.type +
                    "\" in the policy pack in force (the request types list shows them)",
                "type");
  ZHIDU_TRY_VOID(CheckLength(input.reason, "reason"));
  ZHIDU_TRY_VOID(CheckInputs(type->inputs, input.inputs));

  Id department = 0;
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    auto site = unit->GetSite(input.site_id);
    if (!site && site.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "there is no site " + std::to_string(input.site_id), "site_id");
    if (!site) return Fail(site.error());
    if (who.person_id != 0) {
      ZHIDU_TRY(auto person, unit->GetPerson(who.person_id));
      department = person.department_id;
    }
  }
  if (!type->applicants.empty() &&
      !HoldsOneOf(who.roles, type->applicants, input.site_id, department))
    return Fail(Errc::kPermissionDenied, Reason{"request.not_applicant"},
                "only " + Join(type->applicants, "、") + " may file a request of type " + type->id +
                    " at this site");

  // Prohibitions first: no approval overrides them, so there is nothing to ask anyone.
  std::vector<const policy::Condition*> hits;
  for (const auto& c : type->prohibitions) {
    ZHIDU_TRY(bool holds, c.expr.EvalBool(input.inputs));
    if (holds) hits.push_back(&c);
  }
  const std::string inputs_json = InputsJson(input.inputs);
  if (!hits.empty()) {
    std::vector<std::string> cited, clauses;
    for (const auto* c : hits) {
      cited.push_back(Cite(*c));
      for (const auto& id : c->clauses) AddUnique(clauses, id);
    }
    if (clauses.empty()) clauses = type->clauses;  // a condition without its own clause
    if (clauses.empty()) clauses.push_back(type->id);
    std::string message = "禁止事项，不予受理（审批不能豁免）：" + Join(cited, "；");
    // The refusal is a record too: journal it, then answer 403.
    ZHIDU_TRY(auto seq, writer_.Run<std::int64_t>([&](store::Tx& tx) {
      return tx.Journal("request.refused", who.account_id, "request_type/" + type->id,
                        CanonicalObject()
                            .Add("site_id", input.site_id)
                            .Add("account_id", who.account_id)
                            .Add("type", type->id)
                            .Add("clause", clauses.front())
                            .AddRaw("clauses", JsonStringArray(clauses))
                            .Add("message", message)
                            .AddRaw("inputs", inputs_json)
                            .Add("reason", input.reason)
                            .Str());
    }));
    (void)seq;
    if (cited_clauses) *cited_clauses = clauses;
    return Fail(Errc::kPermissionDenied, Reason{"request.prohibited"}, message);
  }
  for (const auto& c : type->preconditions) {
    ZHIDU_TRY(bool holds, c.expr.EvalBool(input.inputs));
    if (!holds) {
      if (cited_clauses) *cited_clauses = c.clauses.empty() ? type->clauses : c.clauses;
      return Fail(Errc::kFailedPrecondition, Reason{"request.precondition_unmet"},
                  "不符合申请条件：" + Cite(c));
    }
  }

  // The chain must be able to finish: a "$superior" step needs the applicant to have one.
  auto superiors = SuperiorRoles(pack->roles(), RolesAt(who.roles, input.site_id, department));
  std::vector<std::string> notify_roles;
  auto states = StepStates(*type, {}, true);
  for (size_t i = 0; i < type->approvals.size(); ++i) {
    const auto& step = type->approvals[i];
    auto roles = StepRoles(step, superiors);
    if (roles.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"request.no_superior"},
                  "approval step \"" + step.id +
                      "\" is decided by the applicant's superior, but none of your roles at this "
                      "site reports to another role in the policy pack (reports_to)");
    if (states[i] == StepState::kOpen)
      for (const auto& r : roles) AddUnique(notify_roles, r);
  }

  store::ApprovalRequest row;
  row.site_id = input.site_id;
  row.type = type->id;
  row.applicant = who.account_id;
  row.applicant_person = who.person_id;
  row.inputs = inputs_json;
  row.reason = input.reason;
  ZHIDU_TRY(auto id, writer_.Run<Id>([&](store::Tx& tx) -> Result<Id> {
    store::ApprovalRequest r = row;
    r.created_at = r.updated_at = tx.now();
    ZHIDU_TRY(Id id, tx.unit().InsertApprovalRequest(r));
    r.id = id;
    if (const EventBus* bus = bus_)
      ZHIDU_TRY_VOID(bus->Emit(tx, RequestFiled{*type, r, input.inputs}));
    ZHIDU_TRY_VOID(tx.Journal("request.created", who.account_id, RequestRef(id),
                              RecordPayload(id, r)
                                  .AddRaw("clauses", JsonStringArray(type->clauses))
                                  .AddRaw("inputs", r.inputs)
                                  .Add("reason", r.reason)
                                  .AddRaw("notify_roles", JsonStringArray(notify_roles))
                                  .Str()));
    if (type->approvals.empty()) {  // nothing to approve: granted as filed
      ZHIDU_TRY_VOID(tx.unit().DecideApprovalRequest(id, store::RequestState::kApproved, tx.now()));
      ZHIDU_TRY_VOID(tx.Journal("request.approved", who.account_id, RequestRef(id),
                                RecordPayload(id, r).Str()));
      r.state = store::RequestState::kApproved;
      if (const EventBus* bus = bus_)
        ZHIDU_TRY_VOID(bus->Emit(tx, RequestApproved{*type, r, input.inputs, who.account_id}));
    }
    return id;
  }));
  return Get(who, id);
}

Result<RequestView> Requests::Decide(const org::Principal& who, Id request_id,
                                     const DecisionInput& input) {
  if (who.account_id == 0)
    return Fail(Errc::kPermissionDenied, "decisions are made by a signed-in account");
  ZHIDU_TRY_VOID(CheckLength(input.note, "note"));
  auto pack = pack_.Current();
  ZHIDU_TRY(auto l, LoadVisible(who, *pack, request_id));
  if (!l.type)
    return Fail(Errc::kFailedPrecondition, Reason{"request.type_removed"},
                "request type \"" + l.request.type +
                    "\" is no longer in the policy pack in force; its steps cannot be decided");
  if (who.account_id == l.request.applicant)
    return Fail(Errc::kPermissionDenied, Reason{"request.own_request"},
                "申请人不得审批自己的申请 (the applicant may not decide "
                "a step of their own request)");
  if (l.request.state != store::RequestState::kPending)
    return NotPending(request_id, l.request.state);

  // Which step: the named one, or the first open one this person may decide.
  auto states = StepStates(*l.type, l.decisions, true);
  auto may_decide = [&](size_t i) {
    return HoldsOneOf(who.roles, StepRoles(l.type->approvals[i], l.superior_roles),
                      l.request.site_id, l.applicant_department);
  };
  size_t index = l.type->approvals.size();
  if (input.step.empty()) {
    for (size_t i = 0; i < states.size() && index == states.size(); ++i)
      if (states[i] == StepState::kOpen && may_decide(i)) index = i;
    if (index == states.size()) {
      std::vector<std::string> open_roles;
      for (size_t i = 0; i < states.size(); ++i)
        if (states[i] == StepState::kOpen)
          for (const auto& r : StepRoles(l.type->approvals[i], l.superior_roles))
            AddUnique(open_roles, r);
      return Fail(Errc::kPermissionDenied, Reason{"request.not_your_step"},
                  "no open step of request " + std::to_string(request_id) +
                      " is yours to decide; it waits for " + Join(open_roles, "、"));
    }
  } else {
    for (size_t i = 0; i < states.size(); ++i)
      if (l.type->approvals[i].id == input.step) index = i;
    if (index == states.size())
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "request type " + l.type->id + " has no approval step \"" + input.step + "\"",
                  "step");
    if (states[index] == StepState::kApproved || states[index] == StepState::kRejected)
      return Fail(Errc::kConflict, Reason{"request.step_decided"},
                  "step \"" + input.step + "\" is already decided");
    if (!may_decide(index))
      return Fail(Errc::kPermissionDenied, Reason{"request.not_your_step"},
                  "step \"" + input.step + "\" is decided by " +
                      Join(StepRoles(l.type->approvals[index], l.superior_roles), "、") +
                      " at this site");
    if (states[index] != StepState::kOpen)
      return Fail(Errc::kFailedPrecondition, Reason{"request.step_waits"},
                  "step \"" + input.step + "\" waits for " +
                      Join(l.type->approvals[index].after, "、") + " to approve first");
  }
  const policy::ApprovalStep& step = l.type->approvals[index];

  if (step.signature && !Signed(input))
    return Fail(Errc::kInvalidArgument, kRequired,
                "step \"" + step.id + "\" must be signed: send your password", "password");
  if (step.names_escort && input.approve && input.escort_person_id == 0)
    return Fail(Errc::kInvalidArgument, Reason{"request.escort_required"},
                (step.clauses.empty() ? std::string() : Join(step.clauses, "、") + "：") +
                    "批准人须指定陪同人员 — step \"" + step.id +
                    "\" names who accompanies: send escort_person_id",
                "escort_person_id");
  if (input.escort_person_id != 0) {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    auto person = unit->GetPerson(input.escort_person_id);
    if (!person || person->site_id != l.request.site_id)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "there is no person " + std::to_string(input.escort_person_id) +
                      " at this request's site",
                  "escort_person_id");
  }

  // The signature: the password is re-confirmed now, not at sign-in.
  if (Signed(input)) {
    auto confirmed = auth_.ConfirmPassword(who.account_id, *input.password);
    if (!confirmed && confirmed.error().code == Errc::kUnauthenticated) {
      // Auditors see attempts to sign as someone (as with failed logins); nothing else changes.
      ZHIDU_TRY(auto seq, writer_.Run<std::int64_t>([&](store::Tx& tx) {
        return tx.Journal("request.signature_failed", who.account_id, RequestRef(request_id),
                          RecordPayload(request_id, l.request)
                              .Add("step", step.id)
                              .Add("signer", who.account_id)
                              .Str());
      }));
      (void)seq;
      return Fail(Errc::kPermissionDenied, Reason{"auth.signature_password"},
                  "签名失败：密码不正确 (the signature was not made)", "password");
    }
    if (!confirmed) return Fail(confirmed.error());
  }

  const std::string step_id = step.id;
  const policy::Request& type = *l.type;
  ZHIDU_TRY_VOID(writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    // Judge again inside the write: another decision may have landed since the read.
    ZHIDU_TRY(auto current, tx.unit().GetApprovalRequest(request_id));
    if (current.state != store::RequestState::kPending)
      return NotPending(request_id, current.state);
    ZHIDU_TRY(auto decisions, tx.unit().ListApprovalDecisions(request_id));
    auto now_states = StepStates(type, decisions, true);
    if (now_states[index] == StepState::kApproved || now_states[index] == StepState::kRejected)
      return Fail(Errc::kConflict, Reason{"request.step_decided"},
                  "step \"" + step_id + "\" is already decided");
    if (now_states[index] != StepState::kOpen)
      return Fail(Errc::kFailedPrecondition, Reason{"request.step_not_open"},
                  "step \"" + step_id + "\" is not open");
    store::ApprovalDecision d;
    d.request_id = request_id;
    d.step = step_id;
    d.account_id = who.account_id;
    d.approve = input.approve;
    d.signed_ = Signed(input);
    d.escort_person = input.escort_person_id;
    d.note = input.note;
    d.at = tx.now();
    auto inserted = tx.unit().InsertApprovalDecision(d);
    if (!inserted && inserted.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"request.step_decided"},
                  "step \"" + step_id + "\" is already decided");
    if (!inserted) return Fail(inserted.error());
    decisions.push_back(d);
    const std::string at = FormatIso8601Utc(d.at);

    std::vector<std::string> next_roles;  // roles of the steps this decision opened
    if (input.approve) {
      auto after = StepStates(type, decisions, true);
      for (size_t i = 0; i < after.size(); ++i)
        if (after[i] == StepState::kOpen && now_states[i] != StepState::kOpen)
          for (const auto& r : StepRoles(type.approvals[i], l.superior_roles))
            AddUnique(next_roles, r);
    }
    CanonicalObject payload = RecordPayload(request_id, current);
    payload.Add("step", step_id)
        .Add("approve", input.approve)
        .Add("signature", d.signed_)
        .Add("signer", who.account_id)
        .Add("at", at)
        .Add("note", d.note);
    if (d.escort_person != 0) payload.Add("escort_person_id", d.escort_person);
    if (!next_roles.empty()) payload.AddRaw("notify_roles", JsonStringArray(next_roles));
    ZHIDU_TRY_VOID(tx.Journal(input.approve ? "request.approved_step" : "request.rejected",
                              who.account_id, RequestRef(request_id), payload.Str()));
    if (!input.approve) {
      ZHIDU_TRY_VOID(
          tx.unit().DecideApprovalRequest(request_id, store::RequestState::kRejected, d.at));
    } else if (ChainApproved(type, decisions)) {
      ZHIDU_TRY_VOID(
          tx.unit().DecideApprovalRequest(request_id, store::RequestState::kApproved, d.at));
      ZHIDU_TRY_VOID(tx.Journal(
          "request.approved", who.account_id, RequestRef(request_id),
          RecordPayload(request_id, current).Add("record", type.record).Add("at", at).Str()));
      if (const EventBus* bus = bus_) {
        ZHIDU_TRY(auto inputs, InputsOf(type, current.inputs));
        store::ApprovalRequest approved = current;
        approved.state = store::RequestState::kApproved;
        ZHIDU_TRY_VOID(bus->Emit(tx, RequestApproved{type, approved, inputs, who.account_id}));
      }
    }
    return 0;
  }));
  return Get(who, request_id);
}

Result<RequestView> Requests::Withdraw(const org::Principal& who, Id request_id,
                                       const std::string& note) {
  ZHIDU_TRY_VOID(CheckLength(note, "note"));
  auto pack = pack_.Current();
  ZHIDU_TRY(auto l, LoadVisible(who, *pack, request_id));
  if (who.account_id != l.request.applicant)
    return Fail(Errc::kPermissionDenied, Reason{"request.not_yours"},
                "only the applicant may withdraw a request");
  ZHIDU_TRY_VOID(writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    auto changed =
        tx.unit().DecideApprovalRequest(request_id, store::RequestState::kWithdrawn, tx.now());
    if (!changed && changed.error().code == Errc::kFailedPrecondition)
      return Fail(Errc::kFailedPrecondition, Reason{"request.not_pending"},
                  "request " + std::to_string(request_id) +
                      " is no longer pending and cannot be withdrawn");
    if (!changed) return Fail(changed.error());
    ZHIDU_TRY_VOID(tx.Journal("request.withdrawn", who.account_id, RequestRef(request_id),
                              RecordPayload(request_id, l.request).Add("note", note).Str()));
    return 0;
  }));
  return Get(who, request_id);
}

Result<RequestView> Requests::Get(const org::Principal& who, Id request_id) {
  auto pack = pack_.Current();
  ZHIDU_TRY(auto l, LoadVisible(who, *pack, request_id));
  return ViewOf(l, who);
}

Result<RequestPage> Requests::List(const org::Principal& who, const RequestQuery& query,
                                   store::PageRequest page) {
  auto pack = pack_.Current();
  ZHIDU_TRY(auto unit, store_.BeginRead());
  store::RequestFilter filter;
  filter.site_id = query.site_id;
  filter.type = query.type;
  filter.state = query.state;
  if (query.mine) filter.applicant = who.account_id;
  if (query.waiting_for_me) filter.state = store::RequestState::kPending;
  if (query.waiting_for_me && query.state && *query.state != store::RequestState::kPending)
    return RequestPage{};
  RequestPage out;
  Id after = page.after_id;
  // Visibility and "waiting for me" are judged per request, so scan store pages until the page
  // is full or the rows run out; the cursor is the last row scanned.
  while (static_cast<int>(out.items.size()) < page.limit) {
    ZHIDU_TRY(auto rows, unit->ListApprovalRequests(filter, {after, kListScanLimit}));
    for (const auto& row : rows) {
      after = row.id;
      ZHIDU_TRY(auto l, Load(*unit, *pack, row.id));
      if (!MaySee(l, who)) continue;
      RequestView v = ViewOf(l, who);
      if (query.waiting_for_me &&
          std::none_of(v.steps.begin(), v.steps.end(),
                       [](const StepView& s) { return s.viewer_may_decide; }))
        continue;
      out.items.push_back(std::move(v));
      if (static_cast<int>(out.items.size()) == page.limit) {
        out.next_after_id = row.id;
        return out;
      }
    }
    if (static_cast<int>(rows.size()) < kListScanLimit) break;
  }
  return out;
}

}  // namespace zhidu::runtime
