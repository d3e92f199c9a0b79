"""The office's records behind the 宿舍管理 console (issue 19 §1, §5) against the real binary, on both
backends: an inspection carries its photos (uploaded first through the kernel's photo store; an
unknown one is photo.not_uploaded and writes nothing); a damage report is kept, gets its repair order
(repairs module, same transaction) and its compensation (照价赔偿, R04 §二3), each once; the office
lists the site's leavers with what they still hold (R04 §二13)."""
import base64

from zhidu_harness import login

ITEMS = ["belongings", "walls", "hygiene", "electrics", "pets", "litter"]  # cn-default r04-inspection
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def make_room(server, admin, name):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    office = login(server, "office")
    lead = admin.post("/api/v1/people", {"site_id": site, "name": "孙舍长" + name}).json()["id"]
    room = office.post("/api/v1/rooms", {"site_id": site, "name": name, "place": "职工休息楼",
                                         "beds": 2}).json()
    assert office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": lead}).status == 201
    assert office.request("PUT", f"/api/v1/rooms/{room['id']}/leader", {"person_id": lead}).status == 200
    return site, office, room, lead


def test_an_inspection_keeps_its_photos(server, admin):
    site, office, room, lead = make_room(server, admin, "501")
    up = office.request("POST", "/api/v1/photos", raw=PNG, headers={"Content-Type": "image/png"})
    assert up.status in (200, 201), up
    sha = up.json()["sha256"]
    url = f"/api/v1/rooms/{room['id']}/inspections"
    body = {"answers": {i: ("flag" if i == "hygiene" else "pass") for i in ITEMS}, "deadline": "3d"}
    unknown = office.post(url, {**body, "photos": ["0" * 64]})
    assert unknown.status == 400 and unknown.json()["error"]["reason"] == "photo.not_uploaded", unknown
    assert office.post(url, {**body, "photos": ["not-a-hash"]}).status == 400
    assert office.post(url, {**body, "photos": [sha] * 11}).status == 400
    assert office.post(url, {**body, "photos": "x"}).status == 400
    assert office.get(url).json()["items"] == []  # nothing half-written
    r = office.post(url, {**body, "photos": [sha]})
    assert r.status == 201, r
    assert r.json()["photos"] == [sha] and r.json()["open"] is True
    listed = office.get(url).json()["items"]
    assert [i["photos"] for i in listed] == [[sha]]
    # A passing re-inspection without photos stores none.
    again = office.post(url, {"answers": {i: "pass" for i in ITEMS}})
    assert again.status == 201 and again.json()["photos"] == []


def test_damage_gets_its_repair_and_compensation_once(server, admin):
    site, office, room, lead = make_room(server, admin, "502")
    r = office.post(f"/api/v1/rooms/{room['id']}/damage", {"item": "墙面", "person_id": lead,
                                                           "note": "粘钩撕坏墙皮"})
    assert r.status == 201, r
    d = r.json()
    assert d["item"] == "墙面" and d["person_name"].startswith("孙舍长") and d["ref"].startswith("room-damage/")
    assert d["repair_id"] is None and d["compensation_fen"] == 0
    settle = f"/api/v1/room-damage/{d['id']}/settle"
    assert office.post(settle, {}).status == 400
    assert office.post(settle, {"compensation_fen": -5}).status == 400
    assert office.post(settle, {"compensation_fen": 1.5}).status == 400
    s = office.post(settle, {"repair": True, "compensation_fen": 12050, "note": "照价赔偿"})
    assert s.status == 200, s
    assert s.json()["compensation_fen"] == 12050 and s.json()["repair_id"]
    repair = office.get(f"/api/v1/repairs/{s.json()['repair_id']}").json()
    assert repair["state"] == "open" and "墙面" in repair["what"], repair
    twice = office.post(settle, {"repair": True})
    assert twice.status == 409 and twice.json()["error"]["reason"] == "rooms.repair_opened"
    twice = office.post(settle, {"compensation_fen": 100})
    assert twice.status == 409 and twice.json()["error"]["reason"] == "rooms.compensation_set"
    listed = office.get(f"/api/v1/rooms/{room['id']}/damage").json()["items"]
    assert [(x["item"], x["compensation_fen"]) for x in listed] == [("墙面", 12050)]
    # Nobody named: a repair but no compensation.
    nobody = office.post(f"/api/v1/rooms/{room['id']}/damage", {"item": "门锁"}).json()
    r = office.post(f"/api/v1/room-damage/{nobody['id']}/settle", {"compensation_fen": 500})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.no_person_liable", r
    assert "R04" in r.json()["error"]["message"], r  # the clauses of the place's regulation
    assert office.get(f"/api/v1/rooms/{room['id']}/damage").json()["items"][1]["compensation_fen"] == 0
    # A resident without rooms.manage reports damage but does not settle it.
    assert office.post("/api/v1/room-damage/999999/settle", {"repair": True}).status == 404


def test_the_office_lists_the_leavers(server, admin):
    site, office, room, lead = make_room(server, admin, "503")
    assert office.get(f"/api/v1/room-leavers?site_id={site}").json()["items"] == []
    assert office.post("/api/v1/room-leavers", {"person_id": lead}).status == 201
    items = office.get(f"/api/v1/room-leavers?site_id={site}").json()["items"]
    assert [(i["person_id"], i["has_bed"], i["keys_held"], i["moved_out_at"]) for i in items] == \
        [(lead, True, 0, None)]
    assert items[0]["ref"] == f"room-leaver/{lead}"
    assert office.post(f"/api/v1/rooms/{room['id']}/release", {"person_id": lead}).status == 200
    items = office.get(f"/api/v1/room-leavers?site_id={site}").json()["items"]
    assert items[0]["has_bed"] is False and items[0]["moved_out_at"]
    assert office.get("/api/v1/room-leavers").status == 400
    cs = login(server, "cs1")
    assert cs.get(f"/api/v1/room-leavers?site_id={site}").status == 403


def test_the_revoking_penalties_are_listed_for_the_console(server, admin):
    office = login(server, "office")
    body = office.get("/api/v1/room-application-types").json()
    assert {t["id"] for t in body["items"]} >= {"r04-rest-room", "r04-dormitory"}
    # cn-default: R04-SERIOUS revokes (取消其休息资格); R04-VIOLATION only fines.
    assert [p["code"] for p in body["revoking_penalties"]] == ["R04-SERIOUS"], body
    assert body["revoking_penalties"][0]["title"] and body["revoking_penalties"][0]["clauses"]
