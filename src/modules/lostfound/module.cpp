#include "modules/lostfound/module.hpp"

namespace zhidu::api::module_openapi {
std::string_view lostfound();  // generated from openapi.json
}

namespace zhidu::lostfound {
namespace {

class LostFoundModule final : public api::Module {
 public:
  std::string_view name() const override { return "lostfound"; }
  std::string_view OpenApiPaths() const override { return api::module_openapi::lostfound(); }
  std::vector<store::Migration> Migrations() const override { return lostfound::Migrations(); }
  std::vector<std::string> WrittenRecords() const override { return {std::string(kRecordName)}; }
  Result<void> Start(api::Kernel& k) override {
    register_ = std::make_unique<LostAndFound>(k.store, k.writer, k.pack);
    return Ok();
  }
  void AddRoutes(api::Router& router) override { lostfound::AddRoutes(router, register_.get()); }

 private:
  std::unique_ptr<LostAndFound> register_;  // null until Start
};

}  // namespace

std::unique_ptr<api::Module> MakeModule() { return std::make_unique<LostFoundModule>(); }

}  // namespace zhidu::lostfound
