"""Procedures (流程) and deadlines (时限) of the shipped pack over HTTP, on both backends, on a test
clock (zhidu serve --test-clock): site events start procedures and deadlines; R02's SCADA fault
escalates when it has not cleared within the site's figure (and arms no timer without one); R20's
fire alarm is fired by role, guarded, assigned to two distinct operators and timestamps each step;
R04's rectification deadline raises R04-VIOLATION when breached and nothing when met; a deadline in
working days lands on the right day across 国庆 and a weekend (the shipped calendar)."""
import datetime as dt

import pytest

from zhidu_harness import Actor, Server, all_items

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)  # a Wednesday, the day before 国庆


def iso(t):
    return t.isoformat()


def parse(s):
    return dt.datetime.fromisoformat(s)


@pytest.fixture
def clock_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", iso(START)]).start()
    yield s
    s.kill()


def advance(admin, to):
    r = admin.post("/api/v1/test/clock", {"to": iso(to)})
    assert r.status == 200, r
    assert parse(r.json()["now"]) == to


def site_id(admin):
    sites = admin.get("/api/v1/sites").json()["items"]
    assert len(sites) == 1
    return sites[0]["id"]


def journal(admin, kind):
    out, cursor = [], 0
    for _ in range(500):
        r = admin.get("/api/v1/journal?limit=500" + (f"&after={cursor}" if cursor else ""))
        assert r.status == 200, r
        items = r.json()["items"]
        out += [j for j in items if j["kind"] == kind]
        if len(items) < 500:
            return out
        cursor = items[-1]["seq"]
    raise AssertionError("journal too long")


def raise_event(actor, site, body):
    r = actor.post(f"/api/v1/sites/{site}/events", body)
    assert r.status == 201, r
    return r.json()


def test_r02_scada_fault_escalates_only_with_the_sites_figure(clock_server):
    server = clock_server
    admin = Actor(server, "admin")
    op = Actor(server, "op1")  # 中控员
    site = site_id(admin)

    # Without the site parameter: the instance starts, no timer is armed, and it says why.
    out = raise_event(op, site, {"event": "scada_alarm", "subject": "1#泵站 通讯中断",
                                 "ref": "scada-1"})
    assert len(out["procedures_started"]) == 1
    first = out["procedures_started"][0]
    v = op.get(f"/api/v1/procedures/{first}").json()
    assert v["procedure"] == "r02-scada-fault" and v["state"] == "observing"
    assert v["timers"] == []
    notes = [n for n in v["notes"] if n["kind"] == "timer_not_armed"]
    assert len(notes) == 1 and notes[0]["param"] == "scada_fault_observe", v["notes"]
    assert "未设置" in notes[0]["reason"]
    assert {a["event"] for a in v["allowed"]} == {"cleared", "not_cleared"}
    # The console's buttons say where a transition leads in the pack's words.
    assert {a["event"]: a["to_title"] for a in v["allowed"]} == {
        "cleared": "已自动消除", "not_cleared": "上报生产调度室和具体部门"}, v["allowed"]
    assert v["state_titles"]["observing"] == "记录并观察" and v["state_titles"]["resolved"] == "已处理"
    not_armed = journal(admin, "procedure.timer_not_armed")
    assert [j["payload"]["id"] for j in not_armed] == [first]

    # The administrator sets the figure (10 minutes here; the regulation gives none).
    r = admin.call("PUT", f"/api/v1/sites/{site}/parameters/scada_fault_observe", {"value": "10m"})
    assert r.status == 200, r

    # Not cleared within 10 minutes: escalated by the timer, notify records for both roles.
    out = raise_event(op, site, {"event": "scada_alarm", "subject": "2#泵站 压力异常",
                                 "ref": "scada-2"})
    second = out["procedures_started"][0]
    v = op.get(f"/api/v1/procedures/{second}").json()
    assert len(v["timers"]) == 1 and v["timers"][0]["event"] == "not_cleared"
    assert parse(v["timers"][0]["due_at"]) == START + dt.timedelta(minutes=10)
    # Cleared in time: a third alarm cleared after 5 minutes never escalates.
    out = raise_event(op, site, {"event": "scada_alarm", "subject": "3#泵站", "ref": "scada-3"})
    third = out["procedures_started"][0]
    advance(admin, START + dt.timedelta(minutes=5))
    r = op.post(f"/api/v1/procedures/{third}/events", {"event": "cleared", "note": "已自动恢复"})
    assert r.status == 200, r
    assert r.json()["state"] == "cleared" and r.json()["open"] is False
    assert r.json()["timers"] == []  # a terminal state has none; the pending one was cancelled

    advance(admin, START + dt.timedelta(minutes=11))
    v = op.get(f"/api/v1/procedures/{second}").json()
    assert v["state"] == "escalated", v
    last = v["history"][-1]
    assert last["from"] == "observing" and last["event"] == "not_cleared"
    assert last["account_id"] is None  # the system fired it
    assert parse(last["at"]) == START + dt.timedelta(minutes=10)
    assert last["seconds_in_previous_state"] == 600
    notified = [j["payload"] for j in journal(admin, "procedure.notified")
                if j["payload"]["id"] == second]
    assert sorted(n["notify_roles"][0] for n in notified) == ["生产调度室", "责任部门"]
    assert all(n["site_id"] == site for n in notified)
    # The first (no timer) and third (cleared) were not escalated.
    assert op.get(f"/api/v1/procedures/{first}").json()["state"] == "observing"
    assert op.get(f"/api/v1/procedures/{third}").json()["state"] == "cleared"
    assert not [j for j in journal(admin, "procedure.notified")
                if j["payload"]["id"] in (first, third)]
    # A closed instance takes no more events.
    r = op.post(f"/api/v1/procedures/{third}/events", {"event": "not_cleared"})
    assert r.status == 409, r
    listed = op.get(f"/api/v1/procedures?site_id={site}&state=escalated").json()["items"]
    assert [p["id"] for p in listed] == [second]
    assert server.verify().returncode == 0


def test_r20_fire_alarm_roles_guard_assignments_and_steps(clock_server):
    server = clock_server
    admin = Actor(server, "admin")
    fire1, fire2 = Actor(server, "fire1"), Actor(server, "fire2")
    cs = Actor(server, "cs1")  # 客服专员: not a fire-control operator
    site = site_id(admin)
    p1, p2 = fire1.me()["person_id"], fire2.me()["person_id"]
    posts = admin.get("/api/v1/posts?limit=200").json()["items"]
    fire_post = next(p["id"] for p in posts if p["name"] == "消防控制室值班岗")

    # Only fire1 is on the post: the alarm starts anyway, flagged as understaffed (R20 §四2).
    assert fire1.post(f"/api/v1/posts/{fire_post}/attendance").status == 201
    out = raise_event(fire1, site, {"event": "fire_alarm", "subject": "3F 烟感 #12",
                                    "ref": "fa-1"})
    pid = out["procedures_started"][0]
    v = fire1.get(f"/api/v1/procedures/{pid}").json()
    assert v["procedure"] == "r20-fire-alarm" and v["state"] == "alarm"
    short = [n for n in v["notes"] if n["kind"] == "understaffed"]
    assert len(short) == 1, v["notes"]
    assert short[0]["role"] == "消防控制室值班员" and short[0]["needed"] == 2
    assert short[0]["on_post"] == 1 and "R20 §四2" in short[0]["clauses"]
    flagged = journal(admin, "procedure.understaffed")
    assert flagged and flagged[-1]["payload"]["notify_roles"] == ["消防控制室值班员"]

    # Two distinct operators: one goes to confirm, one stays at the console.
    r = fire1.post(f"/api/v1/procedures/{pid}/assignments", {"task": "出现场确认", "person_id": p2})
    assert r.status == 200, r
    r = fire1.post(f"/api/v1/procedures/{pid}/assignments",
                   {"task": "留守执机监视其它报警信号", "person_id": p2})
    assert r.status == 409, r
    assert r.json()["error"]["clause"] == "R20 §四2"
    r = fire1.post(f"/api/v1/procedures/{pid}/assignments",
                   {"task": "留守执机监视其它报警信号", "person_id": p1})
    assert r.status == 200, r
    held = {t["task"]: t["person_id"] for t in r.json()["tasks"] if t["kind"] == "assignment"
            and t["person_id"]}
    assert held == {"出现场确认": p2, "留守执机监视其它报警信号": p1}
    # A person without the role cannot take the task.
    r = fire1.post(f"/api/v1/procedures/{pid}/assignments",
                   {"task": "现场查看", "person_id": cs.me()["person_id"]})
    assert r.status == 409, r

    # Unauthorised role: 403 citing the clause. Guard false: 409 citing the clause.
    r = cs.post(f"/api/v1/procedures/{pid}/events",
                {"event": "fire_confirmed", "inputs": {"alarm.confirmed_on_site": True}})
    assert r.status == 403, r
    assert r.json()["error"]["clause"].startswith("R20")
    r = fire2.post(f"/api/v1/procedures/{pid}/events",
                   {"event": "fire_confirmed", "inputs": {"alarm.confirmed_on_site": False}})
    assert r.status == 409, r
    assert "alarm.confirmed_on_site" in r.json()["error"]["message"]
    assert r.json()["error"]["clause"].startswith("R20")
    r = fire2.post(f"/api/v1/procedures/{pid}/events", {"event": "no_such"})
    assert r.status == 409, r
    assert "fire_confirmed" in r.json()["error"]["message"]
    assert fire1.get(f"/api/v1/procedures/{pid}").json()["state"] == "alarm"  # nothing written

    # Fire confirmed on site after 2 minutes: the steps of the fire state, each with its time.
    advance(admin, START + dt.timedelta(minutes=2))
    r = fire2.post(f"/api/v1/procedures/{pid}/events",
                   {"event": "fire_confirmed", "note": "现场确认起火",
                    "inputs": {"alarm.confirmed_on_site": True}})
    assert r.status == 200, r
    v = r.json()
    assert v["state"] == "fire"
    confirm = v["history"][-1]
    assert confirm["person_id"] == p2 and parse(confirm["at"]) == START + dt.timedelta(minutes=2)
    assert confirm["seconds_in_previous_state"] == 120
    steps = {t["task"]: t for t in v["tasks"] if t["state"] == "fire"}
    assert set(steps) == {"call:119", "linkage:automatic", "start:灭火作战预案", "notify:部长",
                          "record:r20-alarm-record"}  # the 报警处理记录, a form (R20 §三4)
    assert steps["notify:部长"]["done"] and parse(steps["notify:部长"]["done_at"]) == \
        START + dt.timedelta(minutes=2)
    for i, name in enumerate(["call:119", "linkage:automatic", "start:灭火作战预案"]):
        assert not steps[name]["done"]
        advance(admin, START + dt.timedelta(minutes=3 + i))
        r = fire1.post(f"/api/v1/procedures/{pid}/tasks/{steps[name]['id']}/done",
                       {"note": "已完成"})
        assert r.status == 200, r
    # The 报警处理记录 is a form: its fields, not a note.
    advance(admin, START + dt.timedelta(minutes=6))
    r = fire1.post(f"/api/v1/procedures/{pid}/tasks/{steps['record:r20-alarm-record']['id']}/done",
                   {"answers": {"location": "3F 烟感 #12", "alarm-time": "10:00",
                                "confirmed-by": "演示·李消防", "cause": "3F配电间起火",
                                "nature": "火警", "result": "已报119，已扑灭"}})
    assert r.status == 200, r
    v = fire1.get(f"/api/v1/procedures/{pid}").json()
    done = {t["task"]: parse(t["done_at"]) for t in v["tasks"] if t["state"] == "fire"}
    assert done["record:r20-alarm-record"] == START + dt.timedelta(minutes=6)
    assert done["call:119"] == START + dt.timedelta(minutes=3)
    assert done["linkage:automatic"] == START + dt.timedelta(minutes=4)
    assert done["start:灭火作战预案"] == START + dt.timedelta(minutes=5)
    head_notice = [j["payload"] for j in journal(admin, "procedure.notified")
                   if j["payload"]["id"] == pid]
    assert head_notice and head_notice[0]["notify_roles"] == ["部长"]

    # A false alarm: reset, then closed.
    out = raise_event(fire1, site, {"event": "fire_alarm", "subject": "5F 手报", "ref": "fa-2"})
    pid2 = out["procedures_started"][0]
    r = fire1.post(f"/api/v1/procedures/{pid2}/events",
                   {"event": "false_alarm", "inputs": {"alarm.confirmed_on_site": True}})
    assert r.status == 200 and r.json()["state"] == "false-alarm", r
    r = fire1.post(f"/api/v1/procedures/{pid2}/events", {"event": "reset_done", "note": "已复位"})
    assert r.status == 200, r
    v = r.json()
    assert v["state"] == "closed" and v["open"] is False and v["allowed"] == []
    assert [h["to"] for h in v["history"]] == ["alarm", "false-alarm", "closed"]
    # The false alarm's detector is reported to 弱电班 in the transition that entered false-alarm.
    [step] = [t for t in v["tasks"] if t["task"] == "repair:弱电班"]
    assert step["done"] and step["state"] == "false-alarm", step
    repairs = [r for r in all_items(admin, f"/api/v1/repairs?site_id={site}")
               if r["source"]["kind"] == "procedure" and r["source"]["id"] == pid2]
    assert len(repairs) == 1, repairs
    assert repairs[0]["source"]["item"] == "false-alarm" and repairs[0]["state"] == "open"
    assert repairs[0]["assignee_role"] == "弱电班" and repairs[0]["what"] == "5F 手报"
    assert "R20 §五2" in repairs[0]["clauses"] and step["note"] == f"报修单 {repairs[0]['id']}"
    transitions = [j for j in journal(admin, "procedure.transition") if j["payload"]["id"] == pid2]
    assert len(transitions) == 2
    assert server.verify().returncode == 0


def test_r04_deadlines_breached_and_met(clock_server):
    server = clock_server
    admin = Actor(server, "admin")
    office = Actor(server, "office")  # 办公室 inspects the rest rooms (R04)
    dorm = Actor(server, "dorm_lead")
    site = site_id(admin)
    person = dorm.me()["person_id"]

    # Breached: 限期 2 hours, not rectified -> R04-VIOLATION against the person named.
    out = raise_event(office, site, {"event": "inspection_failed", "subject": "3号休息室 卫生不合格",
                                     "ref": "insp-1",
                                     "data": {"deadline": "2h", "person_id": person}})
    late = [d for d in out["deadlines_started"]]
    assert len(late) == 1
    d = office.get(f"/api/v1/deadlines/{late[0]}").json()
    assert d["service_level"] == "r04-rectify" and d["state"] == "open"
    assert parse(d["due_at"]) == START + dt.timedelta(hours=2)

    # Met: a second finding rectified within its 限期 -> met, no violation.
    out = raise_event(office, site, {"event": "inspection_failed", "subject": "5号休息室",
                                     "ref": "insp-2",
                                     "data": {"deadline": "3h", "person_id": person}})
    met = out["deadlines_started"][0]
    advance(admin, START + dt.timedelta(hours=1))
    out = raise_event(office, site, {"event": "rectified", "ref": "insp-2"})
    assert out["deadlines_stopped"] == [met]
    advance(admin, START + dt.timedelta(hours=4))
    d = office.get(f"/api/v1/deadlines/{late[0]}").json()
    assert d["state"] == "breached" and parse(d["breached_at"]) == START + dt.timedelta(hours=2)
    assert office.get(f"/api/v1/deadlines/{met}").json()["state"] == "met"

    violations = admin.get(f"/api/v1/violations?site_id={site}").json()["items"]
    ours = [v for v in violations if v["subject"].startswith("deadline/")]
    assert len(ours) == 1, ours
    assert ours[0]["code"] == "R04-VIOLATION" and ours[0]["person_id"] == person
    assert ours[0]["subject"] == f"deadline/{late[0]}"
    breached = [j["payload"] for j in journal(admin, "deadline.breached")]
    assert [b["id"] for b in breached] == [late[0]]
    # Rectified after the breach: met late, still one violation.
    out = raise_event(office, site, {"event": "rectified", "ref": "insp-1"})
    assert out["deadlines_stopped"] == [late[0]]
    assert office.get(f"/api/v1/deadlines/{late[0]}").json()["state"] == "met_late"
    assert len([v for v in admin.get(f"/api/v1/violations?site_id={site}").json()["items"]
                if v["subject"].startswith("deadline/")]) == 1

    # Without its 限期 the deadline is not timed, and says why (no figure invented).
    out = raise_event(office, site, {"event": "inspection_failed", "ref": "insp-3"})
    d = office.get(f"/api/v1/deadlines/{out['deadlines_started'][0]}").json()
    assert d["state"] == "not_started" and d["due_at"] is None and "deadline" in d["note"]
    # Bad input is a 400 naming the field, nothing written.
    before = len(admin.get(f"/api/v1/deadlines?site_id={site}").json()["items"])
    r = office.post(f"/api/v1/sites/{site}/events",
                    {"event": "inspection_failed", "ref": "insp-4", "data": {"deadline": "soon"}})
    assert r.status == 400 and r.json()["error"]["field"] == "data.deadline", r
    r = office.post(f"/api/v1/sites/{site}/events", {"event": 3})
    assert r.status == 400, r
    assert len(admin.get(f"/api/v1/deadlines?site_id={site}").json()["items"]) == before
    # R04 move-out within a week: alert 办公室 on breach, no violation code.
    out = raise_event(office, site, {"event": "employee_left", "ref": "emp-9"})
    d = office.get(f"/api/v1/deadlines/{out['deadlines_started'][0]}").json()
    assert parse(d["due_at"]) == START + dt.timedelta(hours=4, days=7)
    assert server.verify().returncode == 0


def test_working_day_deadline_across_national_day_and_a_weekend(clock_server):
    server = clock_server
    admin = Actor(server, "admin")
    office = Actor(server, "office")
    site = site_id(admin)
    # 2026-09-30 (Wed) + 1 working day: 国庆 1–7 October are off -> Thursday 8 October, 10:00.
    out = raise_event(office, site, {"event": "inspection_failed", "ref": "wd-1",
                                     "data": {"deadline": "1wd"}})
    d = office.get(f"/api/v1/deadlines/{out['deadlines_started'][0]}").json()
    assert parse(d["due_at"]) == dt.datetime(2026, 10, 8, 10, 0, tzinfo=TZ), d
    # + 3 working days: 8, 9 and Saturday 10 October, a 调休 working day of the calendar.
    # + 4: Sunday 11 October is off -> Monday 12 October.
    for n, day in ((3, 10), (4, 12)):
        out = raise_event(office, site, {"event": "inspection_failed", "ref": f"wd-{n}",
                                         "data": {"deadline": f"{n}wd"}})
        d = office.get(f"/api/v1/deadlines/{out['deadlines_started'][0]}").json()
        assert parse(d["due_at"]) == dt.datetime(2026, 10, day, 10, 0, tzinfo=TZ), d
