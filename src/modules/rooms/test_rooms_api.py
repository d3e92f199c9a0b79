"""Rooms, beds and the key register (休息室/宿舍, R04 §二1 §二8 §二13) over HTTP against the real
binary, on both backends: the office allocates, a full room / an occupied bed / a person already
housed is refused with nothing written, the leader is an occupant, keys move kept → issued → kept |
lost and a key returned twice is refused; every change journaled and the chain verified."""
from zhidu_harness import all_items, login


def site_id(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def person(admin, site, name):
    r = admin.post("/api/v1/people", {"site_id": site, "name": name})
    assert r.status == 201, r
    return r.json()["id"]


def journal_kinds(admin):
    return [r["kind"] for r in all_items(admin, "/api/v1/journal?limit=500")
            if r["kind"].startswith("rooms.")]


def room_place(c):
    places = c.get("/api/v1/room-places").json()["items"]
    ids = [k["id"] for k in places]
    assert "职工休息楼" in ids, ids  # cn-default's R04 place
    return "职工休息楼"


def make_room(c, site, name="3号休息室", beds=2):
    r = c.post("/api/v1/rooms", {"site_id": site, "name": name, "place": room_place(c), "beds": beds})
    assert r.status == 201, r
    return r.json()


def test_the_office_allocates_releases_and_chooses_the_leader(server, admin):
    site = site_id(admin)
    office = login(server, "office")  # 办公室: rooms.manage from the pack (R04 §二1)
    a, b, c = (person(admin, site, n) for n in ("张一", "李二", "王三"))
    room = make_room(office, site)
    assert room["bed_count"] == 2 and [x["label"] for x in room["beds"]] == ["1", "2"]
    assert room["occupied"] == 0 and "R04 §二1" in room["clauses"]

    assert office.post(f"/api/v1/rooms/{room['id']}/lockers", {"label": "柜 7"}).status == 201
    r = office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": a, "locker": "柜 7"})
    assert r.status == 201, r
    assert r.json()["occupied"] == 1 and r.json()["beds"][0]["person_name"] == "张一"
    assert r.json()["beds"][0]["locker"] == "柜 7"
    bed2 = r.json()["beds"][1]["id"]

    # A person already housed, an occupied bed, a full room: 409 with a reason, nothing written.
    again = office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": a})
    assert again.status == 409 and again.json()["error"]["reason"] == "rooms.person_housed", again
    taken = office.post(f"/api/v1/rooms/{room['id']}/allocations",
                        {"person_id": b, "bed_id": r.json()["beds"][0]["id"]})
    assert taken.status == 409 and taken.json()["error"]["reason"] == "rooms.bed_occupied", taken
    assert office.post(f"/api/v1/rooms/{room['id']}/allocations",
                       {"person_id": b, "bed_id": bed2}).status == 201
    full = office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": c})
    assert full.status == 409 and full.json()["error"]["reason"] == "rooms.room_full", full
    after = office.get(f"/api/v1/rooms/{room['id']}").json()
    assert [x["person_id"] for x in after["beds"]] == [a, b]

    # The leader (舍长) is chosen among the occupants.
    outsider = office.request("PUT", f"/api/v1/rooms/{room['id']}/leader", {"person_id": c})
    assert outsider.status == 409, outsider
    assert outsider.json()["error"]["reason"] == "rooms.leader_not_occupant"
    r = office.request("PUT", f"/api/v1/rooms/{room['id']}/leader", {"person_id": b})
    assert r.status == 200 and r.json()["leader_person_id"] == b and r.json()["leader_name"] == "李二"

    # Releasing the leader frees the bed and ends the leader's post; the bed is then allocatable.
    r = office.post(f"/api/v1/rooms/{room['id']}/release", {"person_id": b, "note": "调岗"})
    assert r.status == 200, r
    assert r.json()["leader_person_id"] is None and r.json()["occupied"] == 1
    twice = office.post(f"/api/v1/rooms/{room['id']}/release", {"person_id": b})
    assert twice.status == 409 and twice.json()["error"]["reason"] == "rooms.not_housed"
    assert office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": c}).status == 201

    listed = all_items(office, f"/api/v1/rooms?site_id={site}")
    assert [(x["name"], x["occupied"]) for x in listed] == [("3号休息室", 2)]
    assert journal_kinds(admin) == ["rooms.room.created", "rooms.locker.added", "rooms.bed.allocated",
                                    "rooms.bed.allocated", "rooms.leader.set",
                                    "rooms.bed.released", "rooms.bed.allocated"]
    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_a_person_has_one_bed_across_rooms(server, admin):
    site = site_id(admin)
    a = person(admin, site, "赵四")
    r1, r2 = make_room(admin, site, "101", 1), make_room(admin, site, "102", 1)
    assert admin.post(f"/api/v1/rooms/{r1['id']}/allocations", {"person_id": a}).status == 201
    r = admin.post(f"/api/v1/rooms/{r2['id']}/allocations", {"person_id": a})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.person_housed", r
    assert admin.get(f"/api/v1/rooms/{r2['id']}").json()["occupied"] == 0


def test_the_key_register(server, admin):
    site = site_id(admin)
    office = login(server, "office")
    lead = person(admin, site, "钱五")
    room = make_room(office, site)
    office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": lead})
    r = office.post(f"/api/v1/rooms/{room['id']}/keys", {"label": "A1"})
    assert r.status == 201, r
    key = r.json()
    assert key["state"] == "kept" and key["copy_rule_clauses"] == ["R04 §二8"]
    assert "私配" in key["copy_rule"]
    dup = office.post(f"/api/v1/rooms/{room['id']}/keys", {"label": "A1"})
    assert dup.status == 409 and dup.json()["error"]["reason"] == "rooms.key_label_taken"

    not_issued = office.post(f"/api/v1/room-keys/{key['id']}/return", {})
    assert not_issued.status == 409, not_issued
    assert not_issued.json()["error"]["reason"] == "rooms.key_not_issued"
    r = office.post(f"/api/v1/room-keys/{key['id']}/issue", {"person_id": lead})
    assert r.status == 200 and r.json()["state"] == "issued" and r.json()["holder_name"] == "钱五"
    r2 = office.post(f"/api/v1/room-keys/{key['id']}/issue", {"person_id": lead})
    assert r2.status == 409 and r2.json()["error"]["reason"] == "rooms.key_issued"
    r = office.post(f"/api/v1/room-keys/{key['id']}/return", {"note": "离职收回"})
    assert r.status == 200 and r.json()["state"] == "kept" and r.json()["holder_person_id"] is None
    twice = office.post(f"/api/v1/room-keys/{key['id']}/return", {})
    assert twice.status == 409 and twice.json()["error"]["reason"] == "rooms.key_not_issued"

    office.post(f"/api/v1/room-keys/{key['id']}/issue", {"person_id": lead})
    assert office.post(f"/api/v1/room-keys/{key['id']}/lost", {}).status == 400  # note required
    r = office.post(f"/api/v1/room-keys/{key['id']}/lost", {"note": "遗失"})
    assert r.status == 200 and r.json()["state"] == "lost"
    gone = office.post(f"/api/v1/room-keys/{key['id']}/return", {})
    assert gone.status == 409 and gone.json()["error"]["reason"] == "rooms.key_lost"
    keys = office.get(f"/api/v1/rooms/{room['id']}").json()["keys"]
    assert [(k["label"], k["state"]) for k in keys] == [("A1", "lost")]
    assert journal_kinds(admin) == ["rooms.room.created", "rooms.bed.allocated",
                                    "rooms.key.added", "rooms.key.issued", "rooms.key.returned",
                                    "rooms.key.issued", "rooms.key.lost"]


def test_bad_input_and_permissions_write_nothing(server, admin):
    site = site_id(admin)
    office = login(server, "office")
    place = room_place(office)
    cases = [
        ({"site_id": site, "place": place, "beds": 2}, "name", 400),
        ({"site_id": site, "name": "x", "place": place, "beds": 0}, "beds", 400),
        ({"site_id": site, "name": "x", "place": place, "beds": "2"}, "beds", 400),
        ({"site_id": site, "name": "x", "place": "地下室", "beds": 2}, "place", 400),
        ({"site_id": site, "name": "x", "place": place, "beds": 2, "size": 9}, "size", 400),
    ]
    for body, field, status in cases:
        r = office.post("/api/v1/rooms", body)
        assert r.status == status, (body, r)
        assert r.json()["error"]["field"] == field, (body, r)
    unknown = office.post("/api/v1/rooms", {"site_id": site, "name": "x", "place": "地下室", "beds": 2})
    assert unknown.json()["error"]["reason"] == "rooms.unknown_place"
    room = make_room(office, site)
    taken = office.post("/api/v1/rooms", {"site_id": site, "name": room["name"], "place": place,
                                          "beds": 1})
    assert taken.status == 409 and taken.json()["error"]["reason"] == "rooms.name_taken"
    r = office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": 999999})
    assert r.status == 400 and r.json()["error"]["reason"] == "rooms.unknown_person", r
    r = office.post(f"/api/v1/rooms/{room['id']}/allocations",
                    {"person_id": person(admin, site, "孙六"), "bed_id": 999999})
    assert r.status == 400 and r.json()["error"]["reason"] == "rooms.unknown_bed", r
    assert office.get("/api/v1/rooms/999999").status == 404
    assert office.post("/api/v1/room-keys/999999/return", {}).status == 404

    # Without rooms.manage (the room leader's role gives none): 403, nothing written.
    lead = login(server, "dorm_lead")
    r = lead.post("/api/v1/rooms", {"site_id": site, "name": "y", "place": place, "beds": 1})
    assert r.status == 403 and r.json()["error"]["reason"] == "rooms.manage_denied", r
    r = lead.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": person(admin, site, "周七")})
    assert r.status == 403, r
    assert lead.get(f"/api/v1/rooms/{room['id']}").status == 200  # a role at the site reads
    assert office.get(f"/api/v1/rooms/{room['id']}").json()["occupied"] == 0
    assert journal_kinds(admin) == ["rooms.room.created"]


def test_the_routes_are_documented(server):
    doc = server.client().get("/api/v1/openapi.json").json()
    for path in ["/api/v1/rooms", "/api/v1/rooms/{id}", "/api/v1/rooms/{id}/allocations",
                 "/api/v1/rooms/{id}/release", "/api/v1/rooms/{id}/leader",
                 "/api/v1/rooms/{id}/keys", "/api/v1/room-keys/{id}/issue",
                 "/api/v1/room-keys/{id}/return", "/api/v1/room-keys/{id}/lost",
                 "/api/v1/room-places"]:
        assert path in doc["paths"], path


def test_the_duty_rota_rotates_among_the_occupants(server, admin):
    """R04 §二1 舍长…排出值日表: a proposal giving each day to an occupant in bed order."""
    site = site_id(admin)
    office = login(server, "office")
    room = make_room(office, site, "601", 3)
    empty = office.get(f"/api/v1/rooms/{room['id']}/rota?from=2026-12-07&days=3")
    assert empty.status == 409 and empty.json()["error"]["reason"] == "rooms.room_empty"
    a, b = person(admin, site, "甲"), person(admin, site, "乙")
    for p in (a, b):
        assert office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": p}).status == 201
    r = office.get(f"/api/v1/rooms/{room['id']}/rota?from=2026-12-30&days=4")
    assert r.status == 200, r
    days = r.json()["items"]
    assert [d["date"] for d in days] == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
    people = [d["person_id"] for d in days]
    assert set(people) == {a, b} and all(x != y for x, y in zip(people, people[1:])), people
    again = office.get(f"/api/v1/rooms/{room['id']}/rota?from=2026-12-31&days=1").json()["items"]
    assert again[0]["person_id"] == people[1]  # a date falls to the same occupant
    for q in ["from=2026-02-30", "from=20261207", "from=2026-12-07&days=0",
              "from=2026-12-07&days=40", "from=2026-12-07&days=x"]:
        assert office.get(f"/api/v1/rooms/{room['id']}/rota?{q}").status == 400, q


def test_lockers_one_each_allocated_with_the_bed_and_freed_with_it(server, admin):
    """一人一柜 (R04 §二2 个人物品必须在分配得柜子内摆放整齐, R01 §三 自己的储物柜): a room's lockers are
    records; allocation takes a free one (named, or the first free), a locker held or unknown is
    409 with nothing written, and leaving the bed frees it."""
    site = site_id(admin)
    office = login(server, "office")
    a, b, c = (person(admin, site, n) for n in ("柜甲", "柜乙", "柜丙"))
    r = office.post("/api/v1/rooms", {"site_id": site, "name": "柜室", "place": room_place(office),
                                      "beds": 3, "lockers": 2})
    assert r.status == 201, r
    room = r.json()
    assert [(x["label"], x["person_id"]) for x in room["lockers"]] == [("1", None), ("2", None)]
    url = f"/api/v1/rooms/{room['id']}"

    r = office.post(f"{url}/allocations", {"person_id": a})  # none named: the first free
    assert r.status == 201 and r.json()["beds"][0]["locker"] == "1", r
    assert r.json()["lockers"][0]["person_id"] == a
    for body, reason in (({"person_id": b, "locker": "1"}, "rooms.locker_taken"),
                         ({"person_id": b, "locker": "9"}, "rooms.unknown_locker"),
                         ({"person_id": b, "locker_id": 999999}, "rooms.unknown_locker")):
        r = office.post(f"{url}/allocations", body)
        assert r.status == 409 and r.json()["error"]["reason"] == reason, r
    after = office.get(url).json()
    assert [x["person_id"] for x in after["beds"]] == [a, None, None]  # nothing half-written
    assert [x["person_id"] for x in after["lockers"]] == [a, None]

    r = office.post(f"{url}/lockers", {"label": "2"})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.locker_label_taken", r
    assert office.post(f"{url}/lockers", {"label": "3"}).status == 201
    cs = login(server, "cs1")
    assert cs.post(f"{url}/lockers", {"label": "4"}).status == 403
    two = after["lockers"][1]["id"]
    r = office.post(f"{url}/allocations", {"person_id": b, "locker_id": two})
    assert r.status == 201 and r.json()["beds"][1]["locker"] == "2", r
    r = office.post(f"{url}/allocations", {"person_id": c})
    assert r.status == 201 and r.json()["beds"][2]["locker"] == "3", r

    # Leaving the bed frees the locker; the next occupant may take it.
    r = office.post(f"{url}/release", {"person_id": a})
    assert r.status == 200 and r.json()["lockers"][0]["person_id"] is None, r
    d = person(admin, site, "柜丁")
    r = office.post(f"{url}/allocations", {"person_id": d, "locker": "1"})
    assert r.status == 201 and r.json()["beds"][0]["locker"] == "1", r
    listed = [x for x in office.get(f"/api/v1/rooms?site_id={site}").json()["items"] if x["id"] == room["id"]]
    assert [x["person_id"] for x in listed[0]["lockers"]] == [d, b, c]
    kinds = journal_kinds(admin)
    assert kinds.count("rooms.locker.added") == 1 and kinds.count("rooms.bed.allocated") >= 4


def test_a_locker_is_given_and_taken_back_apart_from_the_bed(server, admin):
    """一人一柜 apart from the bed (R04 §二2): the office gives an occupant another locker of the
    room (the old one is freed), takes one back (the bed stays), and is refused — nothing
    written — for a locker held by someone else, a person with no bed in the room, a free locker
    taken back, an unknown locker and a person without rooms.manage."""
    site = site_id(admin)
    office = login(server, "office")
    a, b, outsider = (person(admin, site, n) for n in ("换柜甲", "换柜乙", "换柜外"))
    r = office.post("/api/v1/rooms", {"site_id": site, "name": "换柜室", "place": room_place(office),
                                      "beds": 2, "lockers": 3})
    assert r.status == 201, r
    url = f"/api/v1/rooms/{r.json()['id']}"
    one, two, three = (x["id"] for x in r.json()["lockers"])
    assert office.post(f"{url}/allocations", {"person_id": a}).status == 201  # locker 1
    assert office.post(f"{url}/allocations", {"person_id": b}).status == 201  # locker 2

    def lockers():
        return [x["person_id"] for x in office.get(url).json()["lockers"]]

    # 换柜甲 moves from locker 1 to locker 3: 1 is freed, the bed shows 3.
    r = office.post(f"/api/v1/room-lockers/{three}/give", {"person_id": a})
    assert r.status == 200 and r.json()["person_id"] == a and r.json()["label"] == "3", r
    assert lockers() == [None, b, a]
    assert office.get(url).json()["beds"][0]["locker"] == "3"
    given = [j for j in all_items(admin, "/api/v1/journal?limit=500") if j["kind"] == "rooms.locker.given"]
    assert [(j["payload"]["locker"], j["payload"]["from_locker"], j["payload"]["person_id"]) for j in given] \
        == [("3", "1", a)]
    # Giving the locker one holds changes nothing and journals nothing.
    assert office.post(f"/api/v1/room-lockers/{three}/give", {"person_id": a}).status == 200
    kinds = journal_kinds(admin)
    assert kinds.count("rooms.locker.given") == 1

    refusals = (
        (f"/api/v1/room-lockers/{two}/give", {"person_id": a}, 409, "rooms.locker_taken"),
        (f"/api/v1/room-lockers/{one}/give", {"person_id": outsider}, 409, "rooms.not_housed"),
        (f"/api/v1/room-lockers/{one}/take-back", {}, 409, "rooms.locker_free"),
        ("/api/v1/room-lockers/999999/give", {"person_id": a}, 404, None),
        (f"/api/v1/room-lockers/{one}/give", {"person_id": "x"}, 400, None),
        (f"/api/v1/room-lockers/{one}/give", {"person_id": a, "extra": 1}, 400, None),
    )
    for path, body, status, reason in refusals:
        r = office.post(path, body)
        assert r.status == status, (path, body, r)
        if reason:
            assert r.json()["error"]["reason"] == reason, r
    cs = login(server, "cs1")
    assert cs.post(f"/api/v1/room-lockers/{one}/give", {"person_id": a}).status == 403
    assert lockers() == [None, b, a] and journal_kinds(admin) == kinds  # nothing written

    # Taken back: 换柜乙 keeps the bed without a locker.
    r = office.post(f"/api/v1/room-lockers/{two}/take-back", {"note": "柜门损坏"})
    assert r.status == 200 and r.json()["person_id"] is None, r
    room = office.get(url).json()
    assert lockers() == [None, None, a]
    assert [(x["person_id"], x["locker"]) for x in room["beds"]] == [(a, "3"), (b, "")]
    back = [j for j in all_items(admin, "/api/v1/journal?limit=500") if j["kind"] == "rooms.locker.taken_back"]
    assert [(j["payload"]["person_id"], j["payload"]["note"]) for j in back] == [(b, "柜门损坏")]
