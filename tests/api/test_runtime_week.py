"""A week of the shipped policy pack (policies/cn-default) at an accelerated clock, over HTTP, on
both backends: duty instances planned from the pack, done and missed patrols, the violations and
penalties a miss brings, an inspector's violations with a penalty ladder, an appeal, and monthly
statements. The server runs on a test clock (zhidu serve --test-clock) that the test moves; every
timer fires at its own due time on the way."""
import datetime as dt
import os

import yaml

import pytest

from zhidu_harness import ROOT, Actor, Server, all_items

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 7, 0, tzinfo=TZ)  # an ordinary working week (no 2026 holiday)


def iso(t):
    return t.isoformat()


def parse(s):
    return dt.datetime.fromisoformat(s)




def advance(admin, to):
    r = admin.post("/api/v1/test/clock", {"to": iso(to)})
    assert r.status == 200, r
    assert parse(r.json()["now"]) == to


@pytest.fixture
def week_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", iso(MONDAY)]).start()
    yield s
    s.kill()


def post_id(admin, name):
    for p in all_items(admin, "/api/v1/posts?limit=200"):
        if p["name"] == name:
            return p["id"]
    raise AssertionError(f"no post {name}")


def test_a_week_of_the_shipped_policy(week_server):
    server = week_server
    admin = Actor(server, "admin")
    op = Actor(server, "op1")          # 中控员 on 中控岗 (R12)
    chief = Actor(server, "guard_chief")  # 秩序维护主管: inspects, keeps the ledger
    head = Actor(server, "head")       # 部长: decides appeals
    cs = Actor(server, "cs1")
    op_person = op.me()["person_id"]
    cs_person = cs.me()["person_id"]
    assert op_person and cs_person

    # Planning ran at start: the report says which pack duties are planned for which demo posts.
    report = {e["duty"]: e for e in admin.get("/api/v1/duties:plan-report").json()["items"]}
    assert report["r12-video-patrol"]["planned"], report["r12-video-patrol"]
    assert report["r12-video-patrol"]["posts_matched"] == 1

    control = post_id(admin, "中控岗")
    assert op.post(f"/api/v1/posts/{control}/attendance").status == 201
    # Taking the post twice is refused, nothing written.
    assert op.post(f"/api/v1/posts/{control}/attendance").status == 409

    end = MONDAY.replace(hour=0) + dt.timedelta(days=7)  # next Monday 00:00
    skip = {MONDAY.replace(hour=10) + dt.timedelta(days=1),                # Tue 10:00
            MONDAY.replace(hour=15, minute=30) + dt.timedelta(days=3)}     # Thu 15:30
    daily_skip_day = 6  # Sunday: the daily system test is not done
    patrol_answers = answers_for("R12", "r12-video-patrol-log")
    t = MONDAY
    done_patrols = 0
    while t < end:
        advance(admin, t + dt.timedelta(minutes=1))
        due = op.get(f"/api/v1/duties?post_id={control}&state=due&limit=50").json()["items"]
        patrols = [d for d in due if d["duty"] == "r12-video-patrol"]
        assert len(patrols) == 1, (t, due)
        assert parse(patrols[0]["due_at"]) == t
        if t not in skip:
            r = op.post(f"/api/v1/duties/{patrols[0]['id']}/complete",
                        {"answers": patrol_answers})
            assert r.status == 200, r
            assert r.json()["state"] == "done"
            done_patrols += 1
        if t.hour == 9 and t.minute == 0 and (t - MONDAY.replace(hour=9)).days != daily_skip_day:
            tests = [d for d in due if d["duty"] == "r12-daily-system-test"]
            assert len(tests) == 1, due
            r = op.post(f"/api/v1/duties/{tests[0]['id']}/complete",
                        {"answers": {}})
            # The checklist of the daily test has required items: an empty form is refused and
            # names the first missing item; nothing is recorded.
            if r.status == 400:
                assert r.json()["error"]["field"].startswith("answers."), r
                answers = answers_for("R12", "r12-system-test")
                r = op.post(f"/api/v1/duties/{tests[0]['id']}/complete", {"answers": answers})
            assert r.status == 200, r
        t += dt.timedelta(minutes=15)
    advance(admin, end)  # the last windows close at Monday 00:00

    week = f"due_from={iso(MONDAY.replace(hour=0)).replace('+', '%2B')}&due_before={iso(end).replace('+', '%2B')}"
    instances = all_items(admin, f"/api/v1/duties?post_id={control}&{week}&limit=500")
    patrols = [d for d in instances if d["duty"] == "r12-video-patrol"]
    # Every 15 minutes (R12 §三(二)) from Monday 07:00, when the site started running on zhidu, to
    # Sunday 23:45: 68 on Monday and 96 on each of the other six days.
    assert len(patrols) == 68 + 6 * 96
    assert len({d["due_at"] for d in patrols}) == len(patrols)
    for d in patrols:
        assert parse(d["window_end"]) - parse(d["due_at"]) == dt.timedelta(minutes=15)
    # Each instance says what the pack says about it: title, clause, and the form to fill.
    one = op.get(f"/api/v1/duties/{patrols[0]['id']}").json()
    assert one["title"] == "每15分钟浏览视频" and one["clauses"] == ["R12 §三(二)"], one
    assert {i["id"] for i in one["form"]["items"]} == set(patrol_answers) | {
        i["id"] for i in one["form"]["items"] if not i["required"]}
    # Another site's operator reads none of this site's duties, by id or by list.
    other = admin.post("/api/v1/sites", {"name": "另一园区"})
    assert other.status == 201, other
    r = admin.post("/api/v1/accounts", {"username": "other_op", "password": "other-site-pass",
                                        "roles": [{"role": "中控员", "scope_kind": "site",
                                                   "scope_id": other.json()["id"]}]})
    assert r.status == 201, r
    stranger = server.client()
    assert stranger.login("other_op", "other-site-pass").status == 200
    assert stranger.get(f"/api/v1/duties/{patrols[0]['id']}").status == 403
    assert stranger.get(f"/api/v1/duties?post_id={control}").status == 403
    assert stranger.get("/api/v1/duties").status == 403
    missed = sorted(parse(d["due_at"]) for d in patrols if d["state"] == "missed")
    assert missed == sorted(skip)
    assert sum(d["state"] == "done" for d in patrols) == done_patrols == len(patrols) - 2
    daily = [d for d in instances if d["duty"] == "r12-daily-system-test"]
    assert len(daily) == 7
    assert [d["state"] for d in sorted(daily, key=lambda d: d["due_at"])] == ["done"] * 6 + ["missed"]

    # Each missed patrol is a violation of R12-PATROL-MISSED by the operator on the post, counted
    # over the person's record (the pack gives no look-back window).
    mine = all_items(op, "/api/v1/violations?code=R12-PATROL-MISSED")
    assert [v["person_id"] for v in mine] == [op_person, op_person]
    assert [v["occurrence"] for v in mine] == [1, 2]
    assert all(v["clauses"] == ["R12 §三(二)"] and v["source"] == "auto" for v in mine)
    assert sorted(parse(v["occurred_at"]) for v in mine) == sorted(
        s + dt.timedelta(minutes=15) for s in skip)
    assert all(v["consequence"]["note"] == "记录违规，按公司制度处理" for v in mine)
    # A missed daily test has no violation code in R12: alert only.
    assert not [v for v in mine if "daily" in v["subject"]]

    # An inspector records R18 §四2 (浪费水电) twice against a customer-service agent:
    # first a verbal warning, then 50 yuan (the regulation's ladder).
    site = cs.get(f"/api/v1/people?limit=200").json()
    site_id = next(p["site_id"] for p in site["items"] if p["id"] == cs_person)
    for day in (1, 2):
        r = chief.post("/api/v1/violations", {
            "site_id": site_id, "person_id": cs_person, "code": "R18-WASTE",
            "occurred_at": iso(MONDAY + dt.timedelta(days=day, hours=5)), "note": "休息室长明灯"})
        assert r.status == 201, r
    waste = all_items(chief, f"/api/v1/violations?site_id={site_id}&code=R18-WASTE&person_id={cs_person}")
    assert [(v["occurrence"], v["consequence"]["warning"], v["fine_yuan"]) for v in waste] == [
        (1, True, 0), (2, False, 50)]
    # An agent cannot record violations, nor read others'.
    assert cs.post("/api/v1/violations", {
        "site_id": site_id, "person_id": op_person, "code": "R18-WASTE",
        "occurred_at": iso(MONDAY)}).status == 403
    assert cs.get(f"/api/v1/violations/{mine[0]['id']}").status == 403
    # A clause the pack does not have is refused with the field named; nothing is recorded.
    r = chief.post("/api/v1/violations", {
        "site_id": site_id, "person_id": cs_person, "code": "R99-NOPE", "occurred_at": iso(MONDAY)})
    assert r.status == 400 and r.json()["error"]["field"] == "code", r

    # 申诉: the operator appeals the second missed patrol; the 部长 overturns it.
    r = op.post(f"/api/v1/violations/{mine[1]['id']}/appeal", {"appeal": "当时在处理火警，已在值班记录中登记"})
    assert r.status == 200 and r.json()["state"] == "appealed", r
    assert op.post(f"/api/v1/violations/{mine[1]['id']}/appeal", {"appeal": "again"}).status == 409
    assert op.post(f"/api/v1/violations/{mine[1]['id']}/decision", {"decision": "overturn"}).status == 403
    r = head.post(f"/api/v1/violations/{mine[1]['id']}/decision",
                  {"decision": "overturn", "note": "情况属实"})
    assert r.status == 200 and r.json()["state"] == "overturned", r

    # Monthly statements: the operator's December counts one violation; the agent's department
    # owes 50 yuan with one warning.
    st = op.get(f"/api/v1/ledger/statements?site_id={site_id}&month=2026-12&person_id={op_person}").json()
    assert st["counted"] == 1 and len(st["violations"]) == 2, st
    dept = next(p["department_id"] for p in site["items"] if p["id"] == cs_person)
    st = chief.get(f"/api/v1/ledger/statements?site_id={site_id}&month=2026-12&department_id={dept}").json()
    assert (st["counted"], st["warnings"], st["fine_yuan"]) == (2, 1, 50), st

    # Every duty missed at a post nobody was on (the other demo posts) is a violation against
    # nobody only where the pack names a violation code; the journal chain is intact.
    server.kill()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def answers_for(regulation, checklist_id):
    """Answers that fill a checklist's required items, read from the shipped pack."""
    with open(os.path.join(ROOT, "policies/cn-default", regulation + ".yaml"), encoding="utf-8") as f:
        pack = yaml.safe_load(f)
    forms = {c["id"]: c.get("items", []) for c in pack.get("checklists", [])}
    forms.update({r["id"]: r.get("fields", []) for r in pack.get("records", [])})
    items = forms[checklist_id]
    value = {"check": True, "signature": True, "pass_flag_fail": "pass", "text": "正常"}
    out = {}
    for item in items:
        kind = item.get("kind", "check")
        if kind == "number":
            out[item["id"]] = item.get("min", 0)
        elif kind in value:
            out[item["id"]] = value[kind]
    return out
