#include "kernel/org/permissions.hpp"

namespace zhidu::org {

const std::vector<PermissionInfo>& KernelPermissions() {
  // Checked by: org/org_service.cpp, org/auth_service.cpp (org.*, accounts.*, tokens.write),
  // api/routes (journal.read, policy.reload), runtime/ledger.cpp (ledger.*), runtime/duties.cpp
  // (duty.manage), runtime/requests.cpp (requests.read), scheduler/reminders.cpp
  // (scheduler.admin), api/notify_webhooks.cpp (notify.channels).
  static const std::vector<PermissionInfo> kAll = {
      {"*", "全部权限", "everything, including administering zhidu itself"},
      {"org.write", "维护组织架构",
       "create and change sites, departments, teams, posts and people"},
      {"accounts.read", "查看账号", "list accounts and their role grants"},
      {"accounts.write", "管理账号", "create accounts with their role grants"},
      {"tokens.write", "管理 API 令牌", "issue and revoke API tokens for integrations"},
      {"journal.read", "查看审计日志", "read the tamper-evident journal"},
      {"ledger.read", "查看违规台账", "read the violation ledger of the sites the role covers"},
      {"ledger.record", "登记违规", "record a violation against a person or post"},
      {"ledger.decide", "处理违规申诉", "uphold or overturn a violation after an appeal"},
      {"duty.manage", "管理值班",
       "plan duties now, do a duty or write the duty log without being on the post, shelve and "
       "suppress alarms, read the duties of the sites the role covers"},
      {"requests.read", "查看申请", "read every request of the sites the role covers"},
      {"scheduler.admin", "管理提醒与定时任务", "manage reminders and durable timers"},
      {"policy.reload", "重新加载制度包", "reload the policy pack in force"},
      {"notify.channels", "管理通知渠道", "configure webhooks and notification channels"},
  };
  return kAll;
}

}  // namespace zhidu::org
