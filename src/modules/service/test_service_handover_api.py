"""Agents' duty (issue 18 §9; R08 §二6, R17 §一1-2, R19 §三2.5)) over HTTP against the real binary,
on both backends, on the test clock.

* The CS shift pattern r19-cs-schedule has no hours of its own (R08, R17 and R19 give none): a
  roster is refused (409 policy.shift_hours_unset, nothing written) until the site sets each
  shift's hours (time_range parameters, a bad value 400); then two teams rotate daily on the
  site's 08:00-16:00 and 16:00-24:00, computed in +08:00.
* The R08 and R17 handover checklists apply to 投诉组: R17's 10-15 minutes (the window opens 15
  minutes before the change; an agent opening it 5 minutes before is recorded as not early
  enough, one 12 minutes before as early enough); 20 minutes before is refused, nothing written.
* At the 16:00 handover the outgoing's open tickets of the queue are listed in the frozen report
  (not the resolved one, not another agent's); a missing checklist item (400) and an unknown
  refusal reason (400) write nothing; the signatures go outgoing first, in person (R17 §一2); on
  the last one the tickets pass to the incoming — assignee, a thread entry, service.ticket.assigned
  with carried_over and the handover's clauses — and their SLA deadlines are exactly as before.
"""
import datetime as dt

import pytest

from test_runtime_week import Actor, advance, post_id
from zhidu_harness import all_items, clock_server, ok, refused

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 7, 0, tzinfo=TZ)
PASSWORD = "correct horse 1"


@pytest.fixture
def cserver(require_backend):
    s = clock_server(require_backend, MONDAY)
    yield s
    s.kill()


def at(hour, minute=0, day=7):
    return MONDAY.replace(day=day, hour=hour, minute=minute)


def put_param(admin, site, name, value):
    return admin.call("PUT", f"/api/v1/sites/{site}/parameters/{name}", {"value": value})


def journal(admin, kind):
    return [j for j in all_items(admin, "/api/v1/journal?limit=500") if j["kind"] == kind]


def test_cs_shifts_early_arrival_and_open_tickets_carried_over(cserver):
    server = cserver
    admin = Actor(server, "admin")
    lead = Actor(server, "cs_lead")  # 客服主管: makes the schedule (R19 §三2.5), roster.manage
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    q = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "投诉组"}), 201)["id"]

    # Two teams of agents (客服专员), one agent each.
    teams, agents = [], []
    for name in ("甲", "乙"):
        team = ok(admin.post("/api/v1/teams", {"site_id": site, "name": f"投诉组{name}班"}), 201)["id"]
        person = ok(admin.post("/api/v1/people", {"site_id": site, "team_id": team,
                                                  "name": f"交接测试·{name}客服"}), 201)["id"]
        user = f"cs_shift_{len(teams)}"
        ok(admin.post("/api/v1/accounts", {"username": user, "password": PASSWORD, "person_id": person,
                                           "roles": [{"role": "客服专员", "scope_kind": "site",
                                                      "scope_id": site}]}), 201)
        client = server.client()
        assert client.login(user, PASSWORD).status == 200
        teams.append(team)
        agents.append((client, person))
    (a, pa), (b, pb) = agents

    # -- The shift pattern: its hours are the site's, with no default.
    params = {p["name"]: p for p in ok(admin.get(f"/api/v1/sites/{site}/parameters"))["items"]}
    for name in ("service_first_shift_hours", "service_second_shift_hours"):
        assert params[name]["kind"] == "time_range" and params[name]["value"] is None, params[name]
    body = {"site_id": site, "post_id": q, "pattern": "r19-cs-schedule", "team_ids": teams,
            "first_day": "2026-12-07", "last_day": "2026-12-08"}
    e = refused(lead.post("/api/v1/rosters", body), 409, "policy.shift_hours_unset", "pattern")
    assert "service_first_shift_hours" in e["message"] and "service_second_shift_hours" in e["message"], e
    assert ok(lead.get(f"/api/v1/rosters?post_id={q}"))["items"] == []
    for bad in ("8点到16点", "08:00-08:00", "25:00-08:00"):
        r = put_param(admin, site, "service_first_shift_hours", bad)
        assert r.status == 400 and r.json()["error"]["field"] == "value", (bad, r)
    ok(put_param(admin, site, "service_first_shift_hours", "08:00-16:00"))
    e = refused(lead.post("/api/v1/rosters", body), 409, "policy.shift_hours_unset", "pattern")
    assert "service_second_shift_hours" in e["message"] and "service_first_shift_hours" not in e["message"], e
    ok(put_param(admin, site, "service_second_shift_hours", "16:00-24:00"))

    roster = ok(lead.post("/api/v1/rosters", body), 201)
    slots = sorted((dt.datetime.fromisoformat(x["starts_at"]), dt.datetime.fromisoformat(x["ends_at"]),
                    x["person_id"], x["shift"]) for x in roster["assignments"])
    assert slots == [
        (at(8), at(16), pa, "first"), (at(16), at(0, day=8), pb, "second"),
        (at(8, day=8), at(16, day=8), pb, "first"), (at(16, day=8), at(0, day=9), pa, "second"),
    ], slots
    ok(lead.post(f"/api/v1/rosters/{roster['id']}/publish"))

    # -- The first shift: agent A on the post from 08:00; tickets are routed to A.
    advance(admin, at(7, 58))
    ok(a.post(f"/api/v1/posts/{q}/attendance"), 201)
    for name in ("service_resolution_within", "service_resolution_urgent"):  # the site's figures
        ok(put_param(admin, site, name, "8h"))
    advance(admin, at(9))
    tickets = [ok(a.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                                       "subject": s, "priority": p}), 201)
               for s, p in (("退款未到账", "high"), ("物流投诉", "normal"), ("已答复的咨询", "low"))]
    assert all(t["assignee"] == pa for t in tickets), tickets
    ok(a.post(f"/api/v1/service/tickets/{tickets[1]['id']}/state", {"to": "pending", "note": "等客户补充凭证"}))
    ok(a.post(f"/api/v1/service/tickets/{tickets[2]['id']}/state", {"to": "resolved", "note": "已解答"}))
    open_ids = [tickets[0]["id"], tickets[1]["id"]]
    before = {t: ok(a.get(f"/api/v1/service/tickets/{t}"))["deadlines"] for t in open_ids}
    assert all(d for d in before.values()), before

    # -- The 16:00 change: R17 §一1 提前10-15分钟 — the window opens at 15:45.
    advance(admin, at(15, 40))
    e = refused(b.post("/api/v1/handovers", {"post_id": q}), 409, "handover.outside_window")
    assert "15:45" in e["message"] and "R17 §一1" in e["message"], e
    assert ok(admin.get(f"/api/v1/handovers?post_id={q}"))["items"] == []

    # B arrives 5 minutes before: the handover opens, recorded as not early enough.
    advance(admin, at(15, 55))
    h = ok(b.post("/api/v1/handovers", {"post_id": q}), 201)
    hid = h["id"]
    assert set(h["checklists"]) == {"r08-handover", "r17-handover"}, h["checklists"]
    assert {"R08 §二6", "R17 §一2"} <= set(h["clauses"]), h["clauses"]
    assert h["face_to_face"] is True, h
    assert h["window"]["arrive_before_minutes"] == 15 and h["window"]["arrive_at_least_minutes"] == 10, h["window"]
    assert (h["outgoing_person_id"], h["incoming_person_id"]) == (pa, pb), h
    arrival = h["report"]["arrival"]
    assert arrival == {"minutes_before_change": 5, "required_minutes": 10, "early_enough": False,
                       "clauses": ["R17 §一1"]}, arrival
    opened = [j for j in journal(admin, "handover.opened") if j["payload"]["handover_id"] == hid]
    assert opened[0]["payload"]["arrived_early_enough"] is False and opened[0]["payload"]["carried"] == 2, opened
    # The outgoing's open tickets of the queue, frozen into the report (not the resolved one).
    carried = h["report"]["carried"]
    assert [c["item"] for c in carried] == [f"ticket/{t}" for t in open_ids], carried
    assert "退款未到账" in carried[0]["what"] and "紧急" not in carried[0]["what"] and "高" in carried[0]["what"], carried
    assert "等待客户" in carried[1]["what"], carried

    # Bad input writes nothing: a missing required item, an unknown refusal reason (R08 and R17
    # give no 五不接 list), a signature before the answers, the incoming signing first.
    items = {i["id"]: i for i in h["items"]}
    assert items["details"]["required"] is True, items
    r = b.post(f"/api/v1/handovers/{hid}/answers", {"answers": {"notes": "无"}})
    assert r.status == 400 and r.json()["error"]["field"] in ("answers.open-issues", "answers.details"), r
    r = b.post(f"/api/v1/handovers/{hid}/refuse", {"reason": "not-clear"})
    assert r.status == 400 and r.json()["error"]["field"] == "reason", r
    refused(a.post(f"/api/v1/handovers/{hid}/sign", {"password": PASSWORD}), 409, "handover.checklist_first")
    got = ok(admin.get(f"/api/v1/handovers/{hid}"))
    assert (got["state"], got["answers"], got["signatures"]) == ("open", {}, []), got
    for kind in ("handover.answered", "handover.refused", "handover.signed"):
        assert [j for j in journal(admin, kind) if j["payload"]["handover_id"] == hid] == [], kind

    answers = {"open-issues": "退款单待财务确认；物流投诉等客户凭证", "details": "两张未结工单当面交接",
               "notes": "无"}
    ok(a.post(f"/api/v1/handovers/{hid}/answers", {"answers": answers}))
    refused(b.post(f"/api/v1/handovers/{hid}/sign", {"password": PASSWORD}), 409,
            "handover.outgoing_signs_first")
    # A ticket routed to A while the handover is open is A's until the last signature: it passes too.
    late = ok(b.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                                  "subject": "交接中来电"}), 201)
    assert late["assignee"] == pa, late
    ok(a.post(f"/api/v1/handovers/{hid}/sign", {"password": PASSWORD}))
    assert all(ok(a.get(f"/api/v1/service/tickets/{t}"))["assignee"] == pa for t in open_ids)
    advance(admin, at(15, 58))
    done = ok(b.post(f"/api/v1/handovers/{hid}/sign", {"password": PASSWORD}))
    assert done["state"] == "completed", done

    # -- Carried over: reassigned, journaled, SLA clocks untouched.
    passed = open_ids + [late["id"]]
    for t in passed:
        view = ok(b.get(f"/api/v1/service/tickets/{t}"))
        assert view["assignee"] == pb, view
        entry = view["thread"][-1]
        assert entry["kind"] == "assign" and entry["person_id"] == pb and f"#{hid}" in entry["body"], entry
    for t in open_ids:
        assert ok(b.get(f"/api/v1/service/tickets/{t}"))["deadlines"] == before[t], t
    assert ok(b.get(f"/api/v1/service/tickets/{tickets[1]['id']}"))["state"] == "pending"
    assert ok(a.get(f"/api/v1/service/tickets/{tickets[2]['id']}"))["assignee"] == pa  # resolved: stays
    moved = [j for j in journal(admin, "service.ticket.assigned") if j["payload"].get("carried_over")]
    assert sorted(j["payload"]["id"] for j in moved) == sorted(passed), moved
    for j in moved:
        p = j["payload"]
        assert (p["from_person_id"], p["person_id"], p["handover_id"]) == (pa, pb, hid), p
        assert "R17 §一2" in p["clauses"] and "R08 §二6" in p["clauses"], p
    completed = [j for j in journal(admin, "handover.completed") if j["payload"]["handover_id"] == hid]
    assert sorted(completed[0]["payload"]["carried"]) == sorted(f"ticket/{t}" for t in passed), completed
    assert completed[0]["payload"]["face_to_face"] is True, completed
    attendance = ok(admin.get(f"/api/v1/posts/{q}/attendance"))["items"]
    assert [x["person_id"] for x in attendance] == [pb], attendance

    # -- The next day's 16:00 change: A arrives 12 minutes before, within 10-15: early enough;
    # B's tickets are listed to go back.
    advance(admin, at(15, 48, day=8))
    assert a.login("cs_shift_0", PASSWORD).status == 200  # sessions follow the clock
    h2 = ok(a.post("/api/v1/handovers", {"post_id": q}), 201)
    assert h2["report"]["arrival"]["early_enough"] is True, h2["report"]["arrival"]
    assert h2["report"]["arrival"]["minutes_before_change"] == 12, h2["report"]["arrival"]
    assert [c["item"] for c in h2["report"]["carried"]] == [f"ticket/{t}" for t in passed], h2["report"]
