#include "kernel/policy/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "base/crypto.hpp"
#include "kernel/policy/date_text.hpp"
#include "kernel/policy/post_rules.hpp"
#include "kernel/policy/rule_names.hpp"

namespace zhidu::policy {

std::string Diagnostic::ToString() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::string LoadReport::ToString() const {
  std::string out;
  for (const auto& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

namespace {

// The words of a duty's `on:` the planner plans itself (kernel/runtime/duties.cpp); any other is
// a site event.
bool IsPlannedOnWord(std::string_view on) {
  return on == "shift_start" || on == "shift_end" || on == "work_start" || on == "work_end" ||
         on == "after_work";
}

// Which part of its rule a citation comes from, for the honest rule (PackBuilder::MarkUnenforced).
enum class Part { kWhole, kRefusal, kAccess };
struct CiteOrigin {
  Part part = Part::kWhole;
  size_t index = 0;  // kAccess: the access rule's index in its place
};
}  // namespace

// Builds a Pack; owns the diagnostics of one load. Not thread-safe; one per load.
class PackBuilder {
 public:
  PackBuilder(std::filesystem::path dir, const LoadOptions& options)
      : dir_(std::move(dir)), options_(options) {
    engine_ = MakeExprEngine();
  }
  Result<Pack> Run(LoadReport* report);

 private:
  using Node = YAML::Node;
  // A mapping with its fields checked against the allowed names.
  struct Obj {
    Node node;
    std::string what;
    std::map<std::string, Node> fields;
    bool ok = false;
    bool Has(const std::string& k) const { return fields.contains(k); }
    Node Get(const std::string& k) const {
      auto it = fields.find(k);
      return it == fields.end() ? Node(YAML::NodeType::Undefined) : it->second;
    }
  };
  struct Ref {         // a reference checked once every file is loaded
    std::string kind;  // "role", "post", ...
    std::string name;
    Source at;
    std::string context;
  };

  void Error(const Source& at, std::string message) {
    diags_.push_back({at.file, at.line, at.column, std::move(message)});
  }
  Source At(const Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }
  void ErrorAt(const Node& n, std::string message) { Error(At(n), std::move(message)); }

  std::optional<Node> ParseFile(const std::filesystem::path& rel);
  void CheckDuplicateKeys(const Node& n);

  Obj Open(const Node& n, std::string what, std::initializer_list<const char*> allowed);
  std::string Str(const Obj& o, const std::string& key, bool required = false);
  std::optional<int> Int(const Obj& o, const std::string& key);
  std::optional<double> Num(const Obj& o, const std::string& key);
  bool Bool(const Obj& o, const std::string& key, bool fallback = false);
  std::vector<std::string> StrList(const Obj& o, const std::string& key);
  std::vector<Node> List(const Obj& o, const std::string& key);
  std::vector<std::string> Clauses(const Obj& o, bool required = true);
  std::optional<Duration> Dur(const Obj& o, const std::string& key);
  std::optional<TimeOfDay> Time(const Obj& o, const std::string& key);
  template <typename Parse>
  auto ParsedScalar(const Obj& o, const std::string& key, std::string_view what, Parse parse)
      -> std::optional<typename decltype(parse(std::string_view()))::value_type>;
  std::optional<TimeRange> Range(const Node& n);
  std::vector<TimeRange> Ranges(const Obj& o, const std::string& key);
  std::optional<Param> ParamOf(const Obj& o, const std::string& key);
  std::optional<Expr> ExprOf(const Obj& o, const std::string& key, const ContextSchema& schema,
                             ValueType result);
  ContextSchema Inputs(const Obj& o);
  void Base(const Obj& o, RuleBase* r, bool id_required = true, bool clause_required = true);
  void Want(std::string kind, const std::string& name, const Node& at, std::string context);
  void WantAll(std::string kind, const std::vector<std::string>& names, const Node& at,
               std::string context);
  void Define(const std::string& kind, const std::string& id, const Source& at);
  void Cite(const std::vector<std::string>& clauses, std::string kind, const RuleBase& r,
            bool executable = true);
  void Cite(const std::vector<std::string>& clauses, std::string kind, const std::string& id,
            const std::string& title, const Source& at, bool executable = true,
            CiteOrigin origin = {});

  void LoadPackYaml();
  void LoadRuleFile(const std::filesystem::path& rel);
  void LoadRole(const Node& n, bool system);
  void LoadWorkingHours(const Node& n);
  void LoadDemo();
  // A state's `actions` and a service level's `on_breach`: every word is one the runtime runs (or
  // a task people tick), and what it names exists (docs/policy_format.md §11, §13).
  void CheckStateAction(const std::string& action, const Node& at);
  void CheckBreachAction(const std::string& action, const Node& at);
  void LoadPost(const Node& n);
  void LoadPlace(const Node& n);
  void LoadShiftPattern(const Node& n);
  void LoadStaffing(const Node& n);
  ChecklistItem LoadItem(const Node& n, const std::string& what);
  void LoadChecklist(const Node& n);
  void LoadRecord(const Node& n);
  Schedule LoadSchedule(const Node& n);
  void LoadDuty(const Node& n);
  void LoadProcedure(const Node& n);
  void LoadRequest(const Node& n);
  void LoadServiceLevel(const Node& n);
  void LoadPenalty(const Node& n);
  void LoadDiscipline(const Node& n);
  void LoadAssessment(const Node& n);
  void LoadRetention(const Node& n);
  void LoadConduct(const Node& n);
  void LoadEvent(const Node& n);
  void CheckReferences();
  // The honest rule (docs/coverage.md): a citation stays executable only when the runtime executes
  // the rule part citing it; the others become "recorded, not enforced" (executable = false).
  void MarkUnenforced();

  std::filesystem::path dir_;
  const LoadOptions& options_;
  std::string demo_file_;                     // pack.yaml `demo:`, relative to the pack
  std::set<std::string> broken_regulations_;  // regulations whose text could not be split
  std::vector<std::pair<std::string, Source>> follow_up_events_;  // checked once all is loaded
  std::vector<std::pair<std::string, Source>> stop_events_;       // service levels' stop entries
  std::vector<std::pair<std::string, Source>> listened_events_;   // triggers, starts, duties' on:
  // Service levels' pause and resume entries ("pause" / "resume", the event, where).
  std::vector<std::tuple<std::string, std::string, Source>> pause_events_;
  // Service levels that count working hours (time: business, a within under a day or a site's):
  // the pack must state its working hours (checked once all is loaded).
  std::vector<std::pair<std::string, Source>> working_hours_levels_;
  // The events of `key` (one or a list), each with where it is written.
  std::vector<std::pair<std::string, Source>> EventList(const Obj& o, const std::string& key);
  void CheckStopEvents();
  void CheckEventSources();
  void CheckHandoverForms();
  std::string file_;  // current file, as shown in diagnostics
  std::vector<Diagnostic> diags_;
  std::shared_ptr<ExprEngine> engine_;
  Pack pack_;
  std::vector<Ref> refs_;
  std::vector<CiteOrigin> cite_origins_;                          // parallel to pack_.citations_
  std::map<std::string, std::map<std::string, Source>> defined_;  // kind -> id -> where
  std::string hash_input_;
};

// ---------------------------------------------------------------------------------------------
// Values

Result<Duration> ParseDuration(std::string_view text) {
  Duration d;
  if (text.empty()) return Fail(Errc::kInvalidArgument, "empty duration");
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 9) {
      return Fail(Errc::kInvalidArgument, "bad duration \"" + std::string(text) +
                                              "\" (want e.g. 15m, 1h30m, 2d, 1mo, 3wd)");
    }
    long n = std::stol(std::string(text.substr(start, i - start)));
    size_t ustart = i;
    while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z'))) ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    if (unit == "s")
      d.fixed += std::chrono::seconds(n);
    else if (unit == "m" || unit == "min")
      d.fixed += std::chrono::minutes(n);
    else if (unit == "h")
      d.fixed += std::chrono::hours(n);
    else if (unit == "d")
      d.fixed += std::chrono::days(n);
    else if (unit == "w")
      d.fixed += std::chrono::weeks(n);
    else if (unit == "mo")
      d.months += static_cast<int>(n);
    else if (unit == "y")
      d.months += static_cast<int>(n) * 12;
    else if (unit == "wd")
      d.working_days += static_cast<int>(n);
    else
      return Fail(Errc::kInvalidArgument, "bad duration \"" + std::string(text) + "\": unit \"" +
                                              std::string(unit) +
                                              "\" (use s, m, h, d, w, mo, y or wd)");
    any = true;
  }
  if (!any) return Fail(Errc::kInvalidArgument, "bad duration \"" + std::string(text) + "\"");
  return d;
}

Result<TimeOfDay> ParseTimeOfDay(std::string_view text) {
  int h = 0, m = 0;
  if (text.size() == 5 && text[2] == ':' && std::isdigit(static_cast<unsigned char>(text[0])) &&
      std::isdigit(static_cast<unsigned char>(text[1])) &&
      std::isdigit(static_cast<unsigned char>(text[3])) &&
      std::isdigit(static_cast<unsigned char>(text[4]))) {
    h = (text[0] - '0') * 10 + (text[1] - '0');
    m = (text[3] - '0') * 10 + (text[4] - '0');
    if ((h < 24 && m < 60) || (h == 24 && m == 0)) return TimeOfDay{h * 60 + m};
  }
  return Fail(Errc::kInvalidArgument,
              "bad time of day \"" + std::string(text) + "\" (want HH:MM, 00:00-24:00)");
}

Result<TimeRange> ParseTimeRange(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos)
    return Fail(Errc::kInvalidArgument,
                "bad time range \"" + std::string(text) + "\" (want HH:MM-HH:MM)");
  ZHIDU_TRY(TimeOfDay a, ParseTimeOfDay(text.substr(0, dash)));
  ZHIDU_TRY(TimeOfDay b, ParseTimeOfDay(text.substr(dash + 1)));
  return TimeRange{a, b};
}

std::string FormatTimeRange(const TimeRange& r) {
  auto hhmm = [](TimeOfDay t) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", t.minutes / 60, t.minutes % 60);
    return std::string(buf);
  };
  return hhmm(r.start) + "-" + hhmm(r.end);
}

Result<void> CheckWorkPeriods(const std::vector<TimeRange>& periods) {
  if (periods.empty())
    return Fail(Errc::kInvalidArgument, "working hours need at least one period (HH:MM-HH:MM)");
  for (size_t i = 0; i < periods.size(); ++i) {
    const auto& p = periods[i];
    if (p.end.minutes <= p.start.minutes)
      return Fail(Errc::kInvalidArgument,
                  "working period " + FormatTimeRange(p) +
                      " must end after it starts on the same day (a night shift is a roster's)");
    if (i > 0 && p.start.minutes < periods[i - 1].end.minutes)
      return Fail(Errc::kInvalidArgument, "working period " + FormatTimeRange(p) +
                                              " must start after " +
                                              FormatTimeRange(periods[i - 1]) + " ends");
  }
  return Ok();
}

std::chrono::minutes ShiftDef::Length() const {
  int len = end.minutes - start.minutes;
  if (len <= 0) len += 24 * 60;
  return std::chrono::minutes(len);
}

const std::string& ShiftPattern::ShiftOn(size_t team, long day_index) const {
  static const std::string kOff = "off";
  if (cycle.empty() || team >= teams.size()) return kOff;
  long offset = team < team_offsets.size() ? team_offsets[team] : 0;
  long n = static_cast<long>(cycle.size());
  long i = ((day_index + offset) % n + n) % n;
  return cycle[static_cast<size_t>(i)];
}

// ---------------------------------------------------------------------------------------------
// Files and fields

std::optional<YAML::Node> PackBuilder::ParseFile(const std::filesystem::path& rel) {
  file_ = (dir_ / rel).string();
  std::ifstream in(dir_ / rel, std::ios::binary);
  if (!in) {
    Error({file_, 0, 0}, "cannot read file");
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  hash_input_ += rel.generic_string() + '\0' + text + '\0';
  try {
    Node root = YAML::Load(text);
    CheckDuplicateKeys(root);
    return root;
  } catch (const YAML::ParserException& e) {
    Error({file_, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    Error({file_, 0, 0}, std::string("YAML error: ") + e.what());
  }
  return std::nullopt;
}

void PackBuilder::CheckDuplicateKeys(const Node& n) {
  if (n.IsMap()) {
    std::map<std::string, Source> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it->first.IsScalar()) {
        std::string key = it->first.Scalar();
        Source at = At(it->first);
        auto [pos, inserted] = seen.emplace(key, at);
        if (!inserted) {
          Error(at, "duplicate key '" + key + "' (first at line " +
                        std::to_string(pos->second.line) + ")");
        }
      }
      CheckDuplicateKeys(it->second);
    }
  } else if (n.IsSequence()) {
    for (const auto& child : n) CheckDuplicateKeys(child);
  }
}

PackBuilder::Obj PackBuilder::Open(const Node& n, std::string what,
                                   std::initializer_list<const char*> allowed) {
  Obj o;
  o.node = n;
  o.what = std::move(what);
  if (!n.IsMap()) {
    ErrorAt(n, o.what + " must be a mapping");
    return o;
  }
  o.ok = true;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      ErrorAt(it->first, "keys must be plain names");
      continue;
    }
    std::string key = it->first.Scalar();
    bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
    if (!known) {
      std::string list;
      for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      ErrorAt(it->first, "unknown field '" + key + "' in " + o.what + " (allowed: " + list + ")");
      continue;
    }
    o.fields.emplace(key, it->second);  // first occurrence wins; duplicates reported already
  }
  return o;
}

std::string PackBuilder::Str(const Obj& o, const std::string& key, bool required) {
  Node v = o.Get(key);
  if (!v) {
    if (required && o.ok) ErrorAt(o.node, "missing field '" + key + "' in " + o.what);
    return {};
  }
  if (!v.IsScalar()) {
    ErrorAt(v, "field '" + key + "' must be a string");
    return {};
  }
  return v.Scalar();
}

std::optional<int> PackBuilder::Int(const Obj& o, const std::string& key) {
  Node v = o.Get(key);
  if (!v) return std::nullopt;
  int out = 0;
  if (!v.IsScalar() || !YAML::convert<int>::decode(v, out)) {
    ErrorAt(v, "field '" + key + "' must be an integer");
    return std::nullopt;
  }
  return out;
}

std::optional<double> PackBuilder::Num(const Obj& o, const std::string& key) {
  Node v = o.Get(key);
  if (!v) return std::nullopt;
  double out = 0;
  if (!v.IsScalar() || !YAML::convert<double>::decode(v, out)) {
    ErrorAt(v, "field '" + key + "' must be a number");
    return std::nullopt;
  }
  return out;
}

bool PackBuilder::Bool(const Obj& o, const std::string& key, bool fallback) {
  Node v = o.Get(key);
  if (!v) return fallback;
  bool out = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, out)) {
    ErrorAt(v, "field '" + key + "' must be true or false");
    return fallback;
  }
  return out;
}

std::vector<std::string> PackBuilder::StrList(const Obj& o, const std::string& key) {
  std::vector<std::string> out;
  Node v = o.Get(key);
  if (!v) return out;
  if (v.IsScalar()) {
    out.push_back(v.Scalar());
  } else if (v.IsSequence()) {
    for (const auto& e : v) {
      if (e.IsScalar()) {
        out.push_back(e.Scalar());
      } else {
        ErrorAt(e, "field '" + key + "' must list strings");
      }
    }
  } else {
    ErrorAt(v, "field '" + key + "' must be a string or a list of strings");
  }
  return out;
}

std::vector<YAML::Node> PackBuilder::List(const Obj& o, const std::string& key) {
  std::vector<Node> out;
  Node v = o.Get(key);
  if (!v || v.IsNull()) return out;
  if (!v.IsSequence()) {
    ErrorAt(v, "field '" + key + "' must be a list");
    return out;
  }
  for (const auto& e : v) out.push_back(e);
  return out;
}

std::vector<std::string> PackBuilder::Clauses(const Obj& o, bool required) {
  std::vector<std::string> out;
  Node v = o.Get("clause");
  if (!v) {
    if (required && o.ok) ErrorAt(o.node, "missing field 'clause' in " + o.what);
    return out;
  }
  std::vector<Node> items;
  if (v.IsScalar()) {
    items.push_back(v);
  } else if (v.IsSequence()) {
    for (const auto& e : v) items.push_back(e);
  } else {
    ErrorAt(v, "field 'clause' must be a clause id or a list of them");
  }
  for (const auto& e : items) {
    if (!e.IsScalar()) {
      ErrorAt(e, "field 'clause' must be a clause id");
      continue;
    }
    std::string id = NormalizeClauseId(e.Scalar());
    if (pack_.clauses_.Find(id) == nullptr) {
      std::string code = id.substr(0, id.find(' '));
      if (broken_regulations_.contains(code)) {
        continue;  // the regulation's own error says why
      } else if (pack_.clauses_.FindRegulation(code) == nullptr) {
        ErrorAt(e, "clause '" + e.Scalar() + "': no regulation " + code + " in this pack");
      } else {
        ErrorAt(e, "clause '" + e.Scalar() + "' does not exist in " + code +
                       " (run `zhidu policy explain` on a nearby clause to see the ids)");
      }
      continue;
    }
    out.push_back(id);
  }
  return out;
}

// A scalar field read through `parse`; errors go to the field's position.
template <typename Parse>
auto PackBuilder::ParsedScalar(const Obj& o, const std::string& key, std::string_view what,
                               Parse parse)
    -> std::optional<typename decltype(parse(std::string_view()))::value_type> {
  Node v = o.Get(key);
  if (!v) return std::nullopt;
  if (!v.IsScalar()) {
    ErrorAt(v, "field '" + key + "' must be " + std::string(what));
    return std::nullopt;
  }
  auto parsed = parse(v.Scalar());
  if (!parsed) {
    ErrorAt(v, parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

std::optional<Duration> PackBuilder::Dur(const Obj& o, const std::string& key) {
  return ParsedScalar(o, key, "a duration", [](std::string_view t) { return ParseDuration(t); });
}

std::optional<TimeOfDay> PackBuilder::Time(const Obj& o, const std::string& key) {
  return ParsedScalar(o, key, "a time of day",
                      [](std::string_view t) { return ParseTimeOfDay(t); });
}

std::optional<TimeRange> PackBuilder::Range(const Node& n) {
  // "08:00-11:30"
  if (!n.IsScalar()) {
    ErrorAt(n, "a time range must be \"HH:MM-HH:MM\"");
    return std::nullopt;
  }
  auto r = ParseTimeRange(n.Scalar());
  if (!r) {
    ErrorAt(n, r.error().message);
    return std::nullopt;
  }
  return *r;
}

std::vector<TimeRange> PackBuilder::Ranges(const Obj& o, const std::string& key) {
  std::vector<TimeRange> out;
  Node v = o.Get(key);
  if (!v) return out;
  if (v.IsScalar()) {
    if (auto r = Range(v)) out.push_back(*r);
  } else if (v.IsSequence()) {
    for (const auto& e : v) {
      if (auto r = Range(e)) out.push_back(*r);
    }
  } else {
    ErrorAt(v, "field '" + key + "' must be a time range or a list of them");
  }
  return out;
}

std::optional<Param> PackBuilder::ParamOf(const Obj& o, const std::string& key) {
  Node v = o.Get(key);
  if (!v) return std::nullopt;
  if (v.IsMap()) {
    Obj p = Open(v, "parameter", {"param"});
    Param out;
    out.name = Str(p, "param", true);
    return out;
  }
  double d = 0;
  if (!v.IsScalar() || !YAML::convert<double>::decode(v, d)) {
    ErrorAt(v, "field '" + key + "' must be a number or {param: NAME}");
    return std::nullopt;
  }
  Param out;
  out.value = d;
  return out;
}

ContextSchema PackBuilder::Inputs(const Obj& o) {
  ContextSchema schema;
  Node v = o.Get("inputs");
  if (!v) return schema;
  if (!v.IsMap()) {
    ErrorAt(v, "field 'inputs' must map names to types");
    return schema;
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::string name = it->first.Scalar();
    std::string type = it->second.IsScalar() ? it->second.Scalar() : "";
    ValueType t;
    if (type == "bool")
      t = ValueType::kBool;
    else if (type == "number")
      t = ValueType::kNumber;
    else if (type == "string")
      t = ValueType::kString;
    else if (type == "list")
      t = ValueType::kStringList;
    else {
      ErrorAt(it->second, "input '" + name + "' has unknown type '" + type +
                              "' (use bool, number, string or list)");
      continue;
    }
    schema.emplace(name, t);
  }
  return schema;
}

std::optional<Expr> PackBuilder::ExprOf(const Obj& o, const std::string& key,
                                        const ContextSchema& schema, ValueType result) {
  Node v = o.Get(key);
  if (!v) return std::nullopt;
  if (!v.IsScalar()) {
    ErrorAt(v, "field '" + key + "' must be an expression string");
    return std::nullopt;
  }
  auto e = Expr::Compile(engine_, v.Scalar(), schema, result);
  if (!e) {
    ErrorAt(v, e.error().message);
    return std::nullopt;
  }
  return std::move(*e);
}

void PackBuilder::Base(const Obj& o, RuleBase* r, bool id_required, bool clause_required) {
  r->id = Str(o, "id", id_required);
  r->title = Str(o, "title");
  r->clauses = Clauses(o, clause_required);
  r->source = At(o.node);
}

void PackBuilder::Want(std::string kind, const std::string& name, const Node& at,
                       std::string context) {
  if (name.empty()) return;
  refs_.push_back({std::move(kind), name, At(at), std::move(context)});
}

void PackBuilder::WantAll(std::string kind, const std::vector<std::string>& names, const Node& at,
                          std::string context) {
  for (const auto& n : names) Want(kind, n, at, context);
}

void PackBuilder::Define(const std::string& kind, const std::string& id, const Source& at) {
  if (id.empty()) return;
  auto [it, inserted] = defined_[kind].emplace(id, at);
  if (!inserted) {
    Error(at, "duplicate " + kind + " id '" + id + "' (first defined at " + it->second.file + ":" +
                  std::to_string(it->second.line) + ")");
  }
}

void PackBuilder::Cite(const std::vector<std::string>& clauses, std::string kind, const RuleBase& r,
                       bool executable) {
  Cite(clauses, std::move(kind), r.id, r.title, r.source, executable);
}

void PackBuilder::Cite(const std::vector<std::string>& clauses, std::string kind,
                       const std::string& id, const std::string& title, const Source& at,
                       bool executable, CiteOrigin origin) {
  for (const auto& c : clauses) {
    pack_.citations_.push_back({c, Pack::RuleRef{kind, id, title, at, executable}});
    cite_origins_.push_back(origin);
  }
}

// ---------------------------------------------------------------------------------------------
// pack.yaml

void PackBuilder::LoadPackYaml() {
  auto root = ParseFile("pack.yaml");
  if (!root) return;
  Obj o = Open(*root, "pack.yaml",
               {"name", "version", "effective", "time_zone", "calendar", "regulations", "roles",
                "files", "demo", "working_hours"});
  if (!o.ok) return;
  pack_.info_.name = Str(o, "name", true);
  pack_.info_.version = Str(o, "version", true);
  pack_.info_.effective = Str(o, "effective", true);
  pack_.info_.time_zone = Str(o, "time_zone");
  if (pack_.info_.time_zone.empty()) pack_.info_.time_zone = "Asia/Shanghai";
  std::string pack_file = file_;
  std::string calendar = Str(o, "calendar");
  Node cal_node = o.Get("calendar");
  demo_file_ = Str(o, "demo");
  for (const Node& r : List(o, "regulations")) {
    Obj ro = Open(r, "regulation", {"code", "file", "title", "structure", "headings", "body_from"});
    if (!ro.ok) continue;
    RegulationSpec spec;
    spec.code = Str(ro, "code", true);
    spec.title = Str(ro, "title");
    spec.body_from = Str(ro, "body_from");
    std::string file = Str(ro, "file", true);
    for (const auto& level : StrList(ro, "structure")) {
      MarkerKind k;
      if (!ParseMarkerKind(level, &k)) {
        ErrorAt(ro.Get("structure"),
                "unknown numbering style '" + level +
                    "' (article, rule, cn, cn_paren, num, num_half, num_paren, dot2, dot3, "
                    "letter, heading)");
        continue;
      }
      spec.levels.push_back(k);
    }
    for (const Node& h : List(ro, "headings")) {
      Obj ho = Open(h, "heading", {"match", "id"});
      spec.headings.push_back({Str(ho, "match", true), Str(ho, "id", true)});
    }
    if (file.empty() || spec.code.empty()) continue;
    std::ifstream in(dir_ / file, std::ios::binary);
    if (!in) {
      ErrorAt(ro.Get("file"), "cannot read regulation text '" + file + "'");
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    hash_input_ += file + '\0' + ss.str() + '\0';
    auto added = pack_.clauses_.AddRegulation(spec, ss.str());
    if (!added) {
      ErrorAt(ro.Get(added.error().field == "structure" ? "structure" : "code"),
              added.error().message);
      broken_regulations_.insert(spec.code);  // its citations are not reported one by one
    }
  }
  // Product roles (管理员…) may be declared here; regulation roles live in the R files.
  for (const Node& n : List(o, "roles")) LoadRole(n, true);
  if (Node n = o.Get("working_hours")) LoadWorkingHours(n);
  if (!calendar.empty()) {
    std::ifstream in(dir_ / calendar, std::ios::binary);
    if (!in) {
      ErrorAt(cal_node, "cannot read calendar '" + calendar + "'");
    } else {
      std::stringstream ss;
      ss << in.rdbuf();
      hash_input_ += calendar + '\0' + ss.str() + '\0';
      auto cal = BusinessCalendar::FromYaml(ss.str());
      if (!cal) {
        ErrorAt(cal_node, cal.error().message);
      } else {
        pack_.calendar_ = std::move(*cal);
      }
    }
  }
  file_ = pack_file;
}

// ---------------------------------------------------------------------------------------------
// The demo company (pack.yaml `demo:`)

void PackBuilder::LoadDemo() {
  if (demo_file_.ends_with(".yaml") && demo_file_.find('/') == std::string::npos) {
    // A top-level .yaml is read as a rule file; the demo lives in a folder of its own.
    Error({(dir_ / "pack.yaml").string(), 0, 0},
          "demo: '" + demo_file_ + "' must be in a folder of the pack (e.g. demo/company.yaml)");
    return;
  }
  auto root = ParseFile(demo_file_);
  if (!root) return;
  Obj o = Open(*root, "demo", {"site", "time_zone", "departments", "people", "rosters", "footage"});
  if (!o.ok) return;
  DemoCompany demo;
  demo.site = Str(o, "site", true);
  demo.time_zone = Str(o, "time_zone");
  if (demo.time_zone.empty()) demo.time_zone = pack_.info_.time_zone;
  std::set<std::string> departments, teams, posts, accounts;
  std::map<std::string, std::string> team_department;
  for (const Node& n : List(o, "departments")) {
    Obj d = Open(n, "demo department", {"name", "teams", "posts"});
    if (!d.ok) continue;
    DemoDepartment dep;
    dep.name = Str(d, "name", true);
    if (!departments.insert(dep.name).second)
      ErrorAt(d.Get("name"), "department '" + dep.name + "' twice");
    dep.teams = StrList(d, "teams");
    for (const auto& t : dep.teams) {
      if (!teams.insert(t).second) ErrorAt(d.Get("teams"), "team '" + t + "' twice");
      team_department[t] = dep.name;
    }
    dep.posts = StrList(d, "posts");
    WantAll("post", dep.posts, d.Get("posts"), "demo posts");
    for (const auto& p : dep.posts)
      if (!posts.insert(p).second) ErrorAt(d.Get("posts"), "post '" + p + "' twice");
    demo.departments.push_back(std::move(dep));
  }
  for (const Node& n : List(o, "people")) {
    Obj po =
        Open(n, "demo person", {"name", "department", "team", "account", "role", "certifications"});
    if (!po.ok) continue;
    DemoPerson person;
    person.name = Str(po, "name", true);
    person.department = Str(po, "department", true);
    if (!person.department.empty() && !departments.contains(person.department))
      ErrorAt(po.Get("department"), "no demo department '" + person.department + "'");
    person.team = Str(po, "team");
    if (!person.team.empty() && team_department[person.team] != person.department)
      ErrorAt(po.Get("team"),
              "no team '" + person.team + "' in demo department '" + person.department + "'");
    person.account = Str(po, "account");
    person.role = Str(po, "role");
    if (person.account.empty() != person.role.empty())
      ErrorAt(n, "a demo account needs both account and role");
    if (!person.account.empty() && !accounts.insert(person.account).second)
      ErrorAt(po.Get("account"), "account '" + person.account + "' twice");
    if (person.account == "admin")
      ErrorAt(po.Get("account"), "account 'admin' is the seeded administrator");
    if (person.role != "admin") Want("role", person.role, po.Get("role"), "demo role");
    for (const Node& c : List(po, "certifications")) {
      Obj co = Open(c, "certification", {"name", "expires"});
      if (!co.ok) continue;
      DemoCertification cert{Str(co, "name", true), Str(co, "expires")};
      if (!cert.expires.empty() && !ParseDate(cert.expires))
        ErrorAt(co.Get("expires"), "expires must be a date YYYY-MM-DD");
      person.certifications.push_back(std::move(cert));
    }
    demo.people.push_back(std::move(person));
  }
  for (const Node& n : List(o, "rosters")) {
    Obj ro = Open(n, "demo roster", {"post", "pattern", "teams"});
    if (!ro.ok) continue;
    DemoRoster roster{Str(ro, "post", true), Str(ro, "pattern", true), StrList(ro, "teams")};
    if (!roster.post.empty() && !posts.contains(roster.post))
      ErrorAt(ro.Get("post"), "post '" + roster.post + "' is not in a demo department");
    Want("shift_pattern", roster.pattern, ro.Get("pattern"), "demo roster pattern");
    for (const auto& t : roster.teams)
      if (!teams.contains(t)) ErrorAt(ro.Get("teams"), "no demo team '" + t + "'");
    demo.rosters.push_back(std::move(roster));
  }
  if (o.Has("footage")) {
    Obj fo = Open(o.Get("footage"), "demo footage", {"camera"});
    if (fo.ok) demo.footage_camera = Str(fo, "camera", true);
  }
  pack_.demo_ = std::move(demo);
}

// ---------------------------------------------------------------------------------------------
// Action words

namespace {
// Words of a state's actions that the runtime does not run but shows as a task for the people in
// the procedure to tick (call:119, start:灭火作战预案 …): their argument is free text.
constexpr std::string_view kTaskWords[] = {"call", "linkage", "start", "reset", "use", "track"};
}  // namespace

void PackBuilder::CheckStateAction(const std::string& action, const Node& at) {
  auto colon = action.find(':');
  std::string verb = action.substr(0, colon);
  std::string arg = colon == std::string::npos ? "" : action.substr(colon + 1);
  auto needs_arg = [&](const char* what) {
    if (!arg.empty()) return true;
    ErrorAt(at, "action '" + action + "' needs " + what + " after '" + verb + ":'");
    return false;
  };
  if (verb == "notify") {
    if (needs_arg("a role or @person") && arg != kEventPerson)
      Want("role", arg, at, "notify action");
  } else if (verb == "violation") {
    if (needs_arg("a violation code")) Want("penalty", arg, at, "violation action");
  } else if (verb == "record") {
    if (needs_arg("a record id")) Want("record", arg, at, "record action");
  } else if (std::ranges::find(kTaskWords, verb) != std::end(kTaskWords)) {
    needs_arg("what to do");
  } else if (std::find(options_.action_words.begin(), options_.action_words.end(), verb) !=
             options_.action_words.end()) {
    if (needs_arg("a role")) Want("role", arg, at, verb + " action");
  } else if (!options_.action_words.empty()) {
    std::string words = "notify, violation, record";
    for (const auto& w : options_.action_words) words += ", " + w;
    for (auto w : kTaskWords) words += ", " + std::string(w);
    ErrorAt(at, "unknown action word '" + verb + "' (one of: " + words + ")");
  }
}

void PackBuilder::CheckBreachAction(const std::string& action, const Node& at) {
  auto colon = action.find(':');
  std::string verb = action.substr(0, colon);
  std::string arg = colon == std::string::npos ? "" : action.substr(colon + 1);
  if ((verb == "alert" || verb == "escalate") && !arg.empty()) {
    if (arg != kEventPerson) Want("role", arg, at, "on_breach " + verb);
  } else if (verb == "violation" && !arg.empty()) {
    Want("penalty", arg, at, "on_breach violation");
  } else {
    ErrorAt(at, "on_breach action '" + action +
                    "' must be alert:ROLE, escalate:ROLE or violation:CODE");
  }
}

// ---------------------------------------------------------------------------------------------
// Rule files

void PackBuilder::LoadRuleFile(const std::filesystem::path& rel) {
  auto root = ParseFile(rel);
  if (!root) return;
  if (root->IsNull()) return;
  Obj o = Open(*root, rel.filename().string(),
               {"regulation",     "title",     "roles",          "posts",         "places",
                "shift_patterns", "staffing",  "checklists",     "records",       "duties",
                "procedures",     "requests",  "service_levels", "penalties",     "discipline",
                "assessments",    "retention", "conduct",        "working_hours", "events"});
  if (!o.ok) return;
  std::string code = Str(o, "regulation");
  if (!code.empty() && pack_.clauses_.FindRegulation(code) == nullptr &&
      !broken_regulations_.contains(code)) {
    ErrorAt(o.Get("regulation"), "regulation '" + code + "' is not declared in pack.yaml");
  }
  for (const Node& n : List(o, "roles")) LoadRole(n, false);
  for (const Node& n : List(o, "posts")) LoadPost(n);
  for (const Node& n : List(o, "places")) LoadPlace(n);
  for (const Node& n : List(o, "shift_patterns")) LoadShiftPattern(n);
  for (const Node& n : List(o, "staffing")) LoadStaffing(n);
  for (const Node& n : List(o, "checklists")) LoadChecklist(n);
  for (const Node& n : List(o, "records")) LoadRecord(n);
  for (const Node& n : List(o, "duties")) LoadDuty(n);
  for (const Node& n : List(o, "procedures")) LoadProcedure(n);
  for (const Node& n : List(o, "requests")) LoadRequest(n);
  for (const Node& n : List(o, "service_levels")) LoadServiceLevel(n);
  for (const Node& n : List(o, "penalties")) LoadPenalty(n);
  for (const Node& n : List(o, "discipline")) LoadDiscipline(n);
  for (const Node& n : List(o, "assessments")) LoadAssessment(n);
  for (const Node& n : List(o, "retention")) LoadRetention(n);
  for (const Node& n : List(o, "conduct")) LoadConduct(n);
  for (const Node& n : List(o, "events")) LoadEvent(n);
  if (Node n = o.Get("working_hours")) LoadWorkingHours(n);
}

void PackBuilder::LoadWorkingHours(const Node& n) {
  Obj o = Open(n, "working_hours", {"clause", "title", "hours"});
  if (!o.ok) return;
  WorkingHours w;
  Base(o, &w, false, false);
  w.id = "working_hours";
  if (pack_.working_hours_) {
    const Source& first = pack_.working_hours_->source;
    ErrorAt(n, "working_hours is declared once per pack (first at " + first.file + ":" +
                   std::to_string(first.line) + ")");
    return;
  }
  if (!o.Has("hours")) {
    ErrorAt(n, "missing field 'hours' in working_hours (e.g. [\"08:00-11:30\", \"13:30-17:00\"])");
    return;
  }
  w.periods = Ranges(o, "hours");
  if (auto checked = CheckWorkPeriods(w.periods); !checked) {
    ErrorAt(o.Get("hours"), checked.error().message);
    return;
  }
  Cite(w.clauses, "working_hours", w);
  pack_.working_hours_ = std::move(w);
}

void PackBuilder::LoadRole(const Node& n, bool system) {
  Obj o = Open(n, "role", {"id", "title", "clause", "reports_to", "permissions"});
  if (!o.ok) return;
  Role r;
  Base(o, &r, true, !system);
  r.system = system;
  r.reports_to = Str(o, "reports_to");
  Want("role", r.reports_to, o.Get("reports_to"), "reports_to");
  r.permissions = StrList(o, "permissions");
  if (!options_.permissions.empty()) {
    Node list = o.Get("permissions");
    for (size_t i = 0; i < r.permissions.size(); ++i) {
      const auto& p = r.permissions[i];
      if (std::find(options_.permissions.begin(), options_.permissions.end(), p) !=
          options_.permissions.end())
        continue;
      ErrorAt(list.IsSequence() ? list[i] : list, "role '" + r.id + "': unknown permission '" + p +
                                                      "' (zhidu policy permissions lists them)");
    }
  }
  Define("role", r.id, r.source);
  Cite(r.clauses, "role", r);
  pack_.roles_.push_back(std::move(r));
}

void PackBuilder::LoadPost(const Node& n) {
  Obj o = Open(n, "post",
               {"id", "title", "clause", "roles", "certifications", "training_required", "min_age",
                "max_age", "education"});
  if (!o.ok) return;
  Post p;
  Base(o, &p);
  p.roles = StrList(o, "roles");
  WantAll("role", p.roles, o.Get("roles"), "post roles");
  p.certifications = StrList(o, "certifications");
  p.training_required = Bool(o, "training_required");
  p.min_age = Int(o, "min_age");
  p.max_age = Int(o, "max_age");
  p.education = Str(o, "education");
  Define("post", p.id, p.source);
  Cite(p.clauses, "post", p);
  pack_.posts_.push_back(std::move(p));
}

void PackBuilder::LoadPlace(const Node& n) {
  Obj o = Open(n, "place", {"id", "title", "clause", "access", "forbidden", "never_unattended"});
  if (!o.ok) return;
  Place p;
  Base(o, &p);
  p.forbidden = StrList(o, "forbidden");
  p.never_unattended = Bool(o, "never_unattended");
  for (const Node& a : List(o, "access")) {
    Obj ao = Open(a, "access rule",
                  {"clause", "roles", "who", "effect", "request", "register", "escort", "during"});
    if (!ao.ok) continue;
    AccessRule r;
    r.clauses = Clauses(ao);
    r.roles = StrList(ao, "roles");
    WantAll("role", r.roles, ao.Get("roles"), "access roles");
    r.who = Str(ao, "who");
    std::string effect = Str(ao, "effect", true);
    if (effect == "allow")
      r.effect = AccessEffect::kAllow;
    else if (effect == "deny")
      r.effect = AccessEffect::kDeny;
    else if (effect == "request")
      r.effect = AccessEffect::kRequest;
    else if (!effect.empty())
      ErrorAt(ao.Get("effect"), "effect must be allow, deny or request");
    r.request = Str(ao, "request", r.effect == AccessEffect::kRequest);
    Want("request", r.request, ao.Get("request"), "access request");
    r.register_visit = Bool(ao, "register");
    r.escort = Bool(ao, "escort");
    r.during = Ranges(ao, "during");
    Cite(r.clauses, "place", p.id, p.title + " access", At(a), true,
         {Part::kAccess, p.access.size()});
    p.access.push_back(std::move(r));
  }
  Define("place", p.id, p.source);
  Cite(p.clauses, "place", p);
  pack_.places_.push_back(std::move(p));
}

void PackBuilder::LoadShiftPattern(const Node& n) {
  Obj o = Open(n, "shift pattern",
               {"id", "title", "clause", "post", "shifts", "teams", "cycle", "team_offsets",
                "order_is_site_choice"});
  if (!o.ok) return;
  ShiftPattern p;
  Base(o, &p);
  p.post = Str(o, "post", true);
  Want("post", p.post, o.Get("post"), "shift pattern post");
  std::set<std::string> ids{"off"};
  for (const Node& s : List(o, "shifts")) {
    Obj so = Open(s, "shift", {"id", "name", "start", "end", "hours"});
    if (!so.ok) continue;
    ShiftDef d;
    d.id = Str(so, "id", true);
    d.name = Str(so, "name");
    if (Node h = so.Get("hours"); h) {
      // The site's hours (no regulation gives them): {param: NAME}, never with start/end.
      if (!h.IsMap()) {
        ErrorAt(h, "hours is {param: NAME}: the site's \"HH:MM-HH:MM\"");
      } else {
        Obj ho = Open(h, "hours", {"param"});
        d.hours_param = Str(ho, "param", true);
      }
      if (so.Has("start") || so.Has("end"))
        ErrorAt(s, "a shift has start and end, or hours: {param}, not both");
    } else {
      auto start = Time(so, "start");
      auto end = Time(so, "end");
      if (!so.Has("start") || !so.Has("end")) ErrorAt(s, "a shift needs start and end");
      if (start) d.start = *start;
      if (end) d.end = *end;
    }
    if (!ids.insert(d.id).second) ErrorAt(s, "duplicate shift id '" + d.id + "'");
    p.shifts.push_back(std::move(d));
  }
  p.teams = StrList(o, "teams");
  p.cycle = StrList(o, "cycle");
  for (const auto& c : p.cycle) {
    if (!ids.contains(c)) ErrorAt(o.Get("cycle"), "cycle names unknown shift '" + c + "'");
  }
  Node offs = o.Get("team_offsets");
  if (offs) {
    if (!offs.IsSequence()) {
      ErrorAt(offs, "team_offsets must be a list of integers");
    } else {
      for (const auto& e : offs) {
        int v = 0;
        if (!YAML::convert<int>::decode(e, v)) ErrorAt(e, "team offset must be an integer");
        p.team_offsets.push_back(v);
      }
      if (p.team_offsets.size() != p.teams.size()) {
        ErrorAt(offs, "team_offsets has " + std::to_string(p.team_offsets.size()) +
                          " entries for " + std::to_string(p.teams.size()) + " teams");
      }
    }
  }
  if (p.teams.empty() && o.ok) ErrorAt(n, "a shift pattern needs teams");
  if (p.cycle.empty() && o.ok) ErrorAt(n, "a shift pattern needs a cycle");
  p.order_is_site_choice = Bool(o, "order_is_site_choice");
  Define("shift_pattern", p.id, p.source);
  Cite(p.clauses, "shift_pattern", p);
  pack_.shift_patterns_.push_back(std::move(p));
}

void PackBuilder::LoadStaffing(const Node& n) {
  Obj o =
      Open(n, "staffing rule",
           {"id", "title", "clause", "post", "min_per_shift", "min_during_alarm", "max_continuous",
            "certified_only", "at_least_one_of", "at_least_one_certified", "around_the_clock",
            "substitute_before_leaving", "leave_request", "stable_staffing"});
  if (!o.ok) return;
  StaffingRule s;
  Base(o, &s);
  s.post = Str(o, "post", true);
  Want("post", s.post, o.Get("post"), "staffing post");
  s.min_per_shift = Int(o, "min_per_shift");
  s.min_during_alarm = Int(o, "min_during_alarm");
  s.max_continuous = Dur(o, "max_continuous");
  s.certified_only = Bool(o, "certified_only");
  s.at_least_one_of = StrList(o, "at_least_one_of");
  WantAll("role", s.at_least_one_of, o.Get("at_least_one_of"), "staffing");
  s.at_least_one_certified = StrList(o, "at_least_one_certified");
  s.around_the_clock = Bool(o, "around_the_clock");
  s.substitute_before_leaving = Bool(o, "substitute_before_leaving");
  s.leave_request = Str(o, "leave_request");
  Want("request", s.leave_request, o.Get("leave_request"), "staffing leave request");
  s.stable_staffing = Bool(o, "stable_staffing");
  Define("staffing", s.id, s.source);
  Cite(s.clauses, "staffing", s);
  pack_.staffing_.push_back(std::move(s));
}

ChecklistItem PackBuilder::LoadItem(const Node& n, const std::string& what) {
  ChecklistItem item;
  Obj o =
      Open(n, what, {"id", "label", "clause", "kind", "min", "max", "limit", "unit", "required"});
  if (!o.ok) return item;
  item.id = Str(o, "id", true);
  item.label = Str(o, "label");
  item.clauses = Clauses(o, false);
  std::string kind = Str(o, "kind");
  if (kind.empty() || kind == "check")
    item.kind = ItemKind::kCheck;
  else if (kind == "pass_flag_fail")
    item.kind = ItemKind::kPassFlagFail;
  else if (kind == "number")
    item.kind = ItemKind::kNumber;
  else if (kind == "text")
    item.kind = ItemKind::kText;
  else if (kind == "photo")
    item.kind = ItemKind::kPhoto;
  else if (kind == "signature")
    item.kind = ItemKind::kSignature;
  else
    ErrorAt(o.Get("kind"), "unknown item kind '" + kind +
                               "' (check, pass_flag_fail, number, text, photo, signature)");
  item.min = Num(o, "min");
  item.max = Num(o, "max");
  if (Node limit = o.Get("limit")) {
    Obj lo = Open(limit, "limit", {"min", "max"});
    item.limit_min = Num(lo, "min");
    item.limit_max = Num(lo, "max");
    if (lo.ok && !item.limit_min && !item.limit_max) ErrorAt(limit, "limit needs min, max or both");
    if (item.limit_min && item.limit_max && *item.limit_min > *item.limit_max)
      ErrorAt(limit, "limit min is above limit max");
    // A normal range reaching outside what can be entered could never be left on that side.
    if ((item.min && item.limit_min && *item.min < *item.limit_min) ||
        (item.max && item.limit_max && *item.max > *item.limit_max))
      ErrorAt(limit, "the normal range (min/max) must lie within the limit");
  }
  if ((item.min || item.max || item.limit_min || item.limit_max) &&
      item.kind != ItemKind::kNumber) {
    ErrorAt(n, "min/max/limit apply only to items of kind number");
  }
  if (item.min && item.max && *item.min > *item.max) ErrorAt(o.Get("min"), "min is above max");
  item.unit = Str(o, "unit");
  item.required = Bool(o, "required", true);
  return item;
}

void PackBuilder::LoadChecklist(const Node& n) {
  Obj o = Open(n, "checklist",
               {"id", "title", "clause", "kind", "items", "refuse_if", "signatures",
                "arrive_before", "arrive_before_max", "outgoing_waits_for_relief", "face_to_face",
                "issues_after_belong_to_incoming", "posts"});
  if (!o.ok) return;
  Checklist c;
  Base(o, &c);
  c.kind = Str(o, "kind", true);
  static const std::set<std::string> kKinds = {"handover",  "relief",   "opening",
                                               "closing",   "cleaning", "inspection",
                                               "stocktake", "form",     "test"};
  if (!c.kind.empty() && !kKinds.contains(c.kind)) {
    ErrorAt(o.Get("kind"), "unknown checklist kind '" + c.kind + "'");
  }
  std::set<std::string> item_ids;
  for (const Node& i : List(o, "items")) {
    ChecklistItem item = LoadItem(i, "checklist item");
    if (!item.id.empty() && !item_ids.insert(item.id).second) {
      ErrorAt(i, "duplicate item id '" + item.id + "'");
    }
    Cite(item.clauses, "checklist", c.id, c.title + " / " + item.label, At(i));
    c.items.push_back(std::move(item));
  }
  for (const Node& r : List(o, "refuse_if")) {
    Obj ro = Open(r, "refusal condition", {"id", "label", "clause"});
    if (!ro.ok) continue;
    RefusalCondition rc{Str(ro, "id", true), Clauses(ro), Str(ro, "label")};
    Cite(rc.clauses, "checklist", c.id, c.title + " / 不接: " + rc.label, At(r), true,
         {Part::kRefusal});
    c.refuse_if.push_back(std::move(rc));
  }
  c.signatures = StrList(o, "signatures");
  for (const auto& s : c.signatures) {
    if (s != "outgoing" && s != "incoming") Want("role", s, o.Get("signatures"), "signature");
  }
  if (Node a = o.Get("arrive_before"); a && a.IsMap()) {
    Obj ao = Open(a, "arrive_before", {"param"});
    c.arrive_before_param = Str(ao, "param", true);
  } else {
    c.arrive_before = Dur(o, "arrive_before");
  }
  c.arrive_before_max = Dur(o, "arrive_before_max");
  c.outgoing_waits_for_relief = Bool(o, "outgoing_waits_for_relief");
  c.face_to_face = Bool(o, "face_to_face");
  c.issues_after_belong_to_incoming = Bool(o, "issues_after_belong_to_incoming");
  c.posts = StrList(o, "posts");
  if (!c.posts.empty() && c.kind != "handover" && c.kind != "relief")
    ErrorAt(o.Get("posts"), "posts is read on handover and relief checklists only");
  WantAll("post", c.posts, o.Get("posts"), "checklist posts");
  for (const auto& item : c.items) Define("record_field", c.id + "." + item.id, At(n));
  Define("checklist", c.id, c.source);
  Cite(c.clauses, "checklist", c);
  pack_.checklists_.push_back(std::move(c));
}

void PackBuilder::LoadRecord(const Node& n) {
  Obj o = Open(n, "record",
               {"id", "title", "clause", "fields", "append_only", "signatures", "flag_field"});
  if (!o.ok) return;
  Record r;
  Base(o, &r);
  std::set<std::string> ids;
  for (const Node& f : List(o, "fields")) {
    ChecklistItem item = LoadItem(f, "record field");
    if (!item.id.empty() && !ids.insert(item.id).second) {
      ErrorAt(f, "duplicate field id '" + item.id + "'");
    }
    Cite(item.clauses, "record", r.id, r.title + " / " + item.label, At(f));
    r.fields.push_back(std::move(item));
  }
  r.append_only = Bool(o, "append_only", true);
  r.signatures = StrList(o, "signatures");
  for (const auto& s : r.signatures) {
    if (s != "outgoing" && s != "incoming" && s != "visitor" && s != "author") {
      Want("role", s, o.Get("signatures"), "signature");
    }
  }
  r.flag_field = Str(o, "flag_field");
  if (!r.flag_field.empty() && !ids.contains(r.flag_field)) {
    ErrorAt(o.Get("flag_field"), "flag_field names no field '" + r.flag_field + "'");
  }
  for (const auto& f : r.fields) Define("record_field", r.id + "." + f.id, At(n));
  Define("record", r.id, r.source);
  Cite(r.clauses, "record", r);
  pack_.records_.push_back(std::move(r));
}

Schedule PackBuilder::LoadSchedule(const Node& n) {
  Schedule s;
  Obj o = Open(n, "schedule", {"every", "times", "per", "at", "on", "active", "by"});
  if (!o.ok) return s;
  int forms = o.Has("every") + o.Has("times") + o.Has("at") + o.Has("on");
  if (forms != 1) {
    ErrorAt(n, "a schedule needs exactly one of every, times (with per), at, on");
    return s;
  }
  if (o.Has("every")) {
    s.kind = ScheduleKind::kEvery;
    if (auto d = Dur(o, "every")) s.every = *d;
  } else if (o.Has("times")) {
    s.kind = ScheduleKind::kTimesPer;
    s.times = Int(o, "times").value_or(0);
    if (s.times < 1) ErrorAt(o.Get("times"), "times must be at least 1");
    s.per = Str(o, "per", true);
    static const std::set<std::string> kPer = {"shift", "workday", "day",       "week",
                                               "month", "quarter", "half_year", "year"};
    if (!s.per.empty() && !kPer.contains(s.per)) {
      ErrorAt(o.Get("per"),
              "per must be shift, workday, day, week, month, quarter, half_year or year");
    }
  } else if (o.Has("at")) {
    s.kind = ScheduleKind::kAt;
    Node at = o.Get("at");
    std::vector<Node> list;
    if (at.IsSequence()) {
      for (const auto& e : at) list.push_back(e);
    } else {
      list.push_back(at);
    }
    for (const auto& e : list) {
      if (!e.IsScalar()) {
        ErrorAt(e, "at must list times of day");
        continue;
      }
      auto t = ParseTimeOfDay(e.Scalar());
      if (!t)
        ErrorAt(e, t.error().message);
      else
        s.at.push_back(*t);
    }
  } else {
    s.kind = ScheduleKind::kOn;
    s.on = Str(o, "on", true);
    if (!s.on.empty() && !IsPlannedOnWord(s.on))
      listened_events_.emplace_back(s.on, At(o.Get("on")));
  }
  if (o.Has("active")) s.active = Range(o.Get("active"));
  if (o.Has("active") && s.kind != ScheduleKind::kEvery &&
      !(s.kind == ScheduleKind::kTimesPer && s.per == "day"))
    ErrorAt(o.Get("active"), "active (a daily window) is read with every, or times per day");
  if (o.Has("by")) {
    s.by = Time(o, "by");
    // "Due by HH:MM" ends the window of a daily occurrence; a period or an event has its own end.
    if (s.kind == ScheduleKind::kTimesPer || s.kind == ScheduleKind::kOn)
      if (!(s.kind == ScheduleKind::kOn && s.on == "work_start"))
        ErrorAt(o.Get("by"), "by (due by HH:MM) is read with at, every or on: work_start");
  }
  return s;
}

void PackBuilder::LoadDuty(const Node& n) {
  Obj o = Open(n, "duty",
               {"id", "title", "clause", "post", "schedule", "window", "targets", "checklist",
                "record", "with", "on_miss", "follow_up"});
  if (!o.ok) return;
  Duty d;
  Base(o, &d);
  d.post = Str(o, "post", true);
  Want("post", d.post, o.Get("post"), "duty post");
  if (!o.Has("schedule"))
    ErrorAt(n, "missing field 'schedule' in duty");
  else
    d.schedule = LoadSchedule(o.Get("schedule"));
  if (Node w = o.Get("window"); w && w.IsMap()) {
    Obj wo = Open(w, "window", {"param"});
    d.window_param = Str(wo, "param", true);
  } else {
    d.window = Dur(o, "window");
  }
  // A window the planner would not read is an error, not a silent no-op (docs/runtime.md).
  if ((d.window || !d.window_param.empty()) && d.schedule.by)
    ErrorAt(o.Get("window"), "give either window or schedule.by, not both");
  else if (d.window && (d.window->months || d.window->working_days))
    ErrorAt(o.Get("window"),
            "window must be a fixed length (m, h, d, w), not months or working days");
  else if ((d.window || !d.window_param.empty()) && d.schedule.kind == ScheduleKind::kTimesPer)
    ErrorAt(o.Get("window"),
            "window is not used with times/per: the period (" + d.schedule.per + ") is the window");
  if (o.Has("targets")) {
    Obj t = Open(o.Get("targets"), "targets", {"set", "rotate"});
    d.target_set = Str(t, "set", true);
    d.rotate_per = Str(t, "rotate", true);
  }
  d.checklist = Str(o, "checklist");
  Want("checklist", d.checklist, o.Get("checklist"), "duty checklist");
  std::string record = Str(o, "record");
  Want("record", record, o.Get("record"), "duty record");
  if (d.checklist.empty()) d.checklist = record;
  d.with = StrList(o, "with");
  if (o.Has("on_miss")) {
    Obj m = Open(o.Get("on_miss"), "on_miss", {"alert", "notify", "violation"});
    d.on_miss.alert = Bool(m, "alert", true);
    d.on_miss.notify = StrList(m, "notify");
    WantAll("role", d.on_miss.notify, m.Get("notify"), "on_miss notify");
    d.on_miss.violation = Str(m, "violation");
    Want("penalty", d.on_miss.violation, m.Get("violation"), "on_miss violation");
  }
  if (o.Has("follow_up")) {
    Obj f = Open(o.Get("follow_up"), "follow_up",
                 {"kind", "assign_to", "event", "violation", "clause"});
    FollowUp fu;
    fu.kind = Str(f, "kind", true);
    fu.assign_to = Str(f, "assign_to");
    fu.event = Str(f, "event", fu.kind == "event");
    fu.violation = Str(f, "violation", fu.kind == "violation");
    const bool action =
        fu.kind == "repair" || std::find(options_.action_words.begin(), options_.action_words.end(),
                                         fu.kind) != options_.action_words.end();
    if (f.ok && !fu.kind.empty() && !action && fu.kind != "event" && fu.kind != "violation")
      ErrorAt(f.Get("kind"),
              "follow_up kind must be repair, event or violation, not '" + fu.kind + "'");
    if (!fu.event.empty() && fu.kind != "event")
      ErrorAt(f.Get("event"), "event is read with kind: event");
    if (!fu.violation.empty() && fu.kind != "violation")
      ErrorAt(f.Get("violation"), "violation is read with kind: violation");
    if (!fu.assign_to.empty() && !action)
      ErrorAt(f.Get("assign_to"), "assign_to is read with kind: repair");
    Want("penalty", fu.violation, f.Get("violation"), "follow_up violation");
    if (!fu.event.empty()) follow_up_events_.emplace_back(fu.event, At(f.Get("event")));
    fu.clauses = Clauses(f, true);
    if (d.checklist.empty())
      ErrorAt(f.node, "follow_up needs the duty's checklist or record (what would be abnormal?)");
    std::vector<std::string> extra;  // cited once per rule: only clauses the duty does not cite
    for (const auto& c : fu.clauses)
      if (std::find(d.clauses.begin(), d.clauses.end(), c) == d.clauses.end()) extra.push_back(c);
    Cite(extra, "duty", d);
    d.follow_up = std::move(fu);
  }
  Define("duty", d.id, d.source);
  Cite(d.clauses, "duty", d);
  pack_.duties_.push_back(std::move(d));
}

void PackBuilder::LoadProcedure(const Node& n) {
  Obj o = Open(
      n, "procedure",
      {"id", "title", "clause", "trigger", "place", "initial", "inputs", "states", "transitions"});
  if (!o.ok) return;
  Procedure p;
  Base(o, &p);
  p.trigger = Str(o, "trigger", true);
  if (!p.trigger.empty()) listened_events_.emplace_back(p.trigger, At(o.Get("trigger")));
  p.place = Str(o, "place");
  if (!p.place.empty()) Want("place", p.place, o.Get("place"), "procedure " + p.id);
  p.initial = Str(o, "initial", true);
  ContextSchema schema = Inputs(o);
  p.inputs = schema;
  std::set<std::string> states;
  for (const Node& s : List(o, "states")) {
    Obj so =
        Open(s, "state", {"id", "title", "clause", "assignments", "timers", "actions", "terminal"});
    if (!so.ok) continue;
    ProcState st;
    st.id = Str(so, "id", true);
    st.title = Str(so, "title");
    st.clauses = Clauses(so, false);
    if (!st.id.empty() && !states.insert(st.id).second)
      ErrorAt(s, "duplicate state '" + st.id + "'");
    for (const Node& a : List(so, "assignments")) {
      Obj ao = Open(a, "assignment", {"task", "role", "count"});
      Assignment as{Str(ao, "task", true), Str(ao, "role", true), Int(ao, "count").value_or(1)};
      Want("role", as.role, ao.Get("role"), "assignment");
      st.assignments.push_back(std::move(as));
    }
    for (const Node& t : List(so, "timers")) {
      Obj to = Open(t, "timer", {"after", "after_param", "event"});
      Timer tm;
      tm.after = Dur(to, "after");
      tm.after_param = Str(to, "after_param");
      tm.event = Str(to, "event", true);
      if (!tm.after && tm.after_param.empty() && to.ok) {
        ErrorAt(t, "a timer needs after (a duration) or after_param (a site parameter)");
      }
      st.timers.push_back(std::move(tm));
    }
    st.actions = StrList(so, "actions");
    if (Node list = so.Get("actions"); list.IsSequence())
      for (size_t i = 0; i < st.actions.size(); ++i) CheckStateAction(st.actions[i], list[i]);
    st.terminal = Bool(so, "terminal");
    Cite(st.clauses, "procedure", p.id, p.title + " / " + st.title, At(s));
    p.states.push_back(std::move(st));
  }
  if (!p.initial.empty() && !states.contains(p.initial)) {
    ErrorAt(o.Get("initial"), "initial state '" + p.initial + "' is not defined");
  }
  for (const Node& t : List(o, "transitions")) {
    Obj to = Open(t, "transition", {"from", "to", "on", "clause", "roles", "guard"});
    if (!to.ok) continue;
    Transition tr;
    tr.from = Str(to, "from", true);
    tr.to = Str(to, "to", true);
    tr.on = Str(to, "on", true);
    tr.clauses = Clauses(to, false);
    tr.roles = StrList(to, "roles");
    WantAll("role", tr.roles, to.Get("roles"), "transition roles");
    tr.guard = ExprOf(to, "guard", schema, ValueType::kBool);
    for (const auto* s : {&tr.from, &tr.to}) {
      if (!s->empty() && !states.contains(*s)) {
        ErrorAt(to.Get(s == &tr.from ? "from" : "to"), "state '" + *s + "' is not defined");
      }
    }
    Cite(tr.clauses, "procedure", p.id, p.title + " / " + tr.from + "→" + tr.to, At(t));
    p.transitions.push_back(std::move(tr));
  }
  Define("procedure", p.id, p.source);
  Cite(p.clauses, "procedure", p);
  pack_.procedures_.push_back(std::move(p));
}

void PackBuilder::LoadRequest(const Node& n) {
  Obj o = Open(n, "request",
               {"id", "title", "clause", "subject", "applicants", "inputs", "approvals",
                "preconditions", "prohibitions", "record"});
  if (!o.ok) return;
  Request r;
  Base(o, &r);
  r.subject = Str(o, "subject");
  r.applicants = StrList(o, "applicants");
  WantAll("role", r.applicants, o.Get("applicants"), "applicants");
  ContextSchema schema = Inputs(o);
  r.inputs = schema;
  std::map<std::string, Node> step_nodes;
  for (const Node& a : List(o, "approvals")) {
    Obj ao =
        Open(a, "approval step", {"id", "role", "after", "signature", "names_escort", "clause"});
    if (!ao.ok) continue;
    ApprovalStep st;
    st.roles = StrList(ao, "role");
    if (st.roles.empty() && ao.ok) ErrorAt(a, "missing field 'role' in approval step");
    st.id = Str(ao, "id");
    if (st.id.empty() && !st.roles.empty()) st.id = st.roles.front();
    for (const auto& role : st.roles) {
      if (role != "$superior") Want("role", role, ao.Get("role"), "approval");
    }
    st.after = StrList(ao, "after");
    if (!ao.Has("after") && !r.approvals.empty()) st.after = {r.approvals.back().id};
    st.signature = Bool(ao, "signature");
    st.names_escort = Bool(ao, "names_escort");
    auto clauses = Clauses(ao, false);
    Cite(clauses, "request", r.id, r.title + " / approval " + st.id, At(a));
    st.clauses = clauses;
    if (step_nodes.contains(st.id)) ErrorAt(a, "duplicate approval step '" + st.id + "'");
    step_nodes.emplace(st.id, a);
    r.approvals.push_back(std::move(st));
  }
  // Steps form a DAG through `after`; a cycle would never finish.
  for (const auto& st : r.approvals) {
    for (const auto& dep : st.after) {
      if (!step_nodes.contains(dep)) {
        ErrorAt(step_nodes[st.id],
                "approval step '" + st.id + "' waits for unknown step '" + dep + "'");
      }
    }
  }
  std::map<std::string, int> color;  // 0 new, 1 on stack, 2 done
  std::map<std::string, const ApprovalStep*> by_id;
  for (const auto& st : r.approvals) by_id[st.id] = &st;
  bool reported = false;
  std::function<void(const std::string&, std::vector<std::string>&)> visit =
      [&](const std::string& id, std::vector<std::string>& path) {
        if (reported || !by_id.contains(id)) return;
        if (color[id] == 1) {
          std::string cyc;
          auto it = std::find(path.begin(), path.end(), id);
          for (; it != path.end(); ++it) cyc += *it + " → ";
          ErrorAt(step_nodes[id], "cycle in approval chain of request '" + r.id + "': " + cyc + id);
          reported = true;
          return;
        }
        if (color[id] == 2) return;
        color[id] = 1;
        path.push_back(id);
        for (const auto& dep : by_id[id]->after) visit(dep, path);
        path.pop_back();
        color[id] = 2;
      };
  for (const auto& st : r.approvals) {
    std::vector<std::string> path;
    visit(st.id, path);
  }
  for (const char* kind : {"preconditions", "prohibitions"}) {
    for (const Node& c : List(o, kind)) {
      Obj co = Open(c, std::string(kind) == "preconditions" ? "precondition" : "prohibition",
                    {"clause", "message", "expr"});
      if (!co.ok) continue;
      auto clauses = Clauses(co);
      std::string message = Str(co, "message", true);
      auto e = ExprOf(co, "expr", schema, ValueType::kBool);
      if (!co.Has("expr")) ErrorAt(c, "missing field 'expr' in condition");
      Cite(clauses, "request", r.id, r.title + " / " + message, At(c));
      if (e) {
        auto& list = std::string(kind) == "preconditions" ? r.preconditions : r.prohibitions;
        list.push_back(Condition{clauses, message, std::move(*e)});
      }
    }
  }
  r.record = Str(o, "record");
  Want("record", r.record, o.Get("record"), "request record");
  Define("request", r.id, r.source);
  Cite(r.clauses, "request", r);
  pack_.requests_.push_back(std::move(r));
}

std::vector<std::pair<std::string, Source>> PackBuilder::EventList(const Obj& o,
                                                                   const std::string& key) {
  std::vector<std::pair<std::string, Source>> out;
  std::vector<std::string> names = StrList(o, key);
  Node list = o.Get(key);
  for (size_t i = 0; i < names.size(); ++i)
    out.emplace_back(names[i], At(list.IsSequence() && i < list.size() ? list[i] : list));
  return out;
}

std::string SlaTarget::Label() const {
  std::string out;
  for (const auto& [field, values] : when) {
    out += (out.empty() ? "" : " ") + field + "=";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? "|" : "") + values[i];
  }
  return out.empty() ? "*" : out;
}

void PackBuilder::LoadServiceLevel(const Node& n) {
  Obj o = Open(
      n, "service level",
      {"id", "title", "clause", "start", "restart", "stop", "pause", "resume", "within", "targets",
       "before", "cutoff", "due_from", "time", "warn_before", "on_breach", "violation"});
  if (!o.ok) return;
  ServiceLevel s;
  Base(o, &s);
  s.start_event = Str(o, "start", true);
  if (!s.start_event.empty()) listened_events_.emplace_back(s.start_event, At(o.Get("start")));
  for (auto& [event, at] : EventList(o, "restart")) {
    s.restart_events.push_back(event);
    listened_events_.emplace_back(event, at);
  }
  // R20's confirmation ends with either outcome (fire_confirmed or false_alarm): a list.
  s.stop_events = StrList(o, "stop");
  if (s.stop_events.empty()) ErrorAt(n, "service level '" + s.id + "' needs 'stop'");
  if (Node stop = o.Get("stop"); stop && stop.IsSequence())
    for (size_t i = 0; i < s.stop_events.size() && i < stop.size(); ++i)
      stop_events_.emplace_back(s.stop_events[i], At(stop[i]));
  else if (stop)
    for (const auto& e : s.stop_events) stop_events_.emplace_back(e, At(stop));
  // `within: 2h` or `within: {param: NAME}`, of the level or of a target row.
  auto within = [&](const Obj& from, std::optional<Duration>* fixed, std::string* param) {
    if (Node w = from.Get("within"); w && w.IsMap()) {
      Obj wo = Open(w, "within", {"param"});
      *param = Str(wo, "param", true);
    } else {
      *fixed = Dur(from, "within");
    }
  };
  within(o, &s.within, &s.within_param);
  // targets: [{when: {ticket.priority: [urgent, high], customer.grade: 优质客户}, within: …}, …]
  if (Node list = o.Get("targets"); list) {
    if (!list.IsSequence() || list.size() == 0) ErrorAt(list, "targets must list target rows");
    for (const auto& row : list) {
      Obj ro = Open(row, "target", {"when", "within"});
      if (!ro.ok) continue;
      SlaTarget t;
      if (!ro.Has("within")) ErrorAt(row, "a target needs within (a duration or {param: NAME})");
      within(ro, &t.within, &t.within_param);
      // when: {FIELD: VALUE or [VALUE, …], …}, the fields of the starting event's data.
      if (Node w = ro.Get("when"); w && !w.IsMap()) {
        ErrorAt(w, "when must map data fields to their values");
      } else if (w) {
        for (auto it = w.begin(); it != w.end(); ++it) {
          std::vector<std::string> values;
          Node v = it->second;
          if (v.IsScalar()) values.push_back(v.Scalar());
          if (v.IsSequence())
            for (const auto& e : v)
              if (e.IsScalar()) values.push_back(e.Scalar());
          if (!it->first.IsScalar() || values.empty() ||
              (v.IsSequence() && values.size() != v.size()))
            ErrorAt(v, "when maps a data field to a value or a list of values");
          else
            t.when.emplace_back(it->first.Scalar(), std::move(values));
        }
      }
      s.targets.push_back(std::move(t));
    }
  }
  s.before = Dur(o, "before");
  s.cutoff = Time(o, "cutoff");
  s.due_from = Str(o, "due_from");
  if (!s.due_from.empty()) {
    Want("record_field", s.due_from, o.Get("due_from"), "due_from");
  }
  if ((o.Has("within") || o.Has("targets")) + o.Has("before") + o.Has("cutoff") +
          o.Has("due_from") !=
      1) {
    ErrorAt(n,
            "a service level needs exactly one of within (or targets), before, cutoff, due_from");
  }
  std::string time = Str(o, "time");
  if (time == "business")
    s.business_time = true;
  else if (!time.empty() && time != "calendar")
    ErrorAt(o.Get("time"), "time must be calendar or business");
  if (s.within && s.within->working_days > 0 && !s.business_time) {
    ErrorAt(o.Get("within"), "working days (wd) need time: business");
  }
  // A deadline waiting on someone else (a ticket pending on the customer) stops its clock on
  // `pause` and goes on from where it was on `resume`: both or neither.
  for (const auto& [key, into] :
       {std::pair{"pause", &s.pause_events}, std::pair{"resume", &s.resume_events}})
    for (auto& [event, at] : EventList(o, key)) {
      into->push_back(event);
      pause_events_.emplace_back(key, event, at);
    }
  if (s.pause_events.empty() != s.resume_events.empty())
    ErrorAt(o.Get(s.pause_events.empty() ? "resume" : "pause"),
            "service level '" + s.id +
                "' needs both pause and resume (a paused deadline that "
                "nothing resumes would never fall due)");
  for (const auto& e : s.pause_events)
    if (e == s.start_event ||
        std::find(s.stop_events.begin(), s.stop_events.end(), e) != s.stop_events.end() ||
        std::find(s.resume_events.begin(), s.resume_events.end(), e) != s.resume_events.end())
      ErrorAt(o.Get("pause"),
              "pause '" + e + "' is also the service level's start, stop or resume");
  if (s.business_time && o.Has("time") &&
      ((s.within && !s.within->months && !s.within->working_days &&
        s.within->fixed < std::chrono::hours(24)) ||
       !s.within_param.empty() || !s.targets.empty()))
    working_hours_levels_.emplace_back(s.id, At(o.Get("time")));
  Node warn = o.Get("warn_before");
  if (warn && warn.IsMap()) {
    Obj wo = Open(warn, "warn_before", {"param"});
    s.warn_before_param = Str(wo, "param", true);
  } else if (warn) {
    std::vector<Node> list;
    if (warn.IsSequence()) {
      for (const auto& e : warn) list.push_back(e);
    } else {
      list.push_back(warn);
    }
    for (const auto& e : list) {
      auto d = e.IsScalar() ? ParseDuration(e.Scalar())
                            : Result<Duration>(Fail(Errc::kInvalidArgument, "must be a duration"));
      if (!d)
        ErrorAt(e, d.error().message);
      else
        s.warn_before.push_back(*d);
    }
  }
  s.on_breach = StrList(o, "on_breach");
  if (Node list = o.Get("on_breach"); list.IsSequence())
    for (size_t i = 0; i < s.on_breach.size(); ++i) CheckBreachAction(s.on_breach[i], list[i]);
  else if (list)
    for (const auto& a : s.on_breach) CheckBreachAction(a, list);
  s.violation = Str(o, "violation");
  Want("penalty", s.violation, o.Get("violation"), "service level violation");
  Define("service_level", s.id, s.source);
  Cite(s.clauses, "service_level", s);
  pack_.service_levels_.push_back(std::move(s));
}

void PackBuilder::LoadPenalty(const Node& n) {
  Obj o = Open(n, "penalty", {"code", "title", "clause", "look_back", "ladder"});
  if (!o.ok) return;
  Penalty p;
  Base(o, &p, false);
  p.code = Str(o, "code", true);
  p.id = p.code;
  p.look_back = Dur(o, "look_back");
  int expect_from = 1;
  for (const Node& s : List(o, "ladder")) {
    Obj so = Open(s, "ladder step",
                  {"from", "to", "warning", "fine_yuan", "compensation", "discipline", "revoke",
                   "liability", "note"});
    if (!so.ok) continue;
    LadderStep st;
    st.from = Int(so, "from").value_or(expect_from);
    st.to = Int(so, "to");
    if (st.from != expect_from) {
      ErrorAt(so.Has("from") ? so.Get("from") : s, "ladder step starts at occurrence " +
                                                       std::to_string(st.from) + ", expected " +
                                                       std::to_string(expect_from));
    }
    if (st.to && *st.to < st.from) ErrorAt(so.Get("to"), "ladder step ends before it starts");
    expect_from = st.to ? *st.to + 1 : st.from + 1;
    st.warning = Bool(so, "warning");
    st.fine_yuan = ParamOf(so, "fine_yuan");
    std::string comp = Str(so, "compensation");
    if (comp == "at_cost")
      st.compensation_at_cost = true;
    else if (!comp.empty())
      ErrorAt(so.Get("compensation"), "compensation must be at_cost");
    st.discipline = Str(so, "discipline");
    Want("discipline_step", st.discipline, so.Get("discipline"), "ladder discipline");
    st.revoke = StrList(so, "revoke");
    st.liability = Bool(so, "liability");
    st.note = Str(so, "note");
    p.ladder.push_back(std::move(st));
  }
  if (p.ladder.empty() && o.ok) ErrorAt(n, "a penalty needs a ladder with at least one step");
  Define("penalty", p.code, p.source);
  Cite(p.clauses, "penalty", p);
  pack_.penalties_.push_back(std::move(p));
}

void PackBuilder::LoadDiscipline(const Node& n) {
  Obj o = Open(n, "discipline ladder", {"id", "title", "clause", "steps"});
  if (!o.ok) return;
  DisciplineLadder d;
  Base(o, &d);
  std::vector<std::pair<Node, Node>> step_nodes;  // each step's `next` and `on_refusal`
  for (const Node& s : List(o, "steps")) {
    Obj so = Open(s, "discipline step",
                  {"id", "title", "clause", "by", "correction", "next", "approval", "closes"});
    DisciplineStep st;
    st.id = Str(so, "id", true);
    st.clauses = Clauses(so, false);
    st.title = Str(so, "title");
    st.by = Str(so, "by");
    Want("role", st.by, so.Get("by"), "discipline step");
    Node refusal_node;
    if (Node c = so.Get("correction")) {
      // correction: {within: 3d | {param: NAME}, on_refusal: STEP}
      Obj co = Open(c, "correction", {"within", "on_refusal"});
      if (co.ok) {
        st.correction = true;
        if (Node w = co.Get("within"); w && w.IsMap()) {
          Obj wo = Open(w, "within", {"param"});
          st.correct_within_param = Str(wo, "param", true);
        } else if (w) {
          st.correct_within = Dur(co, "within");
        } else {
          ErrorAt(c,
                  "a correction needs within: a duration, or {param: NAME} when the "
                  "regulation gives no period");
        }
        st.on_refusal = Str(co, "on_refusal", true);
        refusal_node = co.Get("on_refusal");
      }
    }
    st.next = StrList(so, "next");
    st.approval = Str(so, "approval");
    Want("request", st.approval, so.Get("approval"), "discipline step approval");
    st.closes = Bool(so, "closes");
    if (st.closes && !st.next.empty())
      ErrorAt(so.Get("next"), "a step that closes the case has no next step");
    if (st.closes && st.correction)
      ErrorAt(so.Get("correction"), "a step that closes the case orders no correction");
    Define("discipline_step", st.id, At(s));
    Cite(st.clauses, "discipline", d.id, d.title + " / " + st.title, At(s));
    d.steps.push_back(std::move(st));
    step_nodes.emplace_back(so.Get("next"), refusal_node);
  }
  // A case moves only between the steps of its own ladder; a refusal moves it on by itself, so
  // the step it reaches needs no approval and orders no correction of its own.
  auto step_of = [&](const std::string& id) -> const DisciplineStep* {
    for (const auto& st : d.steps)
      if (st.id == id) return &st;
    return nullptr;
  };
  for (size_t i = 0; i < d.steps.size(); ++i) {
    const DisciplineStep& st = d.steps[i];
    const auto& [next_node, refusal_at] = step_nodes[i];
    for (size_t k = 0; k < st.next.size(); ++k) {
      Node at = next_node.IsSequence() ? next_node[k] : next_node;
      if (!step_of(st.next[k]))
        ErrorAt(at,
                "next step '" + st.next[k] + "' is not a step of discipline ladder '" + d.id + "'");
      else if (st.next[k] == st.id)
        ErrorAt(at, "step '" + st.id + "' cannot follow itself");
    }
    if (!st.correction) continue;
    const Node& at = refusal_at;
    const DisciplineStep* target = step_of(st.on_refusal);
    if (st.on_refusal.empty()) continue;  // reported as required
    if (!target)
      ErrorAt(at, "on_refusal step '" + st.on_refusal + "' is not a step of discipline ladder '" +
                      d.id + "'");
    else if (target == &st)
      ErrorAt(at, "a refused correction cannot stay on its own step '" + st.id + "'");
    else if (!target->approval.empty())
      ErrorAt(at, "on_refusal step '" + st.on_refusal +
                      "' needs an approval: a refusal moves the case by itself, so it must "
                      "reach a step that needs none");
    else if (target->correction)
      ErrorAt(at, "on_refusal step '" + st.on_refusal +
                      "' orders a correction itself: a refusal moves the case by itself, so it "
                      "must reach a step whose taker decides what follows");
  }
  Define("discipline", d.id, d.source);
  Cite(d.clauses, "discipline", d);
  pack_.discipline_.push_back(std::move(d));
}

void PackBuilder::LoadAssessment(const Node& n) {
  Obj o = Open(n, "assessment",
               {"id", "title", "clause", "subjects", "period", "indicators", "formula", "pay",
                "inputs", "reopen"});
  if (!o.ok) return;
  Assessment a;
  Base(o, &a);
  a.subjects = StrList(o, "subjects");
  WantAll("role", a.subjects, o.Get("subjects"), "assessment subjects");
  a.period = Str(o, "period");
  ContextSchema formula_schema;
  for (const Node& i : List(o, "indicators")) {
    Obj io = Open(i, "indicator", {"id", "title", "clause", "weight", "source"});
    Indicator ind;
    ind.id = Str(io, "id", true);
    ind.title = Str(io, "title");
    ind.clauses = Clauses(io, false);
    if (auto w = ParamOf(io, "weight")) ind.weight = *w;
    ind.source = Str(io, "source");
    formula_schema.emplace(ind.id, ValueType::kNumber);
    formula_schema.emplace("w." + ind.id, ValueType::kNumber);
    Cite(ind.clauses, "assessment", a.id, a.title + " / " + ind.title, At(i));
    a.indicators.push_back(std::move(ind));
  }
  a.formula = ExprOf(o, "formula", formula_schema, ValueType::kNumber);
  ContextSchema pay_schema = Inputs(o);
  for (const auto& [name, type] : pay_schema) {
    if (type != ValueType::kNumber)
      ErrorAt(o.Get("inputs"), "pay input '" + name + "' must be a number");
    a.inputs.push_back(name);
  }
  pay_schema.emplace("score", ValueType::kNumber);
  a.reopen = Str(o, "reopen");
  Want("request", a.reopen, o.Get("reopen"), "assessment reopen");
  a.pay = ExprOf(o, "pay", pay_schema, ValueType::kNumber);
  Define("assessment", a.id, a.source);
  Cite(a.clauses, "assessment", a);
  pack_.assessments_.push_back(std::move(a));
}

void PackBuilder::LoadRetention(const Node& n) {
  Obj o = Open(n, "retention rule",
               {"id", "title", "clause", "record", "min", "at_least", "copy_forbidden"});
  if (!o.ok) return;
  Retention r;
  Base(o, &r);
  r.record = Str(o, "record", true);
  Want("record", r.record, o.Get("record"), "retention record");
  if (auto d = Dur(o, "min"))
    r.min = *d;
  else if (!o.Has("min"))
    ErrorAt(n, "missing field 'min' in retention rule");
  r.at_least = Dur(o, "at_least");
  r.copy_forbidden = Bool(o, "copy_forbidden");
  Define("retention", r.id, r.source);
  Cite(r.clauses, "retention", r);
  pack_.retention_.push_back(std::move(r));
}

void PackBuilder::LoadConduct(const Node& n) {
  Obj o = Open(n, "conduct rule", {"id", "title", "clause", "kind", "code"});
  if (!o.ok) return;
  ConductRule c;
  Base(o, &c);
  c.kind = Str(o, "kind");
  if (c.kind.empty()) c.kind = "conduct";
  static const std::set<std::string> kKinds = {"conduct", "duty_statement", "purpose",      "scope",
                                               "header",  "info",           "qualification"};
  if (!kKinds.contains(c.kind)) {
    ErrorAt(o.Get("kind"), "unknown conduct kind '" + c.kind +
                               "' (conduct, duty_statement, purpose, scope, header, info, "
                               "qualification)");
  }
  c.code = Str(o, "code");
  Want("penalty", c.code, o.Get("code"), "conduct code");
  Define("conduct", c.id, c.source);
  Cite(c.clauses, "conduct", c, false);
  pack_.conduct_.push_back(std::move(c));
}

void PackBuilder::LoadEvent(const Node& n) {
  Obj o = Open(n, "event", {"id", "title", "clause"});
  if (!o.ok) return;
  SiteEventDecl e;
  Base(o, &e, true, false);
  Define("event", e.id, e.source);
  if (!e.clauses.empty()) Cite(e.clauses, "event", e, false);
  pack_.events_.push_back(std::move(e));
}

void PackBuilder::CheckReferences() {
  for (const auto& ref : refs_) {
    if (ref.kind == "checklist" && defined_["record"].contains(ref.name)) continue;
    if (!defined_[ref.kind].contains(ref.name)) {
      std::string kind = ref.kind == "penalty" ? "violation code" : ref.kind;
      std::replace(kind.begin(), kind.end(), '_', ' ');
      Error(ref.at, ref.context + " refers to undefined " + kind + " '" + ref.name + "'");
    }
  }
  // A follow-up event must start something: a procedure, a deadline or an event duty.
  for (const auto& [event, at] : follow_up_events_) {
    bool used = false;
    for (const auto& p : pack_.procedures_) used = used || p.trigger == event;
    for (const auto& sl : pack_.service_levels_)
      used = used || sl.start_event == event ||
             std::ranges::find(sl.restart_events, event) != sl.restart_events.end();
    for (const auto& d : pack_.duties_)
      used = used || (d.schedule.kind == ScheduleKind::kOn && d.schedule.on == event);
    if (!used)
      Error(at, "follow_up event '" + event +
                    "' starts nothing: no procedure's trigger, service level's start or duty's on");
  }
  // A follow-up needs something abnormal to follow: a pass_flag_fail item, a number with a normal
  // range, or a record's flag_field.
  for (const auto& d : pack_.duties_) {
    if (!d.follow_up) continue;
    bool can_fire = false;
    auto any_pff = [](const std::vector<ChecklistItem>& items) {
      for (const auto& i : items)
        if (i.kind == ItemKind::kPassFlagFail || (i.kind == ItemKind::kNumber && (i.min || i.max)))
          return true;
      return false;
    };
    for (const auto& c : pack_.checklists_)
      if (c.id == d.checklist) can_fire = any_pff(c.items);
    for (const auto& r : pack_.records_)
      if (r.id == d.checklist) can_fire = any_pff(r.fields) || !r.flag_field.empty();
    if (!can_fire)
      Error(d.source, "duty '" + d.id + "' has a follow_up but its form '" + d.checklist +
                          "' has no pass_flag_fail item, no number with min/max and no flag_field");
  }
  // A discipline step's approval is for one case: its request type declares the case's id, and
  // no penalty opens a case at such a step (the request can name a case only once it exists).
  for (const auto& d : pack_.discipline_)
    for (const auto& st : d.steps) {
      if (st.approval.empty()) continue;
      for (const auto& p : pack_.penalties_)
        for (const auto& ls : p.ladder)
          if (ls.discipline == st.id)
            Error(p.source, "penalty " + p.code + " names discipline step '" + st.id +
                                "', which needs an approval: a case cannot open there");
      for (const auto& r : pack_.requests_) {
        if (r.id != st.approval) continue;
        auto in = r.inputs.find(kDisciplineCaseInput);
        if (in == r.inputs.end() || in->second != ValueType::kNumber)
          Error(r.source, "request '" + r.id + "' approves discipline step '" + st.id +
                              "', so it must declare the input " +
                              std::string(kDisciplineCaseInput) +
                              ": number (the case it is about)");
      }
    }
  // A scheme's month is re-opened by a request naming the close it undoes.
  for (const auto& a : pack_.assessments_)
    for (const auto& r : pack_.requests_) {
      if (a.reopen.empty() || r.id != a.reopen) continue;
      auto in = r.inputs.find(kMonthCloseInput);
      if (in == r.inputs.end() || in->second != ValueType::kNumber)
        Error(r.source, "request '" + r.id + "' re-opens months of assessment '" + a.id +
                            "', so it must declare the input " + std::string(kMonthCloseInput) +
                            ": number (the close it undoes)");
    }
  CheckStopEvents();
  CheckEventSources();
  CheckHandoverForms();
  if (!pack_.working_hours_)
    for (const auto& [id, at] : working_hours_levels_)
      Error(at, "service level '" + id +
                    "' counts working hours (time: business with a within under a day, or a "
                    "site's), but the pack states no working_hours: declare them "
                    "(docs/policy_format.md §10a) or use time: calendar");
  // Reporting lines must end: a role cannot (indirectly) report to itself.
  std::map<std::string, const Role*> roles;
  for (const auto& r : pack_.roles_) roles.emplace(r.id, &r);
  for (const auto& r : pack_.roles_) {
    std::set<std::string> seen{r.id};
    const Role* cur = &r;
    while (!cur->reports_to.empty() && roles.contains(cur->reports_to)) {
      if (!seen.insert(cur->reports_to).second) {
        if (cur->reports_to == r.id) {
          Error(r.source, "cycle in reporting line: role '" + r.id + "' reports to itself via '" +
                              r.reports_to + "'");
        }
        break;
      }
      cur = roles[cur->reports_to];
    }
  }
}

// A deadline stops on an event. A procedure's state is not one: `stop: closed` never stops anything
// (the deadline always breaches). The events a pack raises itself are its procedures' triggers,
// transitions, timers and steps (a confirmed step `call:119` is an event), its service levels'
// starts, its duties' on: and its follow-ups; a name outside them is a site event raised over HTTP
// or by a module, and stays allowed.
void PackBuilder::CheckStopEvents() {
  std::set<std::string, std::less<>> raised;
  for (const auto& p : pack_.procedures_) {
    raised.insert(p.trigger);
    for (const auto& t : p.transitions) raised.insert(t.on);
    for (const auto& st : p.states) {
      for (const auto& tm : st.timers) raised.insert(tm.event);
      for (const auto& a : st.actions) raised.insert(a);
    }
  }
  for (const auto& sl : pack_.service_levels_) {
    raised.insert(sl.start_event);
    raised.insert(sl.restart_events.begin(), sl.restart_events.end());
  }
  for (const auto& d : pack_.duties_)
    if (d.schedule.kind == ScheduleKind::kOn) raised.insert(d.schedule.on);
  for (const auto& [event, at] : follow_up_events_) raised.insert(event);
  for (const auto& [event, at] : stop_events_) {
    if (raised.contains(event)) continue;
    for (const auto& p : pack_.procedures_) {
      auto state = std::find_if(p.states.begin(), p.states.end(),
                                [&](const ProcState& st) { return st.id == event; });
      if (state == p.states.end()) continue;
      std::vector<std::string> into;
      for (const auto& t : p.transitions)
        if (t.to == event && std::find(into.begin(), into.end(), t.on) == into.end())
          into.push_back(t.on);
      std::string hint;
      for (size_t i = 0; i < into.size(); ++i) hint += (i ? ", " : "") + into[i];
      Error(at, "stop '" + event + "' is a state of procedure '" + p.id +
                    "', not an event, so it would never stop the deadline" +
                    (hint.empty() ? std::string(": no transition leads into it")
                                  : ": name the event that leads into it (" + hint + ")"));
      break;
    }
  }
}

// Every event a rule waits for must come from somewhere (issue 16 §3): the pack itself (a
// transition, a timer, a step, a follow-up), a module's records (LoadOptions::module_events), or
// people, who report only the events declared under `events:`. A name from none of them is a typo
// or a missing declaration: the trigger never fires, the deadline never stops.
void PackBuilder::CheckEventSources() {
  if (!options_.module_events) return;
  std::set<std::string, std::less<>> raised;
  for (const auto& p : pack_.procedures_) {
    for (const auto& t : p.transitions) raised.insert(t.on);
    for (const auto& st : p.states) {
      for (const auto& tm : st.timers) raised.insert(tm.event);
      for (const auto& a : st.actions) raised.insert(a);
    }
  }
  for (const auto& [event, at] : follow_up_events_) raised.insert(event);
  auto by_module = [&](std::string_view event) {
    for (const auto& m : *options_.module_events)
      if (m == event || (m.starts_with('*') && event.ends_with(std::string_view(m).substr(1))))
        return true;
    return false;
  };
  std::set<std::string, std::less<>> declared;
  for (const auto& e : pack_.events_) {
    declared.insert(e.id);
    if (std::find(options_.reserved_events.begin(), options_.reserved_events.end(), e.id) !=
        options_.reserved_events.end())
      Error(e.source, "event '" + e.id +
                          "' is raised by a module from its records and cannot be reported by "
                          "hand: remove it from events:");
  }
  std::set<std::string, std::less<>> reported;  // each name once, at its first use
  for (const auto& p : pack_.procedures_)       // a state named as a stop: CheckStopEvents says so
    for (const auto& st : p.states) reported.insert(st.id);
  auto check = [&](const std::string& event, const Source& at, const char* what) {
    if (raised.contains(event) || declared.contains(event) || by_module(event)) return;
    if (!reported.insert(event).second) return;
    Error(at, std::string(what) + " '" + event +
                  "' is an event nothing raises: no procedure step, timer or follow-up of the "
                  "pack and no module raises it; if people report it, declare it under events: "
                  "(docs/policy_format.md §11a), else correct the name");
  };
  for (const auto& [event, at] : listened_events_) check(event, at, "event");
  for (const auto& [event, at] : stop_events_) check(event, at, "stop");
  for (const auto& [what, event, at] : pause_events_) check(event, at, what.c_str());
  for (const auto& e : pack_.events_) {
    bool heard = raised.contains(e.id);  // a transition's event may also be reported on the site
    for (const auto& [event, at] : listened_events_) heard = heard || event == e.id;
    for (const auto& [event, at] : stop_events_) heard = heard || event == e.id;
    for (const auto& [what, event, at] : pause_events_) heard = heard || event == e.id;
    if (!heard)
      Error(e.source, "event '" + e.id +
                          "' is declared but nothing listens to it: no procedure's trigger or "
                          "transition, service level's start or stop, or duty's on: names it");
  }
}

void PackBuilder::MarkUnenforced() {
  // What the runtime reads, as docs/coverage.md lists it with the code that executes each part.
  auto named = [](const std::string& id, const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return RuleNamed(id, n); });
  };
  std::set<std::string, std::less<>> filled;  // checklists and records a duty's instance fills
  for (const auto& d : pack_.duties_)
    if (!d.checklist.empty()) filled.insert(d.checklist);
  std::set<std::string, std::less<>> written = filled;  // records something writes
  for (const auto& r : pack_.requests_)
    if (!r.record.empty()) written.insert(r.record);  // on approval (runtime/requests.cpp)
  for (const auto& p : pack_.procedures_)
    for (const auto& st : p.states)
      for (const auto& a : st.actions)
        if (a.starts_with("record:")) written.insert(a.substr(7));  // a record: step's answers
  for (const auto& r : pack_.records_)
    if (named(r.id, options_.written_records)) written.insert(r.id);
  // Handover forms (modules/handover RuleFor: the first handover checklist of each regulation of
  // the post or its roles, with its refusals) and relief forms (ReliefFormOf: items only).
  std::set<std::string, std::less<>> used = filled, handover_forms;
  std::set<std::string, std::less<>> operating;  // alarms CanOperate cites these (OperatingClauses)
  for (const auto& post : pack_.posts_) {
    for (const Checklist* c : HandoverFormOf(pack_, post)) handover_forms.insert(c->id);
    for (const Checklist* c : ChecklistsOfPost(pack_, post, "relief")) used.insert(c->id);
    for (auto& c : OperatingClauses(pack_, post.id)) operating.insert(std::move(c));
  }
  used.insert(handover_forms.begin(), handover_forms.end());
  auto find = [](const auto& rules, const std::string& id) {
    for (const auto& r : rules)
      if (r.id == id) return &r;
    return static_cast<decltype(&rules.front())>(nullptr);
  };
  for (size_t i = 0; i < pack_.citations_.size(); ++i) {
    auto& [clause, ref] = pack_.citations_[i];
    const CiteOrigin& origin = cite_origins_[i];
    if (ref.kind == "checklist") {
      // A refusal (五不接) is read only by the handover form.
      ref.executable =
          origin.part == Part::kRefusal ? handover_forms.contains(ref.id) : used.contains(ref.id);
    } else if (ref.kind == "record") {
      ref.executable = written.contains(ref.id);
    } else if (ref.kind == "discipline") {
      // runtime/ledger ComputeConsequence takes a ladder's step only when a penalty names it.
      const DisciplineLadder* d = find(pack_.discipline_, ref.id);
      ref.executable = false;
      for (const auto& p : pack_.penalties_)
        for (const auto& step : p.ladder)
          if (d && !step.discipline.empty())
            for (const auto& ds : d->steps)
              ref.executable = ref.executable || ds.id == step.discipline;
    } else if (ref.kind == "assessment") {
      // modules/people Assessments::Start evaluates a scheme whose every indicator names a
      // source its catalogue computes (issue 20); the others are refused, so only displayed.
      const Assessment* a = find(pack_.assessments_, ref.id);
      ref.executable = a && !a->indicators.empty();
      if (a)
        for (const auto& ind : a->indicators)
          ref.executable =
              ref.executable &&
              std::find(options_.assessment_sources.begin(), options_.assessment_sources.end(),
                        ind.source) != options_.assessment_sources.end();
    } else if (ref.kind == "retention") {
      const Retention* r = find(pack_.retention_, ref.id);
      ref.executable = r && named(r->record, options_.retained_records);
    } else if (ref.kind == "staffing") {
      // modules/roster CheckStaffing reads the counts, certified_only, at_least_one_of,
      // at_least_one_certified and around_the_clock; runtime/duties LeavePost reads
      // substitute_before_leaving and leave_request. Nothing reads stable_staffing.
      const StaffingRule* s = find(pack_.staffing_, ref.id);
      ref.executable =
          s && (s->min_per_shift || s->min_during_alarm || s->max_continuous || s->certified_only ||
                !s->at_least_one_of.empty() || !s->at_least_one_certified.empty() ||
                s->around_the_clock || s->substitute_before_leaving || !s->leave_request.empty());
    } else if (ref.kind == "place") {
      // A place's own fields (forbidden, never_unattended) are read by nothing; of its access
      // rules, visits enforce request and deny (without `during`: no code evaluates it), and
      // alarms cite an allow rule's clauses about 操作 (OperatingClauses).
      const Place* p = find(pack_.places_, ref.id);
      ref.executable = false;
      if (p && origin.part == Part::kAccess && origin.index < p->access.size()) {
        const AccessRule& a = p->access[origin.index];
        if (!a.during.empty())
          ref.executable = false;
        else if (a.effect == AccessEffect::kAllow)
          ref.executable = operating.contains(clause);
        else
          ref.executable = true;
      }
    }
  }
}

// A post's handover form is the first handover checklist of each file that declares the post or
// one of its roles (post_rules.hpp ChecklistsOfPost, handover's RuleFor). Any other handover
// checklist is never opened: an error, not a rule that silently does nothing.
void PackBuilder::CheckHandoverForms() {
  std::set<std::string> used;
  for (const auto& post : pack_.posts_)
    for (const Checklist* c : HandoverFormOf(pack_, post)) used.insert(c->id);
  std::map<std::string, std::string> first_of_file;
  for (const auto& c : pack_.checklists_) {
    if (c.kind != "handover") continue;
    auto [first, inserted] = first_of_file.emplace(c.source.file, c.id);
    if (used.contains(c.id)) continue;
    if (!inserted)
      Error(c.source, "handover checklist '" + c.id + "' is never opened: a post's handover form " +
                          "is the first handover checklist of its file ('" + first->second +
                          "'); merge the items into it");
    else
      Error(c.source, "handover checklist '" + c.id + "' is never opened: no post is declared in " +
                          std::filesystem::path(c.source.file).filename().string() +
                          " and no post holds a role declared there; name its posts with posts:");
  }
}

Result<Pack> PackBuilder::Run(LoadReport* report) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) {
    diags_.push_back({dir_.string(), 0, 0, "not a policy pack directory"});
  } else {
    LoadPackYaml();
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      auto name = entry.path().filename().string();
      if (entry.is_regular_file() && entry.path().extension() == ".yaml" && name != "pack.yaml") {
        files.push_back(entry.path().filename());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) LoadRuleFile(f);
    if (!demo_file_.empty()) LoadDemo();
    CheckReferences();
    MarkUnenforced();
  }
  // Sort diagnostics by file, then position, for stable output.
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  if (report != nullptr) report->diagnostics = diags_;
  if (!diags_.empty()) {
    LoadReport r{diags_};
    return Fail(Errc::kInvalidArgument,
                std::to_string(diags_.size()) + " error(s) in policy pack:\n" + r.ToString());
  }
  pack_.info_.content_hash = ToHex(Sha256Of(hash_input_));
  return std::move(pack_);
}

Result<Pack> LoadPack(const std::filesystem::path& dir, LoadReport* report,
                      const LoadOptions& options) {
  try {
    PackBuilder builder(dir, options);
    return builder.Run(report);
  } catch (const std::exception& e) {
    // yaml-cpp conversion errors we did not anticipate: never let them cross the module boundary.
    return Fail(Errc::kInternal, std::string("policy loader: ") + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Pack lookups

namespace {
template <typename T>
const T* FindById(const std::vector<T>& v, std::string_view id) {
  for (const auto& e : v) {
    if (e.id == id) return &e;
  }
  return nullptr;
}
}  // namespace

const Role* Pack::FindRole(std::string_view id) const { return FindById(roles_, id); }
std::vector<std::string> Pack::RolesWithPermission(std::string_view permission) const {
  std::vector<std::string> out;
  for (const auto& r : roles_)
    if (std::find(r.permissions.begin(), r.permissions.end(), permission) != r.permissions.end())
      out.push_back(r.id);
  return out;
}
const Post* Pack::FindPost(std::string_view id) const { return FindById(posts_, id); }
const Penalty* Pack::FindPenalty(std::string_view code) const { return FindById(penalties_, code); }
const Request* Pack::FindRequest(std::string_view id) const { return FindById(requests_, id); }
const Procedure* Pack::FindProcedure(std::string_view id) const {
  return FindById(procedures_, id);
}

std::vector<Pack::RuleRef> Pack::RulesCiting(std::string_view clause_id) const {
  std::string id = NormalizeClauseId(clause_id);
  std::vector<RuleRef> out;
  for (const auto& [c, ref] : citations_) {
    if (c == id) out.push_back(ref);
  }
  return out;
}

}  // namespace zhidu::policy
