"""The supervisor board and a customer's overview (issue 18 §10) over HTTP against the real binary,
on both backends.

The board, on the test clock from Monday 2026-12-07 09:00 in Shanghai with a first response of
one working hour and a warning 30 minutes before it (all before 11:30, so the working hours are the
clock's): an agent on 客服组's post gets two tickets routed, replies to one and sets it pending;
two complaints wait unassigned in 投诉组. The test keeps what it did and computes every figure —
per queue the tickets by state, unassigned, at risk (warned, still running), breached now, the
oldest new or open ticket and its wait, the flagged tickets, the agents on the post with their
load — at 09:45 and 10:05, then after the supervisor reassigns from the board. Only a supervisor
reads it (403 service.board_denied), an unknown site is 404, a missing site_id 400.

The overview: one customer's counts, return-visit record, 客户反馈表 (as the ticket shows it),
feedback and callback (phone masked), none of another customer's."""
import datetime as dt

import pytest

from test_service_reports_api import Agent
from zhidu_harness import Actor, clock_server, ok

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
PASSWORD = "correct horse 1"
FIRST = "r14-first-response"  # cn-default's first-response level


@pytest.fixture
def clock(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def at(hour, minute=0):
    return dt.datetime(2026, 12, 7, hour, minute, tzinfo=TZ)


def advance(admin, to):
    ok(admin.post("/api/v1/test/clock", {"to": to.isoformat()}))


def parse(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_board_counts_flags_agents_and_reassigns(clock):
    admin = Actor(clock, "admin")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    for name, value in [("service_first_response_within", "1h"), ("service_sla_warn_before", "30m")]:
        ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/{name}", {"value": value}))
    queues = {name: ok(admin.post("/api/v1/posts", {"site_id": site, "name": name}), 201)["id"]
              for name in ("客服组", "投诉组")}
    cs1 = Actor(clock, "cs1")
    p1 = cs1.me()["person_id"]
    p2 = ok(admin.post("/api/v1/people", {"site_id": site, "name": "看板测试·钱客服"}), 201)["id"]
    ok(admin.post("/api/v1/accounts", {"username": "cs_board", "password": PASSWORD, "person_id": p2,
                                       "roles": [{"role": "客服专员", "scope_kind": "site",
                                                  "scope_id": site}]}), 201)
    cs2 = Agent(clock, "cs_board", PASSWORD)
    lead = Actor(clock, "cs_lead")  # 客服主管: the queues' 客服专员 report to it
    names = {p1: ok(admin.get(f"/api/v1/people/{p1}"))["name"], p2: "看板测试·钱客服"}

    # What the test does: ticket name → {id, queue, created, state, assignee, replied}.
    model = {}
    on_post = {"客服组": {p1: START}, "投诉组": {}}

    def ticket(name, queue, created):
        t = ok(cs1.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": queues[queue],
                                                     "subject": f"看板测试 {name}"}), 201)
        model[name] = {"id": t["id"], "queue": queue, "created": created, "state": t["state"],
                       "assignee": t["assignee"], "replied": False, "subject": f"看板测试 {name}"}
        return t

    ok(cs1.post(f"/api/v1/posts/{queues['客服组']}/attendance"), 201)
    a, b = ticket("A", "客服组", at(9)), ticket("B", "客服组", at(9))
    assert (a["assignee"], b["assignee"]) == (p1, p1), "routed to the one agent on the post"
    ticket("C", "投诉组", at(9))
    advance(admin, at(9, 10))
    ok(cs1.post(f"/api/v1/service/tickets/{model['B']['id']}/replies", {"body": "您好"}), 201)
    ok(cs1.post(f"/api/v1/service/tickets/{model['B']['id']}/state", {"to": "pending"}))
    model["B"].update(replied=True, state="pending")
    advance(admin, at(9, 20))
    ticket("D", "投诉组", at(9, 20))

    def expected(now):
        """The board as the test computes it from what it did: the first response is due an hour
        after opening, warned 30 minutes before; a ticket replied to has met it."""
        out = {}
        for queue in ("客服组", "投诉组"):
            mine = [m for m in model.values() if m["queue"] == queue]
            due = {m["id"]: m["created"] + dt.timedelta(hours=1) for m in mine}
            breached = [m for m in mine if not m["replied"] and due[m["id"]] <= now]
            at_risk = [m for m in mine if not m["replied"]
                       and due[m["id"]] - dt.timedelta(minutes=30) <= now < due[m["id"]]]
            waiting = sorted((m for m in mine if m["state"] in ("new", "open")),
                             key=lambda m: (m["created"], m["id"]))
            flagged = sorted(breached, key=lambda m: (m["created"], m["id"])) + \
                sorted(at_risk, key=lambda m: (m["created"], m["id"]))
            load = {p: sum(1 for m in model.values() if m["assignee"] == p
                           and m["state"] in ("new", "open", "pending")) for p in on_post[queue]}
            out[queue] = {
                "states": {s: sum(1 for m in mine if m["state"] == s) for s in ("new", "open", "pending")},
                "unassigned": sum(1 for m in mine if m["assignee"] is None),
                "at_risk": len(at_risk), "breached": len(breached),
                "oldest": (waiting[0]["id"], int((now - waiting[0]["created"]).total_seconds() // 60))
                if waiting else None,
                "tickets": [(m["id"], m["subject"], m in breached, m in at_risk,
                             names.get(m["assignee"], "")) for m in flagged],
                "agents": [(p, names[p], load[p], since) for p, since in sorted(on_post[queue].items())],
            }
        return out

    def check(now):
        board = ok(lead.get(f"/api/v1/service/board?site_id={site}"))
        assert parse(board["at"]) == now
        got = {q["queue"]: q for q in board["queues"]}
        assert set(got) == {"客服组", "投诉组"}, "the queues holding tickets, from the pack's posts"
        for queue, want in expected(now).items():
            q = got[queue]
            assert q["queue_post_id"] == queues[queue]
            assert q["title"], "the pack's title of the post"
            assert q["states"] == want["states"], (queue, q["states"])
            assert q["open_total"] == sum(want["states"].values())
            assert q["unassigned"] == want["unassigned"], queue
            assert (q["at_risk"], q["breached"]) == (want["at_risk"], want["breached"]), (queue, q)
            oldest = (q["oldest"]["id"], q["oldest"]["waiting_minutes"]) if q["oldest"] else None
            assert oldest == want["oldest"], (queue, q["oldest"])
            assert [(t["id"], t["subject"], t["breached"], t["at_risk"], t["assignee_name"])
                    for t in q["tickets"]] == want["tickets"], (queue, q["tickets"])
            assert [(x["person_id"], x["name"], x["load"], parse(x["on_post_since"]))
                    for x in q["agents"]] == want["agents"], (queue, q["agents"])
        return got

    advance(admin, at(9, 45))
    got = check(at(9, 45))
    assert got["客服组"]["at_risk"] == 1 and got["投诉组"]["at_risk"] == 1  # A and C warned at 09:30
    advance(admin, at(10, 5))
    got = check(at(10, 5))
    assert got["投诉组"]["breached"] == 1 and got["投诉组"]["at_risk"] == 1  # C breached, D warned

    # cs2 comes on 投诉组's post; the supervisor hands D to cs2 from the board (the assign route).
    advance(admin, at(10, 6))
    ok(cs2.post(f"/api/v1/posts/{queues['投诉组']}/attendance"), 201)
    on_post["投诉组"][p2] = at(10, 6)
    ok(lead.post(f"/api/v1/service/tickets/{model['D']['id']}/assign", {"person_id": p2}))
    model["D"].update(assignee=p2, state="open")
    got = check(at(10, 6))
    assert got["投诉组"]["agents"][0]["load"] == 1

    # Only a supervisor of the site's queues; the site must exist and be named.
    r = cs1.get(f"/api/v1/service/board?site_id={site}")
    assert (r.status, r.json()["error"]["reason"]) == (403, "service.board_denied"), r
    r = lead.get("/api/v1/service/board?site_id=999999")
    assert (r.status, r.json()["error"]["reason"]) == (404, "service.unknown_site"), r
    assert lead.get("/api/v1/service/board").status == 400


def test_customer_overview_gathers_one_customer_s_records(server, admin):
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    q = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "投诉组"}), 201)["id"]
    cs1 = Actor(server, "cs1")

    def customer(name, phone):
        return ok(cs1.post("/api/v1/service/customers", {"site_id": site, "kind": "person", "name": name,
                                                          "phones": [phone], "grade": "优质客户"}), 201)["id"]

    me, other = customer("概览测试·王先生", "13812345678"), customer("概览测试·李女士", "13987654321")
    for phone in ("13812345678", "13812345678", "13987654321"):
        ok(cs1.post("/api/v1/service/contacts", {"site_id": site, "channel": "call", "name": "来电",
                                                  "need": "咨询", "phone": phone}), 201)

    def ticket(cid, subject, complaint):
        return ok(cs1.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q, "subject": subject,
                                                        "complaint": complaint, "customer_id": cid}), 201)["id"]

    complaint = ticket(me, "概览测试 投诉发错货", True)
    plain = ticket(me, "概览测试 咨询", False)
    ticket(other, "概览测试 他人投诉", True)
    ok(cs1.post(f"/api/v1/service/tickets/{plain}/state", {"to": "resolved", "note": "已解答"}))
    ok(cs1.post(f"/api/v1/service/tickets/{plain}/satisfaction", {"satisfied": True, "note": "回访满意"}), 201)
    ok(cs1.post("/api/v1/service/orders", {"site_id": site, "customer_id": me, "kind": "retail",
                                           "items": [{"name": "概览测试件", "quantity": 1}]}), 201)
    category = ok(cs1.get("/api/v1/service/feedback-categories"))["items"][0]
    for cid in (me, other):
        ok(cs1.post("/api/v1/service/feedback", {"site_id": site, "category": category["id"],
                                                 "detail": f"概览测试反馈 {cid}", "customer_id": cid}), 201)
    promised = (dt.datetime.now(TZ) + dt.timedelta(hours=2)).replace(microsecond=0)
    ok(cs1.post("/api/v1/service/callbacks", {"site_id": site, "customer_id": me, "phone": "13812345678",
                                              "reason": "回电说明补发", "promised_at": promised.isoformat()}), 201)

    v = ok(cs1.get(f"/api/v1/service/customers/{me}/overview"))
    assert (v["customer_id"], v["name"], v["grade"]) == (me, "概览测试·王先生", "优质客户")
    assert v["counts"] == {"contacts": 2, "tickets": 2, "open_tickets": 1, "complaints": 1, "orders": 1,
                           "surveys_answered": 1, "surveys_satisfied": 1}, v["counts"]
    assert v["satisfaction_percent"] == 100
    assert [(s["ticket_id"], s["channel"], s["satisfied"], s["reason"]) for s in v["surveys"]] == \
        [(plain, "return_visit", True, "回访满意")]
    # The 客户反馈表 as the complaint's own answer shows it.
    shown = ok(cs1.get(f"/api/v1/service/tickets/{complaint}"))["procedures"]
    assert shown, "cn-default starts its 客户反馈表 on a complaint"
    assert [(f["ticket_id"], f["instance_id"], f["procedure"], f["state"]) for f in v["forms"]] == \
        [(complaint, p["id"], p["procedure"], p["state"]) for p in shown]
    assert all(f["title"] and f["state_title"] for f in v["forms"])
    assert [(f["category"], f["category_label"], f["detail"]) for f in v["feedback"]] == \
        [(category["id"], category["label"], f"概览测试反馈 {me}")]
    assert [(c["phone"], c["reason"], c["done_at"]) for c in v["callbacks"]] == \
        [("138****5678", "回电说明补发", None)], "masked, never the full number"

    assert cs1.get("/api/v1/service/customers/999999/overview").status == 404
