// The console's API: one client wired to the session store, and a function per endpoint.
import { createClient } from './client.js'

let csrfGetter = () => null
let unauthHandler = () => {}

export function bindSession({ getCsrfToken, onUnauthenticated }) {
  csrfGetter = getCsrfToken
  unauthHandler = onUnauthenticated
}

export const http = createClient({
  base: 'api/v1',
  getCsrfToken: () => csrfGetter(),
  onUnauthenticated: (e) => unauthHandler(e),
})

const page = (path) => (params = {}) => http.get(path, params)
const create = (path) => (body) => http.post(path, body)

export const api = {
  login: (username, password) => http.post('login', { username, password }, { quiet401: true }),
  me: () => http.get('me', undefined, { quiet401: true }),
  logout: () => http.post('logout', {}),
  changeOwnPassword: (current, next) => http.post('me/password', { current_password: current, new_password: next }),

  listSites: page('sites'),
  createSite: create('sites'),
  getSite: (id) => http.get(`sites/${encodeURIComponent(id)}`),
  listDepartments: page('departments'),
  createDepartment: create('departments'),
  listTeams: page('teams'),
  createTeam: create('teams'),
  listPosts: page('posts'),
  createPost: create('posts'),
  listPeople: page('people'),
  createPerson: create('people'),
  getPerson: (id) => http.get(`people/${encodeURIComponent(id)}`),
  updatePerson: (id, body) => http.patch(`people/${encodeURIComponent(id)}`, body),
  siteParameters: (siteId) => http.get(`sites/${encodeURIComponent(siteId)}/parameters`),
  setSiteParameter: (siteId, name, value) => http.put(`sites/${encodeURIComponent(siteId)}/parameters/${encodeURIComponent(name)}`, { value }),
  clearSiteParameter: (siteId, name) => http.del(`sites/${encodeURIComponent(siteId)}/parameters/${encodeURIComponent(name)}`),
  addCertification: (personId, body) => http.post(`people/${encodeURIComponent(personId)}/certifications`, body),
  listAccounts: page('accounts'),
  listDeviceSources: () => http.get('integrations/sources'),
  createDeviceSource: create('integrations/sources'),
  rotateDeviceSource: (id) => http.post(`integrations/sources/${encodeURIComponent(id)}/rotate`, {}),
  deleteDeviceSource: (id) => http.del(`integrations/sources/${encodeURIComponent(id)}`),
  listDeviceCards: (siteId) => http.get('integrations/cards', { site_id: siteId }),
  issueDeviceCard: (body) => http.post('integrations/cards', body),
  revokeDeviceCard: (siteId, cardNo) => http.del('integrations/cards', { query: { site_id: siteId, card_no: cardNo } }),
  createAccount: create('accounts'),
  disableAccount: (id) => http.post(`accounts/${encodeURIComponent(id)}/disable`, {}),
  enableAccount: (id) => http.post(`accounts/${encodeURIComponent(id)}/enable`, {}),
  resetPassword: (id, newPassword) => http.post(`accounts/${encodeURIComponent(id)}/password`, { new_password: newPassword }),

  journal: ({ after, cursor, limit } = {}) => http.get('journal', { after, cursor, limit }),

  policy: () => http.get('policy'),
  policyRegulations: () => http.get('policy/regulations'),
  policyRoles: () => http.get('policy/roles'),
  policyTitles: () => http.get('policy/titles'),
  policyEvents: () => http.get('policy/events'),
  raiseSiteEvent: (siteId, body) => http.post(`sites/${encodeURIComponent(siteId)}/events`, body),
  policyRecord: (id) => http.get(`policy/records/${encodeURIComponent(id)}`),
  policyRegulation: (code) => http.get(`policy/regulations/${encodeURIComponent(code)}`),
  policyClause: (id) => http.get(`policy/clauses/${encodeURIComponent(id)}`),
  policyReload: () => http.post('policy/reload', {}),

  listReminders: page('reminders'),
  createReminder: create('reminders'),
  cancelReminder: (id) => http.post(`reminders/${encodeURIComponent(id)}/cancel`, {}),

  listDuties: page('duties'),
  getDuty: (id) => http.get(`duties/${encodeURIComponent(id)}`),
  startDuty: (id) => http.post(`duties/${encodeURIComponent(id)}/start`, {}),
  completeDuty: (id, answers) => http.post(`duties/${encodeURIComponent(id)}/complete`, { answers }),
  attendance: (postId) => http.get(`posts/${encodeURIComponent(postId)}/attendance`),
  takePost: (postId) => http.post(`posts/${encodeURIComponent(postId)}/attendance`, {}),
  postRelief: (postId) => http.get(`posts/${encodeURIComponent(postId)}/relief`),
  // answers: the post's relief checklist (R12 §四(二)2(5)), only with a relief colleague.
  leavePost: (postId, reliefPersonId, answers) => http.post(`posts/${encodeURIComponent(postId)}/attendance:leave`, { ...(reliefPersonId ? { relief_person_id: reliefPersonId } : {}), ...(answers ? { answers } : {}) }),

  listViolations: page('violations'),
  getViolation: (id) => http.get(`violations/${encodeURIComponent(id)}`),
  recordViolation: create('violations'),
  appealViolation: (id, appeal) => http.post(`violations/${encodeURIComponent(id)}/appeal`, { appeal }),
  decideViolation: (id, decision, note) => http.post(`violations/${encodeURIComponent(id)}/decision`, { decision, note }),
  statement: (params) => http.get('ledger/statements', params),
  assignViolation: (id, body) => http.post(`violations/${encodeURIComponent(id)}/assign`, body),
  // Lateness and absence (考勤异常, src/modules/people).
  listAttendanceFindings: page('attendance-findings'),
  listAssessmentScores: page('assessment-scores'),
  // Assessment runs, manager scores, pay and the month close (考核结算, issue 20 §6).
  assessmentSchemes: () => http.get('assessment-schemes'),
  listAssessmentRuns: page('assessment-runs'),
  getAssessmentRun: (id) => http.get(`assessment-runs/${encodeURIComponent(id)}`),
  startAssessmentRun: create('assessment-runs'),
  enterManagerScore: create('assessment-manager-scores'),
  enterPayInputs: create('assessment-pay-inputs'),
  assessmentPay: (params) => http.get('assessment-pay', params),
  assessmentPeriod: (params) => http.get('assessment-periods', params),
  closeAssessmentPeriod: (body) => http.post('assessment-periods:close', body),
  reopenAssessmentPeriod: (body) => http.post('assessment-periods:reopen', body),
  checkAttendance: (siteId) => http.post('attendance-findings:check', { site_id: siteId }),
  // Discipline cases (纪律处分, src/modules/people).
  listDisciplineCases: page('discipline-cases'),
  getDisciplineCase: (id) => http.get(`discipline-cases/${encodeURIComponent(id)}`),
  openDisciplineCase: create('discipline-cases'),
  disciplineStep: (id, body) => http.post(`discipline-cases/${encodeURIComponent(id)}/steps`, body),
  disciplineCorrection: (id, outcome, note) => http.post(`discipline-cases/${encodeURIComponent(id)}/correction`, { outcome, note: note || undefined }),
  disciplineCompensation: (id, body) => http.post(`discipline-cases/${encodeURIComponent(id)}/compensations`, body),
  closeDisciplineCase: (id, note) => http.post(`discipline-cases/${encodeURIComponent(id)}/close`, note ? { note } : {}),

  requestTypes: () => http.get('request-types'),
  listRequests: page('requests'),
  getRequest: (id) => http.get(`requests/${encodeURIComponent(id)}`),
  fileRequest: create('requests'),
  decideRequest: (id, body) => http.post(`requests/${encodeURIComponent(id)}/decisions`, body),
  withdrawRequest: (id, note) => http.post(`requests/${encodeURIComponent(id)}/withdraw`, note ? { note } : {}),

  // Control room: alarms, shifts, handover (交接班), duty log (值班记录), rosters (排班), procedures.
  listAlarms: page('alarms'),
  getAlarm: (id) => http.get(`alarms/${encodeURIComponent(id)}`),
  ackAlarm: (id) => http.post(`alarms/${encodeURIComponent(id)}/ack`, {}),
  shelveAlarm: (id, until, reason) => http.post(`alarms/${encodeURIComponent(id)}/shelve`, { until, reason }),
  unshelveAlarm: (id) => http.post(`alarms/${encodeURIComponent(id)}/unshelve`, {}),
  shifts: (params) => http.get('shifts', params),
  listHandovers: page('handovers'),
  getHandover: (id) => http.get(`handovers/${encodeURIComponent(id)}`),
  handoverPrint: (id) => http.get(`handovers/${encodeURIComponent(id)}/print`),
  openHandover: (postId) => http.post('handovers', { post_id: postId }),
  handoverAnswers: (id, answers) => http.post(`handovers/${encodeURIComponent(id)}/answers`, { answers }),
  handoverAcknowledge: (id, items) => http.post(`handovers/${encodeURIComponent(id)}/acknowledge`, { items }),
  handoverRefuse: (id, reason, note) => http.post(`handovers/${encodeURIComponent(id)}/refuse`, note ? { reason, note } : { reason }),
  handoverSign: (id, password) => http.post(`handovers/${encodeURIComponent(id)}/sign`, { password }),
  listDutyLog: page('duty-log'),
  addDutyLog: create('duty-log'),
  dutyLogPrint: (params) => http.get('duty-log/print', params),
  listRosters: page('rosters'),
  getRoster: (id) => http.get(`rosters/${encodeURIComponent(id)}`),
  generateRoster: create('rosters'),
  publishRoster: (id) => http.post(`rosters/${encodeURIComponent(id)}/publish`, {}),
  rosterLeave: (id, reason) => http.post(`roster-assignments/${encodeURIComponent(id)}/leave`, { reason }),
  rosterSwap: (id, body) => http.post(`roster-assignments/${encodeURIComponent(id)}/swap`, body),
  rosterSubstitute: (id, body) => http.post(`roster-assignments/${encodeURIComponent(id)}/substitute`, body),
  rosterSwapDecision: (id, decision, note) => http.post(`roster-swaps/${encodeURIComponent(id)}/decision`, { decision, note }),
  icalToken: (personId) => http.post(`people/${encodeURIComponent(personId)}/ical-token`, {}),
  listProcedures: page('procedures'),
  getProcedure: (id) => http.get(`procedures/${encodeURIComponent(id)}`),
  fireProcedure: (id, event, note, inputs) => http.post(`procedures/${encodeURIComponent(id)}/events`, { event, note, inputs }),
  assignProcedure: (id, task, personId) => http.post(`procedures/${encodeURIComponent(id)}/assignments`, { task, person_id: personId }),
  planReport: () => http.get('duties:plan-report'),

  // Visitors (访客登记), footage (录像), repairs (报修单): docs/visitors.md, docs/repairs.md.
  listVisits: page('visits'),
  registerVisit: create('visits'),
  visitEntry: (id) => http.post(`visits/${encodeURIComponent(id)}/entry`, {}),
  visitExit: (id) => http.post(`visits/${encodeURIComponent(id)}/exit`, {}),
  listFootage: page('footage'),
  registerFootage: create('footage'),
  viewFootage: (id, requestId) => http.post(`footage/${encodeURIComponent(id)}/views`, { request_id: requestId }),
  deleteFootage: (id) => http.del(`footage/${encodeURIComponent(id)}`),
  listRepairs: page('repairs'),
  getRepair: (id) => http.get(`repairs/${encodeURIComponent(id)}`),
  reportRepair: create('repairs'),
  repairAction: (id, body) => http.post(`repairs/${encodeURIComponent(id)}/actions`, body),
  // Customer service (src/modules/service): masked customers, tickets with their thread.
  listCustomers: page('service/customers'),
  createCustomer: create('service/customers'),
  listTickets: page('service/tickets'),
  getTicket: (id) => http.get(`service/tickets/${encodeURIComponent(id)}`),
  createTicket: create('service/tickets'),
  ticketEntry: (id, kind, body, attachments = []) => http.post(`service/tickets/${encodeURIComponent(id)}/${{ note: 'notes', customer: 'messages' }[kind] || 'replies'}`, attachments.length ? { body, attachments } : { body }),
  mergeTicket: (id, into, note) => http.post(`service/tickets/${encodeURIComponent(id)}/merge`, note ? { into, note } : { into }),
  reopenTicket: (id, reason, by) => http.post(`service/tickets/${encodeURIComponent(id)}/reopen`, { reason, by }),
  ticketState: (id, to) => http.post(`service/tickets/${encodeURIComponent(id)}/state`, { to }),
  ticketPriority: (id, priority, note) => http.post(`service/tickets/${encodeURIComponent(id)}/priority`, { priority, note }),
  listCannedReplies: (params) => http.get('service/canned-replies', params),
  createCannedReply: create('service/canned-replies'),
  updateCannedReply: (id, body) => http.put(`service/canned-replies/${encodeURIComponent(id)}`, body),
  deleteCannedReply: (id) => http.del(`service/canned-replies/${encodeURIComponent(id)}`),
  // 在线提交 (issue 18 §2): a supervisor's public web forms; the public page below.
  listWebForms: (params) => http.get('service/web-forms', params),
  createWebForm: create('service/web-forms'),
  revokeWebForm: (id) => http.post(`service/web-forms/${encodeURIComponent(id)}/revoke`, {}),
  ticketAssign: (id, personId) => http.post(`service/tickets/${encodeURIComponent(id)}/assign`, { person_id: personId }),
  surveyLink: (id) => http.post(`service/tickets/${encodeURIComponent(id)}/survey-link`, {}),
  recordSatisfaction: (id, satisfied, note) => http.post(`service/tickets/${encodeURIComponent(id)}/satisfaction`, { satisfied, note }),
  reviewTicket: (id, score, comment) => http.post(`service/tickets/${encodeURIComponent(id)}/quality-review`, { score, comment }),
  satisfaction: (params) => http.get('service/satisfaction', params),
  // Orders (issue 18 §6): reviews, shipping notice, ship-by, stock-out, returns.
  // R17's registers: information feedback in the pack's categories, the callback register.
  feedbackCategories: () => http.get('service/feedback-categories'),
  listFeedback: page('service/feedback'),
  createFeedback: create('service/feedback'),
  listCallbacks: page('service/callbacks'),
  createCallback: create('service/callbacks'),
  callbackDone: (id, outcome) => http.post(`service/callbacks/${encodeURIComponent(id)}/done`, outcome ? { outcome } : {}),
  listOrders: page('service/orders'),
  getOrder: (id) => http.get(`service/orders/${encodeURIComponent(id)}`),
  createOrder: create('service/orders'),
  shipOrder: (id) => http.post(`service/orders/${encodeURIComponent(id)}/ship`, {}),
  orderStockOut: (id, body) => http.post(`service/orders/${encodeURIComponent(id)}/stock-out`, body),
  orderReturn: (id, body) => http.post(`service/orders/${encodeURIComponent(id)}/returns`, body),
  serviceReports: (params) => http.get('service/reports', params), // issue 18 §10
  serviceBoard: (params) => http.get('service/board', params), // 主管看板 (issue 18 §10)
  getCustomer: (id) => http.get(`service/customers/${encodeURIComponent(id)}`),
  customerOverview: (id) => http.get(`service/customers/${encodeURIComponent(id)}/overview`),
  listContacts: page('service/contacts'),
  // VIP lounge (src/modules/lounge): guests, check-in, reminder, escort.
  listLoungeGuests: page('lounge/guests'),
  loungeArrive: create('lounge/guests'),
  loungeCheckIn: (id, body) => http.post(`lounge/guests/${encodeURIComponent(id)}/check-in`, body),
  loungeRemind: (id) => http.post(`lounge/guests/${encodeURIComponent(id)}/remind`, {}),
  loungeEscort: (id) => http.post(`lounge/guests/${encodeURIComponent(id)}/escort`, {}),
  loungeTimetable: (siteId) => http.get('lounge/timetable', { site_id: siteId }),
  loungeImportTimetable: (siteId, csv) => http.post('lounge/timetable', { site_id: siteId, csv }),
  loungeSms: (id, text) => http.post(`lounge/guests/${encodeURIComponent(id)}/sms`, { text }),
  loungeMissedReminders: page('lounge/missed-reminders'),
  loungeMissed: (id, note) => http.post(`lounge/guests/${encodeURIComponent(id)}/missed-train`, note ? { note } : {}),
  // The public survey page (no sign-in): the survey behind a link and its one answer.
  surveyPage: (token) => http.get(`service/surveys/${encodeURIComponent(token)}`, undefined, { quiet401: true }),
  answerSurvey: (token, body) => http.post(`service/surveys/${encodeURIComponent(token)}`, body, { quiet401: true }),
  webFormPage: (token) => http.get(`service/web-forms/${encodeURIComponent(token)}`, undefined, { quiet401: true }),
  submitWebForm: (token, body) => http.post(`service/web-forms/${encodeURIComponent(token)}`, body, { quiet401: true }),
  // A record:ID step takes the record's answers, any other step a note (docs/procedures.md).
  procedureTaskDone: (id, taskId, note, answers) => http.post(`procedures/${encodeURIComponent(id)}/tasks/${encodeURIComponent(taskId)}/done`, answers ? { answers } : { note }),
  // 休息室货架 (docs/shelf.md, R07 §二3): goods, sales, stocktakes, the weekly reconciliation, losses.
  shelfPosts: (siteId) => http.get('shelf/posts', { site_id: siteId }),
  shelfGoods: (postId) => http.get('shelf/goods', { post_id: postId }),
  addShelfGoods: create('shelf/goods'),
  receiveShelfGoods: (id, quantity) => http.post(`shelf/goods/${encodeURIComponent(id)}/receipts`, { quantity }),
  sellShelfGoods: (id, quantity) => http.post(`shelf/goods/${encodeURIComponent(id)}/sales`, { quantity }),
  listShelfStocktakes: page('shelf/stocktakes'),
  takeStock: create('shelf/stocktakes'),
  listShelfReconciliations: page('shelf/reconciliations'),
  reconcileShelf: create('shelf/reconciliations'),
  recordShelfLoss: create('shelf/losses'),
  // 宿舍管理 (docs/rooms.md, issue 19 §5): rooms, beds, the key register, inspections.
  listRooms: page('rooms'),
  createRoom: create('rooms'),
  listRoomPlaces: () => http.get('room-places'),
  getRoom: (id) => http.get(`rooms/${encodeURIComponent(id)}`),
  allocateBed: (id, body) => http.post(`rooms/${encodeURIComponent(id)}/allocations`, body),
  releaseBed: (id, personId) => http.post(`rooms/${encodeURIComponent(id)}/release`, { person_id: personId }),
  setRoomLeader: (id, personId) => http.put(`rooms/${encodeURIComponent(id)}/leader`, { person_id: personId }),
  addRoomLocker: (id, label) => http.post(`rooms/${encodeURIComponent(id)}/lockers`, { label }),
  giveRoomLocker: (id, personId) => http.post(`room-lockers/${encodeURIComponent(id)}/give`, { person_id: personId }),
  takeBackRoomLocker: (id) => http.post(`room-lockers/${encodeURIComponent(id)}/take-back`, {}),
  addRoomKey: (id, label) => http.post(`rooms/${encodeURIComponent(id)}/keys`, { label }),
  issueRoomKey: (id, personId) => http.post(`room-keys/${encodeURIComponent(id)}/issue`, { person_id: personId }),
  returnRoomKey: (id) => http.post(`room-keys/${encodeURIComponent(id)}/return`, {}),
  loseRoomKey: (id, note) => http.post(`room-keys/${encodeURIComponent(id)}/lost`, { note }),
  listRoomInspections: (id) => http.get(`rooms/${encodeURIComponent(id)}/inspections`),
  inspectRoom: (id, body) => http.post(`rooms/${encodeURIComponent(id)}/inspections`, body),
  roomInspectionForm: () => http.get('room-inspection-form'),
  // Office screen and phone screens (issue 19 §1, §5): applications, facts, damage, leavers, 值日表.
  roomApplicationTypes: () => http.get('room-application-types'),
  applyForRoom: (body) => http.post('room-applications', body),
  getRoomFacts: (personId) => http.get(`room-facts/${encodeURIComponent(personId)}`),
  setRoomFacts: (personId, facts) => http.put(`room-facts/${encodeURIComponent(personId)}`, { facts }),
  listRoomDamage: (id) => http.get(`rooms/${encodeURIComponent(id)}/damage`),
  reportRoomDamage: (id, body) => http.post(`rooms/${encodeURIComponent(id)}/damage`, body),
  settleRoomDamage: (id, body) => http.post(`room-damage/${encodeURIComponent(id)}/settle`, body),
  listRoomLeavers: (siteId) => http.get('room-leavers', { site_id: siteId }),
  recordRoomLeaver: (body) => http.post('room-leavers', body),
  roomRota: (id, from, days) => http.get(`rooms/${encodeURIComponent(id)}/rota`, { from, days }),
  saveRoomRota: (id, days) => http.put(`rooms/${encodeURIComponent(id)}/rota`, { days }),
  listDeadlines: page('deadlines'),
  uploadPhoto: (file) => http.request('POST', 'photos', { raw: file }),
  roomCheckIn: (id, personId) => http.post(`rooms/${encodeURIComponent(id)}/presence`, personId ? { person_id: personId } : {}),
  roomPresence: (id, date) => http.get(`rooms/${encodeURIComponent(id)}/presence`, { date }),
}

// A download link (XLSX, iCal) relative to the page, as the API client builds its URLs.
export function apiHref(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''))
  const s = q.toString()
  return `api/v1/${path}${s ? `?${s}` : ''}`
}

// Fetches every page of a list (for small pick lists such as sites in a filter), bounded.
export async function listAll(fn, params = {}, { limit = 200, maxPages = 20 } = {}) {
  const out = []
  let cursor = null
  for (let i = 0; i < maxPages; i++) {
    const res = await fn({ ...params, limit, cursor: cursor || undefined })
    out.push(...(res?.items || []))
    cursor = res?.next_cursor
    if (!cursor) break
  }
  return out
}
