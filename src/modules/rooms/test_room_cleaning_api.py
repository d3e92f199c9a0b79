"""The 值日表's cleaning reaches the day's person (R04 §二1 舍长负责本房间卫生…排出值日表; the pack's
duty that fills the 值日表 record, cn-default r04-room-cleaning) against the real binary on a test
clock stepped a day at a time, on both backends: each saved day of today or later tells the person
the rota names (rooms.cleaning.due with their person_id, which their account receives on the live
stream), once; a day re-saved to another occupant tells the new one; a day not saved tells nobody."""
import datetime as dt

from test_notifications import WebSocket
from zhidu_harness import Actor, all_items, clock_server, wait_until

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # a Monday


def told(admin):
    """(date, person_id) of every rooms.cleaning.due so far."""
    return [(j["payload"]["date"], j["payload"]["person_id"])
            for j in all_items(admin, "/api/v1/journal?limit=500") if j["kind"] == "rooms.cleaning.due"]


def test_each_rota_day_tells_its_person_once(require_backend):
    server = clock_server(require_backend, START)
    try:
        admin = Actor(server, "admin")
        site = admin.get("/api/v1/sites").json()["items"][0]["id"]
        office, leader, mate = Actor(server, "office"), Actor(server, "dorm_lead"), Actor(server, "cs1")
        lead, mate_id = leader.me()["person_id"], mate.me()["person_id"]
        room = office.post("/api/v1/rooms", {"site_id": site, "name": "801", "place": "职工休息楼",
                                             "beds": 2}).json()["id"]
        for p in (lead, mate_id):
            assert office.post(f"/api/v1/rooms/{room}/allocations", {"person_id": p}).status == 201
        assert office.call("PUT", f"/api/v1/rooms/{room}/leader", {"person_id": lead}).status == 200
        head = max([0] + [j["seq"] for j in all_items(admin, "/api/v1/journal?limit=500")])
        ws = WebSocket(server.port, client=mate.client, path=f"/api/v1/stream?after={head}")
        assert ws.status == 101, ws.body

        url = f"/api/v1/rooms/{room}/rota"
        plan = {"2026-12-06": lead, "2026-12-07": mate_id, "2026-12-08": lead, "2026-12-09": mate_id}
        r = leader.call("PUT", url, {"days": [{"date": d, "person_id": p} for d, p in plan.items()]})
        assert r.status == 200, r
        # Today (Dec 7) is due at once: the mate receives it live; Dec 6 is gone by, told to nobody.
        got = ws.recv_until(lambda m: m["kind"] == "rooms.cleaning.due")
        ws.close()
        due = got[-1]["payload"]
        assert (due["date"], due["person_id"], due["room_id"]) == ("2026-12-07", mate_id, room)
        assert "R04 §二1" in due["clauses"] and due["duty"] == "r04-room-cleaning"
        assert "801" in due["title"]
        assert told(admin) == [("2026-12-07", mate_id)]

        # Re-saving today for the same person tells nobody again; Dec 9 goes to the 舍长 instead.
        r = leader.call("PUT", url, {"days": [{"date": "2026-12-07", "person_id": mate_id},
                                              {"date": "2026-12-09", "person_id": lead}]})
        assert r.status == 200, r
        expected = [("2026-12-07", mate_id)]
        for day, person in (("2026-12-08", lead), ("2026-12-09", lead), ("2026-12-10", None)):
            step = dt.datetime.fromisoformat(day).replace(hour=0, minute=30, tzinfo=TZ)
            assert admin.post("/api/v1/test/clock", {"to": step.isoformat()}).status == 200
            if person:
                expected.append((day, person))
            assert wait_until(lambda: told(admin) == expected, 10), (told(admin), expected)
        # Dec 10 was never saved: nobody told (the proposal is a proposal).
        assert told(admin) == expected
    finally:
        server.kill()
