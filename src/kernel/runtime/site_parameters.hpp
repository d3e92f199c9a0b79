// Site parameters (本单位参数): the values a site sets for figures its regulations leave open
// (kernel/policy/parameters.hpp). Only parameters the pack in force declares can be set, each
// validated by its kind; every change is journaled (site.parameter.set) with the old and new value.
// Reading needs org.read, setting org.write in the site's scope.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/parameters.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

struct SiteParameterEntry {
  policy::ParamDecl decl;
  std::optional<std::string> value;  // nullopt: not set (the rule using it cannot apply a figure)
  store::Id updated_by = 0;
  TimePoint updated_at;
};

class SiteParameters {
 public:
  SiteParameters(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
                 const org::RoleCatalogue& roles);

  // Every parameter the pack declares, with the site's value where set.
  Result<std::vector<SiteParameterEntry>> List(const org::Principal& who, store::Id site_id);
  Result<SiteParameterEntry> Set(const org::Principal& who, store::Id site_id,
                                 const std::string& name, const std::string& value);

  // The site's value of `name` inside a transaction, or nullopt when not set.
  static Result<std::optional<std::string>> Lookup(store::UnitOfWork& unit, store::Id site_id,
                                                   std::string_view name);

 private:
  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
};

}  // namespace zhidu::runtime
