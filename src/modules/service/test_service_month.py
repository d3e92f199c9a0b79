"""A month of a 50-agent customer-service department (issue 18's done-when) at an accelerated clock,
over HTTP against the real binary, on both backends, one server each: Monday 2026-09-14 to Tuesday
2026-10-13 in Shanghai, the test clock stepped within a day and never more than a day at a time.

The department: 50 agents (客服专员) on the three queues 订单组 (15), 投诉组 (15) and 客服组 (20);
each working day a crew of three per queue goes on its post (attendance) at 08:00; two leave at
17:45 and the first stays on the post until the next crew's first relieves them (R08 §二1: the
last one on a post leaves only naming who takes over), so routing may only send to them. Each
working day every queue gets a normal ticket at 09:00 (投诉组's is a complaint: the 客户反馈表 is
forwarded, answered by the departments, and closes only on a satisfied answer, then the return
visit), a high-priority one at 10:00 (the customer 优质客户 on even days) and a 优质客户's at 16:30
that waits on the customer overnight (pending: its clocks pause) and is resolved the next working
day after the customer's message; some tickets are reopened by the customer, one is reassigned by
the 客服主管, a call before anyone is on a post waits unassigned for the first crew, calls after
hours and on 国庆 go to the agent still on the post. 订单组 takes a retail order at 10:00 (shipped
at 16:30, once late) and one at 17:45 (after the cut-off), a bulk order through the five reviews
every fifth working day (one decided after 17:30), and an order on 国庆. Customers answer the
survey links once due (the site surveys two hours after resolution).

Every expectation is derived here from the regulations, never read back from the server:
* working time (SLAs): R04 §二12's 8:00-11:30, 13:30-17:00 on the State Council's calendar (the
  pack's copy, checked equal to ../shared/calendars where present: 中秋 09-25…27, 国庆 10-01…07
  off; 09-20 and 10-10 work), walked minute by minute here,
  with this site's targets (the regulations give none: 第一时间, 及时, 高速有效);
* ship dates: R06 §四(二)5 五点半前接单当日发货, 五点半后次日发货 on the business calendar;
* R06 §四(二)4: retail orders under 5 pieces without special requirements get the notice at once;
* routing (issue 18 §4): least-loaded, then assigned longest ago, then the lowest person id, among
  the agents on the post;
* every report figure recounted from what the test did.

What it proves and what it cost to run: the module's README, "The month scenario"."""
import datetime as dt
import pathlib
import statistics
from collections import defaultdict

import pytest
import yaml

from test_service_reports_api import Agent, fetch_bytes, sheets
from test_service_sla_targets_api import PACK, PERIODS, add_working, working_between, working_day
from zhidu_harness import Actor, all_items, clock_server, ok, staff_only

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 9, 14, 7, 30, tzinfo=TZ)
FIRST_DAY, LAST_DAY = dt.date(2026, 9, 14), dt.date(2026, 10, 13)
PASSWORD = "correct horse 1"
SHARED = pathlib.Path(__file__).resolve().parents[3].parent / "shared"
QUEUES = {"订单组": 15, "投诉组": 15, "客服组": 20}  # 50 agents
CREW = 3
KEY = "优质客户"  # R14 §1.2.5's word, the grade the pack's targets treat apart
REVIEWERS = ["销售部门领导", "生产部", "技术部", "研发部", "物控部"]  # R06 §四(二)4's five reviews
FIRST, NEXT, RESOLUTION = "r14-first-response", "r06-next-response", "r06-ticket-resolution"
CUTOFF_LEVEL = "r06-ship-cutoff"
CUTOFF = dt.time(17, 30)  # R06 §四(二)5 下午五时半
SURVEY_AFTER = dt.timedelta(hours=2)
RETURN_VISIT_AFTER = dt.timedelta(days=2)
# This site's targets, by priority × grade (the pack's parameters; the regulations give no figure).
TARGETS = {  # clock → (normal, urgent, key customer, key urgent) in minutes of working time
    "first_response": (60, 30, 30, 15),
    "next_response": (120, 60, 60, 30),
    "resolution": (240, 120, 180, 90),
}
LEVEL_CLOCK = {FIRST: "first_response", NEXT: "next_response", RESOLUTION: "resolution"}
SCORES = [5, 4, 2, 5, 3, 4, 1]  # the customers' answers, in turn (scale 1-5)


# ---- the business calendar and R04's hours, walked minute-exact in the test (not the server's
# code): test_service_sla_targets_api reads the pack's copy of the State Council calendar and R04's
# periods; here they are checked against the shared files the pack cites, where present.
SHARED_CALENDAR = SHARED / "calendars" / "cn-public-holidays.yaml"
if SHARED_CALENDAR.exists():
    _shared = yaml.safe_load(SHARED_CALENDAR.read_text("utf-8"))
    _pack = yaml.safe_load((PACK / "calendars" / "cn-public-holidays.yaml").read_text("utf-8"))
    assert _shared["years"][2026] == _pack["years"][2026]
    # R04 §二12 工作时间(上午:8:00-11:30,下午1:30-5:00)
    assert "上午:8:00-11:30,下午1:30-5:00" in (SHARED / "regulations" / "R04.txt").read_text("utf-8")
assert PERIODS == [(dt.time(8, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))]


def next_working_day(day):
    day += dt.timedelta(days=1)
    while not working_day(day):
        day += dt.timedelta(days=1)
    return day


def ship_by(notice_at):
    """R06 §四(二)5 on the business calendar: before 17:30 on a working day, by that day's end;
    else by the end of the next working day."""
    day = notice_at.date()
    if not (working_day(day) and notice_at.time() < CUTOFF):
        day = next_working_day(day)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), TZ)


def target(clock, priority, grade):
    normal, urgent, key, key_urgent = TARGETS[clock]
    high = priority in ("high", "urgent")
    minutes = key_urgent if high and grade == KEY else urgent if high else key if grade == KEY else normal
    return dt.timedelta(minutes=minutes)


class Deadline:
    """One SLA deadline as the regulations imply it: working time from its start, paused while the
    ticket waits on the customer."""

    def __init__(self, level, start, within):
        self.level, self.start, self.within = level, start, within
        self.stop, self.pauses = None, []

    def due(self):
        consumed, cursor = dt.timedelta(), self.start
        for a, b in self.pauses:
            consumed += working_between(cursor, a)
            if b is None:
                return None  # paused now
            cursor = b
        return add_working(cursor, self.within - consumed)

    def state(self, now):
        due = self.due()
        if self.stop:
            return "met" if self.stop <= due else "met_late"
        if due is None:
            return "paused"
        return "breached" if now >= due else "open"


def parse(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(TZ)


@pytest.fixture
def month(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def test_a_month_of_a_50_agent_department(month):
    srv = month
    admin = Actor(srv, "admin")
    lead = Actor(srv, "cs_lead")  # 客服主管 (R10): the queues' 客服专员 report to it
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    staff_only(admin, site, None, "本月仅客服部")  # the demo's other posts' duties are not this test's
    params = {"service_survey_after": "2h", "service_survey_valid_for": "3d",
              "service_return_visit_after": "2d"}
    for clock, (normal, urgent, key, key_urgent) in TARGETS.items():
        params.update({f"service_{clock}_within": f"{normal}m", f"service_{clock}_urgent": f"{urgent}m",
                       f"service_{clock}_key_customer": f"{key}m",
                       f"service_{clock}_key_urgent": f"{key_urgent}m"})
    for name, value in params.items():
        ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/{name}", {"value": value}))
    queue = {name: ok(admin.post("/api/v1/posts", {"site_id": site, "name": name}), 201)["id"]
             for name in QUEUES}

    # ---- 50 agents: people, accounts (客服专员 at the site), signed in on first use.
    agents = {}   # person id → Agent
    members = {}  # queue → [person id]
    for qname, n in QUEUES.items():
        members[qname] = []
        for i in range(n):
            user = f"m{len(agents):02d}"
            pid = ok(admin.post("/api/v1/people", {"site_id": site, "name": f"月度·{qname}{i + 1:02d}"}),
                     201)["id"]
            ok(admin.post("/api/v1/accounts", {"username": user, "password": PASSWORD, "person_id": pid,
                                               "roles": [{"role": "客服专员", "scope_kind": "site",
                                                          "scope_id": site}]}), 201)
            agents[pid] = (user, None)
            members[qname].append(pid)
    assert len(agents) == 50

    def agent(pid):
        user, a = agents[pid]
        if a is None:
            a = Agent(srv, user, PASSWORD)
            agents[pid] = (user, a)
        return a

    board = []
    for i, role in enumerate(REVIEWERS):
        pid = ok(admin.post("/api/v1/people", {"site_id": site, "name": f"月度评审·{role}"}), 201)["id"]
        ok(admin.post("/api/v1/accounts", {"username": f"mrev{i}", "password": PASSWORD, "person_id": pid,
                                           "roles": [{"role": role, "scope_kind": "site",
                                                      "scope_id": site}]}), 201)
        board.append(Agent(srv, f"mrev{i}", PASSWORD))
    customers = []  # (id, grade)
    for i in range(8):
        grade = KEY if i < 3 else "普通"
        c = ok(admin.post("/api/v1/service/customers", {
            "site_id": site, "kind": "company", "name": f"月度客户{i + 1:02d}",
            "phones": [f"021-6000-{i + 1:04d}"], "grade": grade}), 201)
        customers.append((c["id"], grade))
    key_customers = [c for c in customers if c[1] == KEY]
    plain_customers = [c for c in customers if c[1] != KEY]
    public = srv.client()  # the customers' phones: no sign-in

    # ---- the model: what the test did, to derive every figure.
    now = [START]
    tickets = {}        # id → dict
    deadlines = []      # (ref, Deadline)
    orders = {}         # id → dict
    answers = []        # (ticket id, at, score, satisfied)
    held = defaultdict(int)          # person → tickets new/open/pending
    last_assign = {}                 # person → sequence of their last assignment
    seq = [0]
    received = defaultdict(set)      # (day, person) → ticket ids
    reopens = []                     # (ticket id, at, person)
    forms = {}                       # ticket id → {"state", "visit_due", "satisfied_at"}
    on_post = {q: [] for q in QUEUES}
    breaches_expected = []

    def step(to):
        assert to > now[0] and to - now[0] <= dt.timedelta(days=1), (now[0], to)
        ok(admin.post("/api/v1/test/clock", {"to": to.isoformat()}))
        now[0] = to

    def go(to):
        while now[0] < to:
            step(min(to, now[0] + dt.timedelta(days=1)))

    def assigned(tid, person):
        t = tickets[tid]
        if t["assignee"] is not None and t["state"] in ("new", "open", "pending"):
            held[t["assignee"]] -= 1
        t["assignee"] = person
        held[person] += 1
        seq[0] += 1
        last_assign[person] = seq[0]
        received[(now[0].date(), person)].add(tid)
        if t["state"] == "new":
            t["state"] = "open"

    def expected_route(qname):
        if not on_post[qname]:
            return None
        return min(on_post[qname], key=lambda p: (held[p], last_assign.get(p, 0), p))

    def new_ticket(by, qname, subject, priority, cust, complaint=False, category=""):
        body = {"site_id": site, "queue_post_id": queue[qname], "subject": subject,
                "priority": priority, "customer_id": cust[0], "complaint": complaint,
                "category": category, "body": "客户来电：" + subject}
        t = ok(by.post("/api/v1/service/tickets", body), 201)
        tickets[t["id"]] = {"id": t["id"], "queue": qname, "priority": priority, "grade": cust[1],
                            "created": now[0], "assignee": None, "state": "new",
                            "complaint": complaint, "category": category, "first_reply": None,
                            "resolved": None, "replied_last": False, "survey_due": None,
                            "dl": {}}
        want = expected_route(qname)
        assert t["assignee"] == want, (qname, t["assignee"], want, on_post[qname])
        if want is not None:
            assigned(t["id"], want)
        assert t["state"] == tickets[t["id"]]["state"], t
        model = tickets[t["id"]]
        for level in (FIRST, RESOLUTION):
            d = Deadline(level, now[0], target(LEVEL_CLOCK[level], priority, cust[1]))
            deadlines.append((t["id"], d))
            model["dl"][level] = d
        if complaint:
            [form] = t["procedures"]
            assert (form["procedure"], form["state"]) == ("r06-complaint", "recorded"), form
            forms[t["id"]] = {"id": form["id"], "state": "recorded", "visit_due": None,
                              "satisfied_at": None}
        return t["id"]

    def running(t, level):
        d = t["dl"].get(level)
        return d if d and d.stop is None else None

    def reply(tid, by=None):
        t = tickets[tid]
        ok((by or agent(t["assignee"])).post(f"/api/v1/service/tickets/{tid}/replies",
                                             {"body": "您好，已为您处理。"}), 201)
        if t["first_reply"] is None:
            t["first_reply"] = now[0]
            t["dl"][FIRST].stop = now[0]
        elif running(t, NEXT):
            t["dl"][NEXT].stop = now[0]
        t["replied_last"] = True

    def set_pending(tid):
        t = tickets[tid]
        ok(agent(t["assignee"]).post(f"/api/v1/service/tickets/{tid}/state", {"to": "pending"}))
        t["state"] = "pending"
        for d in t["dl"].values():
            if d.stop is None:
                d.pauses.append((now[0], None))

    def customer_writes(tid):
        """The customer's message: it opens a pending ticket (the clocks resume), reopens a resolved
        one (the resolution runs again in full, the survey is withdrawn), and starts the next
        response when the agent had the last word."""
        t = tickets[tid]
        ok(agent(t["assignee"]).post(f"/api/v1/service/tickets/{tid}/messages", {"body": "还有问题"}), 201)
        if t["state"] == "pending":
            for d in t["dl"].values():
                if d.stop is None and d.pauses and d.pauses[-1][1] is None:
                    d.pauses[-1] = (d.pauses[-1][0], now[0])
            t["state"] = "open"
        elif t["state"] == "resolved":
            t["state"] = "open"
            held[t["assignee"]] += 1
            reopens.append((tid, now[0], t["assignee"]))
            d = Deadline(RESOLUTION, now[0], target("resolution", t["priority"], t["grade"]))
            deadlines.append((tid, d))
            t["dl"][RESOLUTION] = d
            t["survey_due"] = None  # withdrawn
        if t["replied_last"] and not running(t, NEXT):
            d = Deadline(NEXT, now[0], target("next_response", t["priority"], t["grade"]))
            deadlines.append((tid, d))
            t["dl"][NEXT] = d
        t["replied_last"] = False

    def resolve(tid):
        t = tickets[tid]
        r = ok(agent(t["assignee"]).post(f"/api/v1/service/tickets/{tid}/state", {"to": "resolved"}))
        assert r["state"] == "resolved", r
        if t["state"] == "pending":
            for d in t["dl"].values():
                if d.stop is None and d.pauses and d.pauses[-1][1] is None:
                    d.pauses[-1] = (d.pauses[-1][0], now[0])
        for level in (RESOLUTION, NEXT):
            if running(t, level):
                t["dl"][level].stop = now[0]
        t["state"] = "resolved"
        t["resolved"] = now[0]
        t["credited"] = t["assignee"]
        t["survey_due"] = now[0] + SURVEY_AFTER
        held[t["assignee"]] -= 1

    def answer_survey(tid):
        t = tickets[tid]
        score = SCORES[len(answers) % len(SCORES)]
        link = ok(agent(t["assignee"]).post(f"/api/v1/service/tickets/{tid}/survey-link"), 201)
        assert parse(link["expires_at"]) == now[0] + dt.timedelta(days=3), link
        body = {"score": score} if score > 2 else {"score": score, "reason": "处理太慢"}
        r = ok(public.post(f"/api/v1/service/surveys/{link['token']}", body), 201)
        satisfied = 2 * score > 5 + 1  # above the middle of a scale of 5
        assert r["satisfied"] is satisfied, r
        answers.append((tid, now[0], score, satisfied, t["credited"]))
        if tid in forms:
            satisfaction(tid, satisfied)

    def satisfaction(tid, satisfied):
        """The 客户反馈表 moves on the recorded satisfaction only from 跟进处理结果 (R06 §四(一)7)."""
        f = forms[tid]
        assert f["state"] == "following", f
        if satisfied:
            f["state"], f["visit_due"] = "closed", now[0] + RETURN_VISIT_AFTER
            f["satisfied_at"] = f["satisfied_at"] or now[0]
        else:
            f["state"] = "routed"

    def fire(tid, event, to):
        f = forms[tid]
        r = ok(agent(tickets[tid]["assignee"]).post(f"/api/v1/procedures/{f['id']}/events", {"event": event}))
        assert r["state"] == to, r
        f["state"] = to

    def new_order(by_pid, kind, pieces):
        body = {"site_id": site, "customer_id": plain_customers[len(orders) % len(plain_customers)][0],
                "kind": kind, "items": [{"name": "工业传感器", "sku": "TS-100", "quantity": pieces}]}
        o = ok(agent(by_pid).post("/api/v1/service/orders", body), 201)
        direct = kind == "retail" and pieces < 5  # R06 §四(二)4
        assert o["state"] == ("notice" if direct else "reviewing"), o
        orders[o["id"]] = {"id": o["id"], "taker": by_pid, "created": now[0], "notice": None,
                           "shipped": None, "review": o["review_request_id"]}
        if direct:
            notice(o["id"], o)
        return o["id"]

    def notice(oid, o):
        orders[oid]["notice"] = now[0]
        orders[oid]["ship_by"] = ship_by(now[0])
        assert parse(o["ship_by"]) == orders[oid]["ship_by"], (o, now[0])

    def approve(oid):
        for reviewer in board:
            ok(reviewer.post(f"/api/v1/requests/{orders[oid]['review']}/decisions", {"approve": True}), 201)
        o = ok(admin.get(f"/api/v1/service/orders/{oid}"))
        assert o["state"] == "notice", o
        notice(oid, o)

    def ship(oid):
        o = orders[oid]
        r = ok(agent(o["taker"]).post(f"/api/v1/service/orders/{oid}/ship", {}))
        o["shipped"] = now[0]
        assert r["shipped_on_time"] is (now[0] <= o["ship_by"]), (r, o)

    # ---- the month, a day at a time.
    days = []
    d = FIRST_DAY
    while d <= LAST_DAY:
        days.append(d)
        d += dt.timedelta(days=1)
    workdays = [d for d in days if working_day(d)]
    assert len(workdays) == 18 and dt.date(2026, 9, 20) in workdays and dt.date(2026, 10, 10) in workdays
    waiting = []        # tickets created out of hours: taken if unassigned and answered at 08:00
    pending_c = []      # yesterday's 16:30 tickets, waiting on the customer
    unsatisfied = []    # complaints whose customer was not satisfied: back to the departments
    late_orders = []    # 17:45 orders: ship the next working day
    bulk_late = []      # a bulk order approved after the cut-off
    reassigned = None
    reviewed_open = []  # bulk orders to approve at 14:00
    # Before anyone is on a post: the call waits unassigned in its queue.
    waiting.append(new_ticket(admin, "客服组", "上班前来电", "normal", plain_customers[2]))
    for d in days:
        at = lambda h, m=0: dt.datetime.combine(d, dt.time(h, m), TZ)  # noqa: E731
        if not working_day(d):
            go(at(10))
            if d == dt.date(2026, 10, 2):  # 国庆: an order and a call, nobody on the posts
                oid = new_order(members["订单组"][0], "retail", 2)
                assert orders[oid]["ship_by"] == dt.datetime(2026, 10, 9, tzinfo=TZ)
                late_orders.append(oid)
                waiting.append(new_ticket(admin, "投诉组", "假期来电：咨询退货", "normal",
                                          plain_customers[0]))
            continue
        w = workdays.index(d)
        crews = {q: [members[q][(CREW * w + k) % n] for k in range(CREW)] for q, n in QUEUES.items()}
        go(at(8))
        for q, crew in crews.items():
            # The night's agent is relieved by the day's first (R08 §二1: the last one on a post
            # leaves only naming who takes over); the other two come on the post themselves.
            if on_post[q]:
                [night] = on_post[q]
                ok(agent(night).post(f"/api/v1/posts/{queue[q]}/attendance:leave",
                                     {"relief_person_id": crew[0]}))
            else:
                ok(agent(crew[0]).post(f"/api/v1/posts/{queue[q]}/attendance"), 201)
            for p in crew[1:]:
                ok(agent(p).post(f"/api/v1/posts/{queue[q]}/attendance"), 201)
            on_post[q] = list(crew)
        for tid in waiting:  # the crew's first agent takes what waited unassigned
            t = tickets[tid]
            if t["assignee"] is None:
                taker = crews[t["queue"]][0]
                assert ok(agent(taker).get(f"/api/v1/service/tickets/{tid}"))["assignee"] is None
                ok(agent(taker).post(f"/api/v1/service/tickets/{tid}/assign", {"person_id": taker}))
                assigned(tid, taker)
        for tid in waiting:
            reply(tid)
        go(at(9))
        todays = {}
        for q in QUEUES:
            complaint = q == "投诉组"
            todays[("A", q)] = new_ticket(
                agent(crews[q][0]), q, f"{d:%m-%d} {q} 咨询", "normal",
                plain_customers[w % len(plain_customers)], complaint=complaint,
                category=["物流", "质量", "服务态度"][w % 3] if complaint else "")
        for tid in pending_c:
            customer_writes(tid)
        for tid in waiting:
            resolve(tid)
        waiting = []
        go(at(9, 30))
        for q in QUEUES:
            reply(todays[("A", q)])
        for tid in pending_c:
            reply(tid)
        go(at(10))
        for q in QUEUES:
            cust = key_customers[w % len(key_customers)] if w % 2 == 0 else plain_customers[w % len(plain_customers)]
            todays[("B", q)] = new_ticket(agent(crews[q][0]), q, f"{d:%m-%d} {q} 加急", "high", cust)
        for tid in pending_c:
            resolve(tid)
        pending_c = []
        retail = new_order(crews["订单组"][0], "retail", w % 4 + 1)
        if w % 5 == 1:
            reviewed_open.append(new_order(crews["订单组"][1], "bulk", 20))
        if w == 3:  # the 客服主管 reassigns one before anyone answered (issue 18 §4)
            reassigned = todays[("B", "客服组")]
            t = tickets[reassigned]
            to = next(p for p in crews["客服组"] if p != t["assignee"])
            go(at(10, 15))
            ok(lead.post(f"/api/v1/service/tickets/{reassigned}/assign", {"person_id": to, "note": "调配"}))
            assigned(reassigned, to)
        go(at(10, 20) if w % 3 == 0 else at(10, 45))
        for q in QUEUES:
            reply(todays[("B", q)])
        for tid in list(unsatisfied):  # the departments answer again; the return visit finds the customer satisfied
            fire(tid, "department_result", "following")
            ok(agent(tickets[tid]["assignee"]).post(f"/api/v1/service/tickets/{tid}/satisfaction",
                                                    {"satisfied": True, "note": "回访：客户满意"}), 201)
            satisfaction(tid, True)
        unsatisfied = []
        complaint = todays[("A", "投诉组")]
        fire(complaint, "forwarded", "routed")
        fire(complaint, "department_result", "following")
        go(at(11))
        for q in QUEUES:
            resolve(todays[("A", q)])
        if w % 2 == 0 and w != len(workdays) - 1:
            for q in QUEUES:
                resolve(todays[("B", q)])
        reopened = todays[("A", "订单组")] if w % 5 == 2 else None
        if reopened:
            go(at(12))
            customer_writes(reopened)
        go(at(14))  # the surveys fell due at 13:00
        for q in QUEUES:
            tid = todays[("A", q)]
            if tid == reopened:
                continue
            answer_survey(tid)
            if tid in forms and forms[tid]["state"] == "routed":
                unsatisfied.append(tid)
        if reopened:
            reply(reopened)
        for tid, f in forms.items():  # the return visits the pack scheduled (R06 §四(一)12)
            if f["state"] == "closed" and f["visit_due"] <= now[0]:
                assert ok(lead.get(f"/api/v1/procedures/{f['id']}"))["state"] == "return-visit"
                fire(tid, "return_visit_done", "visited")
        for i, oid in enumerate(list(reviewed_open)):
            if len(bulk_late) == 0 and i == 0 and w >= 6:
                bulk_late.append(oid)  # decided after the cut-off, below
                continue
            approve(oid)
        reviewed_open = []
        go(at(16, 30))
        if w % 2 == 1 and w != len(workdays) - 1:
            for q in QUEUES:
                resolve(todays[("B", q)])
        if reopened:
            resolve(reopened)
        for oid, o in orders.items():
            if o["shipped"] is None and o["notice"] and o["ship_by"].date() - dt.timedelta(days=1) <= d:
                if w == 4 and o["created"].date() == d:
                    continue  # the one shipped late: the next working day
                ship(oid)
        for q in QUEUES:
            todays[("C", q)] = new_ticket(agent(crews[q][0]), q, f"{d:%m-%d} {q} 大客户", "normal",
                                          key_customers[(w + 1) % len(key_customers)])
        go(at(16, 45))
        for q in QUEUES:
            reply(todays[("C", q)])
            set_pending(todays[("C", q)])
            pending_c.append(todays[("C", q)])
        go(at(17, 45))
        for q, crew in crews.items():  # the first stays on the post until relieved
            for p in crew[1:]:
                ok(agent(p).post(f"/api/v1/posts/{queue[q]}/attendance:leave", {}))
            on_post[q] = crew[:1]
        late_orders.append(new_order(crews["订单组"][2], "retail", 2))
        if not working_day(d + dt.timedelta(days=1)):  # a call after hours before a day off
            waiting.append(new_ticket(admin, "客服组", f"{d:%m-%d} 下班后来电", "normal",
                                      plain_customers[1]))
        if bulk_late and orders[bulk_late[0]]["notice"] is None:
            go(at(18))
            approve(bulk_late[0])
    end = now[0]

    # ---- the SLA log: every ticket deadline, its due time and state, as the regulations imply.
    got = defaultdict(list)
    for x in all_items(admin, f"/api/v1/deadlines?site_id={site}&limit=200"):
        if x["ref"].startswith("ticket/") or x["ref"].startswith("order/"):
            got[(x["ref"], x["service_level"])].append(x)
    want = defaultdict(list)
    for tid, dl in deadlines:
        want[(f"ticket/{tid}", dl.level)].append(dl)
    ticket_keys = {k for k in got if k[0].startswith("ticket/")}
    assert ticket_keys == set(want), sorted(ticket_keys ^ set(want))[:10]
    for key, dls in want.items():
        rows = sorted(got[key], key=lambda x: x["started_at"])
        assert len(rows) == len(dls), (key, rows)
        for row, dl in zip(rows, dls):
            assert parse(row["started_at"]) == dl.start, (key, row)
            state = dl.state(end)
            shown = "paused" if row["paused_at"] else row["state"]
            assert shown == state, (key, row, state, dl.due())
            if dl.due() is not None:
                assert parse(row["due_at"]) == dl.due(), (key, row, dl.due())
            if state in ("met_late", "breached"):
                breaches_expected.append(key)
    # The ship dates: each order's cut-off deadline due at the end of its ship day.
    for oid, o in orders.items():
        [row] = got[(f"order/{oid}", CUTOFF_LEVEL)]
        assert parse(row["due_at"]) == o["ship_by"], (o, row)
        if o["shipped"]:
            assert row["state"] == ("met" if o["shipped"] <= o["ship_by"] else "met_late"), (o, row)
        else:
            assert row["state"] == ("breached" if end >= o["ship_by"] else "open"), (o, row)
    # Each breach escalated to the 客服主管 (R14 §1.2.4), once.
    journal = all_items(admin, "/api/v1/journal?limit=500")
    breached = [j for j in journal if j["kind"] == "deadline.breached"
                and j["payload"].get("ref", "").startswith("ticket/")]
    assert sorted((j["payload"]["ref"], j["payload"]["service_level"]) for j in breached) == sorted(breaches_expected)
    assert all(j["payload"]["escalated_to"] == ["客服主管"] for j in breached), breached[:2]

    # ---- the reports (issue 18 §10), recounted from the model.
    report = ok(lead.get(f"/api/v1/service/reports?site_id={site}&from={FIRST_DAY}&to={LAST_DAY}"))
    rows = defaultdict(lambda: defaultdict(int))
    minutes = defaultdict(list)
    for (day, person), tids in received.items():
        rows[(day.isoformat(), person)]["received"] += len(tids)
    for t in tickets.values():
        if t["state"] == "resolved":
            rows[(t["resolved"].date().isoformat(), t["assignee"])]["resolved"] += 1
        if t["first_reply"]:
            key = (t["first_reply"].date().isoformat(), t["assignee"])
            rows[key]["first_responses"] += 1
            rows[key]["first_response_timed"] += 1
            rows[key]["first_response_met"] += t["dl"][FIRST].state(end) == "met"
            minutes[key].append((t["first_reply"] - t["created"]).total_seconds() / 60)
    for tid, at_, score, satisfied, person in answers:
        key = (at_.date().isoformat(), person)
        rows[key]["surveys_answered"] += 1
        rows[key]["surveys_satisfied"] += satisfied
    for tid, at_, person in reopens:
        rows[(at_.date().isoformat(), person)]["reopened"] += 1
    for o in orders.values():
        rows[(o["created"].date().isoformat(), o["taker"])]["orders"] += 1
        if o["shipped"]:
            key = (o["shipped"].date().isoformat(), o["taker"])
            rows[key]["shipped"] += 1
            rows[key]["shipped_on_time"] += o["shipped"] <= o["ship_by"]
    figures = ["received", "resolved", "reopened", "orders", "first_responses", "first_response_met",
               "first_response_timed", "surveys_answered", "surveys_satisfied", "shipped",
               "shipped_on_time"]
    got_rows = {(r["day"], r["person_id"]): r for r in report["agents"]}
    assert set(got_rows) == set(rows), sorted(set(got_rows) ^ set(rows))[:10]
    for key, want_row in rows.items():
        r = got_rows[key]
        assert {f: r[f] for f in figures} == {f: want_row[f] for f in figures}, (key, r)
        median = statistics.median(minutes[key]) if minutes[key] else None
        assert r["first_response_median_minutes"] == pytest.approx(median), (key, r)
        for pct, part, whole in [("first_response_met_percent", "first_response_met", "first_response_timed"),
                                 ("satisfaction_percent", "surveys_satisfied", "surveys_answered"),
                                 ("on_time_percent", "shipped_on_time", "shipped")]:
            value = 100 * want_row[part] / want_row[whole] if want_row[whole] else None
            assert r[pct] == pytest.approx(value), (key, pct, r)
    # Every agent of the department worked and was routed tickets over the month.
    assert {p for (_, p) in rows} >= set(agents), set(agents) - {p for (_, p) in rows}

    sla = defaultdict(lambda: defaultdict(int))
    for tid, dl in deadlines:
        state = dl.state(end)
        sla[(tickets[tid]["queue"], dl.level)]["open" if state == "paused" else state] += 1
    got_sla = {(r["queue"], r["service_level"]): r for r in report["sla"]}
    assert set(got_sla) == set(sla), (sorted(got_sla), sorted(sla))
    for key, counts in sla.items():
        r = got_sla[key]
        assert {s: r[s] for s in ("met", "met_late", "breached", "open", "not_started")} == {
            s: counts[s] for s in ("met", "met_late", "breached", "open", "not_started")}, (key, r)
        done = counts["met"] + counts["met_late"] + counts["breached"]
        assert r["met_percent"] == pytest.approx(100 * counts["met"] / done if done else None), (key, r)

    complaints = [t for t in tickets.values() if t["complaint"]]
    c = report["complaints"]
    assert c["total"] == len(complaints) == len(workdays)
    assert sorted(c["ticket_ids"]) == sorted(t["id"] for t in complaints)
    by_cat = defaultdict(int)
    for t in complaints:
        by_cat[t["category"]] += 1
    assert {r["category"]: r["count"] for r in c["by_category"]} == by_cat
    by_state = defaultdict(int)
    for t in complaints:
        by_state[t["state"]] += 1
    assert {r["state"]: r["count"] for r in c["by_state"]} == by_state
    by_form = defaultdict(int)
    for tid, f in forms.items():
        by_form[f"r06-complaint/{f['state']}"] += 1
        shown = ok(lead.get(f"/api/v1/procedures/{f['id']}"))["state"]
        assert shown == f["state"], (tid, f, shown)
    assert {r["form_state"]: r["count"] for r in c["by_form_state"]} == by_form
    hours = [(f["satisfied_at"] - tickets[tid]["created"]).total_seconds() / 3600
             for tid, f in forms.items() if f["satisfied_at"]]
    assert c["satisfied"] == len(hours)
    assert c["median_hours_to_satisfied"] == pytest.approx(statistics.median(hours))

    shipped = [o for o in orders.values() if o["shipped"]]
    on_time = [o for o in shipped if o["shipped"] <= o["ship_by"]]
    s = report["shipping"]
    assert (s["shipped"], s["on_time"], s["late"]) == (len(shipped), len(on_time), len(shipped) - len(on_time))
    assert s["on_time_percent"] == pytest.approx(100 * len(on_time) / len(shipped))

    # The workbook carries the same totals (one sheet per report).
    book = sheets(fetch_bytes(srv, lead, f"/api/v1/service/reports/export.xlsx?site_id={site}"
                                         f"&from={FIRST_DAY}&to={LAST_DAY}"))
    assert book["发货及时率"][-1][:4] == ["合计", len(shipped), len(on_time), len(shipped) - len(on_time)]
    assert book["投诉分析"][2] == [len(complaints), len(hours), pytest.approx(statistics.median(hours))]
    assert len(book["客服日报"]) - 2 == len(rows)

    # Satisfaction per queue (link surveys, credited at resolution).
    per_queue = defaultdict(lambda: [0, 0])
    for tid, _, _, satisfied, _ in answers:
        per_queue[queue[tickets[tid]["queue"]]][0] += 1
        per_queue[queue[tickets[tid]["queue"]]][1] += satisfied
    got_q = ok(lead.get(f"/api/v1/service/satisfaction?site_id={site}&by=queue"))["items"]
    assert {r["queue_post_id"]: [r["answered"], r["satisfied"]] for r in got_q} == per_queue, got_q
