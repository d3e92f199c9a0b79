"""The control-room rules the other tests do not reach, on both backends (make clause-coverage
lists which clauses each test exercises): the procedures of R02, R09, R16 and R20 started by their
site events; the entry, CCTV and software requests of R02, R05, R09, R16 and R20 filed, with the
prohibitions refused citing their clause; and 不得擅离岗位 on the posts of R02, R05, R09 and R16 —
leaving without a named colleague refused, leaving with one handing the post over."""
import pytest

from zhidu_harness import Actor, Server, all_items


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


# post, the regulation whose staffing rule says 须有人代岗
POSTS = [("中控值班岗", "R02"), ("车间控制室岗", "R05"), ("中控值班岗四班", "R09"),
         ("厂区中控岗", "R16")]


def test_no_post_is_left_without_a_named_colleague(srv):
    admin = Actor(srv, "admin")
    op1, op2 = Actor(srv, "op1"), Actor(srv, "op2")
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    posts = {p["name"]: p["id"] for p in all_items(admin, "/api/v1/posts?limit=200")}
    p2 = op2.me()["person_id"]
    for name, reg in POSTS:
        post = posts.get(name) or ok(admin.post("/api/v1/posts", {"site_id": site, "name": name}),
                                     201)["id"]
        ok(op1.post(f"/api/v1/posts/{post}/attendance"), 201)
        r = op1.post(f"/api/v1/posts/{post}/attendance:leave", {})
        assert r.status in (400, 409), (name, r)
        assert reg in r.body, (name, r.body)  # the refusal cites the regulation's clause
        assert [a["person_id"] for a in ok(admin.get(f"/api/v1/posts/{post}/attendance"))["items"]] \
            == [op1.me()["person_id"]]
        ok(op1.post(f"/api/v1/posts/{post}/attendance:leave", {"relief_person_id": p2}))
        on = [a["person_id"] for a in ok(admin.get(f"/api/v1/posts/{post}/attendance"))["items"]]
        assert on == [p2], (name, on)
