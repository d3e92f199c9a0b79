"""The stored 值日表 (R04 §二1 舍长负责本房间卫生等方面管理，排出值日表) against the real binary, on both
backends: the room's 舍长 saves the rota and every occupant reads it (我的宿舍 reads the same
route), each saved day replacing the proposal's; an occupant who is not the 舍长, or a person who
is not an occupant, is refused and nothing is written; a saved day whose person moved out falls back
to the proposal."""
from zhidu_harness import all_items, login


def test_the_leader_saves_the_rota_and_occupants_read_it(server, admin):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    office = login(server, "office")
    leader = login(server, "dorm_lead")
    lead = leader.get("/api/v1/me").json()["account"]["person_id"]
    mate = login(server, "cs1")
    mate_id = mate.get("/api/v1/me").json()["account"]["person_id"]
    outsider = admin.post("/api/v1/people", {"site_id": site, "name": "褚十四"}).json()["id"]
    room = office.post("/api/v1/rooms", {"site_id": site, "name": "701", "place": "职工休息楼",
                                         "beds": 2}).json()["id"]
    for p in (lead, mate_id):
        assert office.post(f"/api/v1/rooms/{room}/allocations", {"person_id": p}).status == 201
    assert office.request("PUT", f"/api/v1/rooms/{room}/leader", {"person_id": lead}).status == 200
    url = f"/api/v1/rooms/{room}/rota"
    plan = [("2026-12-07", mate_id), ("2026-12-08", mate_id), ("2026-12-09", lead)]
    body = {"days": [{"date": d, "person_id": p} for d, p in plan]}

    r = mate.request("PUT", url, body)  # an occupant, not the 舍长
    assert r.status == 403 and r.json()["error"]["reason"] == "rooms.rota_denied", r
    bad = {"days": body["days"] + [{"date": "2026-12-10", "person_id": outsider}]}
    r = leader.request("PUT", url, bad)
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.rota_not_occupant", r
    assert r.json()["error"]["field"] == "days[3].person_id"
    twice = {"days": body["days"] + [{"date": "2026-12-07", "person_id": lead}]}
    assert leader.request("PUT", url, twice).status == 400
    assert leader.request("PUT", url, {"days": [{"date": "2026-13-01", "person_id": lead}]}).status == 400
    assert all(not d["stored"] for d in mate.get(f"{url}?from=2026-12-07&days=4").json()["items"])

    r = leader.request("PUT", url, body)
    assert r.status == 200, r
    assert [(d["date"], d["person_id"], d["stored"]) for d in r.json()["items"]] == [
        (d, p, True) for d, p in plan]
    assert "R04 §二1" in r.json()["clauses"]
    seen = mate.get(f"{url}?from=2026-12-07&days=4").json()["items"]
    assert [(d["date"], d["person_id"], d["stored"]) for d in seen[:3]] == [(d, p, True) for d, p in plan]
    assert seen[3]["stored"] is False  # Dec 10: not saved, the proposal's

    # The mate moves out: their saved days fall back to the proposal (the 舍长, alone in the room).
    assert office.post(f"/api/v1/rooms/{room}/release", {"person_id": mate_id}).status == 200
    seen = leader.get(f"{url}?from=2026-12-07&days=3").json()["items"]
    assert [(d["person_id"], d["stored"]) for d in seen] == [(lead, False), (lead, False), (lead, True)]
    kinds = [j["kind"] for j in all_items(admin, "/api/v1/journal?limit=500")]
    assert kinds.count("rooms.rota.saved") == 1  # the refusals wrote nothing
