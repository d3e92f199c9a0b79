#include "kernel/policy/parameters.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace zhidu::policy {

std::string_view ParamKindName(ParamKind kind) {
  switch (kind) {
    case ParamKind::kYuan:
      return "yuan";
    case ParamKind::kDuration:
      return "duration";
    case ParamKind::kWeight:
      return "weight";
    case ParamKind::kList:
      return "list";
    case ParamKind::kTimeRange:
      return "time_range";
  }
  return "yuan";
}

std::vector<ParamDecl> DeclaredParameters(const Pack& pack) {
  std::vector<ParamDecl> out;
  std::set<std::string, std::less<>> seen;
  auto add = [&](const std::string& name, ParamKind kind, std::string rule,
                 const std::vector<std::string>& clauses) {
    if (name.empty() || !seen.insert(name).second) return;
    out.push_back({name, kind, std::move(rule), clauses});
  };
  for (const auto& p : pack.penalties())
    for (const auto& step : p.ladder)
      if (step.fine_yuan && !step.fine_yuan->value)
        add(step.fine_yuan->name, ParamKind::kYuan, "penalty " + p.code, p.clauses);
  for (const auto& proc : pack.procedures())
    for (const auto& state : proc.states)
      for (const auto& timer : state.timers)
        add(timer.after_param, ParamKind::kDuration, "procedure " + proc.id, proc.clauses);
  // How long after a shift starts its handover may still be opened: the regulations say when the
  // incoming arrives (R12 §四(一)1) but give no grace after the start (kernel/handover).
  // R20 §四8 (按时交接班) says the incoming arrives in time but gives no figure: the early-arrival
  // window is the site's (`arrive_before: {param}`), with no default.
  for (const auto& c : pack.checklists())
    if (c.kind == "handover") {
      add("handover_grace", ParamKind::kDuration, "checklist " + c.id, c.clauses);
      add(c.arrive_before_param, ParamKind::kDuration, "checklist " + c.id, c.clauses);
    }
  // A duty's completion window the regulation leaves open (R20 §五1 每天接班时: no figure).
  for (const auto& d : pack.duties())
    add(d.window_param, ParamKind::kDuration, "duty " + d.id, d.clauses);
  // Who answers for a missed duty that charges a violation: a person who took the post in the
  // window's last minutes is not charged, but no regulation says how many minutes.
  std::vector<std::string> charged_clauses;
  for (const auto& d : pack.duties())
    if (!d.on_miss.violation.empty())
      for (const auto& c : d.clauses)
        if (std::find(charged_clauses.begin(), charged_clauses.end(), c) == charged_clauses.end())
          charged_clauses.push_back(c);
  if (!charged_clauses.empty())
    add(std::string(kLateTakeoverGraceParameter), ParamKind::kDuration,
        "duties whose miss is a violation (on_miss.violation)", charged_clauses);
  // The set a duty rotates through (R20 §五5's floors): the regulation names no floors.
  for (const auto& d : pack.duties())
    if (!d.target_set.empty()) add(d.target_set, ParamKind::kList, "duty " + d.id, d.clauses);
  // A service level's time the regulation leaves open (R14 §1.2.5 第一时间: no figure).
  // Its targets' times (issue 18 §3: by a ticket's priority and customer grade) and its warning.
  for (const auto& sl : pack.service_levels()) {
    for (const auto& t : sl.targets)
      add(t.within_param, ParamKind::kDuration, "service level " + sl.id + " / " + t.Label(),
          sl.clauses);
    add(sl.within_param, ParamKind::kDuration, "service level " + sl.id, sl.clauses);
    add(sl.warn_before_param, ParamKind::kDuration, "service level " + sl.id + " / warn_before",
        sl.clauses);
  }
  // How long a discipline step's correction order (整改) runs when the regulation gives no period
  // (R03 §二 要求整改, 责令其进行整改: none).
  for (const auto& d : pack.discipline())
    for (const auto& st : d.steps)
      add(st.correct_within_param, ParamKind::kDuration, "discipline " + d.id + " / " + st.id,
          st.clauses.empty() ? d.clauses : st.clauses);
  // A shift's hours the regulations leave open (R19 §三2.5) 制定员工排班表: no times).
  for (const auto& p : pack.shift_patterns())
    for (const auto& sh : p.shifts)
      add(sh.hours_param, ParamKind::kTimeRange, "shift pattern " + p.id + " / " + sh.id,
          p.clauses);
  for (const auto& p : pack.posts())
    if (!p.education.empty())
      add(std::string(kEducationLevelsParameter), ParamKind::kList, "post " + p.id, p.clauses);
  for (const auto& a : pack.assessments())
    for (const auto& ind : a.indicators)
      if (!ind.weight.value)
        add(ind.weight.name, ParamKind::kWeight, "assessment " + a.id, ind.clauses);
  return out;
}

std::vector<std::string> ParamListItems(std::string_view value) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = value.find(',', start);
    std::string_view item =
        value.substr(start, comma == std::string_view::npos ? value.npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    out.emplace_back(item);
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

bool HasSiteHours(const ShiftPattern& pattern) {
  return std::any_of(pattern.shifts.begin(), pattern.shifts.end(),
                     [](const ShiftDef& s) { return !s.hours_param.empty(); });
}

Result<ShiftPattern> WithSiteHours(
    const ShiftPattern& pattern,
    const std::function<std::optional<std::string>(std::string_view)>& value_of) {
  ShiftPattern out = pattern;
  std::vector<std::string> unset;
  for (auto& s : out.shifts) {
    if (s.hours_param.empty()) continue;
    auto value = value_of(s.hours_param);
    std::optional<TimeRange> range;
    if (value)
      if (auto r = ParseTimeRange(*value); r && r->start != r->end) range = *r;
    if (!range) {
      unset.push_back(s.hours_param);
      continue;
    }
    s.start = range->start;
    s.end = range->end;
  }
  if (!unset.empty()) {
    std::string names;
    for (const auto& n : unset) names += (names.empty() ? "" : ", ") + n;
    return Fail(Errc::kFailedPrecondition, Reason{"policy.shift_hours_unset"},
                "the hours of " + pattern.title +
                    "'s shifts are the site's (the regulations give none): set the site "
                    "parameter " +
                    names + " (HH:MM-HH:MM) first",
                "pattern");
  }
  return out;
}

Result<void> ValidateParamValue(ParamKind kind, std::string_view value) {
  if (kind == ParamKind::kTimeRange) {
    auto r = ParseTimeRange(value);
    if (!r || r->start == r->end || r->start.minutes >= 1440)
      return Fail(Errc::kInvalidArgument,
                  "a shift's hours like \"08:00-16:00\" (HH:MM-HH:MM, end after start or "
                  "across midnight) are expected, not \"" +
                      std::string(value) + "\"",
                  "value");
    return Ok();
  }
  if (kind == ParamKind::kList) {
    auto items = ParamListItems(value);
    for (const auto& item : items)
      if (item.empty())
        return Fail(Errc::kInvalidArgument,
                    "a comma-separated list of non-empty items is expected (e.g. \"B1,1F,2F\")",
                    "value");
    if (items.size() > 500) return Fail(Errc::kInvalidArgument, "at most 500 items", "value");
    return Ok();
  }
  if (kind == ParamKind::kDuration) {
    auto d = ParseDuration(value);
    if (!d || d->months || d->working_days || d->fixed.count() <= 0)
      return Fail(
          Errc::kInvalidArgument,
          "a duration like \"10m\" or \"1h30m\" is expected, not \"" + std::string(value) + "\"",
          "value");
    return Ok();
  }
  double v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  // Digits only (from_chars also reads "inf", "nan" and "1e3"); an amount in yuan is counted in
  // fen, so it has at most two decimals.
  const bool digits = value.find_first_not_of("0123456789.") == std::string_view::npos;
  const auto dot = value.find('.');
  const bool fen =
      kind != ParamKind::kYuan || dot == std::string_view::npos || value.size() - dot - 1 <= 2;
  if (ec != std::errc() || p != value.data() + value.size() || !digits || !fen || v < 0 ||
      (kind == ParamKind::kWeight && v > 1))
    return Fail(Errc::kInvalidArgument,
                kind == ParamKind::kWeight
                    ? "a weight between 0 and 1 is expected (e.g. \"0.3\")"
                    : "an amount in yuan is expected (e.g. \"50\" or \"12.5\")",
                "value");
  return Ok();
}

}  // namespace zhidu::policy
