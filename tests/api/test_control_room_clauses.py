"""The control-room rules the other tests do not reach, on both backends (make clause-coverage
lists which clauses each test exercises): the procedures of R02, R09, R16 and R20 started by their
site events; the entry, CCTV and software requests of R02, R05, R09, R16 and R20 filed, with the
prohibitions refused citing their clause; and 不得擅离岗位 on the posts of R02, R05, R09 and R16 —
leaving without a named colleague refused, leaving with one handing the post over."""
import datetime as dt

import pytest

from zhidu_harness import Actor, Server, all_items, clock_server

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def srv(require_backend):
    s = Server(require_backend).start()
    yield s
    s.kill()


def ok(r, status=200):
    assert r.status == status, (r.status, r.body[:1500])
    return r.json()


# procedure id, trigger event, initial state (the pack's R02/R09/R16/R20 procedures)
PROCEDURES = [
    ("r02-fire", "control_room_fire", "fire"),
    ("r09-fault", "control_alarm", "observing"),
    ("r16-suspicious", "suspicious_event", "detected"),
    ("r16-equipment-fault", "equipment_fault", "reported"),
    ("r20-equipment-fault", "fire_equipment_fault", "found"),
]


def test_site_events_start_the_control_room_procedures(srv):
    admin = Actor(srv, "admin")
    op = Actor(srv, "op1")
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    for proc, event, initial in PROCEDURES:
        out = ok(op.post(f"/api/v1/sites/{site}/events",
                         {"event": event, "subject": f"演练：{proc}", "ref": f"drill/{proc}"}), 201)
        assert len(out["procedures_started"]) == 1, (proc, out)
        v = ok(op.get(f"/api/v1/procedures/{out['procedures_started'][0]}"))
        assert (v["procedure"], v["state"], v["open"]) == (proc, initial, True), v
        assert v["clauses"], v
    listed = {p["procedure"] for p in all_items(admin, f"/api/v1/procedures?site_id={site}&limit=200")}
    assert {p for p, _, _ in PROCEDURES} <= listed


def test_a_fire_equipment_fault_the_operator_cannot_fix_is_reported_for_repair(srv):
    admin = Actor(srv, "admin")
    op = Actor(srv, "op1")
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    out = ok(op.post(f"/api/v1/sites/{site}/events",
                     {"event": "fire_equipment_fault", "subject": "2F 喷淋泵控制柜", "ref": "eq/7"}),
             201)
    pid = out["procedures_started"][0]
    v = ok(op.post(f"/api/v1/procedures/{pid}/events", {"event": "cannot_fix", "note": "无法排除"}))
    assert v["state"] == "reported", v
    opened = [r for r in all_items(admin, f"/api/v1/repairs?site_id={site}")
              if r["source"] == {"kind": "procedure", "id": pid, "item": "reported"}]
    assert len(opened) == 1, opened
    assert opened[0]["what"] == "2F 喷淋泵控制柜" and opened[0]["assignee_role"] == "弱电班"
    assert {"R20 §四9", "R20 §五1"} <= set(opened[0]["clauses"]), opened[0]
    assert opened[0]["reporter_person_id"] == op.me()["person_id"]
    # Fixed by the operator instead: no repair (the state that opens one is never entered).
    out = ok(op.post(f"/api/v1/sites/{site}/events",
                     {"event": "fire_equipment_fault", "subject": "3F 模块", "ref": "eq/8"}), 201)
    pid2 = out["procedures_started"][0]
    ok(op.post(f"/api/v1/procedures/{pid2}/events", {"event": "fixed_by_operator"}))
    assert not [r for r in all_items(admin, f"/api/v1/repairs?site_id={site}")
                if r["source"]["id"] == pid2 and r["source"]["kind"] == "procedure"]


# request type, inputs, the roles of its first step ([] when it needs no approval)
REQUESTS = [
    ("r02-visit", None, ["值班长"]),
    ("r02-cctv-adjust", None, ["值班长"]),
    ("r05-entry", None, ["值班长"]),
    ("r09-visit", None, ["值班长"]),
    ("r09-cctv-adjust", None, ["值班长"]),
    ("r09-software-install", {"request.licensed": True}, ["值班长"]),
    ("r16-department-entry", None, ["副总"]),
]


def test_the_control_room_requests_are_filed_and_prohibitions_refused(srv):
    op = Actor(srv, "op1")
    site = op.get("/api/v1/sites").json()["items"][0]["id"]

    def file(type_, inputs):
        body = {"site_id": site, "type": type_, "reason": "演练"}
        if inputs is not None:
            body["inputs"] = inputs
        return op.post("/api/v1/requests", body)

    for type_, inputs, roles in REQUESTS:
        req = ok(file(type_, inputs), 201)
        assert req["type"] == type_ and req["state"] == "pending", req
        assert req["steps"][0]["roles"] == roles, (type_, req["steps"])
    # R09 §二6: no unlicensed software; R20 §四10: the internal phone for work only.
    for type_, inputs in (("r09-software-install", {"request.licensed": False}),
                          ("r20-internal-phone", {"request.work_related": False})):
        r = file(type_, inputs)
        assert r.status == 403, r
        assert r.json()["error"]["clause"].split(" ")[0] in ("R09", "R20"), r.json()
    allowed = ok(file("r20-internal-phone", {"request.work_related": True}), 201)
    assert allowed["type"] == "r20-internal-phone" and allowed["state"] == "approved", allowed


# post, the regulation whose staffing rule says 须有人代岗, the post's role (attendance needs it)
POSTS = [("中控值班岗", "R02", "中控员"), ("车间控制室岗", "R05", "控制室操作员"),
         ("中控值班岗四班", "R09", "中控员"), ("厂区中控岗", "R16", "消防中控员"),
         # R08 §二1/§二5 值班在岗，未经值班经理批准不得擅离职守 (r08-on-post…): the demo company has
         # the three queues as teams only, so the test opens the posts R19 §二4) declares.
         ("客服组", "R08", "客服专员"), ("订单组", "R08", "客服专员"), ("投诉组", "R08", "客服专员")]


def test_no_post_is_left_without_a_named_colleague(srv):
    admin = Actor(srv, "admin")
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    posts = {p["name"]: p["id"] for p in all_items(admin, "/api/v1/posts?limit=200")}

    def holder(role, name):
        """A person holding `role` at the site, signed in; (client, person id)."""
        pid = ok(admin.post("/api/v1/people", {"site_id": site, "name": name}), 201)["id"]
        ok(admin.post("/api/v1/accounts", {
            "username": f"leave{pid}", "password": "leave-pass-1", "person_id": pid,
            "roles": [{"role": role, "scope_kind": "site", "scope_id": site}]}), 201)
        c = srv.client()
        assert c.login(f"leave{pid}", "leave-pass-1").status == 200
        return c, pid

    def leave_approved(worker, post, person):
        """R08 §二5 未经值班经理批准不得擅离职守: the last agent on the post leaves without a relief
        only with an r08-leave-post request approved by a 值班经理 since going on the post — once."""
        rid = ok(worker.post("/api/v1/requests", {"site_id": site, "type": "r08-leave-post",
                                                  "reason": "临时离岗"}), 201)["id"]
        manager, _ = holder("值班经理", f"值班经理{rid}")
        ok(manager.post(f"/api/v1/requests/{rid}/decisions", {"approve": True}), 201)
        ok(worker.post(f"/api/v1/posts/{post}/attendance:leave", {}))
        assert ok(admin.get(f"/api/v1/posts/{post}/attendance"))["items"] == []
        left = [j for j in all_items(admin, "/api/v1/journal?limit=500") if j["kind"] == "post.left"
                and j["payload"]["person_id"] == person and j["payload"]["post_id"] == post]
        assert [j["payload"].get("leave_request_id") for j in left] == [rid], left
        ok(worker.post(f"/api/v1/posts/{post}/attendance"), 201)  # the approval is used up
        r = worker.post(f"/api/v1/posts/{post}/attendance:leave", {})
        assert r.status == 409 and r.json()["error"]["reason"] == "attendance.leave_not_approved", r

    for name, reg, role in POSTS:
        post = posts.get(name) or ok(admin.post("/api/v1/posts", {"site_id": site, "name": name}),
                                     201)["id"]
        worker, p1 = holder(role, f"{reg}·值班")
        _, p2 = holder(role, f"{reg}·同事")
        ok(worker.post(f"/api/v1/posts/{post}/attendance"), 201)
        r = worker.post(f"/api/v1/posts/{post}/attendance:leave", {})
        assert r.status in (400, 409), (name, r)
        assert reg in r.body, (name, r.body)  # the refusal cites the regulation's clause
        assert [a["person_id"] for a in ok(admin.get(f"/api/v1/posts/{post}/attendance"))["items"]] \
            == [p1]
        if reg == "R08":  # 未经值班经理批准不得擅离职守 (R08 §二5): the approval, or a relief
            assert r.json()["error"]["reason"] == "attendance.leave_not_approved", r
            assert "R08 §二5" in r.json()["error"]["clauses"], r.json()
            leave_approved(worker, post, p1)
        ok(worker.post(f"/api/v1/posts/{post}/attendance:leave", {"relief_person_id": p2}))
        on = [a["person_id"] for a in ok(admin.get(f"/api/v1/posts/{post}/attendance"))["items"]]
        assert on == [p2], (name, on)


FIRE_START = dt.datetime(2026, 12, 9, 7, 0, tzinfo=TZ)
FIRE_CHANGE = dt.datetime(2026, 12, 9, 8, 0, tzinfo=TZ)  # 早班 → 中班 of the demo's fire roster


@pytest.fixture
def fire_srv(require_backend):
    # The shipped pack as it is: R20 gives the fire control room no shift times, and its
    # handovers follow the demo's published roster (issue 17 §1).
    s = clock_server(require_backend, FIRE_START)
    yield s
    s.kill()


def test_fire_control_room_handover_by_the_roster_r20_4_8(fire_srv):
    """R20 §四8/§四11: 按时交接班, no leaving without the handover. The demo roster puts 演示·王消防
    (fire1) on the 00-08 shift and 演示·黄消防 on 08-16; R20 names no early arrival, so the window is
    the change itself (plus the site's handover_grace, unset)."""
    admin = Actor(fire_srv, "admin")
    fire1 = Actor(fire_srv, "fire1")
    post = next(p for p in all_items(admin, "/api/v1/posts?limit=200")
                if p["name"] == "消防控制室值班岗")
    huang = next(p["id"] for p in all_items(admin, "/api/v1/people?limit=200")
                 if p["name"] == "演示·黄消防")
    incoming = Actor(fire_srv, "fire4")  # 演示·黄消防's demo account
    assert incoming.me()["person_id"] == huang
    ok(fire1.post(f"/api/v1/posts/{post['id']}/attendance"), 201)
    # Leaving without a handover or a relief is refused citing what R20 says of leaving: §四8
    # 无法接班手续,值班人员不得擅自离岗 and §四11 离岗应做好接班手续 — not §一1 (24小时有人值班).
    r = fire1.post(f"/api/v1/posts/{post['id']}/attendance:leave", {})
    assert r.status == 409, r
    err = r.json()["error"]
    assert err["field"] == "relief_person_id" and err["clauses"] == ["R20 §四8", "R20 §四11"], err
    assert "R20 §一1" not in r.body, r

    r = incoming.post("/api/v1/handovers", {"post_id": post["id"]})
    assert r.status == 409 and "08:00" in r.json()["error"]["message"], r  # 07:00: not yet
    ok(admin.post("/api/v1/test/clock", {"to": FIRE_CHANGE.isoformat()}))
    h = ok(incoming.post("/api/v1/handovers", {"post_id": post["id"]}), 201)
    assert h["checklists"] == ["r20-handover"] and h["roster_check"] == "passed", h
    assert h["outgoing_person_id"] == fire1.me()["person_id"] and h["incoming_person_id"] == huang
    ok(fire1.post(f"/api/v1/handovers/{h['id']}/answers",
                  {"answers": {"log": True, "equipment": "pass", "incidents": "无"}}))
    if h["unacknowledged"]:
        ok(incoming.post(f"/api/v1/handovers/{h['id']}/acknowledge", {"items": h["unacknowledged"]}))
    ok(fire1.post(f"/api/v1/handovers/{h['id']}/sign",
                  {"password": fire_srv.credentials()["fire1"][0]}))
    done = ok(incoming.post(f"/api/v1/handovers/{h['id']}/sign",
                            {"password": fire_srv.credentials()["fire4"][0]}))
    assert done["state"] == "completed" and len(done["seal_sha256"]) == 64, done
    on = [a["person_id"] for a in ok(admin.get(f"/api/v1/posts/{post['id']}/attendance"))["items"]]
    assert on == [huang], on
    # The print view carries the site's zone and every time with its offset, never UTC ("Z"): the
    # signatures were stored as 2026-12-09T00:00:00Z and printed so (issue 17 §3).
    sheet = ok(admin.get(f"/api/v1/handovers/{h['id']}/print"))
    assert sheet["time_zone"] == "Asia/Shanghai", sheet
    times = [sheet["shift_change"]] + [s["at"] for s in sheet["signatures"]] + \
        [a["at"] for a in sheet["acknowledgements"]]
    assert len(times) >= 3 and all(t.endswith("+08:00") for t in times), times
    assert sheet["shift_change"] == "2026-12-09T08:00:00+08:00", sheet["shift_change"]
