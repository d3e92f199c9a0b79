"""Abnormal, not invalid (docs/runtime.md "Completion"): a number outside its item's normal range
(min/max) is accepted and marked abnormal — journaled duty.flagged and followed up by the duty's
follow_up (a violation, a site event that starts a procedure, or a repair) — while only the hard
limit (`limit:`) refuses an answer. R07 §一6 烟头数量不得超过两个以上 (20元/次) on the shipped pack; a
site's own pressure check starting R20's equipment-fault procedure. Both backends, test clock."""
import datetime as dt
import time

import pytest

from test_procedures import journal, site_id
from test_runtime_week import post_id
from zhidu_harness import Actor, all_items, clock_server, pack_with_file

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)

# A site's own check (its figure is the site's, not a regulation's): a pressure below the normal
# range is a fault of the fire equipment, which R20 §三2 handles (r20-equipment-fault).
SITE_RULES = """regulation: R20
checklists:
  - id: site-pressure
    title: 管网压力巡查
    kind: inspection
    clause: "R20 §三1"
    items:
      - {id: pressure, label: 管网压力, kind: number, min: 0.2, unit: MPa, limit: {min: 0, max: 10}}
duties:
  - id: site-pressure-round
    title: 每天管网压力巡查
    clause: "R20 §三1"
    post: 消防控制室值班岗
    schedule: {times: 1, per: day}
    checklist: site-pressure
    follow_up: {kind: event, event: fire_equipment_fault, clause: "R20 §三2"}
"""


@pytest.fixture
def srv(require_backend, tmp_path):
    pack = pack_with_file(tmp_path, "S20.yaml", SITE_RULES)
    s = clock_server(require_backend, START, pack)
    yield s
    s.kill()


def due_instance(admin, post, duty):
    """The open instance of `duty`; its due timer fires just after the server starts (bounded wait)."""
    for _ in range(100):
        rows = [d for d in all_items(admin, f"/api/v1/duties?post_id={post}&limit=500")
                if d["duty"] == duty and d["state"] in ("due", "in_progress")]
        if rows:
            return rows[0]["id"]
        time.sleep(0.1)
    raise AssertionError(f"no open {duty}")


def violations(admin, code):
    return [v for v in all_items(admin, "/api/v1/violations?limit=200") if v["code"] == code]


def test_too_many_butts_is_a_lapse_not_a_bad_answer(srv):
    admin = Actor(srv, "admin")  # duty.manage: completes for the (unstaffed) lounge post
    lounge = post_id(admin, "客户休息室岗")
    ashtrays = due_instance(admin, lounge, "r07-ashtrays")

    # A count below zero cannot be entered: the hard limit refuses, nothing is written.
    r = admin.post(f"/api/v1/duties/{ashtrays}/complete", {"answers": {"butts": -1, "washed": True}})
    assert r.status == 400 and r.json()["error"]["field"] == "answers.butts", r
    assert admin.get(f"/api/v1/duties/{ashtrays}").json()["completions"] == 0

    # Two is within R07 §一6: no lapse.
    r = admin.post(f"/api/v1/duties/{ashtrays}/complete", {"answers": {"butts": 2, "washed": True}})
    assert r.status == 200, r
    assert violations(admin, "R07-HYGIENE") == []

    # Three is accepted and abnormal: flagged, and the lapse is charged to the post (nobody is on
    # it, so against nobody, saying so).
    r = admin.post(f"/api/v1/duties/{ashtrays}/complete", {"answers": {"butts": 3, "washed": True}})
    assert r.status == 200, r
    lapses = violations(admin, "R07-HYGIENE")
    assert len(lapses) == 1, lapses
    assert lapses[0]["person_id"] is None and "岗位无人在岗" in lapses[0]["note"], lapses[0]
    assert "R07 §一6" in lapses[0]["clauses"], lapses[0]
    flagged = [j for j in journal(admin, "duty.flagged") if j["payload"]["id"] == ashtrays]
    assert flagged and "烟灰缸内烟头数 3（正常 ≤ 2）" in flagged[0]["payload"]["items"], flagged


def test_a_low_pressure_starts_the_equipment_fault_procedure(srv):
    admin = Actor(srv, "admin")
    site = site_id(admin)
    fire = post_id(admin, "消防控制室值班岗")
    check = due_instance(admin, fire, "site-pressure-round")

    r = admin.post(f"/api/v1/duties/{check}/complete", {"answers": {"pressure": 11}})
    assert r.status == 400 and r.json()["error"]["field"] == "answers.pressure", r
    before = [p for p in all_items(admin, "/api/v1/procedures?limit=200")
              if p["procedure"] == "r20-equipment-fault"]
    r = admin.post(f"/api/v1/duties/{check}/complete", {"answers": {"pressure": 0.1}})
    assert r.status == 200, r
    after = [p for p in all_items(admin, "/api/v1/procedures?limit=200")
             if p["procedure"] == "r20-equipment-fault"]
    assert len(after) == len(before) + 1, after
    started = [p for p in after if p["id"] not in {b["id"] for b in before}][0]
    assert started["site_id"] == site and "管网压力" in started["subject"], started
    events = [j for j in journal(admin, "site.event") if j["payload"].get("event") == "fire_equipment_fault"]
    assert events and events[-1]["payload"]["ref"].startswith(f"duty/{check}/pressure"), events
