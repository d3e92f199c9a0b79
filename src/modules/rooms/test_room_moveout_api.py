"""Leaving employment and moving out (R04 §二13 离职人员必须在离职一周之内搬离休息室，由管理人员收回
钥匙) against the real binary on a test clock, on both backends: the office records a resident's
leaving, which raises employee_left and starts the pack's one-week r04-move-out; releasing the bed
and getting the key back raise moved_out and meet it; a leaver is not housed again; a week without
moving out breaches it."""
import datetime as dt

import pytest

from zhidu_harness import Server, all_items, login

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", START.isoformat()]).start()
    yield s
    s.kill()


def start(server):
    """admin, the site, the office."""
    admin = server.admin()
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    return admin, site, login(server, "office")


def make_room(office, site, name, beds):
    return office.post("/api/v1/rooms", {"site_id": site, "name": name, "place": "职工休息楼",
                                         "beds": beds}).json()


def resident(admin, office, site, room, name):
    pid = admin.post("/api/v1/people", {"site_id": site, "name": name}).json()["id"]
    assert office.post(f"/api/v1/rooms/{room['id']}/allocations", {"person_id": pid}).status == 201
    return pid


def deadline(c, site, pid):
    [d] = all_items(c, f"/api/v1/deadlines?site_id={site}&ref=room-leaver/{pid}")
    return d


def test_leaving_starts_the_week_and_moving_out_meets_it(clock_server):
    server = clock_server
    admin, site, office = start(server)
    room = make_room(office, site, "501", 2)
    pid = resident(admin, office, site, room, "郑九")
    key = office.post(f"/api/v1/rooms/{room['id']}/keys", {"label": "K1"}).json()
    assert office.post(f"/api/v1/room-keys/{key['id']}/issue", {"person_id": pid}).status == 200

    nobody = admin.post("/api/v1/people", {"site_id": site, "name": "王十"}).json()["id"]
    r = office.post("/api/v1/room-leavers", {"person_id": nobody})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.not_resident", r

    r = office.post("/api/v1/room-leavers", {"person_id": pid, "note": "合同到期"})
    assert r.status == 201, r
    d = deadline(admin, site, pid)
    assert d["service_level"] == "r04-move-out" and d["state"] == "open" and d["person_id"] == pid
    assert dt.datetime.fromisoformat(d["due_at"]) == START + dt.timedelta(days=7), d
    again = office.post("/api/v1/room-leavers", {"person_id": pid})
    assert again.status == 409 and again.json()["error"]["reason"] == "rooms.already_left"
    other = make_room(office, site, "502", 1)
    r = office.post(f"/api/v1/rooms/{other['id']}/allocations", {"person_id": pid})
    assert r.status == 409 and r.json()["error"]["reason"] == "rooms.person_left", r

    assert office.post(f"/api/v1/rooms/{room['id']}/release", {"person_id": pid}).status == 200
    assert deadline(admin, site, pid)["state"] == "open"  # the key is still out
    assert office.post(f"/api/v1/room-keys/{key['id']}/return", {"note": "收回"}).status == 200
    assert deadline(admin, site, pid)["state"] == "met"
    kinds = [j["kind"] for j in all_items(admin, "/api/v1/journal?limit=500")]
    assert kinds.count("rooms.leaver.recorded") == 1 and kinds.count("rooms.leaver.moved_out") == 1


def test_a_week_without_moving_out_breaches(clock_server):
    server = clock_server
    admin, site, office = start(server)
    room = make_room(office, site, "503", 1)
    pid = resident(admin, office, site, room, "冯十一")
    assert office.post("/api/v1/room-leavers", {"person_id": pid}).status == 201
    # A day per step: one call firing a week of the demo's timers outran the client's 30 s on
    # PostgreSQL under load.
    for day in range(1, 8):
        admin = server.admin()
        step = START + dt.timedelta(days=day, minutes=1 if day == 7 else 0)
        r = admin.post("/api/v1/test/clock", {"to": step.isoformat()})
        assert r.status == 200, r
    admin = server.admin()
    assert deadline(admin, site, pid)["state"] == "breached"


def test_a_leaver_whose_key_is_lost_moves_out_on_the_loss(clock_server):
    """The key cannot come back once it is recorded lost: the release and the loss complete the
    move-out (until session 20 only a return did, so such a leaver breached a week later)."""
    server = clock_server
    admin, site, office = start(server)
    room = make_room(office, site, "504", 1)
    pid = resident(admin, office, site, room, "褚十二")
    key = office.post(f"/api/v1/rooms/{room['id']}/keys", {"label": "K9"}).json()
    assert office.post(f"/api/v1/room-keys/{key['id']}/issue", {"person_id": pid}).status == 200
    assert office.post("/api/v1/room-leavers", {"person_id": pid}).status == 201
    assert office.post(f"/api/v1/rooms/{room['id']}/release", {"person_id": pid}).status == 200
    assert deadline(admin, site, pid)["state"] == "open"  # the key is still out
    r = office.post(f"/api/v1/room-keys/{key['id']}/lost", {"note": "本人称钥匙丢失"})
    assert r.status == 200, r
    assert deadline(admin, site, pid)["state"] == "met"
    [moved] = [j for j in all_items(admin, "/api/v1/journal?limit=500")
               if j["kind"] == "rooms.leaver.moved_out"]
    assert moved["payload"]["person_id"] == pid and moved["payload"]["keys_lost"] == 1, moved
    # A key lost by someone who is not leaving changes nobody's move-out.
    other = resident(admin, office, site, make_room(office, site, "505", 1), "卫十三")
    k2 = office.post(f"/api/v1/rooms/{room['id']}/keys", {"label": "K10"}).json()
    assert office.post(f"/api/v1/room-keys/{k2['id']}/issue", {"person_id": other}).status == 200
    assert office.post(f"/api/v1/room-keys/{k2['id']}/lost", {"note": "丢失"}).status == 200
    assert [j["kind"] for j in all_items(admin, "/api/v1/journal?limit=500")].count(
        "rooms.leaver.moved_out") == 1
