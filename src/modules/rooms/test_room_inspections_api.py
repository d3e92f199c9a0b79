"""Inspections of rooms (办公室定期检查, R04 §检查 限期整改或处以罚款) against the real binary on a test
clock, on both backends: a flagged item starts the pack's rectification deadline (r04-rectify, its
due time the inspector's 限期) against the room leader; a passing re-inspection stops it; a
re-inspection that fails leaves it to breach, and the breach records R04-VIOLATION with the fine of
the site parameter r04_fine_yuan."""
import datetime as dt

import pytest

from zhidu_harness import Server, all_items, login

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
ITEMS = ["belongings", "walls", "hygiene", "electrics", "pets", "litter"]  # cn-default r04-inspection


@pytest.fixture
def clock_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", START.isoformat()]).start()
    yield s
    s.kill()


def answers(**bad):
    return {i: bad.get(i, "pass") for i in ITEMS}


def setup_room(server, admin, name="401"):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    office = login(server, "office")
    lead = admin.post("/api/v1/people", {"site_id": site, "name": "吴舍长" + name}).json()["id"]
    room = office.post("/api/v1/rooms", {"site_id": site, "name": name, "place": "职工休息楼",
                                         "beds": 2}).json()
    assert office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": lead}).status == 201
    r = office.request("PUT", f"/api/v1/rooms/{room['id']}/leader", {"person_id": lead})
    assert r.status == 200, r
    return site, office, room, lead


def deadlines(c, site, ref):
    return all_items(c, f"/api/v1/deadlines?site_id={site}&ref={ref}")


def test_a_flag_starts_the_rectification_and_a_passing_reinspection_stops_it(clock_server):
    server = clock_server
    admin = server.admin()
    site, office, room, lead = setup_room(server, admin)
    url = f"/api/v1/rooms/{room['id']}/inspections"

    # The form the console shows: the pack's items, in its order, with their labels.
    form = office.get("/api/v1/room-inspection-form")
    assert form.status == 200, form
    assert [i["id"] for i in form.json()["items"]] == ITEMS
    assert all(i["label"] and i["label"] != i["id"] for i in form.json()["items"]), form.json()

    missing = office.post(url, {"answers": answers(hygiene="flag")})
    assert missing.status == 400 and missing.json()["error"]["reason"] == "rooms.deadline_required"
    assert office.post(url, {"answers": {"hygiene": "pass"}}).status == 400  # every item answered
    bad = office.post(url, {"answers": answers(hygiene="dirty")})
    assert bad.status == 400 and bad.json()["error"]["field"] == "answers.hygiene", bad
    assert office.post(url, {"answers": dict(answers(), sofa="pass")}).status == 400
    assert login(server, "dorm_lead").post(url, {"answers": answers()}).status == 403

    r = office.post(url, {"answers": answers(hygiene="flag"), "deadline": "3d", "note": "窗台积灰"})
    assert r.status == 201, r
    first = r.json()
    assert first["open"] is True and first["flagged"] == ["卫生（窗明几净）"]
    assert first["person_id"] == lead
    ref = f"room-inspection/{first['id']}"
    [d] = deadlines(admin, site, ref)
    assert d["service_level"] == "r04-rectify" and d["state"] == "open", d
    assert d["person_id"] == lead
    assert dt.datetime.fromisoformat(d["due_at"]) == START + dt.timedelta(days=3), d

    # A re-inspection that still flags keeps it open (and takes no new deadline).
    again = office.post(url, {"answers": answers(hygiene="flag"), "deadline": "5d"})
    assert again.status == 400 and again.json()["error"]["reason"] == "rooms.deadline_not_taken"
    r = office.post(url, {"answers": answers(hygiene="flag")})
    assert r.status == 201 and r.json()["reinspects"] == first["id"] and r.json()["open"] is False
    assert deadlines(admin, site, ref)[0]["state"] == "open"

    r = office.post(url, {"answers": answers()})
    assert r.status == 201 and r.json()["reinspects"] == first["id"], r
    [d] = deadlines(admin, site, ref)
    assert d["state"] == "met", d
    listed = office.get(url).json()["items"]
    assert [(i["open"], i["closed_by"]) for i in listed][0] == (False, r.json()["id"])


def test_a_failed_rectification_is_fined_with_the_site_parameter(clock_server):
    server = clock_server
    admin = server.admin()
    site, office, room, lead = setup_room(server, admin, "402")
    r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan", body={"value": "30"})
    assert r.status == 200, r
    url = f"/api/v1/rooms/{room['id']}/inspections"
    r = office.post(url, {"answers": answers(electrics="fail"), "deadline": "1d"})
    assert r.status == 201, r
    ref = f"room-inspection/{r.json()['id']}"
    r = admin.post("/api/v1/test/clock", {"to": (START + dt.timedelta(days=1, minutes=5)).isoformat()})
    assert r.status == 200, r
    admin = server.admin()  # a day later: the session ended
    [d] = deadlines(admin, site, ref)
    assert d["state"] == "breached", d
    fined = [v for v in all_items(admin, f"/api/v1/violations?site_id={site}")
             if v["code"] == "R04-VIOLATION"]
    assert len(fined) == 1 and fined[0]["person_id"] == lead, fined
    assert fined[0]["fine_yuan"] == 30, fined[0]
