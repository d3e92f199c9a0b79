#include "kernel/runtime/site_parameters.hpp"

#include "base/canonical_json.hpp"

namespace zhidu::runtime {

SiteParameters::SiteParameters(store::Store& store, store::Writer& writer,
                               const policy::ActivePack& pack, const org::RoleCatalogue& roles)
    : store_(store), writer_(writer), pack_(pack), roles_(roles) {}

Result<std::vector<SiteParameterEntry>> SiteParameters::List(const org::Principal& who,
                                                             store::Id site_id) {
  if (!roles_.Allows(who, org::perm::kOrgRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading site parameters needs org.read");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto site, unit->GetSite(site_id));
  (void)site;
  ZHIDU_TRY(auto rows, unit->ListSiteParameters(site_id));
  std::vector<SiteParameterEntry> out;
  for (auto& decl : policy::DeclaredParameters(*pack_.Current())) {
    SiteParameterEntry e{decl, std::nullopt, 0, TimePoint{}};
    for (const auto& r : rows)
      if (r.name == decl.name) e = {decl, r.value, r.updated_by, r.updated_at};
    out.push_back(std::move(e));
  }
  return out;
}

Result<SiteParameterEntry> SiteParameters::Set(const org::Principal& who, store::Id site_id,
                                               const std::string& name, const std::string& value) {
  if (!roles_.Allows(who, org::perm::kOrgWrite, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "setting site parameters needs org.write");
  std::optional<policy::ParamDecl> decl;
  for (auto& d : policy::DeclaredParameters(*pack_.Current()))
    if (d.name == name) decl = d;
  if (!decl) return Fail(Errc::kNotFound, "the policy pack declares no parameter \"" + name + "\"");
  ZHIDU_TRY_VOID(policy::ValidateParamValue(decl->kind, value));
  return writer_.Run<SiteParameterEntry>([&](store::Tx& tx) -> Result<SiteParameterEntry> {
    ZHIDU_TRY(auto site, tx.unit().GetSite(site_id));
    (void)site;
    ZHIDU_TRY(auto old, Lookup(tx.unit(), site_id, name));
    store::SiteParameter p{site_id, name, value, who.account_id, tx.now()};
    ZHIDU_TRY_VOID(tx.unit().PutSiteParameter(p));
    CanonicalObject payload;
    payload.Add("site_id", site_id).Add("name", name).Add("value", value);
    payload.Add("kind", policy::ParamKindName(decl->kind)).Add("rule", decl->rule);
    if (old) payload.Add("previous", *old);
    ZHIDU_TRY(auto seq, tx.Journal("site.parameter.set", who.account_id,
                                   "site/" + std::to_string(site_id), payload.Str()));
    (void)seq;
    return SiteParameterEntry{*decl, value, who.account_id, p.updated_at};
  });
}

Result<std::optional<std::string>> SiteParameters::Lookup(store::UnitOfWork& unit,
                                                          store::Id site_id,
                                                          std::string_view name) {
  ZHIDU_TRY(auto rows, unit.ListSiteParameters(site_id));
  for (auto& r : rows)
    if (r.name == name) return std::optional<std::string>(std::move(r.value));
  return std::optional<std::string>();
}

}  // namespace zhidu::runtime
