// The repairs (报修) module: orders opened by hand, by a checklist's abnormal answer and by a
// procedure state — the last two through the action word `repair` it registers.
#include "modules/repairs/module.hpp"

#include "modules/repairs/repairs.hpp"
#include "modules/repairs/routes.hpp"

namespace zhidu::api::module_openapi {
std::string_view repairs();  // generated from openapi.json
}

namespace zhidu::repairs {
namespace {

class RepairsModule final : public api::Module {
 public:
  std::string_view name() const override { return "repairs"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::repairs(); }
  std::vector<std::string> ActionWords() const override { return {"repair"}; }
  std::vector<org::PermissionInfo> Permissions() const override {
    return {{{std::string(repairs::perm::kRepairManage), "管理报修",
              "assign, verify and cancel repair orders at any stage"}}};
  }
  Result<void> Start(api::Kernel& k) override {
    repairs_ = std::make_unique<Repairs>(k.store, k.writer, k.pack, k.roles);
    photos_ = &k.photos;
    photo_max_bytes_ = k.settings.photo_max_bytes;
    // `follow_up: {kind: repair}` of a duty, `repair:ROLE` of a procedure state.
    k.actions.Register("repair",
                       [](store::Tx& tx, const runtime::ActionRequest& a) -> Result<store::Id> {
                         NewRepair r;
                         r.site_id = a.site_id;
                         r.what = a.what;
                         r.description = a.description;
                         r.source_kind = a.source_kind;
                         r.source_id = a.source_id;
                         r.source_item = a.source_item;
                         r.clauses = a.clauses;
                         r.assignee_role = a.assign_to;
                         r.reporter_post = a.post_id;
                         ZHIDU_TRY(Repair opened, Repairs::Open(tx, r, a.actor, a.person));
                         return opened.id;
                       });
    k.services.Offer<Repairs>(repairs_.get());
    return Ok();
  }
  void AddRoutes(api::Router& router) override {
    api::AddRepairRoutes(router, {repairs_.get(), photos_, photo_max_bytes_});
  }

 private:
  std::unique_ptr<Repairs> repairs_;  // null until Start
  photos::Photos* photos_ = nullptr;
  size_t photo_max_bytes_ = 0;
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<RepairsModule>(); }

}  // namespace zhidu::repairs
