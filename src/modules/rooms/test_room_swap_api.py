"""A swap of rooms (调换房间, R04 §二1 未经办公室负责人员同意，不允许私自调换) against the real binary,
on both backends: the resident files the pack's r04-room-swap, the office approves it, and an
allocation under it moves the resident — the old bed released and the new one allocated in one
transaction (the old room's 舍长 post ends with it); before approval, into a full room, for a
person with no bed, or a second time, it is refused with a 409 and nothing is written."""
from zhidu_harness import all_items, login


def room(office, site, name, beds):
    r = office.post("/api/v1/rooms", {"site_id": site, "name": name, "place": "职工休息楼", "beds": beds})
    assert r.status == 201, r
    return r.json()["id"]


def occupants(office, rid):
    return [b["person_id"] for b in office.get(f"/api/v1/rooms/{rid}").json()["beds"]]


def refused(r, reason):
    assert r.status == 409 and r.json()["error"]["reason"] == reason, r


def test_an_approved_swap_moves_the_resident_in_one_step(server, admin):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    office = login(server, "office")
    resident = login(server, "dorm_lead")
    me = resident.get("/api/v1/me").json()["account"]["person_id"]
    other = admin.post("/api/v1/people", {"site_id": site, "name": "卫十三"}).json()["id"]
    x, y, z = room(office, site, "X1", 2), room(office, site, "Y1", 1), room(office, site, "Z1", 1)
    assert office.post(f"/api/v1/rooms/{x}/allocations", {"person_id": me}).status == 201
    assert office.request("PUT", f"/api/v1/rooms/{x}/leader", {"person_id": me}).status == 200
    assert office.post(f"/api/v1/rooms/{y}/allocations", {"person_id": other}).status == 201

    r = resident.post("/api/v1/room-applications", {"site_id": site, "type": "r04-room-swap",
                                                    "reason": "与室友作息不同"})
    assert r.status == 201, r
    swap = r.json()["id"]
    refused(office.post(f"/api/v1/rooms/{y}/allocations", {"person_id": me, "request_id": swap}),
            "rooms.application_not_approved")
    assert office.post(f"/api/v1/requests/{swap}/decisions", {"approve": True}).status == 201
    # Without the request it is still a private swap; into a full room it is refused.
    refused(office.post(f"/api/v1/rooms/{z}/allocations", {"person_id": me}), "rooms.person_housed")
    refused(office.post(f"/api/v1/rooms/{y}/allocations", {"person_id": me, "request_id": swap}),
            "rooms.room_full")
    assert occupants(office, x) == [me, None] and occupants(office, y) == [other]
    assert office.get(f"/api/v1/rooms/{x}").json()["leader_person_id"] == me  # nothing half-written

    assert office.post(f"/api/v1/rooms/{y}/release", {"person_id": other}).status == 200
    assert office.post(f"/api/v1/rooms/{y}/lockers", {"label": "柜 3"}).status == 201
    r = office.post(f"/api/v1/rooms/{y}/allocations", {"person_id": me, "request_id": swap, "locker": "柜 3"})
    assert r.status == 201, r
    assert r.json()["beds"][0]["locker"] == "柜 3"  # the locker of Y; X's is freed with the bed
    assert occupants(office, y) == [me] and occupants(office, x) == [None, None]
    assert office.get(f"/api/v1/rooms/{x}").json()["leader_person_id"] is None  # 舍长 of X no more

    # Once per approval: the same request does not move the resident again.
    refused(office.post(f"/api/v1/rooms/{z}/allocations", {"person_id": me, "request_id": swap}),
            "rooms.swap_done")
    assert occupants(office, y) == [me] and occupants(office, z) == [None]

    # A swap for someone with no bed moves nobody.
    cs = login(server, "cs1")
    cs_person = cs.get("/api/v1/me").json()["account"]["person_id"]
    r = cs.post("/api/v1/room-applications", {"site_id": site, "type": "r04-room-swap"})
    assert r.status == 201, r
    assert office.post(f"/api/v1/requests/{r.json()['id']}/decisions", {"approve": True}).status == 201
    refused(office.post(f"/api/v1/rooms/{z}/allocations",
                        {"person_id": cs_person, "request_id": r.json()["id"]}), "rooms.nothing_to_swap")
    assert occupants(office, z) == [None]

    moves = [j for j in all_items(admin, "/api/v1/journal?limit=500")
             if j["kind"] in ("rooms.bed.released", "rooms.bed.allocated")
             and j["payload"].get("request_id") == swap]
    assert sorted((j["kind"], j["payload"]["room_id"]) for j in moves) == [
        ("rooms.bed.allocated", y), ("rooms.bed.released", x)]
    assert all("R04 §二1" in j["payload"]["clauses"] for j in moves)
