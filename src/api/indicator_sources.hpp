// Assessment indicator sources contributed by modules (issue 20: "satisfaction → KPI").
//
// The people module runs the pack's assessment schemes; an indicator names a `source:`. The people
// module computes its own sources (roster, violations, duties, manager); another module that owns
// records an indicator may count (the service module's tickets, surveys and quality reviews)
// contributes a source through this registry instead of either module reaching into the other:
//
//   the app owns one IndicatorSources and offers it in api::Services before any module starts;
//   a contributing module Needs it in its Start and Adds its sources (and lists their names in
//   api::Module::AssessmentSources, so that `zhidu policy coverage` counts them);
//   the people module Needs it in its Start and, when a run asks for a source it does not compute
//   itself, calls the registered `compute` inside the run's own transaction.
//
// Invariants:
//  1. Sources are added in Start only (module.hpp invariant 2): the registry is read-only once
//     the server serves, so reads need no lock.
//  2. A name is registered once (kConflict otherwise) and is none of the people module's own
//     (the people module refuses to start when one registered before it repeats its own).
//  3. `compute` reads through the given unit of work only (the run's transaction: one snapshot for
//     every indicator of the run) and writes nothing. It returns the value, the ids of the records
//     it counted and their kind, and a zh-CN note saying what it counts; a value it cannot give
//     honestly (no record in the period) is nullopt with the note saying why — never a zero.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::api {

// One person's period, as an assessment run asks it.
struct IndicatorQuery {
  store::Id site_id = 0;
  store::Id person_id = 0;
  TimePoint from, to;  // [from, to): the period in the site's zone
  std::string period;  // "2027-01"
};

// What a source gives for one person's period.
struct IndicatorReading {
  std::optional<double> value;       // nullopt: not computed (the note says why)
  std::vector<store::Id> records;    // the counted records' ids
  std::string record_kind;           // what the ids are: "survey", "ticket", "quality_review"
  std::vector<std::string> clauses;  // the clauses the records themselves cite (added to the
                                     // indicator's own)
  std::string note;                  // zh-CN: what the value counts
};

struct IndicatorSource {
  std::string name;      // the pack's `source:`
  std::string title_zh;  // what it counts, for the console and pack authors
  std::string module;    // the contributing module's name
  std::function<Result<IndicatorReading>(store::UnitOfWork&, const IndicatorQuery&)> compute;
};

class IndicatorSources {
 public:
  Result<void> Add(IndicatorSource source) {
    if (source.name.empty() || !source.compute)
      return Fail(Errc::kInvalidArgument, "an indicator source needs a name and a compute");
    if (Find(source.name))
      return Fail(Errc::kConflict, "the indicator source \"" + source.name +
                                       "\" is registered twice (" + source.module + ")");
    sources_.push_back(std::move(source));
    return Ok();
  }
  const IndicatorSource* Find(std::string_view name) const {
    for (const auto& s : sources_)
      if (s.name == name) return &s;
    return nullptr;
  }
  const std::vector<IndicatorSource>& all() const { return sources_; }

 private:
  std::vector<IndicatorSource> sources_;
};

}  // namespace zhidu::api
