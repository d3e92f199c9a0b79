"""A month of a 中控室 (R12) on zhidu, over HTTP, at an accelerated clock, on both backends
(issue 5's scenario): a published roster; every 15-minute video patrol (R12 §三(二)) done by the
operator on post except one, which becomes the one R12-PATROL-MISSED violation against that
operator with the pack's consequence; 60 handovers (交接班) at the two daily shift changes, one of
them first refused (五不接) and then taken over; a SCADA alarm that clears and one that is escalated
after the site's observation time (R02 §二4); a true and a false fire alarm (R20); footage requests
(a copy refused citing R16 §一6, a view approved by the 部长 with a signature, R12 §三(五)); a
visitor approved by the 秩序维护主管 (R12 §三(三)). At the end every expected record is counted and
`zhidu verify` passes.

R12 gives the control room no shift times: the site enters its own pattern (白班 08:00-20:00,
夜班 20:00-08:00, three teams, day → night → off), appended to a copy of the shipped pack."""
import datetime as dt

import pytest

from test_handover import R12_ANSWERS
from test_runtime_week import advance
from zhidu_harness import Actor, all_items, clock_server, pack_with

TZ = dt.timezone(dt.timedelta(hours=8))
FIRST = dt.date(2026, 12, 1)
DAYS = 30  # Dec 1 20:00 .. Dec 31 08:00: two shift changes a day → 60 handovers
START = dt.datetime(2026, 12, 1, 7, 0, tzinfo=TZ)
MISSED_PATROL = dt.datetime(2026, 12, 15, 10, 15, tzinfo=TZ)
REFUSED_CHANGE = dt.datetime(2026, 12, 10, 20, 0, tzinfo=TZ)
FAILED_PATROL = dt.datetime(2026, 12, 20, 10, 0, tzinfo=TZ)  # a camera fails: 报修 (R12 §三(二))

SITE_PATTERN = """
shift_patterns:
  - id: site-control-room-two-shifts
    title: 本单位中控室排班（白班/夜班，站点自定）
    clause: "R12 §四(二之2)1"
    post: 中控岗
    shifts:
      - {id: day, name: 白班, start: "08:00", end: "20:00"}
      - {id: night, name: 夜班, start: "20:00", end: "08:00"}
    teams: [甲, 乙, 丙]
    cycle: [day, night, off]
    team_offsets: [0, 1, 2]
    order_is_site_choice: true
"""

HANDOVER = R12_ANSWERS  # the 五交 items, all in order


@pytest.fixture
def month_server(require_backend, tmp_path):
    # The test rosters 中控岗 itself with its own pattern, instead of the demo's roster.
    pack = pack_with(tmp_path, "R12.yaml", SITE_PATTERN, drop_demo_roster="中控岗")
    s = clock_server(require_backend, START, pack)
    yield s
    s.kill()


def ok(r, status=200):
    assert r.status == status, (r.status, r.body[:1500])
    return r.json()


def parse(s):
    return dt.datetime.fromisoformat(s)


def q(t):
    return t.isoformat().replace("+", "%2B")


class Month:
    def __init__(self, server):
        self.server = server
        self.admin = Actor(server, "admin")
        posts = all_items(self.admin, "/api/v1/posts?limit=200")
        post = next(p for p in posts if p["name"] == "中控岗")
        self.post, self.site = post["id"], post["site_id"]
        self.creds = {u: pw for u, (pw, _) in server.credentials().items()}
        self.actors = {}
        self.repairs = []

    def actor(self, user):
        if user not in self.actors:
            self.actors[user] = Actor(self.server, user)
        return self.actors[user]

    def at(self, t):
        advance(self.admin, t)

    def journal(self, kind):
        out = []
        for j in all_items(self.admin, "/api/v1/journal?limit=500", max_pages=2000):
            if j["kind"] == kind:
                out.append(j)
        return out


def procedures_of(m, name):
    return all_items(m.admin, f"/api/v1/procedures?site_id={m.site}&procedure={name}&limit=200")


def month_incidents(m):
    """What happens in the month besides patrols and handovers, keyed by the patrol time after
    which it happens; each step asserts its own answer, check_incidents the month's records."""
    admin = m.admin
    # The site's observation time for a SCADA fault (R02 §二4 gives none): the site sets it.
    r = admin.call("PUT", f"/api/v1/sites/{m.site}/parameters/scada_fault_observe",
                   {"value": "10m"})
    assert r.status == 200, r
    for tag, title in (("P-301", "3号泵故障"), ("P-302", "4号泵故障")):
        ok(admin.post("/api/v1/alarm-points", {"site_id": m.site, "post_id": m.post,
                                               "source": "scada", "point": tag, "title": title,
                                               "kind": "scada", "priority": 2}), 201)
    ok(admin.post("/api/v1/alarm-points", {"site_id": m.site, "post_id": m.post, "source": "fas-1",
                                           "point": "2F-smoke-07", "title": "2F烟感", "kind": "fire",
                                           "priority": 1}), 201)
    fire_post = next(p["id"] for p in all_items(admin, "/api/v1/posts?limit=200")
                     if p["name"] == "消防控制室值班岗")
    fire1, fire2 = m.actor("fire1"), m.actor("fire2")
    # The demo's fire2 holds a certificate that expired on 2026-01-31: renewed before going on the
    # post (持证上岗, R20 §二3/§四5 — attendance refuses an expired one).
    ok(admin.post(f"/api/v1/people/{fire2.me()['person_id']}/certifications",
                  {"kind": "消防设施操作员证", "number": "MONTH-RENEWED", "expires_on": "2028-12-31"}),
       201)
    for f in (fire1, fire2):
        ok(f.post(f"/api/v1/posts/{fire_post}/attendance"), 201)

    def ingest(point, state, source="scada"):
        ok(admin.post("/api/v1/alarms:ingest",
                      {"events": [{"source": source, "point": point, "state": state}]}))

    def scada_clears(m, op):
        ingest("P-301", "active")
        [p] = [p for p in procedures_of(m, "r02-scada-fault") if p["state"] == "observing"]
        m.at(m_now(m) + dt.timedelta(minutes=4))
        ingest("P-301", "normal")  # returned to normal by itself: the procedure is cleared
        assert ok(op.get(f"/api/v1/procedures/{p['id']}"))["state"] == "cleared"

    def scada_stays(m, op):
        ingest("P-302", "active")

    smoke = next(p["id"] for p in all_items(admin, f"/api/v1/alarm-points?site_id={m.site}")
                 if p["point"] == "2F-smoke-07")

    def fire_alarm(confirmed):
        def run(m, op):
            # The fire point's activation starts r20-fire-alarm in the ingest (issue 17 §2).
            ingest("2F-smoke-07", "active", source="fas-1")
            [p] = [p for p in procedures_of(m, "r20-fire-alarm")
                   if p["ref"] == f"alarm-point/{smoke}" and p["open"]]
            pid = p["id"]
            p1, p2 = fire1.me()["person_id"], fire2.me()["person_id"]
            ok(fire1.post(f"/api/v1/procedures/{pid}/assignments",
                          {"task": "出现场确认", "person_id": p2}))
            ok(fire1.post(f"/api/v1/procedures/{pid}/assignments",
                          {"task": "留守执机监视其它报警信号", "person_id": p1}))
            m.at(m_now(m) + dt.timedelta(minutes=2))
            if not confirmed:
                ok(fire2.post(f"/api/v1/procedures/{pid}/events",
                              {"event": "false_alarm", "inputs": {"alarm.confirmed_on_site": True}}))
                ok(fire1.post(f"/api/v1/procedures/{pid}/events",
                              {"event": "reset_done", "note": "已复位"}))
                ingest("2F-smoke-07", "normal", source="fas-1")
                return
            v = ok(fire2.post(f"/api/v1/procedures/{pid}/events",
                              {"event": "fire_confirmed", "note": "现场确认起火",
                               "inputs": {"alarm.confirmed_on_site": True}}))
            for task in v["tasks"]:
                if task["state"] == "fire" and not task["done"]:
                    m.at(m_now(m) + dt.timedelta(minutes=1))
                    body = {"note": "已完成"}
                    if task["task"] == "record:r20-alarm-record":  # the 报警处理记录, a form
                        body = {"answers": {"location": "2F烟感", "alarm-time": "03:00",
                                            "confirmed-by": "演示·李消防", "cause": "2F起火",
                                            "nature": "火警", "result": "已扑灭"}}
                    ok(fire1.post(f"/api/v1/procedures/{pid}/tasks/{task['id']}/done", body))
            ok(fire1.post(f"/api/v1/procedures/{pid}/events", {"event": "fire_out"}))
            ingest("2F-smoke-07", "normal", source="fas-1")
        return run

    def footage(m, op):
        # Copying footage: refused for everybody, citing R16 §一6, and journaled.
        r = op.post("/api/v1/requests", {"site_id": m.site, "type": "r16-footage-view",
                                         "reason": "复制录像", "inputs": {
                                             "applicant.company_staff": True, "request.copy": True}})
        assert r.status == 403 and r.json()["error"]["clause"] == "R16 §一6", r
        # Viewing (查阅): the 部长 approves with a signature (R12 §三(五)).
        req = ok(op.post("/api/v1/requests", {"site_id": m.site, "type": "r12-footage-access",
                                              "reason": "核查12月10日夜班对讲机遗失"}), 201)
        head = m.actor("head")
        done = ok(head.post(f"/api/v1/requests/{req['id']}/decisions",
                            {"approve": True, "password": m.server.credentials()["head"][0],
                             "note": "同意查阅"}), 201)
        assert done["state"] == "approved", done
        m.footage_request = req["id"]
        view = ok(op.post(f"/api/v1/footage/{m.segment['id']}/views", {"request_id": req["id"]}), 201)
        assert view["viewed_with_request"] == req["id"]

    # An engineer (工程维修人员) who repairs what the operators report.
    fixer_person = ok(admin.post("/api/v1/people", {"site_id": m.site, "name": "月度·维修工"}),
                      201)["id"]
    ok(admin.post("/api/v1/accounts", {
        "username": "mfixer", "password": "month-fixer-1", "person_id": fixer_person,
        "roles": [{"role": "工程维修人员", "scope_kind": "site", "scope_id": m.site}]}), 201)
    fixer = Operator(m.server, "mfixer", "month-fixer-1")
    chief = m.actor("guard_chief")

    def record_footage(m, op):
        m.segment = ok(op.post("/api/v1/footage", {
            "site_id": m.site, "camera": "CAM-05", "tape": "T-1202",
            "starts_at": dt.datetime(2026, 12, 2, 8, 0, tzinfo=TZ).isoformat(),
            "ends_at": dt.datetime(2026, 12, 2, 9, 0, tzinfo=TZ).isoformat(),
            "storage_ref": "nvr://1/CAM-05/202612020800"}), 201)

    def footage_kept(m, op):
        # Inside R16 §二3's one month: deletion refused; copying refused whatever the date.
        r = op.call("DELETE", f"/api/v1/footage/{m.segment['id']}")
        assert r.status == 409 and r.json()["error"]["clause"] == "R16 §二3", r
        r = op.post(f"/api/v1/footage/{m.segment['id']}/copies")
        assert r.status == 403 and r.json()["error"]["clause"] == "R16 §一6", r
        r = op.post(f"/api/v1/footage/{m.segment['id']}/views", {"request_id": m.footage_request})
        assert r.status == 403, r  # only the applicant views under the approval

    def visitor(m, op):
        me = op.me()["person_id"]
        # Unapproved: cannot be registered (R12 §三(三)).
        pending = ok(op.post("/api/v1/requests", {"site_id": m.site, "type": "r12-control-room-entry",
                                                  "reason": "未批准的来访"}), 201)["id"]
        r = op.post("/api/v1/visits", {"site_id": m.site, "place": "中控室", "request_id": pending,
                                       "name": "钱来访", "reason": "参观", "visitor_signed": True})
        assert r.status == 409 and r.json()["error"]["clause"] == "R12 §三(三)", r
        rid = ok(op.post("/api/v1/requests", {"site_id": m.site, "type": "r12-control-room-entry",
                                              "reason": "消防设备年检"}), 201)["id"]
        r = chief.post(f"/api/v1/requests/{rid}/decisions", {"approve": True, "escort_person_id": me})
        assert r.status == 201 and r.json()["state"] == "approved", r
        v = ok(op.post("/api/v1/visits", {"site_id": m.site, "place": "中控室", "request_id": rid,
                                          "name": "孙检测", "company": "消防检测公司",
                                          "reason": "消防设备年检", "visitor_signed": True}), 201)
        assert v["escort_person_id"] == me
        r = op.post(f"/api/v1/visits/{v['id']}/exit")
        assert r.status == 409, r  # no exit before the entry
        assert ok(op.post(f"/api/v1/visits/{v['id']}/entry"))["state"] == "entered"
        m.visit = v["id"]

    def visitor_leaves(m, op):
        assert ok(op.post(f"/api/v1/visits/{m.visit}/exit"))["state"] == "exited"

    def repair_assigned(m, op):
        [rid] = m.repairs
        r = chief.post(f"/api/v1/repairs/{rid}/actions", {"action": "assign",
                                                          "person_id": fixer_person})
        assert r.status == 200 and r.json()["state"] == "assigned", r
        assert ok(fixer.post(f"/api/v1/repairs/{rid}/actions", {"action": "start"}))["state"] == \
            "in_progress"

    def repair_fixed(m, op):
        [rid] = m.repairs
        done = ok(fixer.post(f"/api/v1/repairs/{rid}/actions", {"action": "fix",
                                                                "note": "更换5号摄像头电源"}))
        assert done["state"] == "fixed" and done["seconds_to_fix"] == 2 * 3600, done
        closed = ok(op.post(f"/api/v1/repairs/{rid}/actions", {"action": "close"}))
        assert closed["state"] == "closed", closed

    return {
        dt.datetime(2026, 12, 2, 9, 0, tzinfo=TZ): record_footage,
        dt.datetime(2026, 12, 16, 10, 0, tzinfo=TZ): visitor,
        dt.datetime(2026, 12, 16, 11, 0, tzinfo=TZ): visitor_leaves,
        dt.datetime(2026, 12, 20, 10, 30, tzinfo=TZ): repair_assigned,
        dt.datetime(2026, 12, 20, 12, 0, tzinfo=TZ): repair_fixed,
        dt.datetime(2026, 12, 21, 9, 0, tzinfo=TZ): footage_kept,
        dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ): scada_clears,
        dt.datetime(2026, 12, 5, 14, 0, tzinfo=TZ): scada_stays,
        dt.datetime(2026, 12, 8, 3, 0, tzinfo=TZ): fire_alarm(confirmed=True),
        dt.datetime(2026, 12, 12, 15, 30, tzinfo=TZ): fire_alarm(confirmed=False),
        dt.datetime(2026, 12, 11, 9, 0, tzinfo=TZ): footage,
    }


def m_now(m):
    return parse(m.admin.get("/api/v1/test/clock").json()["now"])


def check_incidents(m):
    scada = {p["ref"]: p for p in procedures_of(m, "r02-scada-fault")}
    states = sorted(p["state"] for p in scada.values())
    assert states == ["cleared", "escalated"], scada
    fires = procedures_of(m, "r20-fire-alarm")
    assert len(fires) == 2 and all(p["state"] == "closed" for p in fires), fires
    histories = sorted(tuple(h["to"] for h in m.admin.get(f"/api/v1/procedures/{p['id']}")
                             .json()["history"]) for p in fires)
    assert histories == [("alarm", "false-alarm", "closed"), ("alarm", "fire", "closed")]
    refused = [j for j in m.journal("request.refused")]
    assert len(refused) == 1 and "R16 §一6" in str(refused[0]["payload"]), refused
    approved = [r for r in all_items(m.admin, f"/api/v1/requests?site_id={m.site}&limit=200")
                if r["type"] == "r12-footage-access"]
    assert [r["state"] for r in approved] == ["approved"], approved
    # Visitors: one visit, entered and left, both in the duty log; footage kept and viewed once.
    visits = all_items(m.admin, f"/api/v1/visits?site_id={m.site}&limit=200")
    assert [(v["state"], v["company"]) for v in visits] == [("exited", "消防检测公司")], visits
    visitor_log = all_items(m.admin, f"/api/v1/duty-log?site_id={m.site}&kind=visitor&limit=200")
    assert len([e for e in visitor_log if e.get("ref") == f"visit/{m.visit}"]) == 2, visitor_log
    assert len(m.journal("footage.viewed")) == 1 and len(m.journal("footage.copy_refused")) == 1
    assert m.admin.get(f"/api/v1/footage/{m.segment['id']}").json()["deleted"] is False
    # The failed patrol's repair: reported, assigned, fixed, verified by the operator.
    [rid] = m.repairs
    history = [h["action"] for h in m.admin.get(f"/api/v1/repairs/{rid}").json()["history"]]
    assert history == ["report", "assign", "start", "fix", "close"], history
    # Every alarm reached the duty log (R12 §四(二之2)2, each activation one entry at least).
    log = all_items(m.admin, f"/api/v1/duty-log?site_id={m.site}&kind=alarm&limit=200")
    for title in ("3号泵故障报警（scada/P-301）", "4号泵故障报警（scada/P-302）",
                  "2F烟感报警（fas-1/2F-smoke-07）"):
        assert any(e["text"].startswith(title) for e in log), (title, [e["text"] for e in log])


class Operator(Actor):
    """A signed-in operator the test created (not a demo user)."""

    def __init__(self, server, username, password):
        self.password = password
        super().__init__(server, username)

    def _login(self):
        r = self.client.login(self.username, self.password)
        assert r.status == 200, r


def operators(m):
    """Three teams of the 中控室 with one certified 中控员 each, created through the API: the demo's
    own 中控室 people are already rostered on 中控值班岗四班 this month."""
    teams, people = [], {}
    for i, name in enumerate(["月甲班", "月乙班", "月丙班"], start=1):
        team = ok(m.admin.post("/api/v1/teams", {"site_id": m.site, "name": name}), 201)["id"]
        person = ok(m.admin.post("/api/v1/people", {"site_id": m.site, "team_id": team,
                                                    "name": f"月度·中控{i}"}), 201)["id"]
        # R12's post needs the 中控系统操作培训 certificate (staffing rule certified_only).
        ok(m.admin.post(f"/api/v1/people/{person}/certifications",
                        {"kind": "中控系统操作培训", "number": f"M{person}",
                         "expires_on": "2027-12-31"}), 201)
        user, password = f"mop{i}", f"month-pass-{i}"
        ok(m.admin.post("/api/v1/accounts", {
            "username": user, "password": password, "person_id": person,
            "roles": [{"role": "中控员", "scope_kind": "site", "scope_id": m.site}]}), 201)
        m.creds[user] = password
        m.actors[user] = Operator(m.server, user, password)
        teams.append(team)
        people[person] = user
    return teams, people


def test_a_month_in_the_control_room(month_server):
    m = Month(month_server)
    admin = m.admin
    team_ids, people = operators(m)

    # 1. The roster: generated, published; 60 shifts in 30 days.
    last = FIRST + dt.timedelta(days=DAYS)
    roster = ok(admin.post("/api/v1/rosters", {
        "site_id": m.site, "post_id": m.post, "pattern": "site-control-room-two-shifts",
        "team_ids": team_ids, "first_day": FIRST.isoformat(), "last_day": last.isoformat()}), 201)
    ok(admin.post(f"/api/v1/rosters/{roster['id']}/publish"))
    slots = {}
    for a in roster["assignments"]:
        slots[parse(a["starts_at"])] = (parse(a["ends_at"]), a["person_id"])
    first_shift = min(slots)
    assert first_shift == dt.datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
    last_change = dt.datetime(2026, 12, 31, 8, 0, tzinfo=TZ)
    changes = sorted(t for t in slots if first_shift < t <= last_change)
    assert len(changes) == 2 * DAYS  # Dec 1 20:00 … Dec 31 08:00

    # Before the roster there is nobody to hand over from: Dec 1's day operator takes the post.
    on_post = slots[first_shift][1]
    ok(m.actor(people[on_post]).post(f"/api/v1/posts/{m.post}/attendance"), 201)

    incidents = month_incidents(m)

    handovers, refused = [], []
    missed_expected = None
    t = START
    end = last_change + dt.timedelta(minutes=30)
    step = dt.timedelta(minutes=15)
    change_iter = iter(changes)
    next_change = next(change_iter)
    while t < end:
        due = t
        # Each patrol is done one minute after it falls due, by whoever is on post.
        m.at(due + dt.timedelta(minutes=1))
        if due == MISSED_PATROL:
            missed_expected = (due, on_post)
        else:
            op = m.actor(people[on_post])
            items = op.get(f"/api/v1/duties?post_id={m.post}&duty=r12-video-patrol"
                           f"&due_from={q(due)}&due_before={q(due + dt.timedelta(seconds=1))}").json()
            assert len(items["items"]) == 1, (due, items)
            answers = {"status": "pass"}
            if due == FAILED_PATROL:
                answers = {"status": "fail", "note": "5号摄像头黑屏"}
            done = ok(op.post(f"/api/v1/duties/{items['items'][0]['id']}/complete",
                              {"answers": answers}))
            assert len(done["repairs_opened"]) == (1 if due == FAILED_PATROL else 0), done
            if done["repairs_opened"]:
                m.repairs += done["repairs_opened"]
        if due in incidents:
            incidents[due](m, m.actor(people[on_post]))
        # The shift change: the incoming opens 8 minutes before, inside the 10-minute window.
        if next_change and due + step == next_change:
            change = next_change
            incoming = slots[change][1]
            m.at(change - dt.timedelta(minutes=8))
            inc, out = m.actor(people[incoming]), m.actor(people[on_post])
            h = ok(inc.post("/api/v1/handovers", {"post_id": m.post}), 201)
            if change == REFUSED_CHANGE:
                r = ok(inc.post(f"/api/v1/handovers/{h['id']}/refuse",
                                {"reason": "tools-incomplete", "note": "对讲机缺一台"}))
                assert r["state"] == "refused"
                refused.append(h["id"])
                m.at(change - dt.timedelta(minutes=5))  # the tools are found; opened again
                h = ok(inc.post("/api/v1/handovers", {"post_id": m.post}), 201)
            assert h["outgoing_person_id"] == on_post and h["incoming_person_id"] == incoming
            assert h["roster_check"] == "passed", h["roster_check"]
            ok(out.post(f"/api/v1/handovers/{h['id']}/answers", {"answers": HANDOVER}))
            if h["unacknowledged"]:
                ok(inc.post(f"/api/v1/handovers/{h['id']}/acknowledge",
                            {"items": h["unacknowledged"]}))
            ok(out.post(f"/api/v1/handovers/{h['id']}/sign", {"password": m.creds[people[on_post]]}))
            done = ok(inc.post(f"/api/v1/handovers/{h['id']}/sign",
                               {"password": m.creds[people[incoming]]}))
            assert done["state"] == "completed"
            handovers.append(done)
            on_post = incoming
            next_change = next(change_iter, None)
        t += step

    # Handovers: 60 completed, one refused first; each sealed, each outgoing off duty.
    assert len(handovers) == 60 and len(refused) == 1
    listed = all_items(admin, f"/api/v1/handovers?post_id={m.post}&limit=200")
    assert sorted(x["state"] for x in listed) == ["completed"] * 60 + ["refused"]
    assert len({h["seal_sha256"] for h in handovers}) == 60
    assert len(m.journal("handover.completed")) == 60
    assert len(m.journal("handover.refused")) == 1

    # Patrols: 30 days × 96, from Dec 1 07:00; exactly one missed.
    patrols = all_items(admin, f"/api/v1/duties?post_id={m.post}&duty=r12-video-patrol"
                               f"&due_from={q(START)}&due_before={q(end)}&limit=500")
    states = {}
    for d in patrols:
        states[d["state"]] = states.get(d["state"], 0) + 1
    assert states == {"done": len(patrols) - 1, "missed": 1}, states
    missed = [d for d in patrols if d["state"] == "missed"]
    assert parse(missed[0]["due_at"]) == MISSED_PATROL

    # The missed patrol: one violation against the operator on post, the pack's consequence.
    violations = all_items(admin, "/api/v1/violations?code=R12-PATROL-MISSED&limit=200")
    mine = [v for v in violations if v["post_id"] == m.post]
    assert len(mine) == 1, mine
    v = mine[0]
    assert v["person_id"] == missed_expected[1]
    assert parse(v["occurred_at"]) == MISSED_PATROL + step
    assert v["consequence"]["note"] == "记录违规，按公司制度处理", v["consequence"]
    assert v["clauses"] == ["R12 §三(二)"] and v["source"] == "auto" and v["occurrence"] == 1, v

    check_incidents(m)

    month_server.stop()
    verify = month_server.verify()
    assert verify.returncode == 0, verify.stdout + verify.stderr
