"""The control rooms out of the box (issue 17 §1, §2), on both backends, on the test clock, with
the shipped pack and the demo company as they are — no appended shift pattern:

* 消防控制室值班岗 (R20) and 中控岗 (R12) name no shift times in their regulations; both hand over
  by the demo's published roster, every demo operator signs in with their own account, and R20's
  early arrival is the site's parameter (no default), its 五不接 reasons the 交接手续 of §四8.
* A `kind: fire` point going active starts the pack's procedure triggered by `fire_alarm` inside
  the ingest's request; the confirmation, 119 and record limits are site parameters without a
  default (unset: not timed), and once set each escalates to the 值班长 and then the 部长; the
  报警处理记录 is a form filled in the procedure."""
import datetime as dt

import pytest

from test_handover import R12_ANSWERS
from test_month_scenario import ok, parse
from test_runtime_week import advance
from zhidu_harness import Actor, all_items, clock_server

TZ = dt.timezone(dt.timedelta(hours=8))
# Dec 9: the demo rosters (四班三运转 from Dec 1) put team 一 on 00-08 and team 二 on 08-16 of both
# the fire post and 中控岗.
START = dt.datetime(2026, 12, 9, 7, 0, tzinfo=TZ)
CHANGE = dt.datetime(2026, 12, 9, 8, 0, tzinfo=TZ)


@pytest.fixture
def srv(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def post_of(admin, name):
    return next(p for p in all_items(admin, "/api/v1/posts?limit=200") if p["name"] == name)


def journal(admin, kind):
    return [j for j in all_items(admin, "/api/v1/journal?limit=500", max_pages=200)
            if j["kind"] == kind]


def hand_over(srv, post, outgoing, incoming, answers, name_outgoing=False):
    """The whole handover of `post` from `outgoing` to `incoming` (demo users); returns it.
    `name_outgoing`: the post has several people on it, the incoming names whom it relieves."""
    body = {"post_id": post["id"]}
    if name_outgoing:
        body["outgoing_person_id"] = outgoing.me()["person_id"]
    h = ok(incoming.post("/api/v1/handovers", body), 201)
    assert h["roster_check"] == "passed", h
    assert h["outgoing_person_id"] == outgoing.me()["person_id"]
    ok(outgoing.post(f"/api/v1/handovers/{h['id']}/answers", {"answers": answers}))
    if h["unacknowledged"]:
        ok(incoming.post(f"/api/v1/handovers/{h['id']}/acknowledge",
                         {"items": h["unacknowledged"]}))
    creds = srv.credentials()
    ok(outgoing.post(f"/api/v1/handovers/{h['id']}/sign",
                     {"password": creds[outgoing.username][0]}))
    done = ok(incoming.post(f"/api/v1/handovers/{h['id']}/sign",
                            {"password": creds[incoming.username][0]}))
    assert done["state"] == "completed" and len(done["seal_sha256"]) == 64, done
    return done


def test_the_fire_post_and_the_control_room_hand_over_on_the_demo_roster(srv):
    admin = Actor(srv, "admin")
    # Every rostered demo operator has an account (the fire teams' second operators, the 中控岗
    # teams).
    creds = srv.credentials()
    for user in ["fire3", "fire4", "fire5", "fire9", "op3", "op4", "op5", "op6", "op8"]:
        assert user in creds, sorted(creds)
    fire_post, control = post_of(admin, "消防控制室值班岗"), post_of(admin, "中控岗")
    site = fire_post["site_id"]
    fire1, fire4 = Actor(srv, "fire1"), Actor(srv, "fire4")  # teams 一 (00-08) and 二 (08-16)
    op5, op6 = Actor(srv, "op5"), Actor(srv, "op6")
    ok(fire1.post(f"/api/v1/posts/{fire_post['id']}/attendance"), 201)
    ok(op5.post(f"/api/v1/posts/{control['id']}/attendance"), 201)

    # R20 gives no figure for arriving early: the site's parameter, declared without a value.
    params = {p["name"]: p for p in ok(admin.get(f"/api/v1/sites/{site}/parameters"))["items"]}
    assert params["fire_room_arrive_before"]["kind"] == "duration"
    assert params["fire_room_arrive_before"]["value"] is None

    advance(admin, CHANGE - dt.timedelta(minutes=5))
    # Unset: the fire post's window opens at the change itself; 中控岗's is R12's 10 minutes.
    r = fire4.post("/api/v1/handovers", {"post_id": fire_post["id"]})
    assert r.status == 409, r
    msg = r.json()["error"]["message"]
    assert "08:00" in msg and "fire_room_arrive_before" in msg and "R20 §四8" in msg, msg
    control_h = hand_over(srv, control, op5, op6, R12_ANSWERS)
    assert control_h["checklists"] == ["r12-handover"]

    ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/fire_room_arrive_before",
                  {"value": "10m"}))
    h = ok(fire4.post("/api/v1/handovers", {"post_id": fire_post["id"]}), 201)
    assert h["checklists"] == ["r20-handover"] and h["roster_check"] == "passed", h
    assert h["window"]["arrive_before_parameter"] == "fire_room_arrive_before"
    assert {r["id"] for r in h["refuse_if"]} == {
        "log-not-handed-over", "equipment-unclear", "incidents-unclear"}, h["refuse_if"]
    assert all(r["clauses"] == ["R20 §四8"] for r in h["refuse_if"])
    # 五不接: refused for a reason of R20 §四8; the 值班长 (superior of the operator) is told.
    refused = ok(fire4.post(f"/api/v1/handovers/{h['id']}/refuse",
                            {"reason": "equipment-unclear", "note": "2F联动柜状态未交代"}))
    assert refused["state"] == "refused"
    [rec] = [j for j in journal(admin, "handover.refused")
             if j["payload"]["handover_id"] == h["id"]]
    assert rec["payload"]["notify_roles"] == ["值班长"], rec
    done = hand_over(srv, fire_post, fire1, fire4,
                     {"log": True, "equipment": "pass", "incidents": "无"})
    on = [a["person_id"] for a in ok(admin.get(f"/api/v1/posts/{fire_post['id']}/attendance"))
          ["items"]]
    assert on == [fire4.me()["person_id"]], on
    assert parse(done["shift_change"]) == CHANGE


def test_a_fire_point_starts_the_fire_procedure_in_its_ingest_with_timers(srv):
    admin = Actor(srv, "admin")
    fire1 = Actor(srv, "fire1")
    post = post_of(admin, "消防控制室值班岗")
    site = post["site_id"]
    ok(fire1.post(f"/api/v1/posts/{post['id']}/attendance"), 201)
    points = {}
    for tag, title in (("3F-smoke-01", "3F烟感"), ("5F-smoke-02", "5F烟感")):
        points[tag] = ok(admin.post("/api/v1/alarm-points", {
            "site_id": site, "post_id": post["id"], "source": "fas-1", "point": tag,
            "title": title, "kind": "fire", "priority": 1}), 201)

    def ingest(tag, state="active"):
        return ok(admin.post("/api/v1/alarms:ingest",
                             {"events": [{"source": "fas-1", "point": tag, "state": state}]}))

    def fires(ref):
        return all_items(admin, f"/api/v1/procedures?site_id={site}&ref={ref}")

    def deadlines(ref):
        return {d["service_level"]: d
                for d in all_items(admin, f"/api/v1/deadlines?site_id={site}&ref={ref}")}

    # The limits unset: the alarm starts the procedure in the ingest's request, nothing is timed.
    first = f"alarm-point/{points['3F-smoke-01']['id']}"
    assert fires(first) == []
    assert ingest("3F-smoke-01")["activations"] == 1
    [p] = fires(first)
    assert p["procedure"] == "r20-fire-alarm" and p["state"] == "alarm", p
    assert parse(p["started_at"]) == START and p["subject"] == "3F烟感", p
    started = [j for j in journal(admin, "site.event") if j["payload"]["ref"] == first]
    assert [j["payload"]["event"] for j in started] == ["fire_alarm"], started
    d = deadlines(first)
    assert {"r20-alarm-confirm", "r20-alarm-confirm-head", "r20-alarm-record",
            "r20-alarm-record-head"} <= set(d), d
    assert all(x["state"] == "not_started" and x["due_at"] is None for x in d.values()), d
    assert "fire_alarm_confirm_within" in d["r20-alarm-confirm"]["note"], d
    # Back to normal and active again while its procedure is open: a repeat, nothing new started.
    ingest("3F-smoke-01", "normal")
    assert ingest("3F-smoke-01")["activations"] == 1
    assert [x["state"] for x in fires(first)] == ["alarm"]
    repeat = [j["payload"] for j in journal(admin, "site.event")
              if j["payload"]["ref"] == first and j["payload"]["event"] == "fire_alarm"]
    assert [j.get("repeat_of") for j in repeat] == [None, p["id"]], repeat
    assert len(deadlines(first)) == len(d)

    # The site sets its limits (GB 25506 立即确认 gives no figure; these are the site's).
    for name, value in (("fire_alarm_confirm_within", "2m"), ("fire_alarm_confirm_head_within", "5m"),
                        ("fire_alarm_119_within", "1m"), ("fire_alarm_119_head_within", "3m"),
                        ("fire_alarm_record_within", "20m"),
                        ("fire_alarm_record_head_within", "30m")):
        ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/{name}", {"value": value}))
    second = f"alarm-point/{points['5F-smoke-02']['id']}"
    ingest("5F-smoke-02")
    [p] = fires(second)
    pid = p["id"]
    d = deadlines(second)
    assert d["r20-alarm-confirm"]["state"] == "open"
    assert parse(d["r20-alarm-confirm"]["due_at"]) == START + dt.timedelta(minutes=2)
    assert parse(d["r20-alarm-confirm-head"]["due_at"]) == START + dt.timedelta(minutes=5)

    def breached(level):
        return [j["payload"] for j in journal(admin, "deadline.breached")
                if j["payload"]["service_level"] == level and j["payload"]["ref"] == second]

    # Not confirmed in 2 minutes: the 值班长; in 5: the 部长.
    advance(admin, START + dt.timedelta(minutes=3))
    [b] = breached("r20-alarm-confirm")
    assert b["notify_roles"] == ["值班长"], b
    assert breached("r20-alarm-confirm-head") == []
    advance(admin, START + dt.timedelta(minutes=6))
    [b] = breached("r20-alarm-confirm-head")
    assert b["notify_roles"] == ["部长"], b

    # Confirmed on site: the confirmation deadlines end late, the 119 call is timed from now.
    v = ok(fire1.post(f"/api/v1/procedures/{pid}/events",
                      {"event": "fire_confirmed", "note": "现场确认起火",
                       "inputs": {"alarm.confirmed_on_site": True}}))
    assert v["state"] == "fire"
    d = deadlines(second)
    assert d["r20-alarm-confirm"]["state"] == "met_late", d["r20-alarm-confirm"]
    assert d["r20-fire-119"]["state"] == "open"
    assert parse(d["r20-fire-119"]["due_at"]) == START + dt.timedelta(minutes=7)
    steps = {t["task"]: t for t in v["tasks"] if t["state"] == "fire"}
    advance(admin, START + dt.timedelta(minutes=6, seconds=30))
    ok(fire1.post(f"/api/v1/procedures/{pid}/tasks/{steps['call:119']['id']}/done",
                  {"note": "已拨打119"}))
    d = deadlines(second)
    assert d["r20-fire-119"]["state"] == "met" and d["r20-fire-119-head"]["state"] == "met", d
    assert breached("r20-fire-119") == []

    # The 报警处理记录 is a form: refused without its answers or with a field missing, kept
    # with them, and the record's deadline is met.
    record = steps["record:r20-alarm-record"]["id"]
    path = f"/api/v1/procedures/{pid}/tasks/{record}/done"
    r = fire1.post(path, {"note": "已记录"})
    assert r.status == 400 and r.json()["error"]["field"] == "answers", r
    answers = {"location": "5F烟感", "alarm-time": "2026-12-09 07:00", "confirmed-by": "演示·王消防",
               "cause": "5F茶水间起火", "nature": "火警", "result": "已扑灭，报119"}
    r = fire1.post(path, {"answers": {k: v for k, v in answers.items() if k != "nature"}})
    assert r.status == 400 and r.json()["error"]["field"] == "answers.nature", r
    v = ok(fire1.post(path, {"answers": answers}))
    [step] = [t for t in v["tasks"] if t["id"] == record]
    assert step["done"] and step["answers"] == answers, step
    assert deadlines(second)["r20-alarm-record"]["state"] == "met"
    # Another step takes no answers.
    r = fire1.post(f"/api/v1/procedures/{pid}/tasks/{steps['linkage:automatic']['id']}/done",
                   {"answers": {"x": "y"}})
    assert r.status == 400 and r.json()["error"]["field"] == "answers", r
    # The first alarm's deadlines were never timed: nothing breached for it.
    assert not [j for j in journal(admin, "deadline.breached") if j["payload"]["ref"] == first]
    assert srv.verify().returncode == 0
