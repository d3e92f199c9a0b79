// Site parameters (本单位参数): figures a regulation leaves to the site (R04's fine amount, how
// long to observe a SCADA fault before escalating, KPI weights). The pack declares them by name
// with no value (docs/policy_format.md §Parameters); an administrator sets them per site.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kernel/policy/pack.hpp"

namespace zhidu::policy {

// The order of education levels a post's `education: X以上` is checked against (R20 §二1), lowest
// first: the regulations name a level but no order (docs/posts.md).
inline constexpr std::string_view kEducationLevelsParameter = "education_levels";
// How late in a duty's window someone may take its post and not be charged when the duty is
// missed (docs/runtime.md "Who answers for a miss"): the regulations give no figure.
inline constexpr std::string_view kLateTakeoverGraceParameter = "late_takeover_grace";

enum class ParamKind { kYuan, kDuration, kWeight, kList, kTimeRange };

struct ParamDecl {
  std::string name;
  ParamKind kind = ParamKind::kYuan;
  std::string rule;                  // the rule that uses it ("penalty R04-VIOLATION")
  std::vector<std::string> clauses;  // the clauses that leave the figure open
};

// "yuan", "duration", "weight", "list", "time_range".
std::string_view ParamKindName(ParamKind kind);
// Every parameter the pack uses, once per name (the first use), in pack order.
std::vector<ParamDecl> DeclaredParameters(const Pack& pack);
// Checks `value` for a parameter of `kind`: yuan a number >= 0 ("50", "12.5"), duration the pack's
// syntax ("10m"), weight a number in [0, 1], list comma-separated non-empty items ("B1,1F,2F", the
// set a duty rotates through), time_range "HH:MM-HH:MM" with a start and an end that differ (a
// shift's hours: "16:00-24:00", "22:00-08:00" crosses midnight). kInvalidArgument naming "value"
// otherwise.
Result<void> ValidateParamValue(ParamKind kind, std::string_view value);
// `pattern` with each shift's `hours: {param}` filled from the site's value (`value_of(NAME)`,
// nullopt when unset). kFailedPrecondition (reason policy.shift_hours_unset) naming every unset
// parameter: the regulations give no hours, so nothing is rostered by invented ones.
Result<ShiftPattern> WithSiteHours(
    const ShiftPattern& pattern,
    const std::function<std::optional<std::string>(std::string_view)>& value_of);
// Whether any shift of `pattern` takes its hours from the site.
bool HasSiteHours(const ShiftPattern& pattern);
// The items of a list value, trimmed, in order.
std::vector<std::string> ParamListItems(std::string_view value);

}  // namespace zhidu::policy
