#include "app/modules.hpp"

// The modules, in start order: one line each. A module that needs another's interface comes
// after it (handover after dutylog and roster). Each names a folder src/modules/NAME whose
// module.cpp defines zhidu::NAME::MakeModule().
#define ZHIDU_MODULES(X)                                     \
  X(dutylog)   /* 值班记录 */                            \
  X(alarms)    /* 报警 (needs dutylog) */                  \
  X(repairs)   /* 报修 (the `repair` action) */            \
  X(roster)    /* 排班 (the duties' shift calendar) */     \
  X(handover)  /* 交接班 (needs dutylog, roster) */       \
  X(visits)    /* 来访, 录像 (needs dutylog) */          \
  X(lostfound) /* 失物招领 */                            \
  X(service)   /* 客户服务 */                            \
  X(people)    /* 人员：纪律处分 */                   \
  X(lounge)    /* 贵宾厅 (R15) */                         \
  X(rooms)     /* 休息室/宿舍 */                        \
  X(shelf)     /* 休息室货架 (R07 §二3) */            \
  X(devices)   /* 门禁, 录像机 (needs visits, rooms) */ \
  /* a new module: one line above this one */

namespace zhidu {

#define ZHIDU_DECLARE_MODULE(name)           \
  namespace name {                           \
  std::unique_ptr<api::Module> MakeModule(); \
  }
ZHIDU_MODULES(ZHIDU_DECLARE_MODULE)
#undef ZHIDU_DECLARE_MODULE

namespace app {

std::vector<std::unique_ptr<api::Module>> AllModules() {
  std::vector<std::unique_ptr<api::Module>> m;
#define ZHIDU_MAKE_MODULE(name) m.push_back(name::MakeModule());
  ZHIDU_MODULES(ZHIDU_MAKE_MODULE)
#undef ZHIDU_MAKE_MODULE
  return m;
}

Result<void> MountModules(std::vector<std::unique_ptr<api::Module>>& modules, api::Api& api) {
  std::vector<std::string_view> paths;
  for (auto& m : modules) {
    m->AddRoutes(api.mutable_router());
    paths.push_back(m->OpenApiPaths());
  }
  return api.AddOpenApiPaths(paths);
}

}  // namespace app
}  // namespace zhidu
