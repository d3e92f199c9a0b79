// How a module finds the pack rule it serves without assuming a company's ids: a rule whose id
// is NAME or ends in "-NAME" (cn-default's r07-lost-and-found, r10-customer-archive …).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zhidu::policy {

inline bool RuleNamed(std::string_view id, std::string_view name) {
  return id == name ||
         (id.size() > name.size() && id.ends_with(name) && id[id.size() - name.size() - 1] == '-');
}

// The clauses of the first rule in `rules` (records(), requests() …) RuleNamed `name`; empty
// when the pack has none.
template <class Rules>
std::vector<std::string> ClausesOfRule(const Rules& rules, std::string_view name) {
  for (const auto& r : rules)
    if (RuleNamed(r.id, name)) return r.clauses;
  return {};
}

}  // namespace zhidu::policy
