// Loader tests: every error class with its exact position, the shipped packs, a bounded
// mutation fuzz over a real pack.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>

#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/coverage.hpp"
#include "kernel/policy/loader.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/policy/post_rules.hpp"

namespace zhidu::policy {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = ZHIDU_SOURCE_DIR;

using Files = std::map<std::string, std::string>;

// A throwaway pack directory: pack.yaml declaring one small regulation T01, plus `files`.
class TempPack {
 public:
  explicit TempPack(const Files& files) {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("zhidu_policy_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "regulations");
    Write("regulations/T01.txt",
          "测试制度\n"
          "为测试而制定。\n"
          "一、值班人员每15分钟巡查一次。\n"
          "二、违者罚款50元。\n");
    Write("pack.yaml",
          "name: test\nversion: \"1\"\neffective: 2026-01-01\n"
          "regulations:\n  - {code: T01, file: regulations/T01.txt, structure: [cn]}\n");
    for (const auto& [name, text] : files) Write(name, text);
  }
  ~TempPack() { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  const fs::path& dir() const { return dir_; }
  std::string File(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

std::vector<std::string> Errors(const TempPack& pack) {
  LoadReport report;
  auto loaded = LoadPack(pack.dir(), &report);
  EXPECT_EQ(loaded.has_value(), report.ok());
  std::vector<std::string> out;
  for (const auto& d : report.diagnostics) out.push_back(d.ToString());
  return out;
}

// Asserts exactly one diagnostic, at `file:line:col`, whose message contains `needle`.
void ExpectOne(const TempPack& pack, const std::string& file, int line, int col,
               const std::string& needle) {
  auto errors = Errors(pack);
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  std::string prefix =
      pack.File(file) + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
  EXPECT_EQ(errors[0].rfind(prefix, 0), 0u) << errors[0] << "\nwanted prefix " << prefix;
  EXPECT_NE(errors[0].find(needle), std::string::npos) << errors[0];
}

constexpr const char* kGoodRoles =
    "roles:\n"
    "  - {id: 值班员, clause: \"T01 §一\"}\n"
    "posts:\n"
    "  - {id: 值班岗, clause: \"T01 §一\", roles: [值班员]}\n";

TEST(LoaderTest, MinimalPackLoads) {
  TempPack pack(
      Files{{"T01.yaml", std::string(kGoodRoles) + "duties:\n"
                                                   "  - id: patrol\n"
                                                   "    clause: \"T01 §一\"\n"
                                                   "    post: 值班岗\n"
                                                   "    schedule: {every: 15m}\n"
                                                   "penalties:\n"
                                                   "  - code: T-MISS\n"
                                                   "    clause: \"T01 §二\"\n"
                                                   "    ladder: [{from: 1, fine_yuan: 50}]\n"}});
  LoadReport report;
  auto loaded = LoadPack(pack.dir(), &report);
  ASSERT_TRUE(loaded.has_value()) << report.ToString();
  ASSERT_EQ(loaded->duties().size(), 1u);
  EXPECT_EQ(loaded->duties()[0].schedule.every.fixed, std::chrono::minutes(15));
  EXPECT_EQ(*loaded->penalties()[0].ladder[0].fine_yuan->value, 50);
  EXPECT_NE(loaded->FindRole("值班员"), nullptr);
  Coverage cov = ComputeCoverage(*loaded);
  EXPECT_EQ(cov.total, 3);  // §序, §一, §二
  EXPECT_EQ(cov.missing, 1);
  EXPECT_EQ(cov.regulations[0].missing_ids, std::vector<std::string>{"T01 §序"});
}

// One minimal example of every primitive, read back through the typed structs.
TEST(LoaderTest, EveryPrimitiveFromAMinimalExample) {
  TempPack pack(Files{{"T01.yaml", R"(regulation: T01
roles:
  - {id: 值班员, clause: "T01 §一", reports_to: 组长}
  - {id: 组长, clause: "T01 §一"}
posts:
  - {id: 值班岗, clause: "T01 §一", roles: [值班员], certifications: [上岗证], min_age: 18}
places:
  - id: 值班室
    clause: "T01 §一"
    never_unattended: true
    access:
      - {clause: "T01 §一", roles: [值班员], effect: allow}
      - {clause: "T01 §一", who: everyone, effect: request, request: entry, escort: true, during: "22:00-06:00"}
shift_patterns:
  - id: two
    clause: "T01 §一"
    post: 值班岗
    shifts: [{id: d, start: "08:00", end: "20:00"}, {id: n, start: "20:00", end: "08:00"}]
    teams: [A, B]
    cycle: [d, n]
    team_offsets: [0, 1]
staffing:
  - {id: s, clause: "T01 §一", post: 值班岗, min_per_shift: 1, max_continuous: 12h, at_least_one_of: [组长]}
checklists:
  - id: h
    clause: "T01 §一"
    kind: handover
    arrive_before: 10m
    signatures: [outgoing, incoming]
    items:
      - {id: a, kind: check}
      - {id: b, kind: pass_flag_fail}
      - {id: c, kind: number, min: 0, max: 30, unit: "°C"}
      - {id: d, kind: text, required: false}
      - {id: e, kind: photo}
      - {id: f, kind: signature}
    refuse_if:
      - {id: unclear, label: 交代不清, clause: "T01 §一"}
records:
  - {id: log, clause: "T01 §一", fields: [{id: x, kind: text}], flag_field: x}
duties:
  - {id: d1, clause: "T01 §一", post: 值班岗, schedule: {every: 15m}, on_miss: {violation: MISS}}
  - {id: d2, clause: "T01 §一", post: 值班岗, schedule: {times: 3, per: week}}
  - {id: d3, clause: "T01 §一", post: 值班岗, schedule: {at: ["22:00", "06:00"]}, record: log}
  - {id: d4, clause: "T01 §一", post: 值班岗, schedule: {on: shift_start}, checklist: h, targets: {set: floors, rotate: day}}
procedures:
  - id: p
    clause: "T01 §一"
    trigger: alarm
    initial: open
    inputs: {alarm.real: bool}
    states:
      - id: open
        assignments: [{task: 确认, role: 值班员}, {task: 留守, role: 值班员}]
        timers: [{after: 5m, event: timeout}]
      - {id: done, terminal: true}
    transitions:
      - {from: open, to: done, on: confirm, roles: [值班员], guard: "alarm.real"}
requests:
  - id: entry
    clause: "T01 §一"
    approvals: [{role: 组长, names_escort: true}, {role: $superior, signature: true}]
service_levels:
  - {id: sl, clause: "T01 §一", start: a, stop: b, within: 2wd, time: business, warn_before: [4h]}
  - {id: cut, clause: "T01 §一", start: a, stop: b, cutoff: "17:30"}
  - {id: site_set, clause: "T01 §一", start: a, stop: b, within: {param: reply_within}}
penalties:
  - code: MISS
    clause: "T01 §二"
    look_back: 30d
    ladder:
      - {from: 1, to: 1, warning: true}
      - {from: 2, fine_yuan: 50, discipline: report}
      - {from: 3, fine_yuan: {param: third_fine}, revoke: [eligibility]}
discipline:
  - id: ladder
    clause: "T01 §二"
    steps: [{id: report, by: 组长}]
assessments:
  - id: kpi
    clause: "T01 §二"
    subjects: [值班员]
    indicators: [{id: q, weight: 1}]
    formula: "w.q * q"
    pay: "score * 100"
retention:
  - {id: keep, clause: "T01 §一", record: log, min: 1mo}
conduct:
  - {id: c, clause: "T01 §序", kind: purpose}
)"}});
  LoadReport report;
  auto p = LoadPack(pack.dir(), &report);
  ASSERT_TRUE(p.has_value()) << report.ToString();
  EXPECT_EQ(p->FindRole("值班员")->reports_to, "组长");
  EXPECT_EQ(p->posts()[0].certifications, std::vector<std::string>{"上岗证"});
  EXPECT_EQ(p->places()[0].access[1].effect, AccessEffect::kRequest);
  EXPECT_EQ(p->places()[0].access[1].during[0].start.minutes, 22 * 60);
  EXPECT_EQ(p->shift_patterns()[0].shifts[1].Length(), std::chrono::hours(12));
  EXPECT_EQ(p->shift_patterns()[0].ShiftOn(1, 0), "n");
  EXPECT_EQ(p->staffing()[0].max_continuous->fixed, std::chrono::hours(12));
  const Checklist& h = p->checklists()[0];
  EXPECT_EQ(h.items[2].kind, ItemKind::kNumber);
  EXPECT_EQ(*h.items[2].max, 30);
  EXPECT_EQ(h.items[5].kind, ItemKind::kSignature);
  EXPECT_EQ(h.refuse_if.size(), 1u);
  EXPECT_EQ(h.arrive_before->fixed, std::chrono::minutes(10));
  EXPECT_EQ(p->duties()[1].schedule.kind, ScheduleKind::kTimesPer);
  EXPECT_EQ(p->duties()[2].schedule.at.size(), 2u);
  EXPECT_EQ(p->duties()[3].rotate_per, "day");
  EXPECT_EQ(p->procedures()[0].states[0].assignments.size(), 2u);
  EXPECT_TRUE(*p->procedures()[0].transitions[0].guard->EvalBool({{"alarm.real", true}}));
  EXPECT_EQ(p->requests()[0].approvals[1].roles, std::vector<std::string>{"$superior"});
  EXPECT_EQ(p->service_levels()[0].within->working_days, 2);
  EXPECT_EQ(p->service_levels()[1].cutoff->minutes, 17 * 60 + 30);
  EXPECT_FALSE(p->service_levels()[2].within.has_value());
  EXPECT_EQ(p->service_levels()[2].within_param, "reply_within");
  const Penalty& miss = *p->FindPenalty("MISS");
  EXPECT_EQ(miss.look_back->fixed, std::chrono::days(30));
  EXPECT_FALSE(miss.ladder[2].fine_yuan->value.has_value());
  EXPECT_EQ(miss.ladder[2].fine_yuan->name, "third_fine");
  EXPECT_EQ(*p->assessments()[0].pay->EvalNumber({{"score", 0.5}}), 50);
  EXPECT_EQ(p->retention()[0].min.months, 1);
  EXPECT_EQ(ComputeCoverage(*p).missing, 0);
}

// Issue 16 §7: a clause counts as executable only when a rule the runtime executes cites it. A
// record nothing writes and an assessment (never computed) leave their clauses "recorded, not
// enforced"; a duty filling the record, or a module declaring it written, makes it executed.
TEST(CoverageTest, RecordNobodyWritesAndAssessmentAreRecordedNotEnforced) {
  const std::string rules = std::string(kGoodRoles) + R"(records:
  - id: log
    clause: "T01 §一"
    fields: [{id: note, label: 记录, kind: text}]
assessments:
  - {id: kpi, clause: "T01 §二", subjects: [值班员], indicators: [{id: q, weight: 1}]}
conduct:
  - {id: c, clause: "T01 §序", kind: purpose}
)";
  {
    TempPack pack(Files{{"T01.yaml", rules}});
    LoadReport report;
    auto loaded = LoadPack(pack.dir(), &report);
    ASSERT_TRUE(loaded.has_value()) << report.ToString();
    Coverage cov = ComputeCoverage(*loaded);
    // §一 is cited by the role and post too (executed); §二 only by the assessment.
    EXPECT_EQ(cov.executable, 1);
    EXPECT_EQ(cov.recorded, 1);
    EXPECT_EQ(cov.citable_only, 1);
    EXPECT_EQ(cov.regulations[0].recorded_ids, std::vector<std::string>{"T01 §二"});
    auto e = Explain(*loaded, "T01 §一");
    ASSERT_TRUE(e.has_value());
    std::map<std::string, std::string> status;
    for (size_t i = 0; i < e->rules.size(); ++i) status[e->rules[i].kind] = e->status[i];
    EXPECT_EQ(status["record"], "recorded");  // nothing writes `log`
    EXPECT_EQ(status["role"], "executed");
    EXPECT_EQ(Explain(*loaded, "T01 §序")->status, std::vector<std::string>{"citable"});
  }
  {  // The role and post moved to §序: now the record alone cites §一.
    std::string alone = rules;
    const std::string one = "T01 §一";
    for (int i = 0; i < 2; ++i) alone.replace(alone.find(one), one.size(), "T01 §序");
    TempPack pack(Files{{"T01.yaml", alone}});
    auto loaded = LoadPack(pack.dir());
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(ComputeCoverage(*loaded).regulations[0].recorded_ids,
              (std::vector<std::string>{"T01 §一", "T01 §二"}));
    // A module that writes it (LoadOptions.written_records, by RuleNamed) makes it executed.
    LoadOptions options;
    options.written_records = {"log"};
    auto written = LoadPack(pack.dir(), nullptr, options);
    ASSERT_TRUE(written.has_value());
    EXPECT_EQ(ComputeCoverage(*written).regulations[0].recorded_ids,
              std::vector<std::string>{"T01 §二"});
  }
  {  // A duty filling the record writes it.
    TempPack pack(Files{{"T01.yaml", rules + R"(duties:
  - {id: d, clause: "T01 §序", post: 值班岗, schedule: {every: 1d}, checklist: log}
)"}});
    auto loaded = LoadPack(pack.dir());
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    for (const auto& ref : loaded->RulesCiting("T01 §一")) {
      if (ref.kind == "record") {
        EXPECT_TRUE(ref.executable);
      }
    }
    EXPECT_EQ(ComputeCoverage(*loaded).recorded, 1);  // the assessment's §二
  }
}

// Fields recorded but not enforced: a staffing rule asking only 保持相对稳定, a place's
// `forbidden`, an access rule with `during` (no code evaluates it), a checklist nothing fills.
TEST(CoverageTest, UnreadFieldsAreRecordedNotEnforced) {
  TempPack pack(Files{{"T01.yaml", std::string(kGoodRoles) + R"(staffing:
  - {id: stable, clause: "T01 §二", post: 值班岗, stable_staffing: true}
places:
  - id: 值班室
    clause: "T01 §二"
    forbidden: [明火]
    access:
      - {clause: "T01 §二", roles: [值班员], effect: deny, during: ["08:00-17:00"]}
checklists:
  - id: unused
    clause: "T01 §二"
    kind: inspection
    items: [{id: ok, label: 正常}]
)"}});
  auto loaded = LoadPack(pack.dir());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  auto refs = loaded->RulesCiting("T01 §二");
  EXPECT_EQ(refs.size(), 4u);
  for (const auto& ref : refs) EXPECT_FALSE(ref.executable) << ref.kind << " " << ref.id;
  EXPECT_EQ(ComputeCoverage(*loaded).regulations[0].recorded_ids,
            std::vector<std::string>{"T01 §二"});
}

TEST(LoaderTest, YamlSyntaxError) {
  TempPack pack(Files{{"T01.yaml", "roles:\n  - {id: a, clause: \"T01 §一\"\nposts: []\n"}});
  auto errors = Errors(pack);
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind(pack.File("T01.yaml") + ":3:1: YAML syntax error", 0), 0u) << errors[0];
}

TEST(LoaderTest, UnknownField) {
  TempPack pack(
      Files{{"T01.yaml", "roles:\n  - id: a\n    clause: \"T01 §一\"\n    colour: red\n"}});
  ExpectOne(pack, "T01.yaml", 4, 5, "unknown field 'colour' in role");
}

TEST(LoaderTest, DuplicateKey) {
  TempPack pack(Files{{"T01.yaml", "roles:\n  - id: a\n    clause: \"T01 §一\"\n    id: b\n"}});
  ExpectOne(pack, "T01.yaml", 4, 5, "duplicate key 'id' (first at line 2)");
}

TEST(LoaderTest, WrongType) {
  TempPack pack(Files{{"T01.yaml", std::string(kGoodRoles) + "staffing:\n"
                                                             "  - id: s\n"
                                                             "    clause: \"T01 §一\"\n"
                                                             "    post: 值班岗\n"
                                                             "    min_per_shift: many\n"}});
  ExpectOne(pack, "T01.yaml", 9, 20, "field 'min_per_shift' must be an integer");
}

TEST(LoaderTest, BadDuration) {
  TempPack pack(Files{{"T01.yaml", std::string(kGoodRoles) + "duties:\n"
                                                             "  - id: patrol\n"
                                                             "    clause: \"T01 §一\"\n"
                                                             "    post: 值班岗\n"
                                                             "    schedule: {every: 15x}\n"}});
  ExpectOne(pack, "T01.yaml", 9, 23, "bad duration \"15x\"");
}

TEST(LoaderTest, BadTimeOfDay) {
  TempPack pack(Files{{"T01.yaml", std::string(kGoodRoles) + "duties:\n"
                                                             "  - id: arm\n"
                                                             "    clause: \"T01 §一\"\n"
                                                             "    post: 值班岗\n"
                                                             "    schedule: {at: [\"25:00\"]}\n"}});
  ExpectOne(pack, "T01.yaml", 9, 21, "bad time of day \"25:00\"");
}

TEST(LoaderTest, DanglingReference) {
  TempPack pack(Files{{"T01.yaml", std::string(kGoodRoles) + "duties:\n"
                                                             "  - id: patrol\n"
                                                             "    clause: \"T01 §一\"\n"
                                                             "    post: 保安岗\n"
                                                             "    schedule: {every: 15m}\n"}});
  ExpectOne(pack, "T01.yaml", 8, 11, "duty post refers to undefined post '保安岗'");
}

TEST(LoaderTest, InvalidExpression) {
  TempPack pack(Files{
      {"T01.yaml", std::string(kGoodRoles) +
                       "requests:\n"
                       "  - id: r\n"
                       "    clause: \"T01 §一\"\n"
                       "    inputs: {applicant.ok: bool}\n"
                       "    preconditions:\n"
                       "      - {clause: \"T01 §一\", message: m, expr: \"applicant.ok and\"}\n"}});
  ExpectOne(pack, "T01.yaml", 10, 49, "invalid expression");
}

TEST(LoaderTest, ExpressionWithUnknownName) {
  TempPack pack(Files{
      {"T01.yaml", std::string(kGoodRoles) +
                       "requests:\n"
                       "  - id: r\n"
                       "    clause: \"T01 §一\"\n"
                       "    inputs: {applicant.ok: bool}\n"
                       "    preconditions:\n"
                       "      - {clause: \"T01 §一\", message: m, expr: \"os.time() > 0\"}\n"}});
  ExpectOne(pack, "T01.yaml", 10, 49, "unknown name 'os'");
}

TEST(LoaderTest, ApprovalCycle) {
  TempPack pack(
      Files{{"T01.yaml", std::string(kGoodRoles) + "requests:\n"
                                                   "  - id: r\n"
                                                   "    clause: \"T01 §一\"\n"
                                                   "    approvals:\n"
                                                   "      - {id: a, role: 值班员, after: [b]}\n"
                                                   "      - {id: b, role: 值班员, after: [a]}\n"}});
  ExpectOne(pack, "T01.yaml", 9, 9, "cycle in approval chain of request 'r': a → b → a");
}

TEST(LoaderTest, ReportingLineCycle) {
  TempPack pack(Files{{"T01.yaml",
                       "roles:\n"
                       "  - {id: a, clause: \"T01 §一\", reports_to: b}\n"
                       "  - {id: b, clause: \"T01 §一\", reports_to: a}\n"}});
  auto errors = Errors(pack);
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_NE(errors[0].find(":2:5: cycle in reporting line"), std::string::npos) << errors[0];
}

TEST(LoaderTest, ClauseThatDoesNotExist) {
  TempPack pack(Files{{"T01.yaml", "roles:\n  - {id: a, clause: \"T01 §九\"}\n"}});
  ExpectOne(pack, "T01.yaml", 2, 21, "clause 'T01 §九' does not exist in T01");
}

TEST(LoaderTest, MissingClauseField) {
  TempPack pack(Files{{"T01.yaml", "roles:\n  - {id: a}\n"}});
  ExpectOne(pack, "T01.yaml", 2, 5, "missing field 'clause' in role");
}

TEST(LoaderTest, AllErrorsInOneRun) {
  TempPack pack(Files{{"T01.yaml", "roles:\n  - {id: a, clause: \"T01 §九\", colour: red}\n"},
                      {"T02.yaml", "posts:\n  - {id: p, clause: \"T01 §一\", roles: [nobody]}\n"},
                      {"T03.yaml", "duties: [\n"}});
  auto errors = Errors(pack);
  ASSERT_EQ(errors.size(), 4u) << ::testing::PrintToString(errors);
}

TEST(LoaderTest, NumberRangeOnlyForNumbers) {
  TempPack pack(Files{{"T01.yaml",
                       "checklists:\n"
                       "  - id: c\n"
                       "    clause: \"T01 §一\"\n"
                       "    kind: inspection\n"
                       "    items:\n"
                       "      - {id: t, kind: number, min: 0, max: 30}\n"
                       "      - {id: u, kind: text, min: 0}\n"}});
  ExpectOne(pack, "T01.yaml", 7, 9, "min/max/limit apply only to items of kind number");
}

TEST(LoaderTest, ShiftCycleNamesUnknownShift) {
  TempPack pack(Files{{"T01.yaml", std::string(kGoodRoles) +
                                       "shift_patterns:\n"
                                       "  - id: p\n"
                                       "    clause: \"T01 §一\"\n"
                                       "    post: 值班岗\n"
                                       "    shifts: [{id: day, start: \"08:00\", end: \"20:00\"}]\n"
                                       "    teams: [A]\n"
                                       "    cycle: [day, night]\n"}});
  ExpectOne(pack, "T01.yaml", 11, 12, "cycle names unknown shift 'night'");
}

TEST(LoaderTest, NotADirectory) {
  LoadReport report;
  EXPECT_FALSE(LoadPack("/nonexistent/pack", &report).has_value());
  ASSERT_EQ(report.diagnostics.size(), 1u);
}

TEST(DefaultPackTest, LoadsWithNoErrorsAndNoMissingClauses) {
  LoadReport report;
  auto pack = LoadPack(kRoot / "policies/cn-default", &report);
  ASSERT_TRUE(pack.has_value()) << report.ToString();
  Coverage cov = ComputeCoverage(*pack);
  ASSERT_EQ(cov.regulations.size(), 20u);
  for (const auto& r : cov.regulations) {
    EXPECT_EQ(r.missing, 0) << r.code << ": " << ::testing::PrintToString(r.missing_ids);
    EXPECT_EQ(r.total, r.executable + r.recorded + r.citable_only) << r.code;
  }
  // Honest coverage (issue 16 §7, docs/coverage.md): without the modules' declarations, a
  // register only a module writes is recorded, not enforced; with them it is executed.
  auto status_of = [](const Pack& p, const std::string& clause, const std::string& id) {
    auto e = Explain(p, clause);
    for (size_t i = 0; e && i < e->rules.size(); ++i)
      if (e->rules[i].id == id) return e->status[i];
    return std::string("none");
  };
  EXPECT_EQ(status_of(*pack, "R07 §三10", "r07-lost-and-found"), "recorded");
  LoadOptions modules;
  modules.written_records = {"lost-and-found"};
  auto with_modules = LoadPack(kRoot / "policies/cn-default", nullptr, modules);
  ASSERT_TRUE(with_modules.has_value());
  EXPECT_EQ(status_of(*with_modules, "R07 §三10", "r07-lost-and-found"), "executed");
  EXPECT_EQ(ComputeCoverage(*with_modules).executable, cov.executable + 1);
  // Assessments are shown, never computed (issue 20); the 15-minute video patrol runs.
  EXPECT_EQ(status_of(*pack, "R15 第三条", "r15-attendance"), "recorded");
  EXPECT_EQ(status_of(*pack, "R15 第三条", "R15-LATE"), "executed");
  EXPECT_EQ(status_of(*pack, "R12 §三(二)", "r12-video-patrol"), "executed");
  EXPECT_EQ(pack->info().time_zone, "Asia/Shanghai");
  EXPECT_EQ(pack->info().content_hash.size(), 64u);
  // The RBAC catalogue.
  for (const char* role : {"中控员", "值班长", "秩序维护主管", "部长", "客服专员", "客服主管",
                           "客服经理", "礼宾员", "厅经理", "舍长", "办公室", "员工", "管理员"}) {
    EXPECT_NE(pack->FindRole(role), nullptr) << role;
  }
}

TEST(DefaultPackTest, KeyRulesAreExecutable) {
  auto pack = LoadPack(kRoot / "policies/cn-default");
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  // R12: video patrol every 15 minutes, a miss is a violation.
  const Duty* patrol = nullptr;
  for (const auto& d : pack->duties()) {
    if (d.id == "r12-video-patrol") patrol = &d;
  }
  ASSERT_NE(patrol, nullptr);
  EXPECT_EQ(patrol->schedule.every.fixed, std::chrono::minutes(15));
  EXPECT_EQ(patrol->on_miss.violation, "R12-PATROL-MISSED");
  // R18: wasting water: warning, then 50 yuan.
  const Penalty* waste = pack->FindPenalty("R18-WASTE");
  ASSERT_NE(waste, nullptr);
  ASSERT_EQ(waste->ladder.size(), 2u);
  EXPECT_TRUE(waste->ladder[0].warning);
  EXPECT_EQ(*waste->ladder[1].fine_yuan->value, 50);
  // R16: footage: outsiders may never view, nobody may copy.
  const Request* footage = pack->FindRequest("r16-footage-view");
  ASSERT_NE(footage, nullptr);
  ASSERT_EQ(footage->preconditions.size(), 1u);
  EXPECT_FALSE(*footage->preconditions[0].expr.EvalBool({{"applicant.company_staff", false}}));
  EXPECT_TRUE(*footage->prohibitions[0].expr.EvalBool({{"request.copy", true}}));
  // The declared inputs stay with the request type: the runtime checks applicants against them.
  EXPECT_EQ(footage->inputs, (ContextSchema{{"applicant.company_staff", ValueType::kBool},
                                            {"request.copy", ValueType::kBool}}));
  // R09 四班三运转: a shift crossing no midnight, 8-day cycle, four teams two days apart.
  const ShiftPattern* four = nullptr;
  for (const auto& p : pack->shift_patterns()) {
    if (p.id == "r09-four-team-three-shift") four = &p;
  }
  ASSERT_NE(four, nullptr);
  for (long day = 0; day < 8; ++day) {
    std::set<std::string> worked;
    for (size_t team = 0; team < 4; ++team) worked.insert(four->ShiftOn(team, day));
    EXPECT_EQ(worked, (std::set<std::string>{"early", "middle", "late", "off"})) << day;
  }
  // R02 night shift crosses midnight: 15 hours.
  for (const auto& p : pack->shift_patterns()) {
    if (p.id == "r02-three-team-two-shift") {
      EXPECT_EQ(p.shifts[1].Length(), std::chrono::hours(15));
    }
  }
  // explain reaches the clause text and the rules implementing it.
  auto e = Explain(*pack, "R12 §四(二)2");
  ASSERT_TRUE(e.has_value());
  EXPECT_NE(e->clause.text.find("五不接"), std::string::npos);
  EXPECT_EQ(e->children.size(), 5u);
  EXPECT_FALSE(e->rules.empty());
  EXPECT_FALSE(Explain(*pack, "R12 §九").has_value());
}

// Issue 17 §3: R20's windows and clauses as the regulation gives them.
const Duty* DutyNamed(const Pack& pack, std::string_view id) {
  for (const auto& d : pack.duties())
    if (d.id == id) return &d;
  return nullptr;
}

TEST(DefaultPackTest, R20ArmingIsDueFrom2200To0800) {
  auto pack = LoadPack(kRoot / "policies/cn-default");
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  // R20 §五4 每天22:00-8:00打开防盗系统: armed from 22:00, so arming after 8:00 is too late (it was
  // until the next 22:00: a 24-hour window); closing at 8:00 is due before the next opening.
  const Duty* arm = DutyNamed(*pack, "r20-anti-theft-arm");
  ASSERT_NE(arm, nullptr);
  ASSERT_EQ(arm->schedule.at.size(), 1u);
  EXPECT_EQ(arm->schedule.at[0].minutes, 22 * 60);
  ASSERT_TRUE(arm->window.has_value());
  EXPECT_EQ((arm->schedule.at[0].minutes + arm->window->fixed.count() / 60) % 1440, 8 * 60);
  const Duty* disarm = DutyNamed(*pack, "r20-anti-theft-disarm");
  ASSERT_NE(disarm, nullptr);
  ASSERT_TRUE(disarm->window.has_value());
  EXPECT_EQ((disarm->schedule.at[0].minutes + disarm->window->fixed.count() / 60) % 1440, 22 * 60);
}

TEST(DefaultPackTest, R20ShiftStartChecksAreOnTimeOnlyInTheSitesWindow) {
  auto pack = LoadPack(kRoot / "policies/cn-default");
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  // R20 §五1/§五2 每天接班时 give no figure: the window is a site parameter, never the whole shift.
  for (const char* id : {"r20-shift-start-equipment", "r20-cctv-daily"}) {
    const Duty* d = DutyNamed(*pack, id);
    ASSERT_NE(d, nullptr) << id;
    EXPECT_EQ(d->schedule.kind, ScheduleKind::kOn) << id;
    EXPECT_EQ(d->schedule.on, "shift_start") << id;
    EXPECT_FALSE(d->window.has_value()) << id;
    EXPECT_EQ(d->window_param, "shift_start_check_within") << id;
  }
  bool declared = false;
  for (const auto& p : DeclaredParameters(*pack))
    if (p.name == "shift_start_check_within") {
      declared = true;
      EXPECT_EQ(p.kind, ParamKind::kDuration);
      EXPECT_EQ(p.clauses, std::vector<std::string>{"R20 §五1"});
    }
  EXPECT_TRUE(declared);
}

TEST(DefaultPackTest, LeavingTheFirePostCitesR20Section4Items8And11) {
  auto pack = LoadPack(kRoot / "policies/cn-default");
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  // 无法接班手续,值班人员不得擅自离岗 (§四8), 离岗应做好接班手续 (§四11) — not §一1
  // (24小时有人值班).
  std::vector<std::string> leaving;
  for (const auto& s : pack->staffing())
    if (s.post == "消防控制室值班岗" && s.substitute_before_leaving)
      leaving = ClausesMentioning(*pack, s.clauses, {"离岗", "离开", "脱岗", "代值", "代替"});
  EXPECT_EQ(leaving, (std::vector<std::string>{"R20 §四8", "R20 §四11"}));
}

TEST(ExamplePackTest, WarehouseLoadsAndRuns) {
  LoadReport report;
  auto pack = LoadPack(kRoot / "policies/examples/warehouse", &report);
  ASSERT_TRUE(pack.has_value()) << report.ToString();
  EXPECT_EQ(ComputeCoverage(*pack).missing, 0);
  // Rotation: team 甲 works day, day, night, night; 乙 two days later.
  const ShiftPattern& p = pack->shift_patterns().at(0);
  EXPECT_EQ(p.ShiftOn(0, 0), "day");
  EXPECT_EQ(p.ShiftOn(1, 0), "night");
  EXPECT_EQ(p.ShiftOn(0, 2), "night");
  // Approval: supervisor, then finance; self-approval prohibited.
  const Request* issue = pack->FindRequest("w01-large-issue");
  ASSERT_NE(issue, nullptr);
  ASSERT_EQ(issue->approvals.size(), 2u);
  EXPECT_EQ(issue->approvals[1].after, std::vector<std::string>{"supervisor"});
  EXPECT_TRUE(*issue->preconditions[0].expr.EvalBool({{"issue.amount_yuan", 12000.0}}));
  EXPECT_FALSE(*issue->preconditions[0].expr.EvalBool({{"issue.amount_yuan", 800.0}}));
  // Deadline: 3 working days from the Friday before 国庆 2026 lands after the holiday.
  const ServiceLevel& entry = pack->service_levels().at(0);
  ASSERT_TRUE(entry.within.has_value());
  EXPECT_EQ(entry.within->working_days, 3);
  using namespace std::chrono;
  auto due = pack->calendar().AddWorkingDays(2026y / September / 30, entry.within->working_days);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(*due, 2026y / October / 10);  // 10-01..07 off; 8, 9 and 调休 Saturday 10-10 work
  // Fines: 50, then 100 within 90 days, then report.
  const Penalty* mismatch = pack->FindPenalty("W01-MISMATCH");
  ASSERT_NE(mismatch, nullptr);
  EXPECT_EQ(mismatch->look_back->fixed, days(90));
  EXPECT_EQ(mismatch->ladder[2].discipline, "w01-report");
  // Score formula.
  const Assessment& acc = pack->assessments().at(0);
  auto score = acc.formula->EvalNumber(
      {{"accuracy", 1.0}, {"rounds", 0.5}, {"w.accuracy", 0.7}, {"w.rounds", 0.3}});
  ASSERT_TRUE(score.has_value());
  EXPECT_DOUBLE_EQ(*score, 0.85);
}

// Bounded mutation fuzz (g++ has no libFuzzer): mutated packs never crash the loader (run under
// ASan/UBSan in the debug preset) and always yield a result or diagnostics.
TEST(LoaderFuzzTest, MutatedPacksNeverCrash) {
  fs::path src = kRoot / "policies/examples/warehouse";
  std::ifstream in(src / "W01.yaml", std::ios::binary);
  std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(original.empty());
  std::mt19937 rng(20260101);
  static const std::string kAlphabet = " :-[]{}\"',\n#&*!|>%@`\t0123456789abc§一";
  for (int iteration = 0; iteration < 150; ++iteration) {
    std::string text = original;
    int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t pos = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text.erase(pos, 1 + rng() % 8);
          break;
        case 1:
          text.insert(pos, 1, kAlphabet[rng() % kAlphabet.size()]);
          break;
        case 2:
          text[pos] = kAlphabet[rng() % kAlphabet.size()];
          break;
        default: {
          size_t from = rng() % text.size();
          size_t len = rng() % 40;
          text.insert(pos, text.substr(from, len));
        }
      }
    }
    TempPack pack(Files{});
    fs::create_directories(pack.dir() / "calendars");
    fs::copy(src / "pack.yaml", pack.dir() / "pack.yaml", fs::copy_options::overwrite_existing);
    fs::copy(src / "regulations/W01.txt", pack.dir() / "regulations/W01.txt");
    fs::copy(src / "calendars/cn-public-holidays.yaml",
             pack.dir() / "calendars/cn-public-holidays.yaml");
    pack.Write("W01.yaml", text);
    LoadReport report;
    auto loaded = LoadPack(pack.dir(), &report);
    EXPECT_EQ(loaded.has_value(), report.ok()) << text;
  }
}

TEST(ActivePackTest, BadPackNeverReplacesAGoodOne) {
  TempPack dir(Files{{"T01.yaml", kGoodRoles}});
  auto active = ActivePack::Open(dir.dir());
  ASSERT_TRUE(active.has_value()) << active.error().message;
  auto before = (*active)->Current();
  ASSERT_NE(before->FindRole("值班员"), nullptr);

  dir.Write("T01.yaml", "roles:\n  - {id: 值班员, clause: \"T01 §九\"}\n");
  LoadReport report;
  EXPECT_FALSE((*active)->Reload(&report).has_value());
  EXPECT_EQ(report.diagnostics.size(), 1u);
  EXPECT_EQ((*active)->Current(), before);  // still in force

  dir.Write("T01.yaml",
            "roles:\n  - {id: 值班员, clause: \"T01 §一\"}\n  - {id: 组长, clause: \"T01 §一\"}\n");
  auto after = (*active)->Reload();
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_NE((*active)->Current()->FindRole("组长"), nullptr);
  EXPECT_NE((*active)->Current()->info().content_hash, before->info().content_hash);
  EXPECT_EQ(before->FindRole("组长"), nullptr);  // a snapshot never changes
}

// Docs that cannot drift: every YAML block in docs/policy_format.md that starts with
// "# from FILE" must consist of lines of that (tested) file.
TEST(DocsTest, ExamplesAreExcerptsOfShippedPacks) {
  std::ifstream doc(kRoot / "docs/policy_format.md");
  ASSERT_TRUE(doc.good());
  std::string line;
  int blocks = 0;
  while (std::getline(doc, line)) {
    if (line != "```yaml") continue;
    std::getline(doc, line);
    if (!line.starts_with("# from ")) continue;
    std::string file = line.substr(7);
    std::ifstream src(kRoot / file);
    ASSERT_TRUE(src.good()) << file;
    std::set<std::string> lines;
    for (std::string l; std::getline(src, l);) lines.insert(l);
    ++blocks;
    while (std::getline(doc, line) && line != "```") {
      EXPECT_TRUE(lines.contains(line))
          << "docs/policy_format.md example drifted from " << file << ":\n"
          << line;
    }
  }
  EXPECT_GE(blocks, 15);
}

// docs/policy_format.md §3: a role's permissions come from the catalogue the app passes; a name
// outside it is an error at the name, and the role keeps the ones it declared.
TEST(LoaderTest, RolePermissionsAreCheckedAgainstTheCatalogue) {
  TempPack pack(Files{{"T01.yaml",
                       "roles:\n"
                       "  - {id: 值班员, clause: \"T01 §一\",\n"
                       "     permissions: [ledger.read, ledger.recrod]}\n"
                       "  - {id: 主管, clause: \"T01 §一\", permissions: \"*\"}\n"}});
  LoadOptions options;
  options.permissions = {"*", "ledger.read", "ledger.record"};
  LoadReport report;
  auto loaded = LoadPack(pack.dir(), &report, options);
  EXPECT_FALSE(loaded.has_value());
  ASSERT_EQ(report.diagnostics.size(), 1u) << report.ToString();
  const auto& d = report.diagnostics[0];
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 33);  // the unknown name, not the list
  EXPECT_NE(d.message.find("unknown permission 'ledger.recrod'"), std::string::npos) << d.message;

  pack.Write("T01.yaml",
             "roles:\n"
             "  - {id: 值班员, clause: \"T01 §一\", permissions: [ledger.read, ledger.record]}\n"
             "  - {id: 主管, clause: \"T01 §一\", permissions: \"*\"}\n"
             "  - {id: 员工, clause: \"T01 §一\"}\n");
  auto good = LoadPack(pack.dir(), &report, options);
  ASSERT_TRUE(good.has_value()) << report.ToString();
  EXPECT_EQ(good->FindRole("值班员")->permissions,
            (std::vector<std::string>{"ledger.read", "ledger.record"}));
  EXPECT_EQ(good->FindRole("主管")->permissions, std::vector<std::string>{"*"});
  EXPECT_TRUE(good->FindRole("员工")->permissions.empty());
}

// docs/policy_format.md §11, §13: an action word nothing runs, or one naming a role or code the
// pack lacks, would silently do nothing; each is an error at its position.
TEST(LoaderTest, ActionWordsAndTheirArgumentsAreChecked) {
  TempPack pack(
      Files{{"T01.yaml",
             std::string(kGoodRoles) +
                 "procedures:\n"
                 "  - id: p\n"
                 "    clause: \"T01 §一\"\n"
                 "    trigger: e\n"
                 "    initial: a\n"
                 "    states:\n"
                 "      - {id: a, actions: [\"notfy:值班员\", \"notify:主任\"]}\n"
                 "      - {id: b, actions: [\"repair:值班员\", \"call:119\", \"violation:NONE\"]}\n"
                 "service_levels:\n"
                 "  - {id: s, clause: \"T01 §一\", start: e, stop: f, within: 1h,\n"
                 "     on_breach: [\"alert:值班员\", \"page:值班员\"]}\n"}});
  LoadOptions options;
  options.action_words = {"repair"};
  LoadReport report;
  EXPECT_FALSE(LoadPack(pack.dir(), &report, options).has_value());
  std::vector<std::pair<int, std::string>> got;
  for (const auto& d : report.diagnostics) got.emplace_back(d.line, d.message);
  ASSERT_EQ(got.size(), 4u) << report.ToString();
  EXPECT_EQ(got[0].first, 11);
  EXPECT_NE(got[0].second.find("unknown action word 'notfy'"), std::string::npos);
  EXPECT_EQ(got[1].first, 11);
  EXPECT_NE(got[1].second.find("'主任'"), std::string::npos) << got[1].second;
  EXPECT_EQ(got[2].first, 12);
  EXPECT_NE(got[2].second.find("'NONE'"), std::string::npos) << got[2].second;
  EXPECT_EQ(got[3].first, 15);
  EXPECT_NE(got[3].second.find("page:值班员"), std::string::npos) << got[3].second;
}

// docs/policy_format.md §24: the demo company is checked like the rules — its posts, roles and
// patterns must be the pack's, its teams its own — and a pack loads it as typed data.
TEST(LoaderTest, TheDemoCompanyIsValidatedAtLoad) {
  TempPack pack(Files{{"T01.yaml", kGoodRoles}});
  fs::create_directories(pack.dir() / "demo");
  pack.Write("pack.yaml",
             "name: test\nversion: \"1\"\neffective: 2026-01-01\ndemo: demo/company.yaml\n"
             "regulations:\n  - {code: T01, file: regulations/T01.txt, structure: [cn]}\n");
  pack.Write("demo/company.yaml",
             "site: 测试园区\n"
             "departments:\n"
             "  - {name: 值班室, teams: [甲班], posts: [值班岗, 门岗]}\n"
             "people:\n"
             "  - {name: 甲, department: 值班室, team: 乙班, account: a1, role: 值班员}\n"
             "  - {name: 乙, department: 值班室, account: a2, role: 队长,\n"
             "     certifications: [{name: 上岗证, expires: 2026-02-30}]}\n");
  auto errors = Errors(pack);
  ASSERT_EQ(errors.size(), 4u) << ::testing::PrintToString(errors);
  const std::string file = pack.File("demo/company.yaml");
  EXPECT_EQ(errors[0].rfind(file + ":3:", 0), 0u) << errors[0];  // 门岗: not a post of the pack
  EXPECT_NE(errors[0].find("门岗"), std::string::npos);
  EXPECT_EQ(errors[1].rfind(file + ":5:", 0), 0u) << errors[1];  // 乙班: no such team
  EXPECT_EQ(errors[2].rfind(file + ":6:", 0), 0u) << errors[2];  // 队长: no such role
  EXPECT_EQ(errors[3].rfind(file + ":7:", 0), 0u) << errors[3];  // 2026-02-30
  EXPECT_NE(errors[3].find("YYYY-MM-DD"), std::string::npos);

  pack.Write("demo/company.yaml",
             "site: 测试园区\n"
             "departments:\n"
             "  - {name: 值班室, teams: [甲班], posts: [值班岗]}\n"
             "people:\n"
             "  - {name: 甲, department: 值班室, team: 甲班, account: a1, role: 值班员,\n"
             "     certifications: [{name: 上岗证, expires: 2028-12-31}, {name: 培训}]}\n"
             "  - {name: 乙, department: 值班室}\n");
  LoadReport report;
  auto loaded = LoadPack(pack.dir(), &report);
  ASSERT_TRUE(loaded.has_value()) << report.ToString();
  ASSERT_TRUE(loaded->demo().has_value());
  const auto& demo = *loaded->demo();
  EXPECT_EQ(demo.site, "测试园区");
  EXPECT_EQ(demo.time_zone, "Asia/Shanghai");  // the pack's
  ASSERT_EQ(demo.people.size(), 2u);
  EXPECT_EQ(demo.people[0].account, "a1");
  EXPECT_EQ(demo.people[0].certifications[1].expires, "");
  EXPECT_EQ(demo.people[1].account, "");
}

TEST(LoaderTest, WorkingHoursAreCheckedWhereWritten) {
  // A period ending before it starts, and periods out of order, are errors at the list.
  TempPack bad(Files{{"T01.yaml",
                      "working_hours:\n"
                      "  clause: \"T01 §一\"\n"
                      "  hours: [\"13:30-17:00\", \"08:00-11:30\"]\n"}});
  ExpectOne(bad, "T01.yaml", 3, 10, "must start after 13:30-17:00 ends");
  TempPack night(Files{{"T01.yaml", "working_hours: {hours: [\"22:00-06:00\"]}\n"}});
  ExpectOne(night, "T01.yaml", 1, 24, "must end after it starts on the same day");
  TempPack twice(Files{{"T01.yaml", "working_hours: {hours: [\"08:00-17:00\"]}\n"},
                       {"T02.yaml", "working_hours: {hours: [\"09:00-18:00\"]}\n"}});
  ExpectOne(twice, "T02.yaml", 1, 16, "declared once per pack (first at ");
  TempPack good(Files{{"T01.yaml",
                       "working_hours:\n"
                       "  clause: \"T01 §一\"\n"
                       "  hours: [\"08:00-11:30\", \"13:30-17:00\"]\n"}});
  auto pack = LoadPack(good.dir());
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  ASSERT_TRUE(pack->working_hours().has_value());
  ASSERT_EQ(pack->working_hours()->periods.size(), 2u);
  EXPECT_EQ(pack->working_hours()->periods[1].start.minutes, 13 * 60 + 30);
  EXPECT_EQ(pack->working_hours()->clauses, std::vector<std::string>{"T01 §一"});
}

TEST(LoaderTest, DueByAndActiveAreReadOrRefused) {
  auto duty = [](const std::string& schedule, const std::string& extra = "") {
    return Files{{"T01.yaml", std::string(kGoodRoles) +
                                  "duties:\n  - id: d\n    clause: \"T01 §一\"\n"
                                  "    post: 值班岗\n    schedule: " +
                                  schedule + "\n" + extra}};
  };
  // by: read with at, every, on: work_start; refused where the period or event ends the window.
  EXPECT_TRUE(Errors(TempPack(duty("{at: \"08:00\", by: \"10:00\"}"))).empty());
  EXPECT_TRUE(Errors(TempPack(duty("{on: work_start, by: \"09:00\"}"))).empty());
  ExpectOne(TempPack(duty("{times: 3, per: day, by: \"10:00\"}")), "T01.yaml", 9, 40,
            "by (due by HH:MM) is read with at, every or on: work_start");
  ExpectOne(TempPack(duty("{at: \"08:00\", by: \"10:00\"}", "    window: 1h\n")), "T01.yaml", 10,
            13, "either window or schedule.by");
  // active: a daily window, read with every and with times per day only.
  EXPECT_TRUE(Errors(TempPack(duty("{times: 3, per: day, active: \"08:00-17:00\"}"))).empty());
  ExpectOne(TempPack(duty("{times: 3, per: week, active: \"08:00-17:00\"}")), "T01.yaml", 9, 45,
            "active (a daily window) is read with every, or times per day");
  EXPECT_TRUE(Errors(TempPack(duty("{times: 3, per: workday}"))).empty());
}

TEST(DefaultPackTest, WorkingHoursAreR04s) {
  auto pack = LoadPack(kRoot / "policies/cn-default");
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  // R04 §二12 工作时间（上午:8:00-11:30,下午1:30-5:00）: the only working hours the regulations
  // give.
  ASSERT_TRUE(pack->working_hours().has_value());
  const auto& w = *pack->working_hours();
  EXPECT_EQ(w.clauses, std::vector<std::string>{"R04 §二12"});
  ASSERT_EQ(w.periods.size(), 2u);
  EXPECT_EQ(FormatTimeRange(w.periods[0]), "08:00-11:30");
  EXPECT_EQ(FormatTimeRange(w.periods[1]), "13:30-17:00");
}

TEST(LoaderTest, AStructureMatchingNoClauseIsSaidOnce) {
  // T01 numbers its clauses 一、二、; `article` (第一条) matches none of them. Every citation of
  // T01 would fail one by one: one error at the structure instead.
  TempPack pack(
      Files{{"T01.yaml",
             std::string(kGoodRoles) +
                 "duties:\n"
                 "  - {id: d1, clause: \"T01 §一\", post: 值班岗, schedule: {every: 15m}}\n"
                 "  - {id: d2, clause: \"T01 §二\", post: 值班岗, schedule: {every: 15m}}\n"}});
  pack.Write("pack.yaml",
             "name: test\nversion: \"1\"\neffective: 2026-01-01\n"
             "regulations:\n  - {code: T01, file: regulations/T01.txt, structure: [article]}\n");
  ExpectOne(pack, "pack.yaml", 5, 55, "numbering style 'article' in structure matches no clause");
}

TEST(LoaderTest, NormalRangesLimitsAndFollowUpsAreChecked) {
  auto pack = [](const std::string& item, const std::string& follow_up = "") {
    return Files{{"T01.yaml", std::string(kGoodRoles) +
                                  "penalties:\n  - {code: T-LAPSE, clause: \"T01 §二\", ladder: "
                                  "[{from: 1, fine_yuan: 50}]}\n"
                                  "checklists:\n  - id: c\n    clause: \"T01 §一\"\n"
                                  "    kind: inspection\n    items:\n      - " +
                                  item +
                                  "\n"
                                  "duties:\n  - id: d\n    clause: \"T01 §一\"\n    post: 值班岗\n"
                                  "    schedule: {every: 15m}\n    checklist: c\n" +
                                  follow_up}};
  };
  // A normal range inside a hard limit loads; a number with a normal range can be followed up.
  EXPECT_TRUE(Errors(TempPack(pack("{id: t, kind: number, max: 2, limit: {min: 0}}",
                                   "    follow_up: {kind: violation, violation: T-LAPSE, clause: "
                                   "\"T01 §二\"}\n")))
                  .empty());
  ExpectOne(TempPack(pack("{id: t, kind: number, min: -5, limit: {min: 0}}")), "T01.yaml", 12, 47,
            "the normal range (min/max) must lie within the limit");
  ExpectOne(TempPack(pack("{id: t, kind: number, limit: {}}")), "T01.yaml", 12, 38,
            "limit needs min, max or both");
  ExpectOne(
      TempPack(pack("{id: t, kind: number, max: 2}",
                    "    follow_up: {kind: violation, violation: T-NONE, clause: \"T01 §二\"}\n")),
      "T01.yaml", 19, 45, "undefined violation code 'T-NONE'");
  ExpectOne(
      TempPack(pack("{id: t, kind: number, max: 2}",
                    "    follow_up: {kind: event, event: nobody_listens, clause: \"T01 §二\"}\n")),
      "T01.yaml", 19, 37, "follow_up event 'nobody_listens' starts nothing");
  ExpectOne(TempPack(pack("{id: t, kind: number, max: 2}",
                          "    follow_up: {kind: sms, clause: \"T01 §二\"}\n")),
            "T01.yaml", 19, 23, "follow_up kind must be repair, event or violation");
  // A plain number (no normal range) has nothing abnormal to follow.
  ExpectOne(
      TempPack(pack("{id: t, kind: number, limit: {min: 0}}",
                    "    follow_up: {kind: violation, violation: T-LAPSE, clause: \"T01 §二\"}\n")),
      "T01.yaml", 14, 5, "no number with min/max");
}

// A deadline stops on an event; a procedure's state is not one (issue 16 §3): naming it is an
// error at the stop entry, with the event that leads into the state as the hint.
TEST(LoaderTest, AStopNamingAProcedureStateIsAnError) {
  auto pack = [](const std::string& stop) {
    return Files{{"T01.yaml", std::string(kGoodRoles) +
                                  "procedures:\n  - id: p\n    clause: \"T01 §一\"\n"
                                  "    trigger: started\n    initial: open\n"
                                  "    states:\n      - {id: open}\n      - {id: closed, "
                                  "terminal: true}\n"
                                  "    transitions:\n      - {from: open, to: closed, on: close}\n"
                                  "service_levels:\n  - id: s\n    clause: \"T01 §一\"\n"
                                  "    start: started\n    stop: " +
                                  stop + "\n    within: 1h\n"}};
  };
  EXPECT_TRUE(Errors(TempPack(pack("close"))).empty());
  // A name nothing in the pack raises stays allowed: people and modules raise site events too.
  EXPECT_TRUE(Errors(TempPack(pack("ticket_first_reply"))).empty());
  ExpectOne(TempPack(pack("closed")), "T01.yaml", 19, 11,
            "stop 'closed' is a state of procedure 'p', not an event, so it would never stop the "
            "deadline: name the event that leads into it (close)");
  ExpectOne(TempPack(pack("[close, closed]")), "T01.yaml", 19, 19, "(close)");
}

// A service level's pause/resume (issue 18 §3) and business hours: read, and refused where wrong
// with the file, line and column.
TEST(LoaderTest, PauseResumeAndBusinessHoursAreCheckedWhereWritten) {
  auto level = [](const std::string& extra) {
    return std::string(kGoodRoles) +
           "service_levels:\n  - id: s\n    clause: \"T01 §一\"\n    start: opened\n"
           "    stop: done\n" +
           extra;
  };
  const std::string hours = "working_hours: {hours: [\"08:00-11:30\", \"13:30-17:00\"]}\n";
  TempPack good(Files{{"T01.yaml", hours + level("    pause: [waiting, held]\n    resume: back\n"
                                                 "    within: 4h\n    time: business\n")}});
  auto pack = LoadPack(good.dir());
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  const auto& sl = pack->service_levels()[0];
  EXPECT_EQ(sl.pause_events, (std::vector<std::string>{"waiting", "held"}));
  EXPECT_EQ(sl.resume_events, std::vector<std::string>{"back"});
  EXPECT_TRUE(sl.business_time);
  // Pause without resume: nothing would ever resume it.
  ExpectOne(TempPack(Files{{"T01.yaml", level("    pause: waiting\n    within: 1h\n")}}),
            "T01.yaml", 10, 12, "needs both pause and resume");
  // Pausing on its own stop.
  ExpectOne(
      TempPack(Files{{"T01.yaml", level("    pause: done\n    resume: back\n    within: 1h\n")}}),
      "T01.yaml", 10, 12, "pause 'done' is also the service level's start, stop or resume");
  // Working hours counted, none stated: at `time`, for a figure or a site's.
  ExpectOne(TempPack(Files{{"T01.yaml", level("    within: 4h\n    time: business\n")}}),
            "T01.yaml", 11, 11, "counts working hours");
  ExpectOne(
      TempPack(Files{{"T01.yaml", level("    within: {param: s_within}\n    time: business\n")}}),
      "T01.yaml", 11, 11, "the pack states no working_hours");
  // Whole working days need the calendar only.
  EXPECT_TRUE(Errors(TempPack(Files{{"T01.yaml", level("    within: 2wd\n    time: business\n")}}))
                  .empty());
  // With the modules' events known, a pause or resume nothing raises is a typo.
  TempPack typo(Files{{"T01.yaml", level("    pause: ticket_pendng\n    resume: ticket_unpending\n"
                                         "    within: 1h\n")}});
  LoadOptions options;
  options.module_events = std::vector<std::string>{"opened", "done", "ticket_unpending"};
  LoadReport report;
  EXPECT_FALSE(LoadPack(typo.dir(), &report, options).has_value());
  ASSERT_EQ(report.diagnostics.size(), 1u);
  EXPECT_NE(report.diagnostics[0].ToString().find(
                typo.File("T01.yaml") + ":10:12: pause 'ticket_pendng' is an event nothing raises"),
            std::string::npos)
      << report.diagnostics[0].ToString();
}

// A service level's targets (issue 18 §3: by a ticket's priority and its customer's grade), its
// restart event and a warning from a site parameter: read in order, their parameters declared,
// and a malformed row refused where written.
TEST(LoaderTest, ServiceLevelTargetsRestartAndWarningParameter) {
  auto level = [](const std::string& extra) {
    return std::string(kGoodRoles) +
           "service_levels:\n  - id: s\n    clause: \"T01 §一\"\n    start: opened\n"
           "    stop: done\n" +
           extra;
  };
  TempPack good(
      Files{{"T01.yaml", level("    restart: reopened\n    targets:\n"
                               "      - {when: {t.p: [urgent, high], c.g: A}, within: 15m}\n"
                               "      - {when: {t.p: urgent}, within: {param: s_urgent}}\n"
                               "    within: {param: s_within}\n"
                               "    warn_before: {param: s_warn}\n")}});
  auto pack = LoadPack(good.dir());
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  const auto& sl = pack->service_levels()[0];
  EXPECT_EQ(sl.restart_events, std::vector<std::string>{"reopened"});
  ASSERT_EQ(sl.targets.size(), 2u);
  EXPECT_EQ(sl.targets[0].Label(), "t.p=urgent|high c.g=A");
  EXPECT_EQ(sl.targets[0].within->fixed, std::chrono::minutes(15));
  EXPECT_EQ(sl.targets[1].within_param, "s_urgent");
  EXPECT_EQ(sl.within_param, "s_within");
  EXPECT_EQ(sl.warn_before_param, "s_warn");
  std::set<std::string> declared;
  for (const auto& d : DeclaredParameters(*pack)) declared.insert(d.name);
  for (const char* name : {"s_urgent", "s_within", "s_warn"})
    EXPECT_TRUE(declared.contains(name)) << name;
  // Targets alone are a time; a row without one, or with a when that is not a mapping, is not.
  EXPECT_TRUE(
      Errors(TempPack(Files{{"T01.yaml", level("    targets: [{within: 1h}]\n")}})).empty());
  ExpectOne(TempPack(Files{{"T01.yaml", level("    targets: [{when: {a: b}}]\n")}}), "T01.yaml", 10,
            15, "a target needs within");
  ExpectOne(TempPack(Files{{"T01.yaml", level("    targets: [{when: [a], within: 1h}]\n")}}),
            "T01.yaml", 10, 22, "when must map data fields to their values");
}

// A post's handover form is the first handover checklist of the files declaring the post or its
// roles, or one naming the post in posts:. Any other never opens: an error (issue 16 §3).
TEST(LoaderTest, AHandoverChecklistNoPostOpensIsAnError) {
  const std::string handover =
      "checklists:\n  - id: h\n    clause: \"T01 §一\"\n    kind: handover\n"
      "    items: [{id: a, label: 交接, kind: text}]\n";
  // In the post's own file: its handover form.
  EXPECT_TRUE(Errors(TempPack(Files{{"T01.yaml", std::string(kGoodRoles) + handover}})).empty());
  // In a file with no post and no role a post holds: never opened...
  ExpectOne(TempPack(Files{{"T01.yaml", kGoodRoles}, {"T02.yaml", "regulation: T01\n" + handover}}),
            "T02.yaml", 3, 5,
            "handover checklist 'h' is never opened: no post is declared in "
            "T02.yaml");
  // ...unless it names its posts.
  EXPECT_TRUE(Errors(TempPack(Files{
                         {"T01.yaml", kGoodRoles},
                         {"T02.yaml", "regulation: T01\n" + handover + "    posts: [值班岗]\n"}}))
                  .empty());
  // An unknown post is named, and the checklist still opens nowhere.
  auto unknown = Errors(
      TempPack(Files{{"T01.yaml", kGoodRoles},
                     {"T02.yaml", "regulation: T01\n" + handover + "    posts: [无此岗]\n"}}));
  ASSERT_EQ(unknown.size(), 2u) << ::testing::PrintToString(unknown);
  EXPECT_NE(unknown[0].find("T02.yaml:3:5: handover checklist 'h' is never opened"),
            std::string::npos)
      << unknown[0];
  EXPECT_NE(unknown[1].find("T02.yaml:7:12: checklist posts refers to undefined post '无此岗'"),
            std::string::npos)
      << unknown[1];
  // A second handover checklist in the same file is never the form.
  ExpectOne(TempPack(Files{{"T01.yaml", std::string(kGoodRoles) + handover +
                                            "  - id: h2\n    clause: \"T01 §一\"\n"
                                            "    kind: handover\n    items: [{id: b, label: 交接, "
                                            "kind: text}]\n"}}),
            "T01.yaml", 10, 5, "is the first handover checklist of its file ('h')");
  // posts: is read on handover and relief checklists only.
  ExpectOne(TempPack(Files{{"T01.yaml", std::string(kGoodRoles) +
                                            "checklists:\n  - id: c\n    clause: \"T01 §一\"\n"
                                            "    kind: inspection\n    posts: [值班岗]\n"
                                            "    items: [{id: a, label: 检查, kind: check}]\n"}}),
            "T01.yaml", 9, 12, "posts is read on handover and relief checklists only");
}

// Discipline ladders run as cases (modules/people): a correction's period, its on_refusal, next
// steps and the approval's request are checked where written (docs/policy_format.md §15).
TEST(LoaderTest, DisciplineStepsAreCheckedWhereWritten) {
  auto pack = [](const std::string& steps, const std::string& extra = "") {
    return Files{{"T01.yaml",
                  "roles:\n  - {id: 组长, clause: \"T01 §一\"}\n"
                  "discipline:\n  - id: ladder\n    clause: \"T01 §二\"\n    steps:\n" +
                      steps + extra}};
  };
  const std::string good =
      "      - {id: warn, by: 组长, correction: {within: {param: fix_within}, on_refusal: report},"
      " next: [report]}\n"
      "      - {id: report, by: 组长, next: [fire]}\n"
      "      - {id: fire, by: 组长, approval: dismiss, closes: true}\n";
  const std::string request =
      "requests:\n  - id: dismiss\n    clause: \"T01 §二\"\n    inputs: {case.id: number}\n"
      "    approvals: [{role: 组长}]\n";
  {
    TempPack p(pack(good, request));
    LoadReport report;
    auto loaded = LoadPack(p.dir(), &report);
    ASSERT_TRUE(loaded.has_value()) << report.ToString();
    const auto& steps = loaded->discipline()[0].steps;
    EXPECT_TRUE(steps[0].correction);
    EXPECT_EQ(steps[0].correct_within_param, "fix_within");
    EXPECT_EQ(steps[0].on_refusal, "report");
    EXPECT_EQ(steps[1].next, std::vector<std::string>{"fire"});
    EXPECT_EQ(steps[2].approval, "dismiss");
    EXPECT_TRUE(steps[2].closes);
    bool declared = false;
    for (const auto& d : DeclaredParameters(*loaded))
      declared = declared || (d.name == "fix_within" && d.kind == ParamKind::kDuration);
    EXPECT_TRUE(declared);
  }
  // next names a step of no ladder of its own.
  ExpectOne(TempPack(pack("      - {id: warn, by: 组长, next: [elsewhere]}\n")), "T01.yaml", 7, 39,
            "next step 'elsewhere' is not a step of discipline ladder 'ladder'");
  // A refusal that would reach a step needing an approval.
  ExpectOne(
      TempPack(pack("      - {id: warn, by: 组长, correction: {within: 3d, on_refusal: fire}}\n"
                    "      - {id: fire, by: 组长, approval: dismiss, closes: true}\n",
                    request)),
      "T01.yaml", 7, 69, "on_refusal step 'fire' needs an approval");
  // A correction without a period.
  ExpectOne(TempPack(pack("      - {id: warn, by: 组长, correction: {on_refusal: next}}\n"
                          "      - {id: next, by: 组长}\n")),
            "T01.yaml", 7, 44, "a correction needs within");
  // The approval's request must declare case.id.
  ExpectOne(TempPack(pack("      - {id: fire, by: 组长, approval: dismiss, closes: true}\n",
                          "requests:\n  - id: dismiss\n    clause: \"T01 §二\"\n"
                          "    approvals: [{role: 组长}]\n")),
            "T01.yaml", 9, 5, "must declare the input case.id: number");
  // A closing step has no next.
  ExpectOne(TempPack(pack("      - {id: a, by: 组长, closes: true, next: [b]}\n"
                          "      - {id: b, by: 组长}\n")),
            "T01.yaml", 7, 49, "a step that closes the case has no next step");
}

}  // namespace
}  // namespace zhidu::policy

namespace zhidu::policy {
namespace {

// Issue 18 §9: R08, R17 and R19 give the CS shifts no hours; each is the site's time_range, and a
// pattern with one unset is refused naming it (never a default).
TEST(DefaultPackTest, CsShiftHoursAreTheSitesTimeRanges) {
  auto pack = LoadPack(kRoot / "policies/cn-default");
  ASSERT_TRUE(pack.has_value()) << pack.error().message;
  const ShiftPattern* cs = nullptr;
  for (const auto& p : pack->shift_patterns())
    if (p.id == "r19-cs-schedule") cs = &p;
  ASSERT_NE(cs, nullptr);
  EXPECT_TRUE(HasSiteHours(*cs));
  std::set<std::string> kinds;
  for (const auto& d : DeclaredParameters(*pack))
    if (d.name == "service_first_shift_hours" || d.name == "service_second_shift_hours")
      kinds.insert(std::string(ParamKindName(d.kind)));
  EXPECT_EQ(kinds, std::set<std::string>{"time_range"});

  std::map<std::string, std::string, std::less<>> site{
      {"service_first_shift_hours", "08:00-16:00"}};
  auto lookup = [&](std::string_view n) -> std::optional<std::string> {
    auto it = site.find(n);
    return it == site.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto unset = WithSiteHours(*cs, lookup);
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().reason, "policy.shift_hours_unset");
  EXPECT_NE(unset.error().message.find("service_second_shift_hours"), std::string::npos);
  EXPECT_EQ(unset.error().message.find("service_first_shift_hours"), std::string::npos);
  site["service_second_shift_hours"] = "22:00-08:00";
  auto filled = WithSiteHours(*cs, lookup);
  ASSERT_TRUE(filled) << filled.error().message;
  EXPECT_EQ(filled->shifts[0].start.minutes, 8 * 60);
  EXPECT_EQ(filled->shifts[0].end.minutes, 16 * 60);
  EXPECT_EQ(filled->shifts[1].Length(), std::chrono::minutes(10 * 60));  // across midnight

  EXPECT_TRUE(ValidateParamValue(ParamKind::kTimeRange, "16:00-24:00"));
  for (const char* bad : {"08:00-08:00", "8:00-16:00", "24:00-08:00", "08:00", "早班"})
    EXPECT_FALSE(ValidateParamValue(ParamKind::kTimeRange, bad)) << bad;
}

TEST(LoaderTest, AShiftHasStartAndEndOrSiteHoursNotBoth) {
  auto pack = [](const std::string& shift) {
    return Errors(TempPack(Files{
        {"T01.yaml", std::string(kGoodRoles) +
                         "shift_patterns:\n  - id: s\n    clause: \"T01 §一\"\n    post: 值班岗\n"
                         "    shifts:\n      - {id: a, " +
                         shift + "}\n    teams: [甲]\n    cycle: [a]\n"}}));
  };
  EXPECT_TRUE(pack("hours: {param: t01_shift_hours}").empty());
  EXPECT_TRUE(pack("start: \"08:00\", end: \"16:00\"").empty());
  EXPECT_FALSE(pack("start: \"08:00\", end: \"16:00\", hours: {param: h}").empty());
  EXPECT_FALSE(pack("hours: \"08:00-16:00\"").empty());  // a figure in the pack: start/end
}

}  // namespace
}  // namespace zhidu::policy
