"""Lateness and absence (迟到、缺勤, issue 20 §4) over HTTP against the real binary, on both
backends: on the test clock, the demo's published 四班三运转 rosters are judged against who took
their posts — an absence with no penalty code set is recorded and not charged; with the site's
parameters set, an operator who takes the post 12 minutes into the shift is charged as late under
the code the site names (with its clause) and can appeal it, a colleague who never came is charged
as absent; each shift is judged once; the operator reads only their own findings; bad input is
refused with nothing written."""
import datetime as dt
import urllib.parse

import pytest

from zhidu_harness import Actor, Server, all_items

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
NIGHT = dt.datetime(2026, 12, 8, 0, 0, tzinfo=TZ)  # the early shift, 00:00-08:00
POST = "消防控制室值班岗"


def ok(r, status=200):
    assert r.status == status, r
    return r.json()


def q(t):
    return urllib.parse.quote(t.isoformat())


@pytest.fixture
def clock_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", START.isoformat()]).start()
    yield s
    s.kill()


def advance(admin, to):
    ok(admin.post("/api/v1/test/clock", {"to": to.isoformat()}))


def findings(client, site, **query):
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return all_items(client, f"/api/v1/attendance-findings?site_id={site}{extra}")


def test_late_and_absent_from_the_roster_and_attendance(clock_server):
    server = clock_server
    admin = Actor(server, "admin")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    post = next(p["id"] for p in all_items(admin, f"/api/v1/posts?site_id={site}") if p["name"] == POST)
    # Who is rostered on the fire post's early shift, and which of them has an account.
    shifts = ok(admin.get(f"/api/v1/shifts?site_id={site}&from={q(NIGHT)}&to={q(NIGHT + dt.timedelta(hours=1))}"))
    on_shift = [s for s in shifts["items"] if s["post_id"] == post and s["starts_at"] == NIGHT.isoformat()]
    assert len(on_shift) == 2, on_shift  # two certified operators per fire team (demo)
    accounts = {}
    for user in server.credentials():
        me = Actor(server, user).me()
        if me.get("person_id"):
            accounts[me["person_id"]] = user
    late_person, absent_person = on_shift[0]["person_id"], on_shift[1]["person_id"]
    late_user = accounts[late_person]

    # The previous evening's 晚班 (16:00-24:00) ends with nobody on any post: absences, recorded but
    # not charged while the site names no penalty for them.
    advance(admin, NIGHT + dt.timedelta(minutes=6))
    evening = [f for f in findings(admin, site) if f["shift_start"] == (NIGHT - dt.timedelta(hours=8)).isoformat()]
    assert evening and all(f["kind"] == "absent" and f["violation_id"] is None for f in evening), evening
    assert all("attendance_absent_code" in f["note"] and "未设置" in f["note"] for f in evening), evening
    # The shift that was already running when the server started (08:00-16:00) is not judged.
    assert not [f for f in findings(admin, site) if f["shift_start"] < START.isoformat()]
    before = len(findings(admin, site))

    for name, value in [("attendance_late_after", "5m"), ("attendance_late_code", "R15-LATE"),
                        ("attendance_absent_code", "R13-DISCIPLINE")]:
        ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/{name}", {"value": value}))
    # One of the two takes the post 12 minutes into the shift; the other never comes.
    advance(admin, NIGHT + dt.timedelta(minutes=12))
    late_actor = Actor(server, late_user)
    ok(late_actor.post(f"/api/v1/posts/{post}/attendance"), 201)
    # A supervisor need not wait for the next run: the lateness is judged at once; the colleague's
    # absence cannot be yet (the shift runs until 08:00).
    made = ok(admin.post("/api/v1/attendance-findings:check", {"site_id": site}))["items"]
    assert [(f["person_id"], f["kind"], f["minutes_late"]) for f in made if f["post_id"] == post] == \
        [(late_person, "late", 12)], made
    advance(admin, NIGHT + dt.timedelta(hours=8, minutes=6))

    night = {f["person_id"]: f for f in findings(admin, site)
             if f["post_id"] == post and f["shift_start"] == NIGHT.isoformat()}
    late, absent = night[late_person], night[absent_person]
    assert (late["kind"], late["minutes_late"]) == ("late", 12), late
    assert late["arrived_at"] == (NIGHT + dt.timedelta(minutes=12)).isoformat(), late
    assert (absent["kind"], absent["minutes_late"], absent["arrived_at"]) == ("absent", 0, None), absent
    v_late = ok(admin.get(f"/api/v1/violations/{late['violation_id']}"))
    assert (v_late["code"], v_late["person_id"], v_late["clauses"]) == ("R15-LATE", late_person, ["R15 第三条"]), v_late
    assert "迟到 12 分钟" in v_late["note"], v_late
    v_absent = ok(admin.get(f"/api/v1/violations/{absent['violation_id']}"))
    assert (v_absent["code"], v_absent["person_id"]) == ("R13-DISCIPLINE", absent_person), v_absent
    kinds = [r["kind"] for r in all_items(admin, "/api/v1/journal?limit=500")]
    assert "attendance.finding.late" in kinds and "attendance.finding.absent" in kinds

    # Judged once: checking again makes nothing new.
    total = len(findings(admin, site))
    assert total > before
    assert ok(admin.post("/api/v1/attendance-findings:check", {"site_id": site}))["items"] == []
    assert len(findings(admin, site)) == total

    # The operator sees their own findings only, and appeals the lateness.
    own = findings(late_actor, site)
    assert own and {f["person_id"] for f in own} == {late_person}, own
    appealed = ok(late_actor.post(f"/api/v1/violations/{late['violation_id']}/appeal",
                                  {"appeal": "交接班时在楼下处理报警"}))
    assert appealed["state"] == "appealed", appealed

    # Bad input: refused, nothing written.
    e = ok(admin.post("/api/v1/attendance-findings:check", {}), 400)["error"]
    assert e["field"] == "site_id", e
    ok(admin.post("/api/v1/attendance-findings:check", {"site_id": site, "from": "yesterday"}), 400)
    ok(admin.post("/api/v1/attendance-findings:check", {"site_id": "one"}), 400)
    ok(late_actor.post("/api/v1/attendance-findings:check", {"site_id": site}), 403)
    ok(admin.get("/api/v1/attendance-findings"), 400)
    assert len(findings(admin, site)) == total


def test_nobody_is_absent_from_a_post_the_site_does_not_staff(clock_server):
    """A post marked not staffed cannot be taken (409), so its rostered shifts are not judged: before,
    the fire-month scenario found 88 absences on 中控岗 after it was marked not staffed."""
    server = clock_server
    admin = Actor(server, "admin")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    posts = {p["name"]: p["id"] for p in all_items(admin, f"/api/v1/posts?site_id={site}")}
    dark, staffed = posts["中控岗"], posts[POST]
    rostered = {s["post_id"] for s in ok(admin.get(
        f"/api/v1/shifts?site_id={site}&from={q(NIGHT)}&to={q(NIGHT + dt.timedelta(hours=1))}"))["items"]}
    assert dark in rostered and staffed in rostered, rostered  # both have a published roster
    ok(admin.call("PUT", f"/api/v1/posts/{dark}/staffing", {"staffed": False, "reason": "不设岗"}))

    advance(admin, NIGHT + dt.timedelta(hours=8, minutes=6))
    found = findings(admin, site)
    assert not [f for f in found if f["post_id"] == dark], [f for f in found if f["post_id"] == dark]
    # The staffed post's shifts, where nobody came, are still found absent.
    assert [f for f in found if f["post_id"] == staffed and f["kind"] == "absent"], found
