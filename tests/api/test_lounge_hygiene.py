"""R07 §一 on the shipped pack (issue 19 §2), the rules not exercised elsewhere: the magazine rack
(§一3 每天整理书报架不得少于3次) and the ashtray washes (§一6 每天3次以上全面清洗) are one instance a
day needing three completions, the plants and windows (§一4 每周擦拭不得少于3次) one a week needing
three; a shortfall is a 20-yuan R07-HYGIENE violation (上述情形…处以20元/次罚款) charged to whoever
held 客户休息室岗 during the window, not to nobody; three rounds done is no violation. (Before-work
cleaning through working hours: test_working_hours; the butt count as an abnormal answer:
test_abnormal_answers; a post nobody held: test_miss_holder.) Both backends, test clock."""
import datetime as dt

import pytest

from test_procedures import advance
from test_runtime_week import post_id
from zhidu_harness import Actor, all_items, clock_server

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # an ordinary working Monday
DAY = dt.timedelta(days=1)


@pytest.fixture
def srv(require_backend):
    s = clock_server(require_backend, MONDAY)
    yield s
    s.kill()


def instance(admin, post, duty, due):
    assert admin.post("/api/v1/duties:plan").status == 200
    rows = [d for d in all_items(admin, f"/api/v1/duties?post_id={post}&limit=500")
            if d["duty"] == duty and dt.datetime.fromisoformat(d["due_at"]) == due]
    assert len(rows) == 1, rows
    return rows[0]


def charged(admin, duty_id):
    return [v for v in all_items(admin, "/api/v1/violations?limit=500")
            if v["subject"] == f"duty/{duty_id}"]


def complete(actor, duty_id, answers, times):
    for _ in range(times):
        r = actor.post(f"/api/v1/duties/{duty_id}/complete", {"answers": answers})
        assert r.status == 200, r


def test_daily_rounds_short_of_three_are_charged_to_the_holder(srv):
    admin = Actor(srv, "admin")
    att = Actor(srv, "lounge_att")  # 休息室工作人员
    person = att.me()["person_id"]
    lounge = post_id(admin, "客户休息室岗")
    midnight = MONDAY.replace(hour=0)

    rack = instance(admin, lounge, "r07-magazine-rack", midnight)
    ashtrays = instance(admin, lounge, "r07-ashtrays", midnight)
    # One instance a day, three completions required (R07 §一3, §一6), over the calendar day.
    for d in (rack, ashtrays):
        assert d["required"] == 3, d
        assert dt.datetime.fromisoformat(d["window_end"]) == midnight + DAY, d

    assert att.post(f"/api/v1/posts/{lounge}/attendance").status == 201
    complete(att, rack["id"], {"tidy": True, "updated": True}, 2)  # one round short
    complete(att, ashtrays["id"], {"butts": 0, "washed": True}, 3)
    assert admin.get(f"/api/v1/duties/{rack['id']}").json()["completions"] == 2

    advance(admin, midnight + DAY + dt.timedelta(minutes=1))
    assert admin.get(f"/api/v1/duties/{rack['id']}").json()["state"] == "missed"
    v = charged(admin, rack["id"])
    assert len(v) == 1, v
    v = v[0]
    assert v["code"] == "R07-HYGIENE" and v["person_id"] == person, v  # whoever held the post
    # 20 元 each time (the pre-work cleaning missed at 17:00 was the first), citing the rule missed.
    assert v["fine_yuan"] == 20 and v["clauses"] == ["R07 §卫生罚则", "R07 §一3"], v
    # Three washes done: no violation for the ashtrays.
    assert admin.get(f"/api/v1/duties/{ashtrays['id']}").json()["state"] in ("done", "late")
    assert charged(admin, ashtrays["id"]) == []


def test_plants_and_windows_fall_due_three_times_a_week(srv):
    admin = Actor(srv, "admin")
    att = Actor(srv, "lounge_att")
    person = att.me()["person_id"]
    lounge = post_id(admin, "客户休息室岗")
    week_start = MONDAY.replace(hour=0)

    plants = instance(admin, lounge, "r07-plants-windows", week_start)
    # One instance a week (Monday to Monday), three completions required (R07 §一4).
    assert plants["required"] == 3, plants
    assert dt.datetime.fromisoformat(plants["window_end"]) == week_start + 7 * DAY, plants
    # Not a daily duty: no instance of it falls due on Tuesday.
    rows = [d for d in all_items(admin, f"/api/v1/duties?post_id={lounge}&limit=500")
            if d["duty"] == "r07-plants-windows"]
    assert all(dt.datetime.fromisoformat(d["due_at"]).weekday() == 0 for d in rows), rows

    assert att.post(f"/api/v1/posts/{lounge}/attendance").status == 201
    complete(att, plants["id"], {"plants": True, "glass": True}, 2)
    for day in range(1, 4):  # a day per step: each advance fires a day of the post's timers
        advance(admin, week_start + day * DAY)
    assert admin.get(f"/api/v1/duties/{plants['id']}").json()["state"] in ("due", "in_progress")
    assert charged(admin, plants["id"]) == []  # the week is not over
    for day in range(4, 7):
        advance(admin, week_start + day * DAY)
    advance(admin, week_start + 7 * DAY + dt.timedelta(minutes=1))
    assert admin.get(f"/api/v1/duties/{plants['id']}").json()["state"] == "missed"
    v = charged(admin, plants["id"])
    assert len(v) == 1 and v[0]["code"] == "R07-HYGIENE" and v[0]["person_id"] == person, v
    assert v[0]["fine_yuan"] == 20 and "R07 §一4" in v[0]["clauses"], v
