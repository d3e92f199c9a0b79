import { hasPermission } from '../lib/roles.js'

// The navigation, in groups; each item names a route. Which items a user sees follows the route's
// meta.kinds (see lib/roles.js); an item's `when(account)`, if any, narrows it further. Items with
// comingSoon carry the 即将上线 badge.

// 考勤异常 lists one's own findings or, with ledger.read, a site's: nothing to show otherwise.
const hasFindings = (account) => !!account?.person_id || hasPermission(account, 'ledger.read')

export const NAV = [
  {
    group: 'nav.groupDuty',
    items: [
      { route: 'duty-board', label: 'nav.dutyBoard', icon: 'Monitor' },
      { route: 'handover', label: 'nav.handover', icon: 'Switch' },
      { route: 'duty-log', label: 'nav.dutyLog', icon: 'Notebook' },
      { route: 'procedures', label: 'nav.procedures', icon: 'FirstAidKit' },
      { route: 'visitors', label: 'nav.visitors', icon: 'Avatar' },
      { route: 'footage', label: 'nav.footage', icon: 'VideoCamera' },
      { route: 'tests', label: 'nav.tests', icon: 'Odometer' },
      { route: 'repairs', label: 'nav.repairs', icon: 'Tools' },
      { route: 'service-desk', label: 'nav.serviceDesk', icon: 'Service' },
      { route: 'orders', label: 'nav.orders', icon: 'ShoppingCart' }, // 订单 (issue 18 §6)
      { route: 'service-board', label: 'nav.serviceBoard', icon: 'DataBoard' }, // 主管看板 (issue 18 §10): the server lets supervisors read
      { route: 'service-setup', label: 'nav.serviceSetup', icon: 'ChatLineSquare' }, // 常用回复与在线表单 (issue 18 §2): the server lets supervisors write
      { route: 'service-reports', label: 'nav.serviceReports', icon: 'DataAnalysis' }, // 客服报表 (issue 18 §10): the server lets supervisors read
      { route: 'lounge', label: 'nav.lounge', icon: 'Coffee' },
      { route: 'shelf', label: 'nav.shelf', icon: 'Goods' }, // 休息室货架: holders of shelf.sell (route meta.permission)
      { route: 'roster', label: 'nav.roster', icon: 'Calendar' },
      { route: 'reminders', label: 'nav.reminders', icon: 'Bell' },
      { route: 'ledger', label: 'nav.ledger', icon: 'Warning' },
      { route: 'discipline', label: 'nav.discipline', icon: 'Flag' },
      { route: 'attendance', label: 'nav.attendance', icon: 'AlarmClock', when: hasFindings },
      { route: 'my-scores', label: 'nav.myScores', icon: 'TrendCharts', when: (account) => !!account?.person_id }, // 我的考核: one's own
      { route: 'leave', label: 'nav.leave', icon: 'Suitcase', when: (account) => !!account?.person_id }, // 请假: one's own (issue 20 §5)
      { route: 'assessment', label: 'nav.assessment', icon: 'Histogram' }, // 考核结算: holders of assessment.manage (route meta.permission)
      { route: 'rooms', label: 'nav.rooms', icon: 'House' }, // 宿舍管理: holders of rooms.manage (route meta.permission)
      { route: 'my-room', label: 'nav.myRoom', icon: 'HomeFilled', when: (account) => !!account?.person_id }, // 我的宿舍: one's own room
    ],
  },
  {
    group: 'nav.groupManage',
    items: [
      { route: 'approvals', label: 'nav.approvals', icon: 'Stamp' },
      { route: 'reports', label: 'nav.reports', icon: 'DataAnalysis', comingSoon: true },
    ],
  },
  {
    group: 'nav.groupOrg',
    items: [
      { route: 'org', label: 'nav.org', icon: 'OfficeBuilding' },
      { route: 'sites', label: 'nav.sites', icon: 'Location' },
      { route: 'site-parameters', label: 'nav.siteParameters', icon: 'SetUp' }, // 站点参数: holders of org.write (route meta.permission)
      { route: 'departments', label: 'nav.departments', icon: 'Collection' },
      { route: 'teams', label: 'nav.teams', icon: 'UserFilled' },
      { route: 'posts', label: 'nav.posts', icon: 'Postcard' },
      { route: 'people', label: 'nav.people', icon: 'User' },
      { route: 'accounts', label: 'nav.accounts', icon: 'Key' },
      { route: 'device-sources', label: 'nav.deviceSources', icon: 'Connection' }, // devices.manage (route meta.permission)
    ],
  },
  {
    group: 'nav.groupSystem',
    items: [
      { route: 'journal', label: 'nav.journal', icon: 'Tickets' },
      { route: 'policy', label: 'nav.policy', icon: 'Reading' },
    ],
  },
]
