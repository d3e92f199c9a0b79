#include "kernel/policy/coverage.hpp"

namespace zhidu::policy {

std::string_view CitationStatus(const Pack::RuleRef& ref) {
  if (ref.executable) return "executed";
  return ref.kind == "conduct" ? "citable" : "recorded";
}

Coverage ComputeCoverage(const Pack& pack) {
  Coverage cov;
  for (const auto& doc : pack.clauses().regulations()) {
    RegulationCoverage rc;
    rc.code = doc.code;
    rc.title = doc.title;
    for (const Clause* leaf : pack.clauses().Leaves(doc.code)) {
      ++rc.total;
      bool exec = false, recorded = false, cited = false;
      for (const auto& ref : pack.RulesCiting(leaf->id)) {
        cited = true;
        exec = exec || ref.executable;
        recorded = recorded || CitationStatus(ref) == "recorded";
      }
      if (exec) {
        ++rc.executable;
      } else if (recorded) {
        ++rc.recorded;
        rc.recorded_ids.push_back(leaf->id);
      } else if (cited) {
        ++rc.citable_only;
      } else {
        ++rc.missing;
        rc.missing_ids.push_back(leaf->id);
      }
    }
    cov.total += rc.total;
    cov.executable += rc.executable;
    cov.recorded += rc.recorded;
    cov.citable_only += rc.citable_only;
    cov.missing += rc.missing;
    cov.regulations.push_back(std::move(rc));
  }
  return cov;
}

Result<Explanation> Explain(const Pack& pack, std::string_view clause_id) {
  const Clause* c = pack.clauses().Find(clause_id);
  if (c == nullptr) {
    return Fail(Errc::kNotFound,
                "no clause '" + std::string(clause_id) + "' in pack " + pack.info().name, "clause");
  }
  Explanation e;
  e.clause = *c;
  if (const auto* doc = pack.clauses().FindRegulation(c->regulation))
    e.regulation_title = doc->title;
  for (const Clause* sub : pack.clauses().Subtree(c->id)) {
    if (sub != c) e.children.push_back(*sub);
    for (auto& ref : pack.RulesCiting(sub->id)) {
      e.status.emplace_back(CitationStatus(ref));
      e.rules.push_back(std::move(ref));
    }
  }
  return e;
}

}  // namespace zhidu::policy
