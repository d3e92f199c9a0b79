// Coverage of the regulation texts by a pack, and explain(clause).
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/policy/pack.hpp"

namespace zhidu::policy {

struct RegulationCoverage {
  std::string code;  // "R12"
  std::string title;
  int total = 0;         // leaf clauses in the text
  int executable = 0;    // cited by at least one executable rule
  int citable_only = 0;  // cited only by conduct rules
  int missing = 0;       // cited by nothing
  std::vector<std::string> missing_ids;
};

struct Coverage {
  std::vector<RegulationCoverage> regulations;
  int total = 0, executable = 0, citable_only = 0, missing = 0;
};

Coverage ComputeCoverage(const Pack& pack);

struct Explanation {
  Clause clause;                     // the clause itself
  std::vector<Clause> children;      // its sub-clauses, for an inner clause
  std::vector<Pack::RuleRef> rules;  // rules citing it (or, for an inner clause, its subtree)
  std::string regulation_title;
};

// kNotFound when the pack's texts have no such clause.
Result<Explanation> Explain(const Pack& pack, std::string_view clause_id);

}  // namespace zhidu::policy
