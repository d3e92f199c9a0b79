"""Visitors (来访) and footage (录像) over HTTP, on both backends, against the real binary with the
demo company on a test clock: the control-room visit flow under approved entry requests (R12
§三(三), §四(二之2)4; R16 §一2), the escort named by the approver, entry and exit with duty-log
entries, and each refusal; the footage register with copy refused (R16 §一6), deletion refused
inside the retention period counted in calendar months (R16 §二3) and allowed after it, and
viewing only under an approved request of the viewer (R12 §三(五), R16 §一7). Every step is
checked in the journal."""
import datetime as dt

import pytest

from zhidu_harness import DemoUsers, all_items, backend_server, clock_server

CST = dt.timezone(dt.timedelta(hours=8))
# The first of a 31-day month's successor: one calendar month before is 2026-12-01, 31 days.
START = dt.datetime(2027, 1, 1, 10, 0, tzinfo=CST)


def iso(t):
    return t.isoformat()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request):
    s = backend_server(request.param, extra=["--test-clock", iso(START)])
    yield s
    s.kill()


class Demo(DemoUsers):
    def __init__(self, server):
        super().__init__(server)
        people = all_items(self.admin, "/api/v1/people?limit=200")
        self.person = {p["name"]: p["id"] for p in people}

    def approved(self, applicant, type_, approver, inputs=None, **decision):
        """Files a request as `applicant` and has `approver` approve its single step."""
        r = self.file(applicant, type_, inputs)
        assert r.status == 201, r
        rid = r.json()["id"]
        r = self[approver].post(f"/api/v1/requests/{rid}/decisions", dict(approve=True, **decision))
        assert r.status == 201, r
        assert r.json()["state"] == "approved", r
        return rid


@pytest.fixture(scope="module")
def demo(srv):
    d = Demo(srv)
    yield d
    d.close()


R12_ENTRY = "r12-control-room-entry"
R16_OUTSIDER = "r16-outsider-entry"


def register(demo, rid, user="op1", place="中控室", **body):
    b = {"site_id": demo.site, "place": place, "request_id": rid, "name": "周来宾",
         "reason": "设备检修", "visitor_signed": True}
    b.update(body)
    return demo[user].post("/api/v1/visits", b)


def test_the_approver_must_name_the_escort_citing_r12_4_2_2_4(demo):
    r = demo.file("op1", R12_ENTRY)
    assert r.status == 201, r
    rid = r.json()["id"]
    r = demo["guard_chief"].post(f"/api/v1/requests/{rid}/decisions", {"approve": True})
    assert r.status == 400, r
    err = r.json()["error"]
    assert err["field"] == "escort_person_id"
    assert "R12 §四(二之2)4" in err["message"]
    assert demo["op1"].get(f"/api/v1/requests/{rid}").json()["state"] == "pending"


def test_the_whole_r12_visit_flow_with_the_escort_named_by_the_approver(demo):
    escort = demo.person["演示·赵中控"]
    rid = demo.approved("op1", R12_ENTRY, "guard_chief", escort_person_id=escort)
    r = register(demo, rid)
    assert r.status == 201, r
    v = r.json()
    assert v["state"] == "registered" and v["open"] is False
    assert v["escort_person_id"] == escort and v["escort_name"] == "演示·赵中控"
    assert v["approver_account_id"] == demo["guard_chief"].account_id
    assert v["approver_name"] == "演示·刘主管"
    assert v["request_type"] == R12_ENTRY
    assert "R12 §三(三)" in v["clauses"]
    # The register (r12-visitor-register) filled from the visit and the approval.
    assert v["record"] == {"name": "周来宾", "reason": "设备检修", "approver": "演示·刘主管",
                           "escort": "演示·赵中控", "signature": True}
    # One visit per approval.
    again = register(demo, rid)
    assert again.status == 409, again

    vid = v["id"]
    r = demo["op1"].post(f"/api/v1/visits/{vid}/entry")
    assert r.status == 200, r
    assert r.json()["state"] == "entered" and r.json()["open"] is True
    assert r.json()["entered_at"].startswith("2027-01-01T10:00")
    assert r.json()["entered_by"] == demo["op1"].account_id
    opened = demo["op1"].get(f"/api/v1/visits?site_id={demo.site}&open=true").json()["items"]
    assert vid in [i["id"] for i in opened]
    r = demo["op1"].post(f"/api/v1/visits/{vid}/entry")
    assert r.status == 409, r

    r = demo["op1"].post(f"/api/v1/visits/{vid}/exit")
    assert r.status == 200, r
    assert r.json()["state"] == "exited" and r.json()["exited_at"]
    r = demo["op1"].post(f"/api/v1/visits/{vid}/exit")
    assert r.status == 409, r
    opened = demo["op1"].get(f"/api/v1/visits?site_id={demo.site}&open=true").json()["items"]
    assert vid not in [i["id"] for i in opened]
    exited = demo["op1"].get(f"/api/v1/visits?site_id={demo.site}&state=exited").json()["items"]
    assert vid in [i["id"] for i in exited]
    assert demo["op1"].get(f"/api/v1/visits/{vid}").json()["state"] == "exited"

    subject = f"visit/{vid}"
    for kind in ("visit.registered", "visit.entered", "visit.exited"):
        recs = demo.journal(kind, subject)
        assert len(recs) == 1, kind
        assert recs[0]["payload"]["request_id"] == rid
        assert recs[0]["payload"]["escort_person"] == escort
        assert recs[0]["actor"] == demo["op1"].account_id
    # Entry and exit are in the duty log (kind visitor), each journaled with its entry.
    log = all_items(demo["op1"], f"/api/v1/duty-log?site_id={demo.site}&kind=visitor&limit=200")
    mine = [e for e in log if e.get("ref") == subject]
    assert len(mine) == 2
    assert any("进入" in e["text"] for e in mine) and any("离开" in e["text"] for e in mine)
    assert all("演示·赵中控" in e["text"] for e in mine)


def test_the_escort_cannot_be_replaced_at_registration(demo):
    rid = demo.approved("op1", R12_ENTRY, "guard_chief",
                        escort_person_id=demo.person["演示·赵中控"])
    r = register(demo, rid, escort_person_id=demo.person["演示·张中控"])
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "escort_person_id"


def test_registering_without_an_approved_request_is_409_citing_the_clause(demo):
    # Pending.
    r = demo.file("op1", R12_ENTRY)
    pending = r.json()["id"]
    r = register(demo, pending)
    assert r.status == 409, r
    err = r.json()["error"]
    assert err["clause"] == "R12 §三(三)" and "R12 §四(二之2)4" in err["clauses"]
    assert "pending" in err["message"]
    # Rejected.
    r = demo.file("op1", R12_ENTRY)
    rejected = r.json()["id"]
    r = demo["guard_chief"].post(f"/api/v1/requests/{rejected}/decisions", {"approve": False})
    assert r.status == 201, r
    r = register(demo, rejected)
    assert r.status == 409, r
    assert "rejected" in r.json()["error"]["message"]
    assert r.json()["error"]["clause"] == "R12 §三(三)"
    # Unknown.
    r = register(demo, 999999)
    assert r.status == 409, r
    assert "999999" in r.json()["error"]["message"]
    assert "R12 §三(三)" in r.json()["error"]["clauses"]
    # A request of another kind (footage view) is not an entry request.
    view = demo.approved("fire1", "r16-footage-view", "lead1",
                         {"applicant.company_staff": True, "request.copy": False})
    r = register(demo, view)
    assert r.status == 409, r
    assert "not an entry request" in r.json()["error"]["message"]
    # Nothing was written.
    assert not [j for j in demo.journal("visit.registered")
                if j["payload"]["request_id"] in (pending, rejected, view)]
    # Not the visitor register's keepers: an agent may not register.
    rid = demo.approved("op1", R12_ENTRY, "guard_chief",
                        escort_person_id=demo.person["演示·赵中控"])
    r = register(demo, rid, user="cs1")
    assert r.status == 403, r


def test_exit_without_entry_is_409_naming_the_problem(demo):
    rid = demo.approved("op1", R12_ENTRY, "head", escort_person_id=demo.person["演示·赵中控"])
    v = register(demo, rid).json()
    r = demo["op1"].post(f"/api/v1/visits/{v['id']}/exit")
    assert r.status == 409, r
    assert "has not entered" in r.json()["error"]["message"]
    assert demo["op1"].get(f"/api/v1/visits/{v['id']}").json()["state"] == "registered"
    assert demo.journal("visit.exited", f"visit/{v['id']}") == []


def test_signature_and_record_fields_are_required(demo):
    rid = demo.approved("op1", R12_ENTRY, "guard_chief",
                        escort_person_id=demo.person["演示·赵中控"])
    r = register(demo, rid, visitor_signed=False)
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "visitor_signed"
    assert "R12 §三(三)" in r.json()["error"]["message"]
    r = register(demo, rid, fields={"nonsense": "x"})
    assert r.status == 400 and r.json()["error"]["field"] == "fields.nonsense", r
    r = register(demo, rid, name=7)
    assert r.status == 400 and r.json()["error"]["field"] == "name", r


def test_an_outsider_enters_the_factory_control_room_under_r16_1_2(demo):
    rid = demo.approved("op1", R16_OUTSIDER, "lead1")
    # The R16 register asks for the visitor's company.
    r = register(demo, rid, place="厂区中控室", visitor_signed=False)
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "company"
    # The request kind decides the place's rule: not an entry to R12's 中控室.
    r = register(demo, rid, place="中控室", company="外协公司")
    assert r.status == 409, r
    r = register(demo, rid, place="厂区中控室", company="外协公司", visitor_signed=False)
    assert r.status == 201, r
    v = r.json()
    assert v["clauses"] == ["R16 §一2"]
    assert v["escort_person_id"] is None
    # 陪同或批准: without an escort the register names the approving leader.
    assert v["record"] == {"name": "周来宾", "company": "外协公司", "escort": "演示·陈值班长"}


def test_footage_copy_is_always_refused_citing_r16_1_6_and_journaled(demo):
    seg = add_segment(demo, START - dt.timedelta(hours=2), START - dt.timedelta(hours=1))
    before = len(demo.journal("footage.copy_refused"))
    for user in ("op1", "head", "admin"):
        r = demo[user].post(f"/api/v1/footage/{seg['id']}/copies")
        assert r.status == 403, r
        err = r.json()["error"]
        assert err["clause"] == "R16 §一6"
        assert "R16 §二11" in err["clauses"]
        assert "任何人员无权拷贝中控室录像" in err["message"]
    recs = demo.journal("footage.copy_refused")
    assert len(recs) == before + 3
    assert recs[-1]["subject"] == f"footage/{seg['id']}"
    assert recs[-1]["payload"]["clauses"] == ["R16 §一6", "R16 §二11"]


def add_segment(demo, start, end, camera="CAM-01", tape="T-001", user="op1"):
    r = demo[user].post("/api/v1/footage", {
        "site_id": demo.site, "camera": camera, "starts_at": iso(start), "ends_at": iso(end),
        "storage_ref": f"nvr://1/{camera}/{start:%Y%m%d%H%M}", "tape": tape})
    assert r.status == 201, r
    return r.json()


def test_footage_register_and_bad_input(demo):
    seg = add_segment(demo, START - dt.timedelta(hours=3), START - dt.timedelta(hours=2),
                      camera="CAM-07", tape="T-077")
    assert seg["tape"] == "T-077" and seg["retention"] == ["r16-footage-one-month"]
    # One calendar month after the end, in the site's time zone (2027-01-01T08:00 -> 2027-02-01).
    assert seg["keep_until"] == "2027-02-01T08:00:00+08:00"
    got = demo["op1"].get(f"/api/v1/footage?site_id={demo.site}&camera=CAM-07").json()["items"]
    assert [s["id"] for s in got] == [seg["id"]]
    assert demo["op1"].get(f"/api/v1/footage/{seg['id']}").json()["storage_ref"].startswith("nvr://")
    recs = demo.journal("footage.registered", f"footage/{seg['id']}")
    assert len(recs) == 1 and recs[0]["payload"]["tape"] == "T-077"
    base = {"site_id": demo.site, "camera": "CAM-01", "storage_ref": "x",
            "starts_at": iso(START - dt.timedelta(hours=1)), "ends_at": iso(START)}
    r = demo["op1"].post("/api/v1/footage", dict(base, ends_at=iso(START - dt.timedelta(hours=2))))
    assert r.status == 400 and r.json()["error"]["field"] == "ends_at", r
    r = demo["op1"].post("/api/v1/footage", dict(base, ends_at="yesterday"))
    assert r.status == 400 and r.json()["error"]["field"] == "ends_at", r
    r = demo["op1"].post("/api/v1/footage", dict(base, ends_at=iso(START + dt.timedelta(hours=1))))
    assert r.status == 400 and r.json()["error"]["field"] == "ends_at", r
    r = demo["cs1"].post("/api/v1/footage", base)
    assert r.status == 403, r
    r = demo["op1"].get("/api/v1/footage/999999")
    assert r.status == 404, r


def test_deletion_waits_one_calendar_month_citing_r16_2_3(demo):
    # Ended 2026-12-01T10:01 (+08:00): kept until 2027-01-01T10:01 — 31 days, not 30.
    end = dt.datetime(2026, 12, 1, 10, 1, tzinfo=CST)
    young = add_segment(demo, end - dt.timedelta(hours=1), end, camera="CAM-02")
    old = add_segment(demo, dt.datetime(2026, 11, 1, 8, 0, tzinfo=CST),
                      dt.datetime(2026, 11, 1, 9, 0, tzinfo=CST), camera="CAM-02")
    assert young["keep_until"] == "2027-01-01T10:01:00+08:00"
    r = demo["op1"].request("DELETE", f"/api/v1/footage/{young['id']}")
    assert r.status == 409, r
    err = r.json()["error"]
    assert err["clause"] == "R16 §二3"
    assert "r16-footage-one-month" in err["message"]
    assert demo.journal("footage.deleted", f"footage/{young['id']}") == []

    r = demo["op1"].request("DELETE", f"/api/v1/footage/{old['id']}")
    assert r.status == 200, r
    assert r.json()["deleted"] is True and r.json()["deleted_by"] == demo["op1"].account_id
    r = demo["op1"].request("DELETE", f"/api/v1/footage/{old['id']}")
    assert r.status == 409, r
    listed = demo["op1"].get(f"/api/v1/footage?site_id={demo.site}&camera=CAM-02").json()["items"]
    assert [s["id"] for s in listed] == [young["id"]]
    kept = demo["op1"].get(
        f"/api/v1/footage?site_id={demo.site}&camera=CAM-02&include_deleted=true").json()["items"]
    assert sorted(s["id"] for s in kept) == sorted([young["id"], old["id"]])  # soft delete
    recs = demo.journal("footage.deleted", f"footage/{old['id']}")
    assert len(recs) == 1 and recs[0]["payload"]["retention"] == ["r16-footage-one-month"]

    # Two minutes later the young segment is past its month.
    r = demo.admin.post("/api/v1/test/clock", {"to": iso(START + dt.timedelta(minutes=2))})
    assert r.status == 200, r
    r = demo["op1"].request("DELETE", f"/api/v1/footage/{young['id']}")
    assert r.status == 200, r
    assert len(demo.journal("footage.deleted", f"footage/{young['id']}")) == 1


def test_february_keeps_footage_30_days_not_one_calendar_month():
    # A calendar month from 2027-02-01 is 28 days; the retention rule's at_least: 30d is the
    # floor. Its own server: the clock stands between the two dates (2027-03-02 10:00).
    server = clock_server("sqlite", dt.datetime(2027, 3, 2, 10, 0, tzinfo=CST))
    try:
        d = DemoUsers(server)
        seg = add_segment(d, dt.datetime(2027, 2, 1, 9, 0, tzinfo=CST),
                          dt.datetime(2027, 2, 1, 10, 0, tzinfo=CST), camera="CAM-09")
        assert seg["keep_until"] == "2027-03-03T10:00:00+08:00", seg
        r = d["op1"].request("DELETE", f"/api/v1/footage/{seg['id']}")
        assert r.status == 409 and r.json()["error"]["clause"] == "R16 §二3", r
        assert "2027-03-03T10:00:00+08:00" in r.json()["error"]["message"], r
        r = d.admin.post("/api/v1/test/clock", {"to": "2027-03-03T10:00:01+08:00"})
        assert r.status == 200, r
        d.close()
        d = DemoUsers(server)  # a day later: the sessions have timed out, sign in again
        r = d["op1"].request("DELETE", f"/api/v1/footage/{seg['id']}")
        assert r.status == 200 and r.json()["deleted"] is True, r
        d.close()
    finally:
        server.kill()


def test_viewing_footage_needs_an_approved_request_of_the_viewer(demo):
    seg = add_segment(demo, START - dt.timedelta(hours=5), START - dt.timedelta(hours=4),
                      camera="CAM-03")
    url = f"/api/v1/footage/{seg['id']}/views"
    # No request.
    r = demo["fire1"].post(url, {})
    assert r.status == 403, r
    err = r.json()["error"]
    assert err["clause"] == "R16 §一7" and "R12 §三(五)" in err["clauses"]
    # A non-company applicant cannot even file the request (precondition R16 §一7).
    r = demo.file("fire1", "r16-footage-view",
                  {"applicant.company_staff": False, "request.copy": False})
    assert r.status == 409, r
    assert r.json()["error"]["clause"] == "R16 §一7"
    # Pending.
    r = demo.file("fire1", "r16-footage-view",
                  {"applicant.company_staff": True, "request.copy": False})
    pending = r.json()["id"]
    r = demo["fire1"].post(url, {"request_id": pending})
    assert r.status == 403 and "pending" in r.json()["error"]["message"], r
    # Approved by the superior (值班长).
    rid = demo.approved("fire1", "r16-footage-view", "lead1",
                        {"applicant.company_staff": True, "request.copy": False})
    # Someone else's approval does not let another person view.
    r = demo["op2"].post(url, {"request_id": rid})
    assert r.status == 403 and "someone else" in r.json()["error"]["message"], r
    # An entry approval is not a footage approval.
    entry = demo.approved("fire1", R12_ENTRY, "guard_chief",
                          escort_person_id=demo.person["演示·赵中控"])
    r = demo["fire1"].post(url, {"request_id": entry})
    assert r.status == 403, r
    assert demo.journal("footage.viewed", f"footage/{seg['id']}") == []

    r = demo["fire1"].post(url, {"request_id": rid})
    assert r.status == 201, r
    assert r.json()["viewed_with_request"] == rid
    recs = demo.journal("footage.viewed", f"footage/{seg['id']}")
    assert len(recs) == 1
    p = recs[0]["payload"]
    assert p["request_id"] == rid and p["account_id"] == demo["fire1"].account_id
    assert p["request_type"] == "r16-footage-view" and p["at"]

    # R12 §三(五): the 部长's signed approval lets the operator view.
    access = demo.approved("op1", "r12-footage-access", "head", password=demo["head"].password)
    r = demo["op1"].post(url, {"request_id": access})
    assert r.status == 201, r
    assert len(demo.journal("footage.viewed", f"footage/{seg['id']}")) == 2


def test_the_journal_still_verifies(demo, srv):
    srv.stop()
    r = srv.verify()
    assert r.returncode == 0, r.stdout + r.stderr
