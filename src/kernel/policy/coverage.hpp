// Coverage of the regulation texts by a pack, and explain(clause).
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/policy/pack.hpp"

namespace zhidu::policy {

// Each leaf clause falls in one class (docs/coverage.md): executable (a rule part the runtime
// executes cites it), recorded (cited only by rules or fields the runtime stores or displays but
// does not enforce: Pack::RuleRef::executable false, kind other than conduct), citable-only (cited
// only by conduct rules) or missing.
struct RegulationCoverage {
  std::string code;  // "R12"
  std::string title;
  int total = 0;       // leaf clauses in the text
  int executable = 0;  // cited by at least one executed rule
  int recorded = 0;    // recorded, not enforced: cited by rules nothing executes, not conduct only
  int citable_only = 0;  // cited only by conduct rules
  int missing = 0;       // cited by nothing
  std::vector<std::string> recorded_ids;
  std::vector<std::string> missing_ids;
};

struct Coverage {
  std::vector<RegulationCoverage> regulations;
  int total = 0, executable = 0, recorded = 0, citable_only = 0, missing = 0;
};

Coverage ComputeCoverage(const Pack& pack);

struct Explanation {
  Clause clause;                     // the clause itself
  std::vector<Clause> children;      // its sub-clauses, for an inner clause
  std::vector<Pack::RuleRef> rules;  // rules citing it (or, for an inner clause, its subtree)
  // Parallel to rules: "executed", "recorded" (not enforced) or "citable" (a conduct rule).
  std::vector<std::string> status;
  std::string regulation_title;
};

// A citing rule's status: "executed", "recorded" (stored or shown, not enforced) or "citable".
std::string_view CitationStatus(const Pack::RuleRef& ref);

// kNotFound when the pack's texts have no such clause.
Result<Explanation> Explain(const Pack& pack, std::string_view clause_id);

}  // namespace zhidu::policy
