"""请假 as a pack request (issue 20 §5) over HTTP against the real binary, on both backends: a fire
operator files the pack's leave request (the type declaring the inputs roster_leave.from and
roster_leave.to) for a day of their
published shifts; their superior approves it through the ordinary request chain; the approval marks
the shift 请假 in the published roster, the shift left short is the roster's problem, and attendance
records no absence for it while the colleague who never came is charged. Refused with nothing
written: a period holding none of the person's shifts, a period that ends before it starts, a leave
overlapping a pending or approved one, a shift that has begun (leave is asked beforehand), approving
twice; an approval whose shifts are gone since the filing."""
import datetime as dt
import urllib.parse

import pytest

from zhidu_harness import Actor, all_items, clock_server, ok, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
EARLY = dt.datetime(2026, 12, 8, 0, 0, tzinfo=TZ)  # the early shift, 00:00-08:00
POST = "消防控制室值班岗"


def q(t):
    return urllib.parse.quote(t.isoformat())


@pytest.fixture
def clock(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def test_leave_request_marks_the_roster(clock):
    server = clock
    admin = Actor(server, "admin")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    post = next(p["id"] for p in all_items(admin, f"/api/v1/posts?site_id={site}") if p["name"] == POST)
    shifts = ok(admin.get(f"/api/v1/shifts?site_id={site}&from={q(EARLY)}&to={q(EARLY + dt.timedelta(hours=1))}"))
    on_shift = [s for s in shifts["items"] if s["post_id"] == post and s["starts_at"] == EARLY.isoformat()]
    assert len(on_shift) == 2, on_shift
    actors = {}
    for user in server.credentials():
        a = Actor(server, user)
        me = a.me()
        if me.get("person_id"):
            actors[me["person_id"]] = a
    mine, colleague = on_shift[0], on_shift[1]
    worker = actors[mine["person_id"]]
    # Absence is charged at this site: the leave must keep the worker from being charged.
    ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/attendance_absent_code", {"value": "R13-DISCIPLINE"}))

    # The pack's leave request: found by the inputs that link it to the roster, not by a name.
    types = ok(admin.get("/api/v1/request-types"))["items"]
    leave = [t for t in types if {"roster_leave.from", "roster_leave.to"} <= set(t["inputs"])]
    assert len(leave) == 1, [t["id"] for t in types]
    leave = leave[0]
    assert set(leave["inputs"]) == {"roster_leave.from", "roster_leave.to"}, leave
    assert "R13 第二则·守则·(10)" in leave["clauses"], leave

    def file(frm, to, who=worker):
        return who.post("/api/v1/requests", {"site_id": site, "type": leave["id"], "reason": "家中有事",
                                             "inputs": {"roster_leave.from": frm, "roster_leave.to": to}})

    def my_requests():
        return [r for r in all_items(worker, f"/api/v1/requests?mine=true&type={leave['id']}")]

    # Refused, nothing filed: no shift of theirs in the period; a period ending before it starts;
    # not a date.
    e = refused(file("2030-06-01", "2030-06-02"), 409, "roster.leave_no_shift")
    assert e["field"] == "inputs.roster_leave.from", e
    e = refused(file("2026-12-09", "2026-12-08"), 400, "roster.leave_period")
    assert e["field"] == "inputs.roster_leave.to", e
    assert file("12/08", "2026-12-08").status == 400
    assert my_requests() == []

    req = ok(file("2026-12-08", "2026-12-08"), 201)
    assert req["state"] == "pending", req
    # Overlapping the pending one: refused.
    refused(file("2026-12-08", "2026-12-09"), 409, "roster.leave_overlap")
    assert len(my_requests()) == 1

    # The superior decides it through the request chain (whoever has it waiting).
    deciders = [a for a in actors.values()
                if any(r["id"] == req["id"]
                       for r in all_items(a, "/api/v1/requests?waiting_for_me=true"))]
    assert deciders, "no one may decide the leave"
    decider = deciders[0]
    done = ok(decider.post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True, "note": "同意"}), 201)
    assert done["state"] == "approved", done
    # Approving twice: refused, nothing changes.
    again = decider.post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True})
    assert again.status == 409, again
    # And an overlapping leave after the approval is refused too.
    refused(file("2026-12-08", "2026-12-10"), 409, "roster.leave_overlap")

    # The published roster shows the shift as 请假 with the request, and the shift left short.
    roster = ok(admin.get(f"/api/v1/rosters/{mine['roster_id']}"))
    a = next(x for x in roster["assignments"] if x["id"] == mine["id"])
    assert a["state"] == "leave", a
    assert f"#{req['id']}" in a["note"] and "请假" in a["note"], a
    assert [p for p in roster["warnings"] if p["starts_at"] == EARLY.isoformat()], roster["warnings"]
    active = ok(admin.get(f"/api/v1/shifts?site_id={site}&from={q(EARLY)}&to={q(EARLY + dt.timedelta(hours=1))}"))
    assert mine["person_id"] not in [s["person_id"] for s in active["items"]
                                     if s["post_id"] == post and s["starts_at"] == EARLY.isoformat()]
    journal = [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"] == "roster.leave"]
    assert journal, "roster.leave not journaled"

    # Approval when the shifts are gone since the filing (the manager recorded the leave by hand):
    # refused, the request stays pending and can be rejected.
    later = dt.datetime(2026, 12, 10, 0, 0, tzinfo=TZ)
    theirs = [s for s in ok(admin.get(f"/api/v1/shifts?site_id={site}&from={q(later)}&to={q(later + dt.timedelta(days=7))}"))["items"]
              if s["person_id"] == colleague["person_id"]]
    assert theirs, "the colleague works a shift in the week after"
    day = theirs[0]["starts_at"][:10]
    other = actors[colleague["person_id"]]
    req2 = ok(file(day, day, other), 201)
    for s in theirs:
        if s["starts_at"][:10] == day:
            ok(admin.post(f"/api/v1/roster-assignments/{s['id']}/leave", {"reason": "主管登记"}))
    approver = next(a for a in actors.values()
                    if any(r["id"] == req2["id"] for r in all_items(a, "/api/v1/requests?waiting_for_me=true")))
    refused(approver.post(f"/api/v1/requests/{req2['id']}/decisions", {"approve": True}), 409, "roster.leave_no_shift")
    assert ok(admin.get(f"/api/v1/requests/{req2['id']}"))["state"] == "pending"
    ok(approver.post(f"/api/v1/requests/{req2['id']}/decisions", {"approve": False, "note": "已由主管登记"}), 201)

    # The shift passes with nobody on the post: the colleague is charged as absent, the worker on
    # leave is not judged at all.
    ok(admin.post("/api/v1/test/clock", {"to": (EARLY + dt.timedelta(hours=8, minutes=6)).isoformat()}))
    found = [f for f in all_items(admin, f"/api/v1/attendance-findings?site_id={site}")
             if f["post_id"] == post and f["shift_start"] == EARLY.isoformat()]
    assert [f["person_id"] for f in found] == [colleague["person_id"]], found
    assert found[0]["kind"] == "absent" and found[0]["violation_id"], found

    # Leave is asked beforehand: the colleague's shift that has begun (and ended, absent) is refused,
    # citing the request type's clauses; nothing filed.
    before = len(all_items(other, f"/api/v1/requests?mine=true&type={leave['id']}"))
    e = refused(file("2026-12-08", "2026-12-08", other), 409, "roster.leave_not_in_advance")
    assert "R13 第二则·准则·(5)" in e["message"], e
    assert len(all_items(other, f"/api/v1/requests?mine=true&type={leave['id']}")) == before
