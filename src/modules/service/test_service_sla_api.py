"""A ticket's SLA deadlines (issue 18 §3) over HTTP against the real binary, on both backends, on the
test clock: they count working hours (cn-default's `time: business`, R04 §二12's 08:00-11:30,
13:30-17:00 on the business calendar, in Asia/Shanghai); a ticket waiting on the customer
(pending) pauses them — no breach while paused, `paused_at` shown, journaled — and leaving pending
resumes them due later by the working time paused, also across a restart of the server."""
import datetime as dt

# `clock`: a server on the test clock from Monday 2026-12-07 09:00 (a working day) in Shanghai.
from test_service_surveys_api import TZ, advance, clock  # noqa: F401 (a fixture)
from zhidu_harness import Actor, all_items, login


def advance_days(admin, to):
    """Moves the test clock to `to` a day at a time: each step's duties and timers are run within
    one request, which stays short on a loaded machine."""
    now = at(admin.get("/api/v1/test/clock").json()["now"])
    for _ in range(60):
        now = min(now + dt.timedelta(days=1), to)
        advance(admin, now)
        if now == to:
            return
    raise AssertionError("too far")


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def local(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def journal(admin, kind):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"] == kind]


def site_with_figures(admin, first, resolution):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    for name, value in [("service_first_response_within", first),
                        ("service_resolution_within", resolution)]:
        r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/{name}", body={"value": value})
        assert r.status == 200, r
    r = admin.post("/api/v1/posts", {"site_id": site, "name": "客服组"})
    assert r.status == 201, r
    return site, r.json()["id"]


def deadlines(agent, ticket):
    t = agent.get(f"/api/v1/service/tickets/{ticket}").json()
    return {d["service_level"]: d for d in t["deadlines"]}


def move(agent, ticket, to):
    r = agent.post(f"/api/v1/service/tickets/{ticket}/state", {"to": to})
    assert r.status == 200, r
    return {d["service_level"]: d for d in r.json()["deadlines"]}


def test_pending_pauses_business_hour_deadlines_and_resumes_them_shifted(clock):
    admin = clock.admin()
    site, q = site_with_figures(admin, "1h", "4h")
    agent = login(clock, "cs1")
    r = agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                               "subject": "发票抬头咨询"})
    assert r.status == 201, r
    ticket = r.json()["id"]
    d = {x["service_level"]: x for x in r.json()["deadlines"]}
    # 1 working hour from 09:00 is 10:00; 4 from 09:00 cross lunch: 11:30 + 1.5 h after 13:30.
    assert at(d["r14-first-response"]["due_at"]) == local(7, 10)
    assert at(d["r06-ticket-resolution"]["due_at"]) == local(7, 15)
    assert all(x["working_hours"] is True and x["paused_at"] is None for x in d.values())

    # 09:30 the agent asks the customer for the invoice details: pending pauses both.
    advance(admin, local(7, 9, 30))
    d = move(agent, ticket, "pending")
    for level in ["r14-first-response", "r06-ticket-resolution"]:
        assert d[level]["state"] == "paused", d[level]
        assert at(d[level]["paused_at"]) == local(7, 9, 30)
    assert len(journal(admin, "deadline.paused")) == 2

    # Past the first response's original due time (10:00) while paused: nothing is breached.
    advance(admin, local(7, 11))
    assert journal(admin, "deadline.breached") == []
    assert {x["state"] for x in deadlines(agent, ticket).values()} == {"paused"}
    r = admin.get(f"/api/v1/deadlines?site_id={site}&state=paused")
    assert r.status == 200 and len(r.json()["items"]) == 2, r

    # The server restarts while paused: the state is stored, no timer fires.
    clock.stop()
    clock.extra = ["--test-clock", local(7, 13, 45).isoformat()]
    clock.start()
    admin = clock.admin()
    agent = login(clock, "cs1")
    assert journal(admin, "deadline.breached") == []
    assert {x["state"] for x in deadlines(agent, ticket).values()} == {"paused"}

    # 14:00 the customer answers: open again. What was left counts from now in working hours:
    # 30 min of the first response (14:30); 3.5 h of the resolution (14:00-17:00, Tuesday 08:30).
    advance(admin, local(7, 14))
    d = move(agent, ticket, "open")
    assert d["r14-first-response"]["state"] == "open" and d["r14-first-response"]["paused_at"] is None
    assert at(d["r14-first-response"]["due_at"]) == local(7, 14, 30)
    assert at(d["r06-ticket-resolution"]["due_at"]) == local(8, 8, 30)
    resumed = {j["payload"]["service_level"]: j["payload"] for j in journal(admin, "deadline.resumed")}
    assert set(resumed) == {"r14-first-response", "r06-ticket-resolution"}
    first = resumed["r14-first-response"]
    assert at(first["paused_at"]) == local(7, 9, 30) and at(first["resumed_at"]) == local(7, 14)
    assert first["paused_seconds"] == 4.5 * 3600 and first["counted"] == "working_hours"
    assert at(first["was_due_at"]) == local(7, 10) and at(first["due_at"]) == local(7, 14, 30)

    # The resumed timers are the new due times: not breached at 14:29, breached at 14:31.
    advance(admin, local(7, 14, 29))
    assert journal(admin, "deadline.breached") == []
    advance(admin, local(7, 14, 31))
    breached = journal(admin, "deadline.breached")
    assert [j["payload"]["service_level"] for j in breached] == ["r14-first-response"]
    assert deadlines(agent, ticket)["r06-ticket-resolution"]["state"] == "open"

    # Resolved straight from pending: resumed, then met — a paused deadline had not fallen due.
    advance(admin, local(7, 15))
    assert move(agent, ticket, "pending")["r06-ticket-resolution"]["state"] == "paused"
    d = move(agent, ticket, "resolved")
    assert d["r06-ticket-resolution"]["state"] == "met"
    clock.stop()
    v = clock.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_a_business_hour_deadline_skips_the_night_and_the_weekend(clock):
    site, q = site_with_figures(clock.admin(), "2h", "1d")
    # Days pass on the test clock: these sign in again when their session expires.
    admin, agent = Actor(clock, "admin"), Actor(clock, "cs1")
    # Friday 16:30 + 2 working hours: 30 min on Friday, then Monday 08:00-09:30.
    advance_days(admin, local(11, 16, 30))
    r = agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                               "subject": "周末前的咨询"})
    assert r.status == 201, r
    d = {x["service_level"]: x for x in r.json()["deadlines"]}
    assert at(d["r14-first-response"]["due_at"]) == local(14, 9, 30)
    # A figure of a day or more counts working days: Friday + 1 is Monday, same time.
    assert at(d["r06-ticket-resolution"]["due_at"]) == local(14, 16, 30)
    assert d["r06-ticket-resolution"]["working_hours"] is False
    # Saturday and Sunday pass without a breach; Monday 09:31 it is breached.
    advance_days(admin, local(13, 23))
    assert journal(admin, "deadline.breached") == []
    advance_days(admin, local(14, 9, 31))
    assert [j["payload"]["service_level"] for j in journal(admin, "deadline.breached")] == [
        "r14-first-response"]


def test_pause_events_are_raised_only_by_the_module(clock):
    admin = clock.admin()
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    for event in ["ticket_pending", "ticket_unpending"]:
        r = admin.post(f"/api/v1/sites/{site}/events", {"event": event, "ref": "ticket/1"})
        assert r.status == 409 and r.json()["error"]["reason"] == "event.raised_by_module", r
    assert journal(admin, "deadline.paused") == []


# The ship cut-off on the business calendar (issue 18 §6) runs on real orders now:
# test_service_orders_api.py (order_received is raised by the service module, not by hand).
