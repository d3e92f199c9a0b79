"""A month of the 客服部 on zhidu (issue 20's done-when), over HTTP against the real binary, at an
accelerated clock, on both backends. The shipped pack and demo company, plus the site's own roster
pattern (a file of the pack, as a company writes its own); the demo's other posts are marked not
staffed (不设岗) so that their duties are not missed against nobody all month (not this scenario's
subject, as in test_fire_month).

* **Roster:** R19 §三2.5) has the 客服主管 make the schedule and gives no shift times, so the site's
  pattern puts the department's post 客服岗 on a weekday day shift whose start and end are the
  working hours the server reports (R04 §二12, 上午8:00 … 下午5:00) — published for December for the
  team 客服组: the demo's 吴客服 (cs1, agent A) and a second agent B created here.
* **Attendance:** both take the post before 08:00 and leave after 17:00 every rostered day, except
  that A takes it at 08:12 on Dec 3 and 08:25 on Dec 10 — exactly two late arrivals, found by the
  server (attendance against the roster), charged under the site's code and counted up R13's
  ladder; B does not come on Dec 17, for which B filed leave (请假, r13-leave) on Dec 15 that the
  supervisor approves only on Dec 18 — after the absence was found and charged: the approval
  withdraws the finding and its violation (journaled, citing the request), so B is not charged.
* **Discipline (R03 §二, R13 第三则):** a case from A's first lateness — education with a
  correction order whose deadline is the site's r03_correction_within → 拒不整改 (refused) → the
  report to the manager → with the second lateness (再犯) 区内通报批评 with a second order → its
  deadline missed → company discipline (by the scheduler) → 辞退 under the 总经理's signed approval
  of r03-dismissal naming the case, an inspector's R03-CONDUCT violation joining it.
* **Service:** a customer's tickets taken by A and B, resolved; the customers answer the survey
  links; the 客服主管 reviews tickets (质检评分); R14's daily statistics read back.
* **Assessment:** the 客服经理 enters the manager's scores; R11, R14 and R19's schemes run for
  2026-12; the R11 pay inputs are entered; each month is closed, and closing twice is refused.
* Then the test **recomputes** every finding, indicator, score and pay figure from the source
  records it fetched through the API (the roster's assignments, its own arrival times, tickets,
  surveys, reviews, manager's scores, violations) with the pack's formulas as written in
  policies/cn-default, and asserts they are the server's.

Every figure the regulations leave open is the site's own, set by this test as an administrator
would (SITE_PARAMETERS, WEIGHTS, PAY_INPUTS below); none is a regulation's."""
import datetime as dt
import io
import math
import os
import time
import types
import zipfile

import pytest
import yaml

from test_assessment_api import fetch_bytes
from test_month_scenario import Operator  # an Actor for an account the test created
from zhidu_harness import ROOT, Actor, all_items, clock_server, ok, pack_with_file, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 30, 20, 0, tzinfo=TZ)  # the evening before the month
PERIOD = "2026-12"
POST = "客服岗"
TEAM = "客服组"
SCHEMES = ("r11-performance", "r14-attendance-performance", "r19-staff-kpi")
LATE = {3: (8, 12), 10: (8, 25)}  # A's two late arrivals: day → (hour, minute)
LEAVE_DAY = 17  # B's leave, approved on the 18th
PASSWORD = "correct horse 1"

# The site's roster pattern (R19 gives no shift times; the times are the working hours, R04 §二12).
SITE_PATTERN = """regulation: R19
shift_patterns:
  - id: site-cs-weekdays
    title: 客服部白班（本单位：周一至周五，按工作时间上下班）
    clause: ["R19 §三2.5)", "R04 §二12"]
    post: 客服岗
    shifts:
      - {id: day, name: 白班, start: "08:00", end: "17:00"}
    teams: [全体]
    cycle: [day, day, day, day, day, off, off]
    order_is_site_choice: true
"""

# This site's own values where the regulations give none (site parameters without defaults).
SITE_PARAMETERS = {
    "attendance_late_code": "R13-DISCIPLINE",    # 违反劳动纪律（迟到、早退、旷工、脱岗）
    "attendance_absent_code": "R13-DISCIPLINE",
    "r03_correction_within": "3d",               # R03 gives no period for 整改
    "service_survey_after": "1h",
    "service_quality_review_scale": "0,100",
    "service_routing": "manual",                 # the agents take their own tickets
}
# The site's weights for R11/R14/R19 (no regulation gives any).
WEIGHTS = {"weight_business": 0.1, "weight_satisfaction": 0.3, "weight_attitude": 0.4,
           "weight_management": 0.2,
           "r14_weight_attendance": 0.5, "r14_weight_performance": 0.2, "r14_weight_attitude": 0.3,
           "r19_weight_performance": 0.6, "r19_weight_attendance": 0.4}
WEIGHT_PREFIX = {"r11-performance": "weight_", "r14-attendance-performance": "r14_weight_",
                 "r19-staff-kpi": "r19_weight_"}
# The site's pay for R11's formula, whole fen (the regulation's pay table, its 7、, is missing).
PAY_INPUTS = {"A": {"base_pay": 420000, "performance_pay": 3150},
              "B": {"base_pay": 405000, "performance_pay": 3150}}
MANAGER = {"A": {"management": 62, "attitude": 58}, "B": {"management": 86, "attitude": 91.5}}


def at(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def parse(s):
    return dt.datetime.fromisoformat(s)


def in_month(s):
    return at(1, 0) <= parse(s) < dt.datetime(2027, 1, 1, tzinfo=TZ)


@pytest.fixture
def month_server(require_backend, tmp_path):
    s = clock_server(require_backend, START, pack_with_file(tmp_path, "S19.yaml", SITE_PATTERN))
    yield s
    s.kill()


class Month:
    def __init__(self, server):
        self.server = server
        self.admin = Actor(server, "admin")
        self.site = ok(self.admin.get("/api/v1/sites"))["items"][0]["id"]
        posts = all_items(self.admin, f"/api/v1/posts?site_id={self.site}&limit=200")
        self.post = next(p["id"] for p in posts if p["name"] == POST)
        self.other_posts = [p["id"] for p in posts if p["id"] != self.post]
        self.lead = Actor(server, "cs_lead")        # 客服主管
        self.manager = Actor(server, "cs_manager")  # 客服经理: assessment.manage, discipline
        self.gm = Actor(server, "general_mgr")      # 总经理
        self.agents = {"A": Actor(server, "cs1")}
        self.person = {"A": self.agents["A"].me()["person_id"]}
        self.arrived = {}  # (agent, day) → when they took the post (the test's own record)
        self.clock_moves = 0

    def to(self, t):
        ok(self.admin.post("/api/v1/test/clock", {"to": t.isoformat()}))
        self.clock_moves += 1

    def param(self, name, value):
        ok(self.admin.call("PUT", f"/api/v1/sites/{self.site}/parameters/{name}", {"value": str(value)}))

    def journal(self, kind):
        return [r for r in all_items(self.admin, "/api/v1/journal?limit=500") if r["kind"] == kind]

    def findings(self, who):
        return all_items(self.admin, f"/api/v1/attendance-findings?site_id={self.site}"
                                     f"&person_id={self.person[who]}")


def setup_department(m):
    """The site's parameters, the posts it does not staff this month, agent B, the roster."""
    for name, value in SITE_PARAMETERS.items():
        m.param(name, value)
    for p in m.other_posts:
        ok(m.admin.call("PUT", f"/api/v1/posts/{p}/staffing",
                        {"staffed": False, "reason": "本月仅客服部客服岗排班"}))
    dept = next(d["id"] for d in all_items(m.admin, f"/api/v1/departments?site_id={m.site}")
                if d["name"] == "客服部")
    team = next(t["id"] for t in all_items(m.admin, f"/api/v1/teams?site_id={m.site}")
                if t["name"] == TEAM)
    b = ok(m.admin.post("/api/v1/people", {"site_id": m.site, "department_id": dept, "team_id": team,
                                           "name": "考核测试·钱客服"}), 201)["id"]
    ok(m.admin.post("/api/v1/accounts", {"username": "cs_month", "password": PASSWORD, "person_id": b,
                                         "roles": [{"role": "客服专员", "scope_kind": "site",
                                                    "scope_id": m.site}]}), 201)
    m.agents["B"] = Operator(m.server, "cs_month", PASSWORD)
    m.person["B"] = b

    # The shift times are the working hours the server holds for the site (R04 §二12).
    hours = ok(m.admin.get(f"/api/v1/sites/{m.site}/working-hours"))["site"]["hours"]
    assert (hours[0][:5], hours[-1][-5:]) == ("08:00", "17:00"), hours
    roster = ok(m.lead.post("/api/v1/rosters", {
        "site_id": m.site, "post_id": m.post, "pattern": "site-cs-weekdays", "team_ids": [team],
        "first_day": "2026-12-01", "last_day": "2026-12-31", "cycle_start": "2026-11-30"}), 201)
    ok(m.lead.post(f"/api/v1/rosters/{roster['id']}/publish"))
    m.roster_id = roster["id"]
    return roster


def shifts_by_day(m):
    """The published roster's assignments: day → {agent: assignment}, read back over the API."""
    roster = ok(m.admin.get(f"/api/v1/rosters/{m.roster_id}"))
    assert roster["state"] == "published", roster
    agent_of = {v: k for k, v in m.person.items()}
    days = {}
    for a in roster["assignments"]:
        if a["state"] in ("active", "leave") and a["person_id"] in agent_of:
            days.setdefault(parse(a["starts_at"]).day, {})[agent_of[a["person_id"]]] = a
    return dict(sorted(days.items()))


def take_post(m, who, t):
    ok(m.agents[who].post(f"/api/v1/posts/{m.post}/attendance"), 201)
    m.arrived[(who, t.day)] = t


def leave_post(m, who):
    ok(m.agents[who].post(f"/api/v1/posts/{m.post}/attendance:leave", {}))


def ticket(m, who, customer, subject, resolve):
    agent = m.agents[who]
    t = ok(agent.post("/api/v1/service/tickets", {"site_id": m.site, "queue_post_id": m.post,
                                                  "subject": subject, "customer_id": customer}), 201)
    ok(agent.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": m.person[who]}))
    if resolve:
        t = ok(agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "resolved"}))
    return t["id"]


def answer_survey(m, who, ticket_id, score, reason=None):
    token = ok(m.agents[who].post(f"/api/v1/service/tickets/{ticket_id}/survey-link"), 201)["token"]
    public = m.server.client()
    ok(public.post(f"/api/v1/service/surveys/{token}",
                   {"score": score} if reason is None else {"score": score, "reason": reason}), 201)
    public.close()


def violation_of(m, who, day):
    """The violation the server charged for `who`'s finding of the shift on `day`."""
    ok(m.admin.post("/api/v1/attendance-findings:check", {"site_id": m.site}))
    f = next(f for f in m.findings(who) if parse(f["shift_start"]).day == day)
    assert f["violation_id"], f
    return ok(m.admin.get(f"/api/v1/violations/{f['violation_id']}"))


def test_a_department_month_recomputed_from_its_records(month_server):
    began = time.monotonic()
    m = Month(month_server)
    setup_department(m)
    days = shifts_by_day(m)
    # Weekdays only (the site's cycle from Monday 30 November): 23 shifts each.
    assert list(days) == [d for d in range(1, 32) if at(d, 8).weekday() < 5], list(days)
    assert all(set(v) == {"A", "B"} for v in days.values()), days
    for v in days.values():
        for a in v.values():
            assert (parse(a["starts_at"]).time(), parse(a["ends_at"]).time()) == (
                dt.time(8, 0), dt.time(17, 0)), a
    customer = ok(m.admin.post("/api/v1/service/customers", {
        "site_id": m.site, "kind": "person", "name": "演示客户·周女士", "phones": ["13800138000"]}), 201)["id"]
    tickets = {"A": [], "B": []}
    case = None
    leave_request = None

    for day in days:
        # Arrivals: before 08:00, except A's two late days and B's day on leave.
        m.to(at(day, 7, 50))
        for who in ("A", "B"):
            if (who == "A" and day in LATE) or (who == "B" and day == LEAVE_DAY):
                continue
            take_post(m, who, at(day, 7, 50))
        if day in LATE:
            m.to(at(day, *LATE[day]))
            take_post(m, "A", at(day, *LATE[day]))
        # The day's business at 10:00.
        if day in (1, 2, 4, 8, 11, 15, 18, 28):
            m.to(at(day, 10, 0))
        if day == 1:
            tickets["A"] += [ticket(m, "A", customer, "订单查询", True), ticket(m, "A", customer, "退款咨询", True)]
            tickets["B"] += [ticket(m, "B", customer, "发票问题", True)]
        if day == 2:
            tickets["A"] += [ticket(m, "A", customer, "物流投诉", False)]  # received, never resolved
        if day == 4:
            # 拒不整改: the education's correction order refused; the report to the manager follows.
            case = ok(m.manager.post(f"/api/v1/discipline-cases/{case['id']}/correction",
                                     {"outcome": "refused", "note": "拒绝整改迟到问题"}))
            assert (case["step"], case["state"]) == ("report-manager", "open"), case
        if day == 8:
            tickets["B"] += [ticket(m, "B", customer, "安装预约", True)]
            tickets["A"] += [ticket(m, "A", customer, "账户解锁", True)]
        if day == 11:
            # An inspector (the 客服主管, ledger.record) records A's conduct: R03's ladder, 1st.
            v3 = ok(m.lead.post("/api/v1/violations", {
                "site_id": m.site, "person_id": m.person["A"], "code": "R03-CONDUCT",
                "occurred_at": at(11, 9, 30).isoformat(), "note": "工作时间未着工装"}), 201)
            assert (v3["occurrence"], v3["consequence"]["discipline"]) == (1, "educate"), v3
        if day == 15:
            leave_request = file_leave(m)
        if day == 18:
            approve_leave_late(m, leave_request)
        if day == 28:
            case = dismiss(m, case, v3)
        # The day ends: both leave the post after 17:00; the surveys (due an hour after the
        # resolution) are answered; the discipline steps of the day.
        m.to(at(day, 17, 5))
        for who in ("A", "B"):
            if (who, day) in m.arrived:
                leave_post(m, who)
        if day == 1:
            answer_survey(m, "A", tickets["A"][0], 5)
            answer_survey(m, "A", tickets["A"][1], 2, "等待太久")
            answer_survey(m, "B", tickets["B"][0], 4)
        if day == 8:
            answer_survey(m, "B", tickets["B"][1], 5)
            answer_survey(m, "A", tickets["A"][3], 4)
            for tid, score in [(tickets["A"][0], 80), (tickets["A"][1], 90.5), (tickets["B"][0], 70),
                               (tickets["B"][1], 88)]:
                ok(m.lead.post(f"/api/v1/service/tickets/{tid}/quality-review",
                               {"score": score, "comment": "月度质检"}), 201)
        if day == 3:
            case = open_case(m)
        if day == 10:
            case = criticise(m, case)
        if day == 14:
            # The 区内通报批评's order ran out on the 13th with nothing recorded: the scheduler
            # moved the case to company discipline by itself.
            case = ok(m.manager.get(f"/api/v1/discipline-cases/{case['id']}"))
            missed, moved = case["events"][-2:]
            assert (missed["kind"], missed["actor"]) == ("missed", None), case["events"]
            assert (moved["kind"], moved["step"], case["state"]) == (
                "step", "company-discipline", "open"), case
        if day == LEAVE_DAY:
            # B's absence is found (the leave is still pending) and charged.
            ok(m.admin.post("/api/v1/attendance-findings:check", {"site_id": m.site}))
            [absent] = [f for f in m.findings("B") if parse(f["shift_start"]).day == LEAVE_DAY]
            assert (absent["kind"], absent["withdrawn_request"]) == ("absent", None), absent
            v = ok(m.admin.get(f"/api/v1/violations/{absent['violation_id']}"))
            assert (v["code"], v["state"]) == ("R13-DISCIPLINE", "recorded"), v

    # The month is over: the last shift judged, the manager's scores, the runs.
    m.to(dt.datetime(2027, 1, 1, 0, 10, tzinfo=TZ))
    ok(m.admin.post("/api/v1/attendance-findings:check", {"site_id": m.site}))
    check_findings(m, days)
    check_case(m, case)
    check_ledger(m)
    runs = assess(m)
    recompute(m, runs, tickets)
    pay = check_pay(m, runs)
    close_month(m, pay)
    elapsed = time.monotonic() - began
    print(f"department month: {m.clock_moves} clock moves, {elapsed:.1f} s")
    m.server.stop()
    v = m.server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def open_case(m):
    """Dec 3, after A's first lateness: its violation is R13's 1st (教育), the case opens there."""
    v1 = violation_of(m, "A", 3)
    assert (v1["code"], v1["occurrence"], v1["consequence"]["discipline"]) == (
        "R13-DISCIPLINE", 1, "educate"), v1
    assert v1["subject"].startswith("roster_assignment/") and v1["source"] == "auto", v1
    case = ok(m.manager.post("/api/v1/discipline-cases", {
        "site_id": m.site, "person_id": m.person["A"], "violation_ids": [v1["id"]],
        "note": "上班迟到"}), 201)
    assert (case["step"], case["state"], case["ladder"]) == ("educate", "correcting", "r03-progressive")
    # The correction's deadline is the site's r03_correction_within from the order.
    assert parse(case["correction_due"]) == at(3, 17, 5) + dt.timedelta(days=3), case
    # A step out of order is refused, nothing written.
    refused(m.manager.post(f"/api/v1/discipline-cases/{case['id']}/steps", {"step": "dismissal"}),
            409, "discipline.step_out_of_order", "step")
    return case


def criticise(m, case):
    """Dec 10, after A's second lateness (再犯): R13's 2nd is the report to the manager; the case
    moves on to 区内通报批评 with a new correction order, the violation joining it."""
    v2 = violation_of(m, "A", 10)
    assert (v2["occurrence"], v2["consequence"]["discipline"]) == (2, "report-manager"), v2
    case = ok(m.manager.post(f"/api/v1/discipline-cases/{case['id']}/steps", {
        "step": "public-criticism", "violation_ids": [v2["id"]], "note": "区内通报批评，责令整改"}))
    assert (case["step"], case["state"]) == ("public-criticism", "correcting"), case
    assert parse(case["correction_due"]) == at(10, 17, 5) + dt.timedelta(days=3), case
    assert case["on_refusal"]["id"] == "company-discipline", case
    return case


def dismiss(m, case, v3):
    """Dec 28: 辞退 only under the 总经理's signed approval of a request naming the case."""
    path = f"/api/v1/discipline-cases/{case['id']}"
    refused(m.manager.post(f"{path}/steps", {"step": "dismissal"}), 409,
            "discipline.approval_required", "request_id")
    req = ok(m.manager.post("/api/v1/requests", {"site_id": m.site, "type": "r03-dismissal",
                                                 "inputs": {"case.id": case["id"]},
                                                 "reason": "多次迟到，拒不整改"}), 201)
    refused(m.manager.post(f"{path}/steps", {"step": "dismissal", "request_id": req["id"]}), 409,
            "discipline.not_approved")
    ok(m.gm.post(f"/api/v1/requests/{req['id']}/decisions",
                 {"approve": True, "password": m.server.credentials()["general_mgr"][0],
                  "note": "同意辞退"}), 201)
    case = ok(m.manager.post(f"{path}/steps", {"step": "dismissal", "request_id": req["id"],
                                               "violation_ids": [v3["id"]], "note": "依总经理批准辞退"}))
    assert (case["step"], case["state"], case["outcome"]) == ("dismissal", "closed", "ended"), case
    refused(m.manager.post(f"{path}/close", {}), 409, "discipline.case_closed")
    return case


def file_leave(m):
    """Dec 15: B asks for leave on the 17th, beforehand (R13 第二则·准则·(5) 事前陈述)."""
    types_ = ok(m.admin.get("/api/v1/request-types"))["items"]
    [leave] = [t for t in types_ if {"roster_leave.from", "roster_leave.to"} <= set(t["inputs"])]
    day = at(LEAVE_DAY, 0).date().isoformat()
    req = ok(m.agents["B"].post("/api/v1/requests", {
        "site_id": m.site, "type": leave["id"], "reason": "家中有事",
        "inputs": {"roster_leave.from": day, "roster_leave.to": day}}), 201)
    assert req["state"] == "pending", req
    return req


def approve_leave_late(m, req):
    """Dec 18: the supervisor approves the leave only now — after the 17th's absence was found
    and charged. The approval withdraws both, citing the request; B is not charged."""
    [before] = [f for f in m.findings("B") if parse(f["shift_start"]).day == LEAVE_DAY]
    decided = ok(m.lead.post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True, "note": "同意"}), 201)
    assert decided["state"] == "approved", decided
    [after] = [f for f in m.findings("B") if parse(f["shift_start"]).day == LEAVE_DAY]
    assert after["id"] == before["id"] and after["withdrawn_request"] == req["id"], after
    assert parse(after["withdrawn_at"]) == at(18, 10), after
    v = ok(m.admin.get(f"/api/v1/violations/{before['violation_id']}"))
    assert v["state"] == "overturned" and f"#{req['id']}" in v["decision_note"], v
    [withdrawn] = [r for r in m.journal("attendance.finding.withdrawn")
                   if r["payload"]["request_id"] == req["id"]]
    assert withdrawn["subject"] == f"attendance_finding/{before['id']}", withdrawn
    assert "R13 第二则·准则·(5)" in withdrawn["payload"]["clauses"], withdrawn
    [ledger] = [r for r in m.journal("violation.withdrawn") if r["payload"]["id"] == v["id"]]
    assert ledger["payload"]["request_id"] == req["id"], ledger
    # The roster shows the shift as leave.
    a = next(x for x in ok(m.admin.get(f"/api/v1/rosters/{m.roster_id}"))["assignments"]
             if x["id"] == before["assignment_id"])
    assert a["state"] == "leave", a


def check_findings(m, days):
    """Every finding is what the roster and the test's own arrival times give: A late twice, by
    the minutes after 08:00 rounded up; B absent once, withdrawn by the leave; nothing else."""
    expected = set()
    for day, shifts in days.items():
        for who, a in shifts.items():
            start = parse(a["starts_at"])
            came = m.arrived.get((who, day))
            if came is None:
                expected.add((who, a["id"], "absent", 0, None))
            elif came > start:
                minutes = math.ceil((came - start).total_seconds() / 60)
                expected.add((who, a["id"], "late", minutes, came))
    found = set()
    for who in ("A", "B"):
        for f in m.findings(who):
            arrived = parse(f["arrived_at"]) if f["arrived_at"] else None
            found.add((who, f["assignment_id"], f["kind"], f["minutes_late"], arrived))
    assert found == expected, (found, expected)
    assert sorted((w, k, n) for w, _, k, n, _ in found) == [("A", "late", 12), ("A", "late", 25),
                                                            ("B", "absent", 0)]


def check_case(m, case):
    case = ok(m.manager.get(f"/api/v1/discipline-cases/{case['id']}"))
    assert [(e["kind"], e["step"]) for e in case["events"]] == [
        ("opened", "educate"), ("refused", "educate"), ("step", "report-manager"),
        ("step", "public-criticism"), ("missed", "public-criticism"), ("step", "company-discipline"),
        ("step", "dismissal")], case["events"]
    assert len(case["violation_ids"]) == 3 and case["outcome"] == "ended", case
    kinds = [r["kind"] for r in all_items(m.admin, "/api/v1/journal?limit=500")
             if r["kind"].startswith("discipline.case.")]
    assert kinds == ["discipline.case.opened", "discipline.case.refused", "discipline.case.step",
                     "discipline.case.step", "discipline.case.missed", "discipline.case.step",
                     "discipline.case.step"], kinds


def check_ledger(m):
    """The ledger's month: A charged with the two late arrivals and the conduct; B with nothing —
    the absence on leave is in the record, withdrawn (overturned), not counted."""
    for who, want in (("A", 3), ("B", 0)):
        st = ok(m.admin.get(f"/api/v1/ledger/statements?site_id={m.site}&person_id={m.person[who]}"
                            f"&month={PERIOD}"))
        mine = all_items(m.admin, f"/api/v1/violations?site_id={m.site}&person_id={m.person[who]}")
        assert st["counted"] == want == len([v for v in mine if v["state"] != "overturned"
                                             and in_month(v["occurred_at"])]), (who, st)
    [withdrawn] = st["violations"]
    assert (withdrawn["code"], withdrawn["state"]) == ("R13-DISCIPLINE", "overturned"), withdrawn


def assess(m):
    """The manager's scores on the site's scale, the site's weights, then the three runs."""
    body = {"site_id": m.site, "period": PERIOD}
    score = {**body, "assessment": "r11-performance", "person_id": m.person["A"],
             "indicator": "management", "score": 62, "comment": "按月评定"}
    refused(m.manager.post("/api/v1/assessment-manager-scores", score), 409, "assessment.scale_unset")
    m.param("assessment_manager_scale", "0,100")
    refused(m.manager.post("/api/v1/assessment-manager-scores", {**score, "score": 101}), 400,
            "assessment.score_out_of_scale", "score")
    for who, scores in MANAGER.items():
        for indicator, value in scores.items():
            scheme = "r11-performance" if indicator == "management" else "r14-attendance-performance"
            ok(m.manager.post("/api/v1/assessment-manager-scores", {
                **body, "assessment": scheme, "person_id": m.person[who], "indicator": indicator,
                "score": value, "comment": "态度" if indicator == "attitude" else "管理指标"}), 201)
    e = refused(m.manager.post("/api/v1/assessment-runs", {**body, "assessment": "r14-attendance-performance"}),
                409, "assessment.weight_unset")
    assert "r14_weight_attendance" in e["message"], e
    for name, value in WEIGHTS.items():
        m.param(name, value)
    runs = {}
    for scheme in SCHEMES:
        run = ok(m.manager.post("/api/v1/assessment-runs", {**body, "assessment": scheme}), 201)
        runs[scheme] = {s["person_id"]: s for s in run["scores"]}
        assert set(runs[scheme]) == {m.person["A"], m.person["B"]}, run
    return runs


def pack_scheme(scheme_id):
    """The scheme as written in policies/cn-default (its formulas are what the test evaluates)."""
    for name in sorted(os.listdir(os.path.join(ROOT, "policies", "cn-default"))):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(ROOT, "policies", "cn-default", name), encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for a in (doc or {}).get("assessments", []) if isinstance(doc, dict) else []:
            if a["id"] == scheme_id:
                return a
    raise AssertionError(scheme_id)


def evaluate(formula, values):
    """The pack's formula (plain arithmetic of indicator ids and w.<id>) in Python."""
    expr = " ".join(formula.split())
    assert set(expr) <= set("abcdefghijklmnopqrstuvwxyz_. +-*/()0123456789"), expr
    return eval(expr, {"__builtins__": {}}, values)  # noqa: S307 — the pack's own arithmetic


def recompute(m, runs, tickets):
    """Every indicator and score from the records read back over the API."""
    ids = [t for ts in tickets.values() for t in ts]
    read = [ok(m.admin.get(f"/api/v1/service/tickets/{t}")) for t in ids]
    findings = {who: m.findings(who) for who in ("A", "B")}
    for who in ("A", "B"):
        person = m.person[who]
        overturned = set()
        for f in findings[who]:
            if f["violation_id"]:
                v = ok(m.admin.get(f"/api/v1/violations/{f['violation_id']}"))
                if v["state"] == "overturned":
                    overturned.add(f["violation_id"])
        counted = sorted(f["id"] for f in findings[who] if in_month(f["shift_start"])
                         and f["withdrawn_request"] is None and f["violation_id"] not in overturned)
        received = sorted({t["id"] for t in read for e in t["thread"]
                           if e["kind"] == "assign" and e["person_id"] == person and in_month(e["at"])})
        resolved = sorted(t["id"] for t in read if t["assignee"] == person and t["state"] == "resolved"
                          and in_month(t["resolved_at"]))
        answered = [s for t in read for s in t["surveys"]
                    if s["agent"] == person and s["state"] == "answered" and s["channel"] == "link"]
        reviews = [q for t in read for q in t["quality_reviews"] if q["person_id"] == person]
        sources = {
            "roster": (len(counted), counted, "attendance_finding"),
            "daily_stats": (len(received), received, "ticket"),
            "tickets": (len(resolved), resolved, "ticket"),
            "surveys": (100.0 * sum(s["satisfied"] for s in answered) / len(answered),
                        sorted(s["id"] for s in answered), "survey"),
            "quality_review": (sum(q["score"] for q in reviews) / len(reviews),
                               sorted(q["id"] for q in reviews), "quality_review"),
        }
        for scheme in SCHEMES:
            pack = pack_scheme(scheme)
            s = runs[scheme][person]
            values = {v["indicator"]: v for v in s["values"]}
            assert set(values) == {i["id"] for i in pack["indicators"]}, values
            env = {"w": types.SimpleNamespace()}
            for ind in pack["indicators"]:
                v = values[ind["id"]]
                weight = WEIGHTS[ind["weight"]["param"]]
                assert ind["weight"]["param"].startswith(WEIGHT_PREFIX[scheme])
                assert v["weight"] == pytest.approx(weight), v
                if ind["source"] == "manager":
                    want, records, kind = MANAGER[who][ind["id"]], None, None
                else:
                    want, records, kind = sources[ind["source"]]
                assert v["computed"] and v["value"] == pytest.approx(want), (scheme, who, v, want)
                if records is not None:
                    assert (sorted(v["records"]), v["record_kind"]) == (records, kind), (scheme, v)
                assert v["clauses"], v
                env[ind["id"]] = want
                setattr(env["w"], ind["id"], weight)
            want = evaluate(pack["formula"], env)
            assert s["computed"] and s["score"] == pytest.approx(want), (scheme, who, s, want)
    # The figures of this month, spelled out: A's two late arrivals count, B's withdrawn absence
    # does not; A received 4 tickets and resolved 3; B 2 and 2.
    a, b = m.person["A"], m.person["B"]
    att = {p: next(v for v in runs["r14-attendance-performance"][p]["values"] if v["indicator"] == "attendance")
           for p in (a, b)}
    assert (att[a]["value"], att[b]["value"]) == (2, 0), att
    r11 = {p: [v["value"] for v in runs["r11-performance"][p]["values"]] for p in (a, b)}
    assert r11[a] == pytest.approx([4, 200 / 3, 85.25, 62]), r11
    assert r11[b] == pytest.approx([2, 100.0, 79, 86]), r11
    # R14's daily statistics of Dec 1, from the same tickets (R14 §1.1.1).
    stats = ok(m.manager.get(f"/api/v1/service/daily-stats?site_id={m.site}&day=2026-12-01"))
    rows = {r["person_id"]: r for r in stats["items"]}
    assert (rows[a]["received"], rows[a]["resolved"], rows[b]["received"]) == (2, 2, 1), stats


def check_pay(m, runs):
    """R11's pay: the pack's formula over the score and the site's inputs, whole fen, halves away
    from zero."""
    pack = pack_scheme("r11-performance")
    body = {"site_id": m.site, "assessment": "r11-performance", "period": PERIOD}
    for who, inputs in PAY_INPUTS.items():
        ok(m.manager.post("/api/v1/assessment-pay-inputs", {**body, "person_id": m.person[who],
                                                            "inputs": inputs}), 201)
    lines = {x["person_id"]: x for x in ok(m.manager.get(
        f"/api/v1/assessment-pay?site_id={m.site}&assessment=r11-performance&period={PERIOD}"))["items"]}
    out = {}
    for who, inputs in PAY_INPUTS.items():
        p = m.person[who]
        score = runs["r11-performance"][p]["score"]
        want = evaluate(pack["pay"], {**inputs, "score": score})
        want = int(math.floor(want + 0.5)) if want >= 0 else -int(math.floor(-want + 0.5))
        assert (lines[p]["pay_fen"], lines[p]["inputs_fen"]) == (want, inputs), (lines[p], want)
        out[who] = want
    return out


def close_month(m, pay):
    body = {"site_id": m.site, "period": PERIOD}
    for scheme in SCHEMES:
        closed = ok(m.manager.post("/api/v1/assessment-periods:close", {**body, "assessment": scheme}), 201)
        assert closed["closed"] is True, closed
    refused(m.manager.post("/api/v1/assessment-periods:close", {**body, "assessment": "r11-performance"}),
            409, "assessment.already_closed")
    refused(m.manager.post("/api/v1/assessment-runs", {**body, "assessment": "r19-staff-kpi"}), 409,
            "assessment.period_closed")
    refused(m.manager.post("/api/v1/assessment-pay-inputs", {
        **body, "assessment": "r11-performance", "person_id": m.person["A"],
        "inputs": {"base_pay": 1}}), 409, "assessment.period_closed")
    assert len(m.journal("assessment.period.closed")) == len(SCHEMES)
    # Frozen: the pay is what it was.
    lines = {x["person_id"]: x["pay_fen"] for x in ok(m.manager.get(
        f"/api/v1/assessment-pay?site_id={m.site}&assessment=r11-performance&period={PERIOD}"))["items"]}
    assert lines == {m.person[w]: v for w, v in pay.items()}, lines
    # Payroll reads the closed month: the workbook holds each recomputed pay and input, in fen.
    xlsx = fetch_bytes(m.server, m.manager.client, "/api/v1/assessment-pay/export.xlsx?"
                       f"site_id={m.site}&assessment=r11-performance&period={PERIOD}")
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    for who, value in pay.items():
        assert f"<v>{value}</v>" in sheet and f"<v>{PAY_INPUTS[who]['base_pay']}</v>" in sheet, sheet
