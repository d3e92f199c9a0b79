"""Who answers for a missed duty, and posts not staffed (issue 17 §4, docs/runtime.md "Who answers
for a miss", "Posts not staffed"): a month of misses was charged to nobody because only the last
microsecond of each window was looked at. Now whoever held the post during the window answers,
a late taker inside the site's late_takeover_grace is spared (and warned on taking the post),
nobody at all is one violation against nobody, and a post the site does not staff plans nothing
and says why. The shipped pack's R12 §三(二) video patrol (every 15 minutes, R12-PATROL-MISSED) on
中控岗 and R07's lounge duties on 客户休息室岗; both backends, test clock."""
import datetime as dt

import pytest

from test_abnormal_answers import due_instance
from test_procedures import advance, journal, site_id
from test_runtime_week import post_id
from zhidu_harness import Actor, all_items, clock_server

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # an ordinary working Monday


@pytest.fixture
def srv(require_backend):
    s = clock_server(require_backend, MONDAY)
    yield s
    s.kill()


def patrol(admin, post, due):
    """The R12 patrol instance of `post` due at `due`."""
    rows = [d for d in all_items(admin, f"/api/v1/duties?post_id={post}&limit=500")
            if d["duty"] == "r12-video-patrol" and dt.datetime.fromisoformat(d["due_at"]) == due]
    assert len(rows) == 1, rows
    return rows[0]


def charged(admin, duty_id):
    """The violations a miss of instance `duty_id` raised."""
    return [v for v in all_items(admin, "/api/v1/violations?limit=200")
            if v["subject"] == f"duty/{duty_id}"]


def test_whoever_held_the_post_answers_and_a_late_taker_is_spared(srv):
    admin = Actor(srv, "admin")
    op1, op2 = Actor(srv, "op1"), Actor(srv, "op2")
    p1, p2 = op1.me()["person_id"], op2.me()["person_id"]
    site = site_id(admin)
    control = post_id(admin, "中控岗")
    assert admin.get(f"/api/v1/posts/{control}/attendance").json()["items"] == []

    # Nobody on the post for the 09:00 patrol: one violation against nobody, as before.
    first = patrol(admin, control, MONDAY)
    advance(admin, MONDAY + dt.timedelta(minutes=15))
    assert admin.get(f"/api/v1/duties/{first['id']}").json()["state"] == "missed"
    v = charged(admin, first["id"])
    assert len(v) == 1 and v[0]["person_id"] is None, v
    assert v[0]["code"] == "R12-PATROL-MISSED" and v[0]["note"].startswith("岗位无人在岗："), v

    # The regulations give no grace: until the site sets one, nobody is spared and nobody warned.
    params = {p["name"]: p for p in admin.get(f"/api/v1/sites/{site}/parameters").json()["items"]}
    assert params["late_takeover_grace"]["kind"] == "duration", params["late_takeover_grace"]
    assert params["late_takeover_grace"]["value"] is None
    assert "R12 §三(二)" in params["late_takeover_grace"]["clauses"]
    r = admin.call("PUT", f"/api/v1/sites/{site}/parameters/late_takeover_grace", {"value": "5m"})
    assert r.status == 200, r

    # op1 takes the post at 09:26, inside the last 5 minutes of the 09:15 patrol's window: warned
    # (the answer and post.taken name the duty), and not charged when it is missed at 09:30.
    late = patrol(admin, control, MONDAY + dt.timedelta(minutes=15))
    advance(admin, MONDAY + dt.timedelta(minutes=26))
    r = op1.post(f"/api/v1/posts/{control}/attendance")
    assert r.status == 201, r
    warnings = r.json()["warnings"]
    assert [w["duty_id"] for w in warnings] == [late["id"]], warnings
    w = warnings[0]
    assert w["code"] == "duty_closing" and w["duty"] == "r12-video-patrol", w
    assert "每15分钟浏览视频" in w["message"] and "09:30" in w["message"], w
    assert dt.datetime.fromisoformat(w["window_end"]) == MONDAY + dt.timedelta(minutes=30), w
    taken = [j for j in journal(admin, "post.taken") if j["payload"]["person_id"] == p1]
    assert taken[-1]["payload"]["warnings"][0]["duty_id"] == late["id"], taken[-1]

    advance(admin, MONDAY + dt.timedelta(minutes=30))
    v = charged(admin, late["id"])
    assert len(v) == 1 and v[0]["person_id"] is None, v  # the post's miss, not op1's
    assert "不予追责" in v[0]["note"] and "5m" in v[0]["note"], v
    missed = [j for j in journal(admin, "duty.missed") if j["payload"]["id"] == late["id"]]
    assert missed[0]["payload"]["on_post"] == [] and missed[0]["payload"]["spared"] == [p1], missed

    # op1 holds the 09:30 patrol's window from its start and hands over to op2 at 09:32: both
    # held the post during the window, so both answer for the miss at 09:45 — op1 although off
    # the post by then (before, only whoever was on it at the last microsecond was charged).
    held = patrol(admin, control, MONDAY + dt.timedelta(minutes=30))
    advance(admin, MONDAY + dt.timedelta(minutes=32))
    r = op1.post(f"/api/v1/posts/{control}/attendance:leave", {"relief_person_id": p2})
    assert r.status == 200, r
    advance(admin, MONDAY + dt.timedelta(minutes=45))
    v = charged(admin, held["id"])
    assert sorted(x["person_id"] for x in v) == sorted([p1, p2]), v
    assert all(x["note"] == "每15分钟浏览视频 未在时限内完成" for x in v), v
    assert admin.get(f"/api/v1/posts/{control}/attendance").json()["items"][0]["person_id"] == p2

    # Taking the post with nothing closing inside the grace warns of nothing.
    r = op1.post(f"/api/v1/posts/{control}/attendance")
    assert r.status == 201 and r.json()["warnings"] == [], r


def test_a_post_not_staffed_plans_nothing_and_says_why(srv):
    admin = Actor(srv, "admin")
    op1 = Actor(srv, "op1")
    site = site_id(admin)
    lounge = post_id(admin, "客户休息室岗")
    control = post_id(admin, "中控岗")
    # Today's rack instance fell due before the server started: its timer fires just after the
    # start (bounded wait).
    rack_today = due_instance(admin, lounge, "r07-magazine-rack")

    # The reason is required; a post someone is on cannot be marked; org.write only.
    r = admin.call("PUT", f"/api/v1/posts/{lounge}/staffing", {"staffed": False})
    assert r.status == 400 and r.json()["error"]["field"] == "reason", r
    r = admin.call("PUT", f"/api/v1/posts/{lounge}/staffing", {"reason": "x"})
    assert r.status == 400 and r.json()["error"]["field"] == "staffed", r
    assert op1.post(f"/api/v1/posts/{control}/attendance").status == 201
    r = admin.call("PUT", f"/api/v1/posts/{control}/staffing", {"staffed": False, "reason": "试"})
    assert r.status == 409 and r.json()["error"]["reason"] == "post.staffed_now", r
    r = op1.call("PUT", f"/api/v1/posts/{lounge}/staffing",
                 {"staffed": False, "reason": "本单位休息室不设专人"})
    assert r.status == 403, r

    r = admin.call("PUT", f"/api/v1/posts/{lounge}/staffing",
                   {"staffed": False, "reason": "本单位休息室不设专人"})
    assert r.status == 200, r
    assert r.json()["staffed"] is False and r.json()["reason"] == "本单位休息室不设专人", r
    listed = admin.get(f"/api/v1/sites/{site}/staffing").json()["not_staffed"]
    assert [n["post_id"] for n in listed] == [lounge], listed
    set_ = [j for j in journal(admin, "post.staffing.set") if j["payload"]["post_id"] == lounge]
    assert set_ and set_[-1]["payload"]["staffed"] is False, set_

    # The plan report says why; nobody can take the post.
    report = {e["duty"]: e for e in admin.get("/api/v1/duties:plan-report").json()["items"]}
    rack = report["r07-magazine-rack"]
    assert rack["planned"] is False and "marked not staffed" in rack["reason"], rack
    assert "本单位休息室不设专人" in rack["reason"], rack
    assert rack["not_staffed"] == [{"site_id": site, "post_id": lounge,
                                    "reason": "本单位休息室不设专人"}], rack
    assert report["r12-video-patrol"]["planned"] and report["r12-video-patrol"]["not_staffed"] == []
    r = op1.post(f"/api/v1/posts/{lounge}/attendance")
    assert r.status == 409 and r.json()["error"]["reason"] == "post.not_staffed", r

    # The marking cancelled the post's open and planned instances at once: through the night none
    # falls due or is missed (no R07-HYGIENE violation), and planning makes nothing new for it.
    rows = all_items(admin, f"/api/v1/duties?post_id={lounge}&limit=500")
    assert rows and all(d["state"] == "cancelled" for d in rows), rows
    assert rack_today in set_[-1]["payload"]["cancelled"], set_[-1]
    before = {d["id"] for d in rows}
    advance(admin, MONDAY.replace(hour=0) + dt.timedelta(days=1, minutes=30))
    rows = all_items(admin, f"/api/v1/duties?post_id={lounge}&limit=500")
    assert {d["id"] for d in rows} == before, "nothing new is planned for a post not staffed"
    assert all(d["state"] == "cancelled" for d in rows), rows
    assert [v for v in all_items(admin, "/api/v1/violations?limit=500")
            if v["code"] == "R07-HYGIENE"] == []
    assert not [j for j in journal(admin, "duty.missed") if j["payload"]["post_id"] == lounge]

    # Staffed again: planned at once, and the report plans it again.
    r = admin.call("PUT", f"/api/v1/posts/{lounge}/staffing", {"staffed": True})
    assert r.status == 200 and r.json()["staffed"] is True and r.json()["planned"] > 0, r
    after = {d["id"]: d for d in all_items(admin, f"/api/v1/duties?post_id={lounge}&limit=500")}
    assert any(d["state"] == "scheduled" and i not in before for i, d in after.items()), after
    assert after[rack_today]["state"] == "cancelled"  # its time passed while not staffed
    later = [i for i in before if dt.datetime.fromisoformat(after[i]["due_at"]) > MONDAY.replace(
        hour=0) + dt.timedelta(days=1, minutes=30)]
    assert later and all(after[i]["state"] == "scheduled" for i in later), after
    report = {e["duty"]: e for e in admin.get("/api/v1/duties:plan-report").json()["items"]}
    assert report["r07-magazine-rack"]["planned"], report["r07-magazine-rack"]
    assert admin.get(f"/api/v1/sites/{site}/staffing").json()["not_staffed"] == []
