"""Applications for a room (休息室申请, R04 §一) against the real binary, on both backends: the
eligibility inputs come from the facts the office recorded of the person, never from the applicant;
the pack's precondition decides; the office approves; allocation under the approved application;
an application whose facts differ from the records is refused at allocation; a revocation
(取消其休息资格, R04-SERIOUS) blocks a new application and a new allocation."""
import datetime as dt

from zhidu_harness import all_items, login


def site_id(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def make_room(c, site, name, place="职工休息楼", beds=2):
    r = c.post("/api/v1/rooms", {"site_id": site, "name": name, "place": place, "beds": beds})
    assert r.status == 201, r
    return r.json()


def facts(office, person, **values):
    body = {"facts": {f"applicant.{k}": v for k, v in values.items()}}
    return office.request("PUT", f"/api/v1/room-facts/{person}", body)


def test_eligibility_from_records_then_decision_then_allocation(server, admin):
    site = site_id(admin)
    office = login(server, "office")
    applicant = login(server, "dorm_lead")
    me = applicant.get("/api/v1/me").json()["account"]["person_id"]
    types = [t["id"] for t in applicant.get("/api/v1/room-application-types").json()["items"]]
    assert types == ["r04-rest-room", "r04-dormitory", "r04-room-swap"], types

    r = applicant.post("/api/v1/room-applications", {"site_id": site, "type": "r04-rest-room"})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.fact_missing", r
    assert r.json()["error"]["field"] == "applicant.has_office"

    # The applicant cannot record their own facts.
    own = facts(applicant, me, manual_worker=True, has_office=False, special_need=False)
    assert own.status == 403, own
    assert facts(office, me, manual_worker=1, has_office=True, special_need=False).status == 400

    # Recorded ineligible (an office worker, no manual work, no special need): the pack refuses.
    r = facts(office, me, manual_worker=False, has_office=True, special_need=False)
    assert r.status == 200, r
    assert {f["name"]: f["value"] for f in r.json()["items"]} == {
        "applicant.has_office": True, "applicant.manual_worker": False,
        "applicant.special_need": False}
    r = applicant.post("/api/v1/room-applications", {"site_id": site, "type": "r04-rest-room"})
    assert r.status == 409 and r.json()["error"]["reason"] == "request.precondition_unmet", r

    assert facts(office, me, manual_worker=True).status == 200
    r = applicant.post("/api/v1/room-applications",
                       {"site_id": site, "type": "r04-rest-room", "reason": "一线机修"})
    assert r.status == 201, r
    app = r.json()
    assert app["state"] == "pending" and app["inputs"]["applicant.manual_worker"] is True
    assert "R04 §一" in app["clauses"] or "R04 §二1" in app["clauses"], app

    room = make_room(office, site, "201")
    early = office.post(f"/api/v1/rooms/{room['id']}/allocations",
                        {"person_id": me, "request_id": app["id"]})
    assert early.status == 409, early
    assert early.json()["error"]["reason"] == "rooms.application_not_approved"
    r = office.post(f"/api/v1/requests/{app['id']}/decisions", {"approve": True, "note": "同意"})
    assert r.status == 201 and r.json()["state"] == "approved", r
    r = office.post(f"/api/v1/rooms/{room['id']}/allocations",
                    {"person_id": me, "request_id": app["id"]})
    assert r.status == 201 and r.json()["beds"][0]["person_id"] == me, r

    # Another person's application does not house this one.
    other = admin.post("/api/v1/people", {"site_id": site, "name": "冯八"}).json()["id"]
    wrong = office.post(f"/api/v1/rooms/{room['id']}/allocations",
                        {"person_id": other, "request_id": app["id"]})
    assert wrong.status == 400 and wrong.json()["error"]["reason"] == "rooms.wrong_application"
    kinds = [j["kind"] for j in all_items(admin, "/api/v1/journal?limit=500")]
    assert "rooms.facts.recorded" in kinds and "request.created" in kinds


def test_self_declared_facts_do_not_house(server, admin):
    site = site_id(admin)
    office = login(server, "office")
    applicant = login(server, "dorm_lead")
    me = applicant.get("/api/v1/me").json()["account"]["person_id"]
    assert facts(office, me, young=False, married=False).status == 200
    refused = applicant.post("/api/v1/room-applications", {"site_id": site, "type": "r04-dormitory"})
    assert refused.status == 409, refused
    # Filed around the module, stating what the records deny, and approved: allocation refuses it.
    r = applicant.post("/api/v1/requests", {"site_id": site, "type": "r04-dormitory",
                                            "inputs": {"applicant.young": True,
                                                       "applicant.married": False}})
    assert r.status == 201, r
    req = r.json()["id"]
    assert office.post(f"/api/v1/requests/{req}/decisions", {"approve": True}).status == 201
    room = make_room(office, site, "宿舍1", place="职工宿舍")
    r = office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": me, "request_id": req})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.application_not_recorded", r
    assert office.get(f"/api/v1/rooms/{room['id']}").json()["occupied"] == 0


def test_a_revocation_blocks_a_new_application_and_allocation(server, admin):
    site = site_id(admin)
    office = login(server, "office")
    applicant = login(server, "dorm_lead")
    me = applicant.get("/api/v1/me").json()["account"]["person_id"]
    assert facts(office, me, manual_worker=True, has_office=False, special_need=False).status == 200
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    r = office.post("/api/v1/violations", {"site_id": site, "person_id": me, "code": "R04-SERIOUS",
                                           "note": "在休息室赌博，情节严重",
                                           "occurred_at": (now - dt.timedelta(minutes=5)).isoformat()})
    assert r.status == 201, r
    r = applicant.post("/api/v1/room-applications", {"site_id": site, "type": "r04-rest-room"})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.eligibility_revoked", r
    assert "R04" in r.json()["error"]["message"]
    room = make_room(office, site, "301")
    r = office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": me})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.eligibility_revoked", r
    assert office.get(f"/api/v1/rooms/{room['id']}").json()["occupied"] == 0
    mine = all_items(applicant, "/api/v1/requests?mine=true")
    assert [q for q in mine if q["type"] == "r04-rest-room"] == []
