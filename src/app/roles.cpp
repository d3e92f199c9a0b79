#include "app/roles.hpp"

namespace zhidu::app {

void DefineBuiltInRoles(org::RoleCatalogue& roles) {
  // Roles named in the regulations. Until the policy runtime grants them duties, they may read the
  // organisation (every signed-in account may); department heads may also read the journal.
  for (const char* role : {"中控员", "消防控制室值班员", "值班长", "秩序维护主管", "客服专员", "客服主管",
                           "客服经理", "礼宾员", "厅经理", "舍长", "办公室", "员工"})
    roles.Define(role, {});
  roles.Define("部长", {"journal.read"});
}

}  // namespace zhidu::app
