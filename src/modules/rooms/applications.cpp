// Applications for a room or a dormitory bed (休息室/宿舍申请, R04 §一, R04 §住宿): eligibility
// read from the facts the office recorded of the person, never from what the applicant states; the
// pack's request chain decides (the office, R04 §二1); a revocation (取消其休息资格, R04 §检查)
// blocks a new application of the same regulation.
#include <charconv>

#include "base/canonical_json.hpp"
#include "kernel/policy/rule_names.hpp"
#include "modules/rooms/rooms.hpp"

namespace zhidu::rooms {

namespace {

bool IsApplication(const policy::Request& r) {
  return !r.record.empty() && policy::RuleNamed(r.record, kAllocationRecord);
}

const policy::Request* FindApplication(const policy::Pack& pack, std::string_view id) {
  for (const auto& r : pack.requests())
    if (r.id == id && IsApplication(r)) return &r;
  return nullptr;
}

// The input's declared type among the pack's application types (nullopt: no such input).
std::optional<policy::ValueType> FactType(const policy::Pack& pack, std::string_view name) {
  for (const auto& r : pack.requests()) {
    if (!IsApplication(r)) continue;
    auto it = r.inputs.find(name);
    if (it != r.inputs.end()) return it->second;
  }
  return std::nullopt;
}

std::string FactText(const policy::Value& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* d = std::get_if<double>(&v)) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return ec == std::errc() ? std::string(buf, end) : "0";
  }
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return "";
}

std::optional<policy::Value> FactValue(policy::ValueType type, const std::string& text) {
  switch (type) {
    case policy::ValueType::kBool:
      if (text == "true") return policy::Value(true);
      if (text == "false") return policy::Value(false);
      return std::nullopt;
    case policy::ValueType::kNumber: {
      double d = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
      return policy::Value(d);
    }
    case policy::ValueType::kString:
      return policy::Value(text);
    case policy::ValueType::kStringList:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Rooms::ApplicationTypes() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto pack = pack_.Current())
    for (const auto& r : pack->requests())
      if (IsApplication(r)) out.emplace_back(r.id, r.title);
  return out;
}

std::vector<const policy::Penalty*> Rooms::RevokingPenalties(const policy::Pack& pack) const {
  std::vector<const policy::Penalty*> out;
  for (const auto& p : pack.penalties()) {
    bool revokes = false, same_file = false;
    for (const auto& step : p.ladder) revokes = revokes || !step.revoke.empty();
    for (const auto& r : pack.requests())
      same_file = same_file || (IsApplication(r) && r.source.file == p.source.file);
    if (revokes && same_file) out.push_back(&p);
  }
  return out;
}

Result<std::vector<Fact>> Rooms::SetFacts(const org::Principal& who, Id person_id,
                                          const policy::Context& facts) {
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  if (facts.empty()) return Fail(Errc::kInvalidArgument, kRequired, "facts is required", "facts");
  for (const auto& [name, value] : facts) {
    auto type = FactType(*pack, name);
    if (!type || !name.starts_with(kApplicantPrefix))
      return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_fact"},
                  "\"" + name + "\" is not an applicant input of an application type of the pack",
                  "facts");
    if (auto typed = runtime::CheckInputs({{name, *type}}, {{name, value}}); !typed)
      return Fail(Errc::kInvalidArgument, kInvalid, typed.error().message, "facts");
  }
  auto clauses = Clauses(kAllocationRecord);
  ZHIDU_TRY_VOID(writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto person = tx.unit().GetPerson(person_id);
    if (!person && person.error().code == Errc::kNotFound)
      return Fail(Errc::kNotFound, "person " + std::to_string(person_id) + " does not exist");
    if (!person) return Fail(person.error());
    ZHIDU_TRY_VOID(MayManage(who, person->site_id));
    CanonicalObject recorded;
    for (const auto& [name, value] : facts) {
      ZHIDU_TRY_VOID(
          db::PutFact(tx.unit().sql(), person_id, name, FactText(value), who.account_id, tx.now()));
      recorded.Add(name, FactText(value));
    }
    CanonicalObject payload;
    payload.Add("person_id", person_id)
        .Add("site_id", person->site_id)
        .AddRaw("facts", recorded.Str())
        .AddRaw("clauses", JsonStringArray(clauses));
    ZHIDU_TRY(auto seq, tx.Journal("rooms.facts.recorded", who.account_id,
                                   "person/" + std::to_string(person_id), payload.Str()));
    (void)seq;
    return true;
  }));
  return Facts(who, person_id);
}

Result<std::vector<Fact>> Rooms::Facts(const org::Principal& who, Id person_id) {
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto person = unit->GetPerson(person_id);
  if (!person && person.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, "person " + std::to_string(person_id) + " does not exist");
  if (!person) return Fail(person.error());
  if (who.person_id != person_id) ZHIDU_TRY_VOID(MayManage(who, person->site_id));
  ZHIDU_TRY(auto stored, db::FactsOf(unit->sql(), person_id));
  std::vector<Fact> out;
  for (const auto& f : stored) {
    auto type = FactType(*pack, f.name);
    if (!type) continue;  // no longer read by the pack in force
    auto value = FactValue(*type, f.text);
    if (!value) continue;  // recorded under another type
    out.push_back({f.name, *value, f.recorded_by, f.recorded_at});
  }
  return out;
}

Result<policy::Context> Rooms::ApplicantInputs(store::Sql& sql, const policy::Request& type,
                                               Id person_id) const {
  ZHIDU_TRY(auto stored, db::FactsOf(sql, person_id));
  policy::Context inputs;
  for (const auto& [name, value_type] : type.inputs) {
    if (!name.starts_with(kApplicantPrefix)) continue;
    std::optional<policy::Value> value;
    for (const auto& f : stored)
      if (f.name == name) value = FactValue(value_type, f.text);
    if (!value)
      return Fail(Errc::kFailedPrecondition, Reason{"rooms.fact_missing"},
                  "the office has not recorded \"" + name + "\" for this person (" + type.title +
                      " reads it from the person's records, not from the applicant)",
                  name);
    inputs[name] = *value;
  }
  return inputs;
}

Result<void> Rooms::NotRevoked(store::UnitOfWork& unit, const policy::Pack& pack,
                               const policy::Request& type, Id person_id) const {
  store::ViolationFilter f;
  f.person_id = person_id;
  ZHIDU_TRY(auto violations, unit.ListViolations(f, store::PageRequest{0, 1000}));
  for (const auto& v : violations) {
    if (v.state == store::ViolationState::kOverturned) continue;
    if (v.consequence.find("\"revoke\"") == std::string::npos) continue;
    for (const auto& p : pack.penalties()) {
      if (p.code != v.code || p.source.file != type.source.file) continue;
      return Fail(Errc::kFailedPrecondition, Reason{"rooms.eligibility_revoked"},
                  "the person's eligibility was revoked by violation " + std::to_string(v.id) +
                      " (" + p.title + "，" + Join(p.clauses, "、") + ")");
    }
  }
  return Ok();
}

Result<runtime::RequestView> Rooms::Apply(const org::Principal& who, Id site_id,
                                          const std::string& type_id, const std::string& reason) {
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  const policy::Request* type = FindApplication(*pack, type_id);
  if (!type)
    return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_application"},
                "\"" + type_id + "\" is not an application type of the pack in force", "type");
  if (who.person_id == 0)
    return Fail(Errc::kFailedPrecondition, Reason{"rooms.no_person"},
                "the account applying is not linked to a person");
  runtime::NewRequest req;
  req.site_id = site_id;
  req.type = type_id;
  req.reason = reason;
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY_VOID(NotRevoked(*unit, *pack, *type, who.person_id));
    ZHIDU_TRY(req.inputs, ApplicantInputs(unit->sql(), *type, who.person_id));
  }
  return requests_.Create(who, req);
}

Result<bool> Rooms::CheckApplication(store::UnitOfWork& unit, Id request_id, Id person_id,
                                     Id site_id) const {
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  auto req = unit.GetApprovalRequest(request_id);
  if (!req && req.error().code != Errc::kNotFound) return Fail(req.error());
  const policy::Request* type = req ? FindApplication(*pack, req->type) : nullptr;
  if (!req || !type || req->applicant_person != person_id || req->site_id != site_id)
    return Fail(
        Errc::kInvalidArgument, Reason{"rooms.wrong_application"},
        "request " + std::to_string(request_id) + " is not this person's application at this site",
        "request_id");
  if (req->state != store::RequestState::kApproved)
    return Fail(Errc::kFailedPrecondition, Reason{"rooms.application_not_approved"},
                "application " + std::to_string(request_id) + " is not approved");
  ZHIDU_TRY_VOID(NotRevoked(unit, *pack, *type, person_id));
  ZHIDU_TRY(auto inputs, ApplicantInputs(unit.sql(), *type, person_id));
  if (runtime::InputsJson(inputs) != req->inputs)
    return Fail(Errc::kFailedPrecondition, Reason{"rooms.application_not_recorded"},
                "application " + std::to_string(request_id) +
                    " states facts that differ from the office's records of the person");
  return policy::RuleNamed(type->id, kSwapRequest);
}

}  // namespace zhidu::rooms
