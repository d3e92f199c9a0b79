"""Who may be in the control rooms, work their posts and operate their equipment, on both backends
(make clause-coverage lists which clauses each test exercises):

* going on a post (attendance, or named as the relief of someone leaving it) needs one of the
  post's roles at the site and its certificates valid today — R12 §二/§三(一) 中控员, R12 §四(二之2)1
  中控员须经培训后方可上机操作, R16 §二5 消防中控员, R20 §二 值班员, R20 §二3/§四5 专门培训、持证上岗;
* leaving a post without a named colleague cites the post's own clause about leaving (R12
  §四(二之2)2 严禁脱岗离岗; R16 §二13 and §二15);
* a post's equipment (its alarms) is operated only by the person on duty at that post (R16 §一5,
  R12 §四(二之2)1), not even by a shift lead;
* nobody visits the fire control room (R20 §一5, §三7), and the factory control room turns away
  whoever has no approved request (R16 §一1 严禁闲杂人员逗留, with §一2);
* a roster leaving a shift of a 24-hour post empty is flagged citing the 24-hour clauses (R12
  §四(二之2)1, R16 §一4, §二5).
Each refusal is checked to have written nothing."""
from zhidu_harness import Actor, all_items

# The one operator's password used for the accounts this test creates.
PASSWORD = "access-pass-1"


def ok(r, status=200):
    assert r.status == status, (r.status, r.body[:1500])
    return r.json()


def refused(r, status, *clauses):
    """`r` is a refusal with `status` citing each of `clauses` (error.clauses and the message)."""
    assert r.status == status, (r.status, r.body[:1500])
    err = r.json()["error"]
    for c in clauses:
        assert c in err["clauses"] and c in err["message"], (c, err)
    return err


class Site:
    def __init__(self, server):
        self.server = server
        self.admin = Actor(server, "admin")
        self.id = self.admin.get("/api/v1/sites").json()["items"][0]["id"]
        self.posts = {p["name"]: p["id"] for p in all_items(self.admin, "/api/v1/posts?limit=200")}

    def post(self, name):
        """The site's post `name`, created when the demo has none (厂区中控岗 of R16)."""
        if name not in self.posts:
            self.posts[name] = ok(self.admin.post("/api/v1/posts",
                                                  {"site_id": self.id, "name": name}), 201)["id"]
        return self.posts[name]

    def person(self, name, role=None, certs=()):
        """A person of the site with an account holding `role` (if any) and certificates
        (kind, expires_on); returns (a signed-in client or None, person id)."""
        pid = ok(self.admin.post("/api/v1/people", {"site_id": self.id, "name": name}), 201)["id"]
        for kind, expires in certs:
            ok(self.admin.post(f"/api/v1/people/{pid}/certifications",
                               {"kind": kind, "number": f"T-{pid}-{kind}", "expires_on": expires}),
               201)
        if role is None:
            return None, pid
        user = f"acc{pid}"
        ok(self.admin.post("/api/v1/accounts", {
            "username": user, "password": PASSWORD, "person_id": pid,
            "roles": [{"role": role, "scope_kind": "site", "scope_id": self.id}]}), 201)
        c = self.server.client()
        assert c.login(user, PASSWORD).status == 200
        return c, pid

    def on_post(self, post):
        return [a["person_id"] for a in ok(self.admin.get(f"/api/v1/posts/{post}/attendance"))["items"]
                if not a.get("ended_at")]

    def journal(self, kind):
        return [i for i in all_items(self.admin, "/api/v1/journal?limit=500") if i["kind"] == kind]


def test_going_on_a_post_needs_its_role_and_valid_certificate(server):
    site = Site(server)
    cs1, fire1, fire2 = Actor(server, "cs1"), Actor(server, "fire1"), Actor(server, "fire2")
    taken_before = len(site.journal("post.taken"))

    # R12 中控岗: 中控员 only (R12 §二 适用岗位; §三(一) the 中控员 operates the systems) …
    control = site.post("中控岗")
    refused(cs1.post(f"/api/v1/posts/{control}/attendance"), 403, "R12 §二", "R12 §三(一)")
    # … and only after the training (R12 §四(二之2)1 中控员须经培训后方可上机操作).
    trainee, trainee_id = site.person("培训·未培训中控", "中控员")
    err = refused(trainee.post(f"/api/v1/posts/{control}/attendance"), 403, "R12 §四(二之2)1")
    assert err["clause"] == "R12 §四(二之2)1" and "中控系统操作培训" in err["message"], err
    ok(site.admin.post(f"/api/v1/people/{trainee_id}/certifications",
                       {"kind": "中控系统操作培训", "number": "OLD", "expires_on": "2020-12-31"}), 201)
    refused(trainee.post(f"/api/v1/posts/{control}/attendance"), 403, "R12 §四(二之2)1")
    assert site.on_post(control) == []
    ok(site.admin.post(f"/api/v1/people/{trainee_id}/certifications",
                       {"kind": "中控系统操作培训", "number": "NEW", "expires_on": ""}), 201)
    ok(trainee.post(f"/api/v1/posts/{control}/attendance"), 201)
    assert site.on_post(control) == [trainee_id]

    # R20 消防控制室值班岗: the 值班员 (R20 §二), trained and certified (R20 §二3, §四5). The demo's
    # fire2 holds a certificate that expired on 2026-01-31.
    fire_post = site.post("消防控制室值班岗")
    refused(cs1.post(f"/api/v1/posts/{fire_post}/attendance"), 403, "R20 §二")
    err = refused(fire2.post(f"/api/v1/posts/{fire_post}/attendance"), 403, "R20 §二3", "R20 §四5")
    assert "消防设施操作员证" in err["message"], err
    ok(fire1.post(f"/api/v1/posts/{fire_post}/attendance"), 201)
    # Named as the relief, fire2 would go on the post all the same: refused, fire1 stays on it.
    refused(fire1.post(f"/api/v1/posts/{fire_post}/attendance:leave",
                       {"relief_person_id": fire2.me()["person_id"]}), 403, "R20 §二3")
    assert site.on_post(fire_post) == [fire1.me()["person_id"]]

    # R16 厂区中控岗: the 消防中控员 (R16 §二5 消防中控员二十四小时不间断…监控).
    factory = site.post("厂区中控岗")
    refused(Actor(server, "op1").post(f"/api/v1/posts/{factory}/attendance"), 403, "R16 §二5")
    guard, guard_id = site.person("厂区·消防中控", "消防中控员")
    ok(guard.post(f"/api/v1/posts/{factory}/attendance"), 201)
    assert site.on_post(factory) == [guard_id]

    # Only the three allowed went on post: the refusals journaled nothing.
    assert len(site.journal("post.taken")) == taken_before + 3


def test_leaving_a_post_cites_its_own_clause_about_leaving(server):
    site = Site(server)
    op1, op2 = Actor(server, "op1"), Actor(server, "op2")
    control = site.post("中控岗")
    ok(op1.post(f"/api/v1/posts/{control}/attendance"), 201)
    # R12's staffing rule carries §四(二之2)1 (training) and §四(二之2)2 (严禁脱岗、离岗): leaving
    # breaks the second.
    err = refused(op1.post(f"/api/v1/posts/{control}/attendance:leave", {}), 409,
                  "R12 §四(二之2)2")
    assert err["clauses"] == ["R12 §四(二之2)2"] and err["field"] == "relief_person_id", err
    ok(op1.post(f"/api/v1/posts/{control}/attendance:leave",
                {"relief_person_id": op2.me()["person_id"]}))
    assert site.on_post(control) == [op2.me()["person_id"]]

    # R16 says it twice (§二13, §二15): both are cited.
    factory = site.post("厂区中控岗")
    guard, _ = site.person("厂区·值班一", "消防中控员")
    _, colleague = site.person("厂区·值班二", "消防中控员")
    ok(guard.post(f"/api/v1/posts/{factory}/attendance"), 201)
    err = refused(guard.post(f"/api/v1/posts/{factory}/attendance:leave", {}), 409,
                  "R16 §二13", "R16 §二15")
    assert err["clauses"] == ["R16 §二13", "R16 §二15"], err
    ok(guard.post(f"/api/v1/posts/{factory}/attendance:leave", {"relief_person_id": colleague}))
    assert site.on_post(factory) == [colleague]


def test_a_posts_alarms_are_operated_only_by_the_person_on_duty_there(server):
    site = Site(server)
    factory = site.post("厂区中控岗")
    control = site.post("中控岗")
    points = {}
    for post, source, tag in ((factory, "cctv-f", "gate-3"), (control, "bms-1", "AHU-2")):
        points[post] = ok(site.admin.post("/api/v1/alarm-points", {
            "site_id": site.id, "post_id": post, "source": source, "point": tag,
            "title": f"{tag} 报警", "kind": "security", "priority": 2}), 201)["id"]
        ok(site.admin.post("/api/v1/alarms:ingest",
                           {"events": [{"source": source, "point": tag, "state": "active"}]}))

    guard, _ = site.person("厂区·操作员", "消防中控员")
    lead = Actor(server, "lead1")  # 值班长, duty.manage — but not on duty at the post
    op1 = Actor(server, "op1")
    ok(op1.post(f"/api/v1/posts/{control}/attendance"), 201)  # on duty, at another post
    acked_before = len(site.journal("alarm.acknowledged"))

    # R16 §一5: 中控室设备除值班人员外、其他人不得操作.
    for who in (guard, lead, op1):
        err = refused(who.post(f"/api/v1/alarms/{points[factory]}/ack"), 403, "R16 §一5")
        assert err["clause"] == "R16 §一5", err
    assert ok(site.admin.get(f"/api/v1/alarms/{points[factory]}"))["state"] == "active_unack"
    ok(guard.post(f"/api/v1/posts/{factory}/attendance"), 201)
    assert ok(guard.post(f"/api/v1/alarms/{points[factory]}/ack"))["state"] == "active_ack"

    # R12 §四(二之2)1: the 中控岗's systems are operated by its trained 中控员 on duty.
    refused(guard.post(f"/api/v1/alarms/{points[control]}/ack"), 403, "R12 §四(二之2)1")
    refused(Actor(server, "op2").post(f"/api/v1/alarms/{points[control]}/ack"), 403,
            "R12 §四(二之2)1")
    assert ok(op1.post(f"/api/v1/alarms/{points[control]}/ack"))["state"] == "active_ack"
    assert len(site.journal("alarm.acknowledged")) == acked_before + 2

    # The point says so itself, with the clauses, so the console need not guess (issue 17 §6).
    factory_point = ok(site.admin.get(f"/api/v1/alarms/{points[factory]}"))
    assert factory_point["operated_at_post"] is True, factory_point
    assert "R16 §一5" in factory_point["operating_clauses"], factory_point
    listed = {p["id"]: p for p in all_items(site.admin, f"/api/v1/alarm-points?site_id={site.id}")}
    assert "R12 §四(二之2)1" in listed[points[control]]["operating_clauses"], listed


def test_a_point_of_a_post_the_pack_does_not_keep_is_answered_by_anyone_on_duty_at_the_site(server):
    site = Site(server)
    lounge = site.post("客户休息室岗")  # R07: no clause keeps its equipment to the one on duty
    control = site.post("中控岗")
    point = ok(site.admin.post("/api/v1/alarm-points", {
        "site_id": site.id, "post_id": lounge, "source": "smoke-7", "point": "lounge-1",
        "title": "休息室烟感", "kind": "security", "priority": 2}), 201)
    assert point["operated_at_post"] is False and point["operating_clauses"] == [], point
    ok(site.admin.post("/api/v1/alarms:ingest",
                       {"events": [{"source": "smoke-7", "point": "lounge-1", "state": "active"}]}))
    op1 = Actor(server, "op1")
    refused(op1.post(f"/api/v1/alarms/{point['id']}/ack"), 403)  # on duty nowhere yet
    ok(op1.post(f"/api/v1/posts/{control}/attendance"), 201)    # on duty at another post
    acked = ok(op1.post(f"/api/v1/alarms/{point['id']}/ack"))
    assert acked["state"] == "active_ack" and acked["operated_at_post"] is False, acked


def test_control_room_visits_are_refused_citing_the_place(server):
    site = Site(server)
    op1, guard_chief = Actor(server, "op1"), Actor(server, "guard_chief")

    def register(place, rid, **body):
        b = {"site_id": site.id, "place": place, "request_id": rid, "name": "周来宾",
             "company": "外协公司", "reason": "参观", "visitor_signed": True}
        b.update(body)
        return op1.post("/api/v1/visits", b)

    # R16 厂区中控室: an outsider's entry request not yet approved.
    rid = ok(op1.post("/api/v1/requests", {"site_id": site.id, "type": "r16-outsider-entry",
                                           "reason": "参观"}), 201)["id"]
    err = refused(register("厂区中控室", rid), 409, "R16 §一2", "R16 §一1")
    assert err["clause"] == "R16 §一2", err  # the rule of the request first

    # R20 消控中心: nobody is let in, whatever request they bring (严禁无关人员进入).
    rid = ok(op1.post("/api/v1/requests", {"site_id": site.id, "type": "r12-control-room-entry",
                                           "reason": "参观"}), 201)["id"]
    ok(guard_chief.post(f"/api/v1/requests/{rid}/decisions",
                        {"approve": True, "escort_person_id": op1.me()["person_id"]}), 201)
    err = refused(register("消控中心", rid), 403, "R20 §一5", "R20 §三7")
    assert err["field"] == "place", err
    assert site.journal("visit.registered") == []
    # The same approved request does let the visitor into R12's 中控室.
    v = ok(register("中控室", rid), 201)
    assert v["place"] == "中控室" and len(site.journal("visit.registered")) == 1


def test_a_roster_leaving_a_24_hour_post_empty_is_flagged(server):
    site = Site(server)
    # Four teams, only one with anyone in it: the other teams' shifts are nobody's.
    team_ids = []
    for i in range(4):
        team_ids.append(ok(site.admin.post("/api/v1/teams", {"site_id": site.id,
                                                             "name": f"值守测试{i}班"}), 201)["id"])
    pid = ok(site.admin.post("/api/v1/people", {"site_id": site.id, "team_id": team_ids[0],
                                                "name": "值守·一人"}), 201)["id"]
    ok(site.admin.post(f"/api/v1/people/{pid}/certifications",
                       {"kind": "中控系统操作培训", "number": "R-1", "expires_on": ""}), 201)
    for post, clauses in (("中控岗", ["R12 §四(二之2)1"]),
                          ("厂区中控岗", ["R16 §一4", "R16 §二5"])):
        roster = ok(site.admin.post("/api/v1/rosters", {
            "site_id": site.id, "post_id": site.post(post), "pattern": "r09-four-team-three-shift",
            "team_ids": team_ids, "first_day": "2030-03-01", "last_day": "2030-03-02"}), 201)
        empty = [w for w in roster["warnings"] if w["kind"] == "unattended"]
        assert empty, roster["warnings"]
        assert all(w["clauses"] == clauses for w in empty), (post, empty)
        r = site.admin.post(f"/api/v1/rosters/{roster['id']}/publish")
        assert r.status == 409, r
        assert ok(site.admin.get(f"/api/v1/rosters/{roster['id']}"))["state"] == "draft"


def test_a_flame_in_the_r09_control_room_is_recorded_by_an_inspector_citing_r09_2_3(server):
    # R09 §二3 中控室内严禁烟火: nothing the system observes, so the place's rule is enforced the way
    # the regulation can be — the 值班长 inspects and records it, citing the clause. R09 sets no
    # penalty for it: the ledger says so instead of inventing one.
    import datetime as dt
    site = Site(server)
    lead, op1 = Actor(server, "lead1"), Actor(server, "op1")
    person = op1.me()["person_id"]
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    body = {"site_id": site.id, "person_id": person, "code": "R09 §二3", "clauses": ["R09 §二3"],
            "note": "中控室内吸烟", "occurred_at": (now - dt.timedelta(minutes=5)).isoformat()}
    first = ok(lead.post("/api/v1/violations", body), 201)
    assert first["clauses"] == ["R09 §二3"] and first["person_id"] == person, first
    assert first["occurrence"] == 1 and first["fine_yuan"] == 0, first
    assert first["consequence"]["scheduled"] is False, first  # R09 sets no penalty
    assert first["consequence"]["summary"] == "第1次：记录在案（该条款无处罚标准）", first
    second = ok(lead.post("/api/v1/violations", dict(body, occurred_at=now.isoformat())), 201)
    assert second["occurrence"] == 2, second
    # The operator cannot record one, and a clause outside the pack is refused naming the field.
    assert op1.post("/api/v1/violations", body).status == 403
    r = lead.post("/api/v1/violations", dict(body, clauses=["R09 §九9"]))
    assert r.status == 400 and r.json()["error"]["field"] == "clauses", r
    assert len(site.journal("violation.recorded")) == 2
