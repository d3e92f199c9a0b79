"""A month of the VIP lounge (贵宾厅, R15) at an accelerated clock, over HTTP, on both backends (issue
19's done-when, §3's part): 300 guests from Dec 1 to Dec 30, ten a day, one on each train of the
lounge's timetable (testdata/timetable.csv: test data, not real trains), each

* arriving an hour before departure and checked in from the ticket and card a minute later — within
  R15 第十三条's 2 minutes, the train's time taken from the imported timetable;
* told to the attendant 5 minutes before the boarding reminder (the site's `lounge_reminder_notice`:
  R15 gives no lead time, the figure is this site's), reminded at departure − 18 min, before the
  pack's deadline at departure − 15 (第十四条), escorted to the gate and sent the follow-up SMS
  through a fake relay on 127.0.0.1 (第十五条);

except one guest on Dec 15 whose reminder is missed: the deadline breaches at departure − 15 and the
pack escalates it to the 厅经理 (escalate:厅经理), who finds it in the missed-reminder list; the guest
misses the train, the 误车 is recorded after the departure, the visit's procedure closes at 误车 and
the attendant who seated the guest answers for it (R15-MISSED-REMINDER, 第十四条).

The other demo posts are marked not staffed (不设岗) so their duties do not fall due all month (not
this scenario's subject, as in test_fire_month). Every count — guests, deadlines by state,
breaches and escalations, notices, messages, procedures, the violation — is recomputed here from the
timetable and the plan, never read back as the expectation."""
import csv
import datetime as dt
import pathlib
import urllib.parse

import pytest

from test_lounge_api import FakeRelay
from zhidu_harness import Actor, Server, all_items

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 1, 7, 0, tzinfo=TZ)
DAYS = 30
TIMETABLE = (pathlib.Path(__file__).parent / "testdata" / "timetable.csv").read_text(encoding="utf-8")
NOTICE = dt.timedelta(minutes=5)  # this site's lounge_reminder_notice
BEFORE = dt.timedelta(minutes=15)  # R15 第十四条 提前15分钟
VICTIM = (15, 2)  # Dec 15, the day's third train: its reminder is missed
# R15 第十六条's daily cleaning of the lounge post, done each evening after the last train.
CLEANING = {"r15-daily-cleaning": {"carpet": True, "tables": True, "glass-door": True}}


def parse(s):
    return dt.datetime.fromisoformat(s)


def trains():
    rows = list(csv.DictReader(TIMETABLE.splitlines()))
    return [(r["车次"], dt.time.fromisoformat(r["开车时间"])) for r in rows]


@pytest.fixture
def month(require_backend):
    relay = FakeRelay()
    s = Server(require_backend, extra=["--test-clock", START.isoformat(), "--sms-url", relay.url]).start()
    yield s, relay
    s.kill()
    relay.close()


def ok(r, status=200):
    assert r.status == status, r
    return r.json()


def test_a_month_of_the_vip_lounge(month):
    srv, relay = month
    admin, att, mgr = Actor(srv, "admin"), Actor(srv, "concierge"), Actor(srv, "lounge_mgr")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    me = att.me()["person_id"]
    lounge_post = None
    for p in all_items(admin, "/api/v1/posts?limit=200"):
        if p["name"] == "贵宾厅礼宾岗" and p["site_id"] == site:
            lounge_post = p["id"]
            continue
        ok(admin.call("PUT", f"/api/v1/posts/{p['id']}/staffing", {"staffed": False, "reason": "本月仅贵宾厅"}))
    assert lounge_post
    # The attendant takes the lounge post (在岗) for the month: the reminder notices reach whoever is
    # on it, and the post's daily cleaning is done by the person on it.
    ok(att.post(f"/api/v1/posts/{lounge_post}/attendance"), 201)
    ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/lounge_reminder_notice", {"value": "5m"}))
    assert ok(att.post("/api/v1/lounge/timetable", {"site_id": site, "csv": TIMETABLE}))["imported"] == len(trains())

    # The plan: every guest's moments, from the timetable.
    plan = []  # (day, index, train, departure)
    for day in range(1, DAYS + 1):
        for i, (train, hhmm) in enumerate(trains()):
            plan.append((day, i, train, dt.datetime(2026, 12, day, hhmm.hour, hhmm.minute, tzinfo=TZ)))
    assert len(plan) == 300
    actions = []  # (time, order, what, key)
    for day, i, train, dep in plan:
        key = (day, i)
        actions += [(dep - dt.timedelta(minutes=60), 0, "arrive", key),
                    (dep - dt.timedelta(minutes=59), 1, "check_in", key),
                    (dep - BEFORE - NOTICE, 2, "notice", key)]
        if key == VICTIM:
            actions += [(dep - BEFORE, 3, "breach", key), (dep + dt.timedelta(minutes=5), 4, "missed", key)]
        else:
            actions += [(dep - dt.timedelta(minutes=18), 3, "remind", key),
                        (dep - dt.timedelta(minutes=10), 4, "escort_sms", key)]
    for day in range(1, DAYS + 1):
        actions.append((dt.datetime(2026, 12, day, 21, 0, tzinfo=TZ), 5, "duties", (day, -1)))
    actions.sort()
    cleaned = []
    deps = {(d, i): (train, dep) for d, i, train, dep in plan}
    guests = {}  # key → guest id
    now = START
    for t, _, what, key in actions:
        if t != now:
            assert t > now
            ok(admin.post("/api/v1/test/clock", {"to": t.isoformat()}))
            now = t
        train, dep = deps.get(key, (None, None))
        if what == "duties":
            for d in all_items(admin, f"/api/v1/duties?post_id={lounge_post}&state=due&limit=200"):
                done = ok(att.post(f"/api/v1/duties/{d['id']}/complete", {"answers": CLEANING[d["duty"]]}))
                assert done["state"] == "done", done
                cleaned.append((key[0], d["duty"]))
        elif what == "arrive":
            day, i = key
            g = ok(att.post("/api/v1/lounge/guests", {"site_id": site, "name": f"贵宾{day:02d}{i}",
                                                      "phone": f"1380000{day:02d}{i:02d}"}), 201)
            assert parse(g["checkin_due_at"]) == t + dt.timedelta(minutes=2)  # 第十三条
            guests[key] = g["id"]
        elif what == "check_in":
            g = ok(att.post(f"/api/v1/lounge/guests/{guests[key]}/check-in", {"train_no": train, "card_no": f"VIP-{guests[key]}"}))
            assert (g["checkin_state"], parse(g["departure_at"])) == ("met", dep), g
            assert parse(g["reminder_at"]) == dep - BEFORE and parse(g["notice_at"]) == dep - BEFORE - NOTICE, g
        elif what == "notice":
            pass  # the timer fired with the clock; counted below
        elif what == "breach":
            g = ok(att.get(f"/api/v1/lounge/guests/{guests[key]}"))
            assert g["reminder_state"] == "breached", g
        elif what == "remind":
            g = ok(att.post(f"/api/v1/lounge/guests/{guests[key]}/remind"))
            assert g["reminder_state"] == "met", g
        elif what == "escort_sms":
            ok(att.post(f"/api/v1/lounge/guests/{guests[key]}/escort"))
            g = ok(att.post(f"/api/v1/lounge/guests/{guests[key]}/sms", {"text": "您好，感谢光临贵宾厅，祝您旅途愉快。"}))
            assert (g["state"], g["sms_state"], g["sms_attempts"]) == ("done", "sent", 1), g
        elif what == "missed":
            g = ok(att.post(f"/api/v1/lounge/guests/{guests[key]}/missed-train", {"note": "客人未赶上列车"}))
            assert (g["state"], g["violation_code"]) == ("missed", "R15-MISSED-REMINDER"), g

    # What R15 implies, recomputed from the plan.
    assert cleaned == [(day, "r15-daily-cleaning") for day in range(1, DAYS + 1)]
    victim = guests[VICTIM]
    served = [gid for key, gid in guests.items() if key != VICTIM]
    rows = all_items(att, f"/api/v1/lounge/guests?site_id={site}&limit=200")
    assert len(rows) == 300
    assert sorted(g["state"] for g in rows) == sorted(["done"] * 299 + ["missed"])
    by_level = {}
    for d in all_items(admin, f"/api/v1/deadlines?site_id={site}&limit=200"):
        if d["ref"].startswith("lounge-guest/"):
            by_level.setdefault(d["service_level"], []).append(d["state"])
    assert sorted(by_level["r15-checkin-2min"]) == ["met"] * 300
    assert sorted(by_level["r15-boarding-reminder"]) == sorted(["met"] * 299 + ["breached"])

    journal = all_items(admin, "/api/v1/journal?limit=500")
    kinds = {}
    for j in journal:
        kinds.setdefault(j["kind"], []).append(j)
    breached = [j for j in kinds.get("deadline.breached", []) if j["payload"].get("ref", "").startswith("lounge-guest/")]
    assert [(b["payload"]["ref"], b["payload"]["escalated_to"]) for b in breached] == [(f"lounge-guest/{victim}", ["厅经理"])]
    assert parse(breached[0]["payload"]["due_at"]) == deps[VICTIM][1] - BEFORE
    # One notice a guest, at reminder − 5 min, to the attendant on the lounge post (who seated them).
    notices = kinds["lounge.reminder.due"]
    assert sorted(n["subject"] for n in notices) == sorted(f"lounge-guest/{g}" for g in guests.values())
    assert {(n["payload"]["person_id"], n["payload"]["on_duty"]) for n in notices} == {(me, True)}
    assert len(kinds["lounge.guest.arrived"]) == len(kinds["lounge.guest.checked_in"]) == 300
    assert len(kinds["lounge.guest.reminded"]) == len(kinds["lounge.guest.escorted"]) == 299
    assert len(kinds["lounge.guest.sms_sent"]) == 299 and "lounge.guest.sms_failed" not in kinds
    assert [m["payload"]["violation"] for m in kinds["lounge.guest.missed_train"]] == ["R15-MISSED-REMINDER"]
    # One message a served guest, to that guest's phone; none to the guest who missed the train.
    phones = {g["id"]: g["phone"] for g in rows}
    assert sorted(m["to"] for m in relay.received) == sorted(phones[g] for g in served)

    procs = [p for p in all_items(admin, f"/api/v1/procedures?site_id={site}&limit=200") if p["procedure"] == "r15-vip-visit"]
    assert sorted(p["state"] for p in procs) == sorted(["done"] * 299 + ["missed"])
    assert all(p["closed_at"] for p in procs)
    viol = ok(admin.get(f"/api/v1/violations?site_id={site}&code=R15-MISSED-REMINDER"))["items"]
    assert [(v["person_id"], v["subject"]) for v in viol] == [(me, f"lounge-guest/{victim}")]
    # The 厅经理's view: the one missed reminder, escalated to the role the pack names.
    missed = ok(mgr.get(f"/api/v1/lounge/missed-reminders?site_id={site}"))["items"]
    assert [(m["guest"]["id"], m["state"], m["escalated_to"], m["guest"]["state"]) for m in missed] == [
        (victim, "breached", ["厅经理"], "missed")]
    srv.stop()
    v = srv.verify()
    assert v.returncode == 0, v.stdout + v.stderr
