"""A ticket's SLAs matched by its priority and its customer's grade, the next response, warnings,
breach escalation and reopening (issue 18 §3, §7) over HTTP against the real binary, on both
backends, on the test clock.

Every expected due time is computed here, independently of the server's code: from the pack's
calendar file (policies/cn-default/calendars, 放假 and 调休上班) and the pack's working hours (R04
§二12, read from R04.yaml), walked minute-exact in Python."""
import datetime as dt
import pathlib

import pytest
import yaml

from test_service_sla_api import advance_days
from test_service_surveys_api import TZ, advance, site_with
from zhidu_harness import Actor, Server, all_items

PACK = pathlib.Path(__file__).resolve().parents[3] / "policies" / "cn-default"


# ---- the business calendar, independently of src/kernel/scheduler/business_time.cpp

def _calendar():
    data = yaml.safe_load((PACK / "calendars" / "cn-public-holidays.yaml").read_text("utf-8"))
    off, work = set(), set()
    for year in data["years"].values():
        for h in year["holidays"]:
            off.update(h.get("off", h.get(False, [])))  # YAML 1.1 reads the key `off` as false
            work.update(h["work"])
    hours = yaml.safe_load((PACK / "R04.yaml").read_text("utf-8"))["working_hours"]["hours"]
    periods = []
    for text in hours:
        a, b = text.split("-")
        periods.append((dt.time.fromisoformat(a), dt.time.fromisoformat(b)))
    return off, work, periods


OFF, WORK, PERIODS = _calendar()


def working_day(day):
    if day in WORK:
        return True
    if day in OFF:
        return False
    return day.weekday() < 5


def periods_on(day):
    if not working_day(day):
        return []
    return [(dt.datetime.combine(day, a, TZ), dt.datetime.combine(day, b, TZ)) for a, b in PERIODS]


def add_working(start, amount):
    """`start` + `amount` of working time (a timedelta > 0), local periods of working days only."""
    start = start.astimezone(TZ)
    day = start.date()
    for _ in range(400):
        for a, b in periods_on(day):
            if start >= b:
                continue
            s = max(start, a)
            if amount <= b - s:
                return s + amount
            amount -= b - s
        day += dt.timedelta(days=1)
    raise AssertionError("ran past 400 days")


def working_between(a, b):
    total, day = dt.timedelta(), a.astimezone(TZ).date()
    while day <= b.astimezone(TZ).date():
        for p, q in periods_on(day):
            lo, hi = max(a, p), min(b, q)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total


def H(hours=0, minutes=0):
    return dt.timedelta(hours=hours, minutes=minutes)


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---- the server

def server(backend, start):
    return Server(backend, extra=["--test-clock", start.isoformat()]).start()


@pytest.fixture
def monday(require_backend):
    s = server(require_backend, dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ))
    yield s
    s.kill()


@pytest.fixture
def national_day(require_backend):
    # Wednesday 2026-09-30 15:00, the last working day before 国庆 (10-01 to 10-07 off; 10-10 works).
    s = server(require_backend, dt.datetime(2026, 9, 30, 15, 0, tzinfo=TZ))
    yield s
    s.kill()


FIGURES = {  # the site's: the regulations give none
    "service_first_response_within": "2h",
    "service_first_response_urgent": "30m",
    "service_first_response_key_customer": "1h",
    "service_first_response_key_urgent": "15m",
    "service_resolution_within": "5h",
    "service_resolution_urgent": "3h",
    "service_resolution_key_customer": "4h",
    "service_resolution_key_urgent": "2h",
    "service_next_response_within": "1h",
    "service_next_response_urgent": "20m",
}


def customer(agent, site, name, phone, grade=""):
    r = agent.post("/api/v1/service/customers", {"site_id": site, "kind": "person", "name": name,
                                                 "phones": [phone], "grade": grade})
    assert r.status == 201, r
    return r.json()["id"]


def open_ticket(agent, site, queue, priority="normal", customer_id=None, subject="咨询"):
    body = {"site_id": site, "queue_post_id": queue, "subject": subject, "priority": priority}
    if customer_id:
        body["customer_id"] = customer_id
    r = agent.post("/api/v1/service/tickets", body)
    assert r.status == 201, r
    return r.json()


def levels(view):
    """The ticket's deadlines by service level, the newest of each."""
    out = {}
    for d in sorted(view["deadlines"], key=lambda d: d["id"]):
        out[d["service_level"]] = d
    return out


def all_of(view, level):
    return sorted([d for d in view["deadlines"] if d["service_level"] == level],
                  key=lambda d: d["id"])


def journal(admin, kind):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"] == kind]


def now(admin):
    return at(admin.get("/api/v1/test/clock").json()["now"])


def test_the_target_is_matched_by_priority_and_customer_grade(monday):
    admin = monday.admin()
    site, q = site_with(admin, FIGURES)
    agent = Actor(monday, "cs1")
    # The module declares nothing: the pack's targets are site parameters with no default.
    listed = {p["name"]: p for p in admin.get(f"/api/v1/sites/{site}/parameters").json()["items"]}
    for name in ["service_next_response_key_urgent", "service_sla_warn_before"]:
        assert name in listed and listed[name]["value"] is None, name
    key = customer(agent, site, "王总", "13800000001", grade="优质客户")
    plain = customer(agent, site, "李女士", "13800000002", grade="普通")
    start = now(admin)
    cases = [  # priority, customer, first response, resolution (the site's figures above)
        ("normal", plain, H(2), H(5)),
        ("low", None, H(2), H(5)),
        ("urgent", plain, H(0, 30), H(3)),
        ("high", None, H(0, 30), H(3)),
        ("normal", key, H(1), H(4)),
        ("high", key, H(0, 15), H(2)),
        ("urgent", key, H(0, 15), H(2)),
    ]
    for priority, who, first, resolution in cases:
        t = open_ticket(agent, site, q, priority, who)
        d = levels(t)
        case = (priority, who)
        assert at(d["r14-first-response"]["due_at"]) == add_working(start, first), case
        assert at(d["r06-ticket-resolution"]["due_at"]) == add_working(start, resolution), case
        assert d["r14-first-response"]["working_hours"] is True
    # The note says which target applied, and the journal carries the data matched.
    t = open_ticket(agent, site, q, "urgent", key)
    note = levels(t)["r14-first-response"]["note"]
    assert "ticket.priority=urgent|high" in note and "customer.grade=优质客户" in note, note
    assert "service_first_response_key_urgent" in note, note
    started = [j for j in journal(admin, "site.event") if j["payload"]["event"] == "ticket_opened"]
    assert {"ticket.priority": "urgent", "customer.grade": "优质客户"} in [
        j["payload"]["data"] for j in started]
    assert {"ticket.priority": "low", "customer.grade": ""} in [
        j["payload"]["data"] for j in started]
    # Which clock each deadline is, from the events its level runs on (the console's labels).
    assert {x["service_level"]: x["clock"] for x in t["deadlines"]} == {
        "r14-first-response": "first_response", "r06-ticket-resolution": "resolution"}

    # Bad input: a clear 4xx, nothing written.
    before = len(all_items(agent, f"/api/v1/service/tickets?site_id={site}"))
    r = agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                               "subject": "x", "priority": "asap"})
    assert r.status == 400 and r.json()["error"]["reason"] == "service.unknown_priority", r
    assert r.json()["error"]["field"] == "priority"
    assert len(all_items(agent, f"/api/v1/service/tickets?site_id={site}")) == before
    r = agent.get("/api/v1/service/tickets/999999")
    assert r.status == 404 and r.json()["error"]["reason"] == "service.unknown_ticket", r
    r = agent.post("/api/v1/service/tickets/999999/reopen", {"reason": "客户来电"})
    assert r.status == 404 and r.json()["error"]["reason"] == "service.unknown_ticket", r


def test_next_response_runs_from_each_customer_message_after_a_reply(monday):
    admin = monday.admin()
    site, q = site_with(admin, FIGURES)
    agent = Actor(monday, "cs1")
    start = now(admin)
    t = open_ticket(agent, site, q)
    tid = t["id"]
    # Before the first reply the first response covers the customer's messages: no next response.
    advance(admin, start + H(0, 5))
    r = agent.post(f"/api/v1/service/tickets/{tid}/messages", {"body": "还在吗？"})
    assert r.status == 201, r
    assert all_of(r.json(), "r06-next-response") == []
    advance(admin, start + H(0, 10))
    r = agent.post(f"/api/v1/service/tickets/{tid}/replies", {"body": "您好，请讲"})
    assert levels(r.json())["r14-first-response"]["state"] == "met"
    assert all_of(r.json(), "r06-next-response") == []

    # 09:20 the customer writes after the reply: the next response runs, 1 working hour.
    m1 = start + H(0, 20)
    advance(admin, m1)
    r = agent.post(f"/api/v1/service/tickets/{tid}/messages", {"body": "发票开错了"})
    nxt = all_of(r.json(), "r06-next-response")
    assert len(nxt) == 1 and nxt[0]["state"] == "open" and nxt[0]["clock"] == "next_response"
    assert at(nxt[0]["due_at"]) == add_working(m1, H(1))
    # A second message before any reply starts nothing new: the clock runs from the first.
    advance(admin, start + H(0, 30))
    r = agent.post(f"/api/v1/service/tickets/{tid}/messages", {"body": "麻烦尽快"})
    assert len(all_of(r.json(), "r06-next-response")) == 1
    # The reply stops it in time: met.
    advance(admin, start + H(0, 50))
    r = agent.post(f"/api/v1/service/tickets/{tid}/replies", {"body": "已为您重开发票"})
    assert all_of(r.json(), "r06-next-response")[0]["state"] == "met"

    # 11:00 the customer writes again: another one, due across lunch (11:00-11:30, 13:30-14:00).
    m2 = start + H(2)
    advance(admin, m2)
    r = agent.post(f"/api/v1/service/tickets/{tid}/messages", {"body": "收到了吗"})
    nxt = all_of(r.json(), "r06-next-response")
    assert [d["state"] for d in nxt] == ["met", "open"]
    due = add_working(m2, H(1))
    assert at(nxt[1]["due_at"]) == due and due.hour == 14
    # Waiting on the customer pauses it; the customer's message moves the ticket back to open and
    # resumes it with what was left (counted again in working hours).
    p = start + H(2, 10)
    advance(admin, p)
    r = agent.post(f"/api/v1/service/tickets/{tid}/state", {"to": "pending"})
    assert all_of(r.json(), "r06-next-response")[1]["state"] == "paused"
    back = dt.datetime(2026, 12, 7, 14, 0, tzinfo=TZ)
    advance(admin, back)
    assert journal(admin, "deadline.breached") == []
    r = agent.post(f"/api/v1/service/tickets/{tid}/messages", {"body": "资料已发"})
    assert r.json()["state"] == "open"
    nxt = all_of(r.json(), "r06-next-response")
    assert len(nxt) == 2, nxt  # the customer's message after an unanswered one starts no third
    left = working_between(p, due)
    assert at(nxt[1]["due_at"]) == add_working(back, left)
    # Unanswered past the due time: breached and escalated as the pack says (客服主管).
    advance(admin, at(nxt[1]["due_at"]) + H(0, 1))
    breached = [j for j in journal(admin, "deadline.breached")
                if j["payload"]["service_level"] == "r06-next-response"]
    assert len(breached) == 1, breached
    assert breached[0]["payload"]["escalated_to"] == ["客服主管"]
    r = agent.post(f"/api/v1/service/tickets/{tid}/replies", {"body": "抱歉久等"})
    assert all_of(r.json(), "r06-next-response")[1]["state"] == "met_late"


def test_a_warning_comes_the_site_s_working_time_before_the_due_time(monday):
    admin = monday.admin()
    site, q = site_with(admin, {"service_first_response_within": "1h",
                                 "service_sla_warn_before": "30m"})
    agent = Actor(monday, "cs1")
    # 10:50 + 1 working hour: 40 min before lunch, 20 after it — due 13:50. Half an hour of
    # working time before that is 11:20 (calendar time would say 13:20, in the lunch break).
    opened = dt.datetime(2026, 12, 7, 10, 50, tzinfo=TZ)
    advance(admin, opened)
    t = open_ticket(agent, site, q)
    due = at(levels(t)["r14-first-response"]["due_at"])
    assert due == add_working(opened, H(1)) == dt.datetime(2026, 12, 7, 13, 50, tzinfo=TZ)
    warn_at = add_working(opened, working_between(opened, due) - H(0, 30))
    advance(admin, warn_at - H(0, 1))
    assert journal(admin, "deadline.warning") == []
    advance(admin, warn_at + H(0, 1))
    warned = journal(admin, "deadline.warning")
    assert [w["payload"]["service_level"] for w in warned] == ["r14-first-response"]
    assert warned[0]["payload"]["notify_roles"] == ["客服主管"]
    # Resolution's figure is unset: not started, and no warning either.
    assert levels(t)["r06-ticket-resolution"]["state"] == "not_started"


def test_reopening_re_arms_resolution_cancels_the_survey_and_is_counted(monday):
    admin = monday.admin()
    site, q = site_with(admin, {**FIGURES, "service_survey_after": "1h"})
    agent = Actor(monday, "cs1")
    me = agent.get("/api/v1/me").json()["account"]["person_id"]
    start = now(admin)
    t = open_ticket(agent, site, q)
    tid = t["id"]
    assert agent.post(f"/api/v1/service/tickets/{tid}/assign", {"person_id": me}).status == 200
    r = agent.post(f"/api/v1/service/tickets/{tid}/reopen", {"reason": "x"})
    assert r.status == 409 and r.json()["error"]["reason"] == "service.not_reopenable", r
    advance(admin, start + H(1))
    r = agent.post(f"/api/v1/service/tickets/{tid}/state", {"to": "resolved"})
    assert levels(r.json())["r06-ticket-resolution"]["state"] == "met"
    advance(admin, start + H(2))
    token = agent.post(f"/api/v1/service/tickets/{tid}/survey-link").json()["token"]
    public = monday.client()
    assert public.get(f"/api/v1/service/surveys/{token}").status == 200

    # 11:00 the agent reopens it: the resolution runs again, in full (5 working hours) from now.
    reopened = start + H(2)
    r = agent.post(f"/api/v1/service/tickets/{tid}/reopen", {"reason": "客户反映问题未解决"})
    assert r.status == 200, r
    v = r.json()
    assert v["state"] == "open" and v["reopened"] == 1
    res = all_of(v, "r06-ticket-resolution")
    assert [d["state"] for d in res] == ["met", "open"]
    assert at(res[1]["due_at"]) == add_working(reopened, H(5))
    assert len(all_of(v, "r14-first-response")) == 1  # the first response is not re-armed
    assert v["survey"]["state"] == "cancelled"
    # The customer's link now says the survey was withdrawn: a clear 409, nothing written.
    r = public.get(f"/api/v1/service/surveys/{token}")
    assert r.status == 409 and r.json()["error"]["reason"] == "survey.cancelled", r
    r = public.post(f"/api/v1/service/surveys/{token}", {"score": 5})
    assert r.status == 409 and r.json()["error"]["reason"] == "survey.cancelled", r
    assert journal(admin, "service.survey.answered") == []
    r = agent.post(f"/api/v1/service/tickets/{tid}/reopen", {"reason": "again"})
    assert r.status == 409 and r.json()["error"]["reason"] == "service.not_reopenable", r
    r = agent.post(f"/api/v1/service/tickets/{tid}/reopen", {"reason": "x", "by": "boss"})
    assert r.status == 400 and r.json()["error"]["field"] == "by", r

    # Resolved again, then the customer writes: reopened by the customer, resolution again.
    advance(admin, start + H(3))
    agent.post(f"/api/v1/service/tickets/{tid}/state", {"to": "resolved"})
    again = start + H(4, 30)  # 13:30 (lunch ends)
    advance(admin, again + H(0, 10))
    r = agent.post(f"/api/v1/service/tickets/{tid}/messages", {"body": "还是不行"})
    v = r.json()
    assert v["state"] == "open" and v["reopened"] == 2
    res = all_of(v, "r06-ticket-resolution")
    assert [d["state"] for d in res] == ["met", "met", "open"]
    assert at(res[2]["due_at"]) == add_working(again + H(0, 10), H(5))
    moved = [j["payload"] for j in journal(admin, "service.ticket.moved")
             if "reopened_by" in j["payload"]]
    assert sorted(m["reopened_by"] for m in moved) == ["agent", "customer"]
    # Counted: R14's daily statistics give the agent's reopened tickets of the day.
    stats = agent.get(f"/api/v1/service/daily-stats?site_id={site}&day=2026-12-07").json()
    row = [i for i in stats["items"] if i["person_id"] == me][0]
    assert row["reopened"] == 2 and row["reopened_ticket_ids"] == [tid, tid]


def test_deadlines_cross_national_day_and_the_adjusted_saturday(national_day):
    site, q = site_with(national_day.admin(), FIGURES)
    admin, agent = Actor(national_day, "admin"), Actor(national_day, "cs1")
    opened = dt.datetime(2026, 9, 30, 15, 10, tzinfo=TZ)  # Wednesday
    advance(admin, opened)
    t = open_ticket(agent, site, q)
    d = levels(t)
    # 1 h 50 min are left on 09-30; both run into Thursday 10-08, after seven days off.
    due1 = add_working(opened, H(2))
    assert at(d["r14-first-response"]["due_at"]) == due1
    assert due1 == dt.datetime(2026, 10, 8, 8, 10, tzinfo=TZ)
    due = add_working(opened, H(5))
    assert at(d["r06-ticket-resolution"]["due_at"]) == due and due.date() == dt.date(2026, 10, 8)
    # 16:30 pending over the holiday; the customer answers on 10-08 at 09:00: resumed with what
    # was left, counted in working hours again. No breach in between.
    paused = dt.datetime(2026, 9, 30, 16, 30, tzinfo=TZ)
    advance(admin, paused)
    agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "pending"})
    back = dt.datetime(2026, 10, 8, 9, 0, tzinfo=TZ)
    advance_days(admin, back)
    assert journal(admin, "deadline.breached") == []
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "open"})
    left = working_between(paused, due)
    assert left == H(3, 40)
    assert at(levels(r.json())["r06-ticket-resolution"]["due_at"]) == add_working(back, left)
    # Friday 10-09 16:30 a new ticket: 2 h ends on the 调休 Saturday 10-10, which works.
    friday = dt.datetime(2026, 10, 9, 16, 30, tzinfo=TZ)
    advance_days(admin, friday)
    t2 = open_ticket(agent, site, q)
    due2 = add_working(friday, H(2))
    assert due2 == dt.datetime(2026, 10, 10, 9, 30, tzinfo=TZ)
    assert at(levels(t2)["r14-first-response"]["due_at"]) == due2


def test_a_priority_change_re_matches_the_running_clocks(monday):
    """Issue 18 §3: the deadlines re-matched to the new priority's target, the time already run
    counting against it (both targets timed from the start), journaled with both priorities."""
    admin = monday.admin()
    site, q = site_with(admin, FIGURES)
    agent = Actor(monday, "cs1")
    start = now(admin)  # Monday 09:00
    t = open_ticket(agent, site, q, "normal")
    tid = t["id"]
    d = levels(t)
    assert at(d["r14-first-response"]["due_at"]) == add_working(start, H(2))
    # 09:20 raised to urgent: 30 min and 3 h from 09:00, 20 min of each already run.
    advance(admin, start + H(0, 20))
    r = agent.post(f"/api/v1/service/tickets/{tid}/priority", {"priority": "urgent",
                                                                "note": "客户生产线停机"})
    assert r.status == 200, r
    v = r.json()
    assert v["priority"] == "urgent"
    d = levels(v)
    assert at(d["r14-first-response"]["due_at"]) == add_working(start, H(0, 30))
    assert at(d["r06-ticket-resolution"]["due_at"]) == add_working(start, H(3))
    assert "service_first_response_urgent" in d["r14-first-response"]["note"]
    assert len(all_of(v, "r14-first-response")) == 1  # the same deadline, re-timed
    moved = journal(admin, "service.ticket.reprioritized")
    assert [(j["payload"]["from_priority"], j["payload"]["priority"]) for j in moved] == [
        ("normal", "urgent")]
    retimed = {j["payload"]["service_level"]: j["payload"]
               for j in journal(admin, "deadline.retimed")}
    assert set(retimed) == {"r14-first-response", "r06-ticket-resolution"}
    first = retimed["r14-first-response"]
    assert at(first["was_due_at"]) == add_working(start, H(2))
    assert at(first["due_at"]) == add_working(start, H(0, 30))
    assert first["event"] == "ticket_priority_changed" and "within 2h" in first["was_note"]
    # 09:25 lowered back: the due times are the normal targets from 09:00 again.
    advance(admin, start + H(0, 25))
    r = agent.post(f"/api/v1/service/tickets/{tid}/priority", {"priority": "low"})
    d = levels(r.json())
    assert at(d["r14-first-response"]["due_at"]) == add_working(start, H(2))
    assert at(d["r06-ticket-resolution"]["due_at"]) == add_working(start, H(5))
    # Same target (low and normal share the fallback): nothing re-timed.
    n = len(journal(admin, "deadline.retimed"))
    r = agent.post(f"/api/v1/service/tickets/{tid}/priority", {"priority": "normal"})
    assert r.status == 200, r
    assert len(journal(admin, "deadline.retimed")) == n

    # A paused ticket: opened 09:00, pending 09:10 (1 h 50 left), urgent at 09:30 (20 min left),
    # resumed 10:00 → due 10:20.
    advance(admin, start + H(0, 30))
    t2 = open_ticket(agent, site, q, "normal", subject="退货")
    s2 = now(admin)
    advance(admin, s2 + H(0, 10))
    assert agent.post(f"/api/v1/service/tickets/{t2['id']}/state", {"to": "pending"}).status == 200
    advance(admin, s2 + H(0, 30))
    r = agent.post(f"/api/v1/service/tickets/{t2['id']}/priority", {"priority": "high"})
    assert levels(r.json())["r14-first-response"]["state"] == "paused"
    advance(admin, s2 + H(1))
    r = agent.post(f"/api/v1/service/tickets/{t2['id']}/state", {"to": "open"})
    d = levels(r.json())
    assert d["r14-first-response"]["state"] == "open"
    assert at(d["r14-first-response"]["due_at"]) == add_working(s2 + H(1), H(0, 20))

    # Raised after the new target is used up: due now, breached and escalated.
    t3 = open_ticket(agent, site, q, "normal", subject="发票")
    s3 = now(admin)
    advance(admin, s3 + H(0, 40))
    r = agent.post(f"/api/v1/service/tickets/{t3['id']}/priority", {"priority": "urgent"})
    assert at(levels(r.json())["r14-first-response"]["due_at"]) == s3 + H(0, 40)
    advance(admin, s3 + H(0, 41))
    breached = [j["payload"] for j in journal(admin, "deadline.breached")
                if j["payload"]["ref"] == f"ticket/{t3['id']}"]
    assert [b["service_level"] for b in breached] == ["r14-first-response"], breached
    assert breached[0]["escalated_to"] == ["客服主管"]

    # Bad input: a clear 4xx, nothing written.
    n = len(all_items(admin, "/api/v1/journal?limit=500"))
    r = agent.post(f"/api/v1/service/tickets/{tid}/priority", {"priority": "normal"})
    assert r.status == 409 and r.json()["error"]["reason"] == "service.priority_unchanged", r
    r = agent.post(f"/api/v1/service/tickets/{tid}/priority", {"priority": "asap"})
    assert r.status == 400 and r.json()["error"]["reason"] == "service.unknown_priority", r
    r = agent.post(f"/api/v1/service/tickets/{tid}/priority", {})
    assert r.status == 400 and r.json()["error"]["field"] == "priority", r
    r = agent.post("/api/v1/service/tickets/999999/priority", {"priority": "high"})
    assert r.status == 404 and r.json()["error"]["reason"] == "service.unknown_ticket", r
    assert len(all_items(admin, "/api/v1/journal?limit=500")) == n
    me = agent.get("/api/v1/me").json()["account"]["person_id"]
    assert agent.post(f"/api/v1/service/tickets/{tid}/assign", {"person_id": me}).status == 200
    assert agent.post(f"/api/v1/service/tickets/{tid}/state", {"to": "resolved"}).status == 200
    assert agent.post(f"/api/v1/service/tickets/{tid}/state", {"to": "closed"}).status == 200
    r = agent.post(f"/api/v1/service/tickets/{tid}/priority", {"priority": "high"})
    assert r.status == 409, r
