import { createRouter, createWebHashHistory } from 'vue-router'
import { useSession } from '../stores/session.js'
import { allowed, hasPermission, landingRoute } from '../lib/roles.js'

const Shell = () => import('../views/AppShell.vue')
const ComingSoon = () => import('../views/ComingSoonView.vue')
const ALL = undefined
const OPS = ['operator', 'head', 'employee']
const HEADS = ['head']
const CONTROL = ['operator', 'head'] // the control-room screens an ordinary employee has no part in
const ORG_READ = ['head']

export const routes = [
  { path: '/login', name: 'login', component: () => import('../views/LoginView.vue'), meta: { public: true } },
  // A customer's satisfaction survey from a secret link (issue 18 §7): no sign-in, no shell.
  { path: '/survey/:token', name: 'survey', component: () => import('../views/service/SurveyView.vue'), props: true, meta: { public: true } },
  // A customer's ticket through a public web form (issue 18 §2): no sign-in, no shell.
  { path: '/form/:token', name: 'web-form', component: () => import('../views/service/WebFormView.vue'), props: true, meta: { public: true } },
  {
    path: '/',
    component: Shell,
    children: [
      { path: '', name: 'home', component: () => import('../views/StatusView.vue'), props: { status: 'notFound' } }, // never shown: the guard sends home to the landing page
      { path: 'duty-board', name: 'duty-board', component: () => import('../views/duty/DutyBoardView.vue'), meta: { kinds: OPS, title: 'nav.dutyBoard' } },
      { path: 'handover', name: 'handover', component: () => import('../views/control/HandoverView.vue'), meta: { kinds: OPS, title: 'nav.handover' } },
      { path: 'handover/:id/print', name: 'handover-print', component: () => import('../views/control/HandoverPrintView.vue'), props: true, meta: { kinds: OPS, title: 'nav.handover' } },
      { path: 'duty-log', name: 'duty-log', component: () => import('../views/control/DutyLogView.vue'), meta: { kinds: OPS, title: 'nav.dutyLog' } },
      { path: 'duty-log/print', name: 'duty-log-print', component: () => import('../views/control/DutyLogPrintView.vue'), meta: { kinds: OPS, title: 'nav.dutyLog' } },
      { path: 'roster', name: 'roster', component: () => import('../views/control/RosterView.vue'), meta: { kinds: OPS, title: 'nav.roster' } },
      { path: 'procedures', name: 'procedures', component: () => import('../views/control/ProceduresView.vue'), meta: { kinds: OPS, title: 'nav.procedures' } },
      { path: 'visitors', name: 'visitors', component: () => import('../views/control/VisitorsView.vue'), meta: { kinds: CONTROL, title: 'nav.visitors' } },
      { path: 'footage', name: 'footage', component: () => import('../views/control/FootageView.vue'), meta: { kinds: OPS, title: 'nav.footage' } },
      { path: 'tests', name: 'tests', component: () => import('../views/control/EquipmentTestsView.vue'), meta: { kinds: CONTROL, title: 'nav.tests' } },
      { path: 'repairs', name: 'repairs', component: () => import('../views/control/RepairsView.vue'), meta: { kinds: OPS, title: 'nav.repairs' } },
      { path: 'service-desk', name: 'service-desk', component: () => import('../views/service/ServiceDeskView.vue'), meta: { kinds: ALL, title: 'nav.serviceDesk' } },
      { path: 'orders', name: 'orders', component: () => import('../views/service/OrdersView.vue'), meta: { kinds: ALL, title: 'nav.orders' } },
      { path: 'service-board', name: 'service-board', component: () => import('../views/service/ServiceBoardView.vue'), meta: { kinds: ALL, title: 'nav.serviceBoard' } },
      { path: 'service-customers/:id', name: 'service-customer', component: () => import('../views/service/CustomerView.vue'), props: true, meta: { kinds: ALL, title: 'customer360.title' } },
      { path: 'service-setup', name: 'service-setup', component: () => import('../views/service/ServiceSetupView.vue'), meta: { kinds: ALL, title: 'nav.serviceSetup' } },
      { path: 'service-reports', name: 'service-reports', component: () => import('../views/service/ServiceReportsView.vue'), meta: { kinds: ALL, title: 'nav.serviceReports' } },
      { path: 'lounge', name: 'lounge', component: () => import('../views/lounge/LoungeView.vue'), meta: { kinds: ALL, title: 'nav.lounge' } },
      { path: 'approvals', name: 'approvals', component: () => import('../views/ApprovalsView.vue'), meta: { kinds: ALL, title: 'nav.approvals' } },
      { path: 'ledger', name: 'ledger', component: () => import('../views/ledger/LedgerView.vue'), meta: { kinds: ALL, title: 'nav.ledger' } },
      { path: 'discipline', name: 'discipline', component: () => import('../views/people/DisciplineView.vue'), meta: { kinds: ALL, title: 'nav.discipline' } },
      { path: 'my-scores', name: 'my-scores', component: () => import('../views/people/MyScoresView.vue'), meta: { kinds: ALL, title: 'nav.myScores' } },
      // 请假 and 考核结算 (issue 20 §5–§6): one's own leave through the pack's request; the supervisor's month (assessment.manage).
      { path: 'leave', name: 'leave', component: () => import('../views/people/LeaveView.vue'), meta: { kinds: ALL, title: 'nav.leave' } },
      { path: 'assessment', name: 'assessment', component: () => import('../views/people/AssessmentView.vue'), meta: { kinds: ALL, permission: 'assessment.manage', title: 'nav.assessment' } },
      { path: 'attendance', name: 'attendance', component: () => import('../views/people/AttendanceView.vue'), meta: { kinds: ALL, title: 'nav.attendance' } },
      { path: 'ledger/statement', name: 'statement', component: () => import('../views/ledger/StatementView.vue'), meta: { kinds: ALL, title: 'nav.statement' } },
      { path: 'reports', name: 'reports', component: ComingSoon, props: { feature: 'reports', items: 3 }, meta: { kinds: HEADS, title: 'nav.reports' } },
      { path: 'org', name: 'org', component: () => import('../views/org/OrgOverview.vue'), meta: { kinds: ORG_READ, title: 'nav.org' } },
      { path: 'org/sites', name: 'sites', component: () => import('../views/org/SitesView.vue'), meta: { kinds: ORG_READ, title: 'nav.sites' } },
      { path: 'org/departments', name: 'departments', component: () => import('../views/org/UnitsView.vue'), props: { kind: 'departments' }, meta: { kinds: ORG_READ, title: 'nav.departments' } },
      { path: 'org/teams', name: 'teams', component: () => import('../views/org/UnitsView.vue'), props: { kind: 'teams' }, meta: { kinds: ORG_READ, title: 'nav.teams' } },
      { path: 'org/posts', name: 'posts', component: () => import('../views/org/UnitsView.vue'), props: { kind: 'posts' }, meta: { kinds: ORG_READ, title: 'nav.posts' } },
      // 站点参数 (issue 17 §8): the site's parameters; changing one needs org.write (the server's check).
      { path: 'org/parameters', name: 'site-parameters', component: () => import('../views/org/SiteParametersView.vue'), meta: { kinds: ALL, permission: 'org.write', title: 'nav.siteParameters' } },
      { path: 'org/people', name: 'people', component: () => import('../views/org/PeopleView.vue'), meta: { kinds: ORG_READ, title: 'nav.people' } },
      { path: 'org/people/:id', name: 'person', component: () => import('../views/org/PersonView.vue'), props: true, meta: { kinds: ORG_READ, title: 'nav.people' } },
      // 门禁与录像接入 (issue 22 §3): sources and their secrets; devices.manage (the server's check).
      { path: 'org/devices', name: 'device-sources', component: () => import('../views/org/DeviceSourcesView.vue'), meta: { kinds: ALL, permission: 'devices.manage', title: 'nav.deviceSources' } },
      { path: 'org/accounts', name: 'accounts', component: () => import('../views/org/AccountsView.vue'), meta: { kinds: ['admin'], title: 'nav.accounts' } },
      { path: 'journal', name: 'journal', component: () => import('../views/JournalView.vue'), meta: { kinds: HEADS, title: 'nav.journal' } },
      { path: 'policy', name: 'policy', component: () => import('../views/policy/PolicyView.vue'), meta: { kinds: ALL, title: 'nav.policy' } },
      { path: 'policy/:code', name: 'regulation', component: () => import('../views/policy/RegulationView.vue'), props: true, meta: { kinds: ALL, title: 'nav.policy' } },
      // 休息室货架 (R07 §二3, docs/shelf.md): the attendant's sales and stocktakes, the supervisor's reconciliation; shelf.sell.
      { path: 'shelf', name: 'shelf', component: () => import('../views/shelf/ShelfView.vue'), meta: { kinds: ALL, permission: 'shelf.sell', title: 'nav.shelf' } },
      // 宿舍管理 (issue 19 §5): the office's rooms and the phone inspection form; rooms.manage.
      { path: 'rooms', name: 'rooms', component: () => import('../views/rooms/RoomsView.vue'), meta: { kinds: ALL, permission: 'rooms.manage', title: 'nav.rooms' } },
      { path: 'rooms/:id/inspect', name: 'room-inspect', component: () => import('../views/rooms/RoomInspectView.vue'), props: true, meta: { kinds: ALL, permission: 'rooms.manage', title: 'nav.rooms' } },
      // 我的宿舍 (issue 19 §5): a room's occupants and 舍长 on their phone — 值日表, today's duty, rectifications.
      { path: 'my-room', name: 'my-room', component: () => import('../views/rooms/MyRoomView.vue'), meta: { kinds: ALL, title: 'nav.myRoom' } },
      { path: 'reminders', name: 'reminders', component: () => import('../views/RemindersView.vue'), meta: { kinds: ALL, title: 'nav.reminders' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('../views/StatusView.vue'), props: { status: 'forbidden' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('../views/StatusView.vue'), props: { status: 'notFound' } },
    ],
  },
]

export function makeRouter() {
  const router = createRouter({ history: createWebHashHistory(), routes })
  router.beforeEach(async (to) => {
    const session = useSession()
    await session.restore()
    if (to.meta.public) {
      return session.signedIn && to.name === 'login' ? landingRoute(session.account) : true
    }
    if (!session.signedIn) {
      const keep = to.name !== 'home' && to.name !== 'not-found' && to.fullPath.startsWith('/')
      return { name: 'login', query: keep ? { redirect: to.fullPath } : {} }
    }
    if (to.name === 'home') return landingRoute(session.account)
    if (!allowed(session.account, to.meta.kinds)) return { name: 'forbidden' }
    if (to.meta.permission && !hasPermission(session.account, to.meta.permission)) return { name: 'forbidden' }
    return true
  })
  return router
}
