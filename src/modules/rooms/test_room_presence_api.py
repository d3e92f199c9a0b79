"""Presence in the rest building during working hours (R04 §二12 所有休息人员在工作时间（上午8:00-11:30，
下午1:30-5:00…需由部长批准）不允许在休息楼内出现) against the real binary on a test clock, on both
backends: a check-in in a 职工休息楼 room inside a window of the place's deny rule is flagged citing
R04 §二12; outside the windows it is not; an approved r04-late-stay (部长) excuses it; the day's
check-ins are listed; only the person or the office records a check-in."""
import datetime as dt

import pytest

from zhidu_harness import clock_server, login

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # a Monday, 09:00 in Shanghai


@pytest.fixture
def clock(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def advance(admin, to):
    r = admin.post("/api/v1/test/clock", {"to": to.isoformat()})
    assert r.status == 200, r


def test_a_check_in_during_working_hours_is_flagged_unless_a_late_stay_is_approved(clock):
    server = clock
    admin = server.admin()
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    office = login(server, "office")
    cs = login(server, "cs1")
    me = cs.get("/api/v1/me").json()["account"]["person_id"]
    room = office.post("/api/v1/rooms", {"site_id": site, "name": "601", "place": "职工休息楼",
                                         "beds": 2}).json()
    url = f"/api/v1/rooms/{room['id']}/presence"

    # 09:00: inside 08:00-11:30, recorded by the office for the person it saw.
    r = office.post(url, {"person_id": me})
    assert r.status == 201, r
    v = r.json()
    assert v["flagged"] is True and v["window"] == "08:00-11:30" and "R04 §二12" in v["clauses"], v
    assert v["late_stay_request"] is None

    # 12:00: the lunch break is outside every window.
    advance(admin, START.replace(hour=12))
    v = cs.post(url, {}).json()
    assert v["flagged"] is False and v["window"] == "" and v["person_id"] == me, v

    # 部长 approves a late stay (R04 §二12 需由部长批准): 14:00 is then excused, not flagged.
    rid = cs.post("/api/v1/requests", {"site_id": site, "type": "r04-late-stay", "reason": "夜班后补休"})
    assert rid.status == 201, rid
    rid = rid.json()["id"]
    advance(admin, START.replace(hour=14))
    assert cs.post(url, {}).json()["flagged"] is True  # still pending: flagged
    head = login(server, "head")
    assert head.post(f"/api/v1/requests/{rid}/decisions", {"approve": True}).status == 201
    v = cs.post(url, {}).json()
    assert v["flagged"] is False and v["window"] == "13:30-17:00" and v["late_stay_request"] == rid, v

    items = office.get(f"{url}?date=2026-12-07").json()["items"]
    assert [(i["flagged"], i["window"]) for i in items] == [
        (True, "08:00-11:30"), (False, ""), (True, "13:30-17:00"), (False, "13:30-17:00")]
    assert office.get(f"{url}?date=2026-12-08").json()["items"] == []
    assert office.get(f"{url}?date=2026-13-01").status == 400
    assert office.get(url).status == 400

    # Someone else's check-in is the office's; an unknown field or person is refused.
    other = admin.post("/api/v1/people", {"site_id": site, "name": "郑十二"}).json()["id"]
    assert cs.post(url, {"person_id": other}).status == 403
    assert office.post(url, {"person_id": 999999}).status == 400
    assert office.post(url, {"who": me}).status == 400
    assert len(office.get(f"{url}?date=2026-12-07").json()["items"]) == 4  # nothing half-written


def test_a_weekend_check_in_is_not_in_working_hours(clock):
    """Regression: a Saturday 10:00 check-in was flagged. 工作时间 (R04 §二12) is the working
    hours on the business calendar's working days (cn-default's calendar: 2026-12-12 is a Saturday
    with no 调休), so the deny windows, which are the pack's working hours, do not hold that day."""
    server = clock
    admin = server.admin()
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    office = login(server, "office")
    me = login(server, "cs1").get("/api/v1/me").json()["account"]["person_id"]
    room = office.post("/api/v1/rooms", {"site_id": site, "name": "602", "place": "职工休息楼",
                                         "beds": 1}).json()
    url = f"/api/v1/rooms/{room['id']}/presence"
    for day in range(8, 13):  # a day per step (each step fires a day of the demo's timers)
        advance(server.admin(), START.replace(day=day, hour=10))
    office = login(server, "office")  # five days later: the session ended
    v = office.post(url, {"person_id": me}).json()
    assert v["flagged"] is False and v["window"] == "", v
    for day in (13, 14):  # Monday again: flagged
        advance(server.admin(), START.replace(day=day, hour=10))
    office = login(server, "office")
    v = office.post(url, {"person_id": me}).json()
    assert v["flagged"] is True and v["window"] == "08:00-11:30", v
