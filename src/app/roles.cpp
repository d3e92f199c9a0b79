#include "app/roles.hpp"

#include <set>

namespace zhidu::app {

namespace {
// Permissions of the foundation by role. Everything else a role may do comes from the pack's
// rules (who approves a request, who fires a transition), checked by the runtime.
std::set<std::string, std::less<>> PermissionsOf(std::string_view role, bool system) {
  if (role == "admin" || role == "管理员" || system) return {"*"};
  // Who keeps the violation ledger and manages duties. The regulations name these roles as the
  // ones who inspect (检查/督导) and decide (处理); see docs/runtime.md.
  static const std::set<std::string_view> kInspectors = {
      "值班长", "管理人员", "值班经理", "秩序维护主管", "客服主管", "厅经理", "办公室"};
  static const std::set<std::string_view> kDeciders = {"部长", "副总", "总经理", "客服经理",
                                                       "所务会"};
  std::set<std::string, std::less<>> out;
  if (role == "部长") out.insert("journal.read");
  if (kInspectors.contains(role) || kDeciders.contains(role))
    out.insert({"ledger.record", "ledger.read", "duty.manage", "roster.manage",
                // Repairs (报修): assign, verify, cancel at any stage (docs/repairs.md).
                "repair.manage"});
  if (kDeciders.contains(role)) out.insert("ledger.decide");
  // The control room's visitor register and footage: its operators (R12 §三(三) 登记, R16 §二3
  // 录相, §二9 盘带登记) and those who supervise them (R12 §三(三)/(四), R16 §一2).
  static const std::set<std::string_view> kControlRoom = {"中控员", "消防中控员", "值班长",
                                                          "秩序维护主管", "部长"};
  if (kControlRoom.contains(role)) out.insert({"visits.manage", "footage.manage"});
  return out;
}
}  // namespace

void DefineRoles(org::RoleCatalogue& roles, const policy::Pack* pack) {
  roles.Define("admin", {"*"});
  if (!pack) return;
  for (const auto& role : pack->roles()) roles.Define(role.id, PermissionsOf(role.id, role.system));
}

}  // namespace zhidu::app
