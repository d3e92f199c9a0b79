"""Working hours (工作时间, docs/runtime.md "Working hours"): duties on work_start / work_end and
`per: workday` fall due on the calendar's working days by the pack's hours (R04 §二12: 8:00-11:30,
13:30-17:00), a department's own hours replace them, "due by HH:MM" ends a window, and a business-
time service level counts working hours (lunch and nights do not count). On both backends, at a
test clock."""
import datetime as dt

import pytest

from test_procedures import advance, journal, raise_event, site_id
from test_runtime_week import post_id
from zhidu_harness import Actor, all_items, clock_server, pack_with_file

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 7, 0, tzinfo=TZ)  # a working Monday

# The site's own rules, in a file of their own citing R07 and R06 (a lounge opening by 10:00, a
# rack tidied twice per working day, a call answered within 2 working hours).
SITE_RULES = """regulation: R07
duties:
  - id: site-open-by-ten
    title: 十点前完成开厅
    clause: "R07 §一2"
    post: 客户休息室岗
    schedule: {on: work_start, by: "10:00"}
  - id: site-rack-twice
    title: 每个工作日整理书报架两次
    clause: "R07 §一3"
    post: 客户休息室岗
    schedule: {times: 2, per: workday}
service_levels:
  - id: site-callback
    title: 两个工作小时内回电
    clause: "R07 §三4"
    start: site_callback_asked
    stop: site_called_back
    within: 2h
    time: business
events:
  - {id: site_callback_asked, title: 客户要求回电}
  - {id: site_called_back, title: 已回电}
"""


@pytest.fixture
def srv(require_backend, tmp_path):
    pack = pack_with_file(tmp_path, "S07.yaml", SITE_RULES)
    s = clock_server(require_backend, MONDAY, pack)
    yield s
    s.kill()


def instances(admin, post, duty):
    # Plan now rather than race the planner's first pass after start (idempotent).
    assert admin.post("/api/v1/duties:plan").status == 200
    rows = all_items(admin, f"/api/v1/duties?post_id={post}&limit=500")
    return sorted((d["due_at"], d["window_end"], d["required"]) for d in rows if d["duty"] == duty)


def day(items, date):
    return [i for i in items if i[0].startswith(date)]


def test_work_start_and_work_end_duties_fall_due_by_the_packs_hours(srv):
    admin = Actor(srv, "admin")
    lounge = post_id(admin, "客户休息室岗")
    # R07 §一2 每天上班前整体清理: due when work starts, done by the end of the working day.
    assert day(instances(admin, lounge, "r07-pre-work-cleaning"), "2026-12-07") == [
        ("2026-12-07T08:00:00+08:00", "2026-12-07T17:00:00+08:00", 1)]
    # R07 §二3 下班后盘点 (after_work, no window): due when the working day ends, open until the
    # next one starts — Friday's until Monday's 08:00.
    assert day(instances(admin, lounge, "r07-stocktake-close"), "2026-12-07") == [
        ("2026-12-07T17:00:00+08:00", "2026-12-08T08:00:00+08:00", 1)]
    # due by 10:00, and twice per working day.
    assert day(instances(admin, lounge, "site-open-by-ten"), "2026-12-07") == [
        ("2026-12-07T08:00:00+08:00", "2026-12-07T10:00:00+08:00", 1)]
    assert day(instances(admin, lounge, "site-rack-twice"), "2026-12-07") == [
        ("2026-12-07T08:00:00+08:00", "2026-12-07T17:00:00+08:00", 2)]
    # A weekend is not a working day: Friday is planned, Saturday and Sunday are not. A day per
    # step: one call firing five days of the pack's timers outran the client's 30 s on PostgreSQL
    # under load (CI, session 19).
    for d in range(8, 12):
        advance(admin, dt.datetime(2026, 12, d, 7, 0, tzinfo=TZ))
    advance(admin, dt.datetime(2026, 12, 12, 7, 0, tzinfo=TZ))
    cleaning = instances(admin, lounge, "r07-pre-work-cleaning")
    assert day(cleaning, "2026-12-11") and not day(cleaning, "2026-12-12")
    # Friday's 下班后盘点 stays open over the weekend, until Monday's 08:00.
    closing = instances(admin, lounge, "r07-stocktake-close")
    assert day(closing, "2026-12-11") == [
        ("2026-12-11T17:00:00+08:00", "2026-12-14T08:00:00+08:00", 1)]
    assert not day(closing, "2026-12-12") and not day(closing, "2026-12-13")
    advance(admin, dt.datetime(2026, 12, 13, 12, 0, tzinfo=TZ))
    assert not day(instances(admin, lounge, "r07-pre-work-cleaning"), "2026-12-13")
    # The coverage report no longer lists work_start duties as unplannable.
    report = admin.get("/api/v1/duties:plan-report")
    assert report.status == 200, report
    entry = [e for e in report.json()["items"] if e["duty"] == "r07-pre-work-cleaning"]
    assert entry and entry[0]["planned"], entry


def test_a_department_sets_its_own_hours_and_bad_hours_are_refused(srv):
    admin = Actor(srv, "admin")
    site = site_id(admin)
    lounge = post_id(admin, "客户休息室岗")
    hours = admin.get(f"/api/v1/sites/{site}/working-hours").json()
    assert hours["site"] == {"hours": ["08:00-11:30", "13:30-17:00"], "from": "pack",
                             "clauses": ["R04 §二12"], "updated_by": None, "updated_at": None}
    department = [p for p in all_items(admin, "/api/v1/posts?limit=200") if p["id"] == lounge][0][
        "department_id"]

    for bad, field in [({"hours": ["17:00-09:00"]}, "hours"),
                       ({"hours": ["13:30-17:00", "08:00-14:00"]}, "hours"),
                       ({"hours": "08:00-17:00"}, "hours"),
                       ({"hours": ["8点-17点"]}, "hours"),
                       ({"hours": ["08:00-17:00"], "department_id": 99999}, "department_id"),
                       ({"hours": ["08:00-17:00"], "colour": "red"}, "colour")]:
        r = admin.call("PUT", f"/api/v1/sites/{site}/working-hours", bad)
        assert r.status == 400, (bad, r)
        assert r.json()["error"]["field"] == field, (bad, r.json())
    cs1 = Actor(srv, "cs1")
    r = cs1.call("PUT", f"/api/v1/sites/{site}/working-hours", {"hours": ["08:00-17:00"]})
    assert r.status == 403, r
    assert admin.get(f"/api/v1/sites/{site}/working-hours").json()["departments"] == []

    r = admin.call("PUT", f"/api/v1/sites/{site}/working-hours",
                   {"department_id": department, "hours": ["09:00-12:00", "14:00-18:00"]})
    assert r.status == 200, r
    assert r.json()["departments"][0]["hours"] == ["09:00-12:00", "14:00-18:00"]
    assert r.json()["departments"][0]["from"] == "department"
    assert [j for j in journal(admin, "site.working_hours.set") if j["payload"].get("department_id") == department]

    # Days planned from now on follow the department's hours.
    advance(admin, dt.datetime(2026, 12, 9, 7, 0, tzinfo=TZ))
    assert day(instances(admin, lounge, "r07-pre-work-cleaning"), "2026-12-09") == [
        ("2026-12-09T09:00:00+08:00", "2026-12-09T18:00:00+08:00", 1)]
    # A post of another department keeps the pack's: R03 §三1.6) 下班整理 on 客服组.
    desk = post_id(admin, "客服组") if any(p["name"] == "客服组" for p in all_items(
        admin, "/api/v1/posts?limit=200")) else None
    if desk:
        assert day(instances(admin, desk, "r03-closing"), "2026-12-09")[0][1] == "2026-12-09T17:00:00+08:00"

    # Cleared: the pack's hours apply again.
    r = admin.call("PUT", f"/api/v1/sites/{site}/working-hours",
                   {"department_id": department, "hours": []})
    assert r.status == 200 and r.json()["departments"] == [], r


def test_a_business_time_service_level_counts_working_hours(srv):
    admin = Actor(srv, "admin")
    site = site_id(admin)
    # Monday 10:30 + 2 working hours: 1 h before lunch (to 11:30), 1 h after (13:30-14:30).
    advance(admin, dt.datetime(2026, 12, 7, 10, 30, tzinfo=TZ))
    out = raise_event(admin, site, {"event": "site_callback_asked", "ref": "call-1"})
    d = admin.get(f"/api/v1/deadlines/{out['deadlines_started'][0]}").json()
    assert dt.datetime.fromisoformat(d["due_at"]) == dt.datetime(2026, 12, 7, 14, 30, tzinfo=TZ), d
    # Friday 16:30 + 2 working hours: 30 min on Friday, 1.5 h on Monday from 08:00. A day per
    # step (one four-day call outran the client's 30 s on PostgreSQL under load).
    for d in range(8, 11):
        advance(admin, dt.datetime(2026, 12, d, 10, 30, tzinfo=TZ))
    advance(admin, dt.datetime(2026, 12, 11, 16, 30, tzinfo=TZ))
    out = raise_event(admin, site, {"event": "site_callback_asked", "ref": "call-2"})
    d = admin.get(f"/api/v1/deadlines/{out['deadlines_started'][0]}").json()
    assert dt.datetime.fromisoformat(d["due_at"]) == dt.datetime(2026, 12, 14, 9, 30, tzinfo=TZ), d
