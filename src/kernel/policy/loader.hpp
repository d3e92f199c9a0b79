// Policy-pack loader: a pack directory (pack.yaml, R01.yaml…, regulation texts, calendar) to a
// typed, validated Pack. Every problem in every file is reported in one run, each as
// "file:line:col: message" (1-based), so an author fixes a pack in one pass.
//
// Checked: YAML syntax, unknown fields, duplicate keys, wrong types, bad durations and times,
// duplicate ids, dangling references, invalid expressions, cycles (approval chains, reporting
// lines), and clauses that do not exist in the regulation texts.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/policy/pack.hpp"

namespace zhidu::policy {

struct Diagnostic {
  std::string file;  // path as reached from the pack directory argument
  int line = 0;      // 1-based; 0 when the problem is about the whole file
  int column = 0;    // 1-based
  std::string message;
  std::string ToString() const;  // "file:line:col: message"
};

struct LoadReport {
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return diagnostics.empty(); }
  std::string ToString() const;  // one diagnostic per line
};

// What the loader checks names against that the pack itself does not define.
struct LoadOptions {
  // The permission catalogue (ids) a role's `permissions:` must come from; the app passes the
  // kernel's and every module's (app/roles.hpp). Empty: permissions are not checked (loader unit
  // tests of unrelated parts only — zhidu serve and zhidu policy always pass the catalogue).
  std::vector<std::string> permissions;
  // Procedure action words the modules register (runtime::Actions: `repair`), each taking a role
  // ("repair:弱电班"). Empty: words outside the kernel's are not checked (loader unit tests).
  std::vector<std::string> action_words;
  // Records the modules write and retention rules they apply, by name (policy::RuleNamed: the id,
  // or an id ending in "-NAME"): a record nothing else writes (a duty's form, a request's record,
  // a procedure's record: step) and a retention rule counts as executed only when a module named
  // it here (docs/coverage.md). Empty: only the pack's own writers count (loader unit tests).
  std::vector<std::string> written_records;
  std::vector<std::string> retained_records;  // retention rules of these records are applied
  // Site events the modules raise from their records ("*_alarm": any name ending so). Set, every
  // event a rule listens to (a trigger, a service level's start or stop, a duty's on:) must be
  // raised by the pack itself, by a module, or declared under `events:` as reported by hand;
  // unset (loader unit tests), that check is skipped.
  std::optional<std::vector<std::string>> module_events;
  // Of those, the ones no person may report by hand (api::Module::RaisedEvents): a pack that
  // declares one under `events:` is refused.
  std::vector<std::string> reserved_events;
  // The indicator sources a module computes (modules/people): an assessment counts as executed
  // only when every indicator names one of them. Empty: none does.
  std::vector<std::string> assessment_sources;
};

// Loads and validates the pack in `dir`. On any diagnostic, fails with kInvalidArgument whose
// message lists them all; `report` (optional) receives the diagnostics either way.
Result<Pack> LoadPack(const std::filesystem::path& dir, LoadReport* report = nullptr,
                      const LoadOptions& options = {});

}  // namespace zhidu::policy
