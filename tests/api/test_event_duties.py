"""Duties that fall due when someone reports an event (docs/runtime.md "Event duties"): every
event the pack declares for people to report (GET /api/v1/policy/events) that starts a duty is
raised at the demo site, and each duty it names must fall due on every post of that name at the
site — due at once, its window the event's `deadline`, citing its clause, naming its post. These
are the pack's 定期 duties without a period (R01 §七 最后离开, R06 §四(一)3 办公室卫生,
R06 §四(一)11 and R10's and R14's reports, R10/R19 training plans, R15 第十七条 plants …): nothing
plans them ahead, so unless a test raises their events they never run. The events that start a
procedure (R14's 接待客户 and 自己无法解决的问题 …) start it; a post the demo company lacks (R01's and
R18's 休息室值日, R14's 客服管理岗) gets its duties once a site opens it. One server per backend for the
module."""
import datetime as dt
import glob
import os

import pytest
import yaml

from zhidu_harness import ROOT, Actor, all_items, backend_server, ok


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request):
    s = backend_server(request.param)
    yield s
    s.kill()


def pack_rules(kind):
    """The shipped pack's rules of `kind` (duties, procedures) by id (the demo runs it), as written."""
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "policies/cn-default", "R*.yaml"))):
        with open(path, encoding="utf-8") as f:
            for d in (yaml.safe_load(f) or {}).get(kind) or []:
                out[d["id"]] = d
    return out


def pack_duties():
    return pack_rules("duties")


def cited(rule):
    return rule["clause"] if isinstance(rule["clause"], list) else [rule["clause"]]


def test_every_reported_event_makes_its_duties_fall_due_on_their_posts(server, admin):
    posts = {}  # (site, post name) -> post ids
    for p in all_items(admin, "/api/v1/posts?limit=200"):
        posts.setdefault((p["site_id"], p["name"]), []).append(p["id"])
    sites = sorted({site for site, _ in posts})
    duties = pack_duties()
    fell_due = set()
    for event in admin.get("/api/v1/policy/events").json()["items"]:
        named = [s["id"] for s in event["starts"] if s["kind"] == "duty"]
        for site in sites if named else []:
            # Each duty on every post of its name at the site (none of the demo's is 不设岗).
            want = sorted((d, post) for d in named for post in posts.get((site, duties[d]["post"]), []))
            r = admin.post(f"/api/v1/sites/{site}/events", {"event": event["id"], "ref": f"test/{event['id']}",
                                                            "data": {"deadline": "2h"}})
            assert r.status == 201, (event["id"], r)
            started = [admin.get(f"/api/v1/duties/{i}").json() for i in r.json()["duties_started"]]
            assert sorted((d["duty"], d["post_id"]) for d in started) == want, (event["id"], started)
            for d in started:
                assert d["clauses"] == cited(duties[d["duty"]]), d
                assert d["state"] in ("due", "scheduled"), d
                due = dt.datetime.fromisoformat(d["due_at"])
                assert dt.datetime.fromisoformat(d["window_end"]) - due == dt.timedelta(hours=2), d
                fell_due.add(d["duty"])
    # The demo company has a post for these (not R01's 休息室值日, R14's 客服管理岗 or R16's 厂区中控岗).
    assert {"r04-periodic-inspection", "r06-satisfaction-survey", "r06-sales-report", "r10-reports",
            "r06-office-cleaning", "r06-requirement-feedback", "r10-training-plan",
            "r19-training-plan", "r15-plants", "r19-roster"} <= fell_due, fell_due


def test_every_reported_event_starts_its_procedures(server, admin):
    """Each event that starts a procedure starts it once, in its initial state, citing its clauses;
    R14 §1.2.9's grading is written as the 客户分等级记录 and reported, R14 §1.2.4's question goes to
    the 客服主管, who takes one that is not ordinary to the 总经理 (R14 §1.1.3), and is answered."""
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    procedures = pack_rules("procedures")
    started = {}
    for event in admin.get("/api/v1/policy/events").json()["items"]:
        named = sorted(s["id"] for s in event["starts"] if s["kind"] == "procedure")
        if not named:
            continue
        r = ok(admin.post(f"/api/v1/sites/{site}/events", {"event": event["id"], "ref": f"test/{event['id']}"}), 201)
        got = [ok(admin.get(f"/api/v1/procedures/{i}")) for i in r["procedures_started"]]
        assert sorted(p["procedure"] for p in got) == named, (event["id"], got)
        for p in got:
            rule = procedures[p["procedure"]]
            assert p["clauses"] == cited(rule) and p["state"] == rule["initial"] and p["open"], p
            started[p["procedure"]] = p
    assert {"r14-customer-grading", "r14-escalation"} <= set(started), sorted(started)
    grading = started["r14-customer-grading"]
    step = next(t for t in grading["tasks"] if t["task"] == "record:r14-customer-grade")
    path = f"/api/v1/procedures/{grading['id']}"
    r = admin.post(f"{path}/tasks/{step['id']}/done", {"answers": {"customer": "张先生"}})
    assert r.status == 400 and r.json()["error"]["field"] == "answers.grade", r
    ok(admin.post(f"{path}/tasks/{step['id']}/done", {"answers": {"customer": "张先生", "grade": "优质客户"}}))
    ok(admin.post(f"{path}/events", {"event": "report"}))
    grading = ok(admin.get(path))
    assert grading["state"] == "reported" and not grading["open"], grading
    assert [(t["task"], t["done"], t["answers"]) for t in grading["tasks"]] == [
        ("record:r14-customer-grade", True, {"customer": "张先生", "grade": "优质客户"}),
        ("notify:客服主管", True, None)], grading["tasks"]
    escalation = started["r14-escalation"]
    assert [(t["task"], t["role"]) for t in escalation["tasks"]] == [("协助解答", "客服主管")], escalation
    # R14 §1.1.3: a question that is not an ordinary one goes on to the 总经理 — the supervisor's call.
    path = f"/api/v1/procedures/{escalation['id']}"
    r = Actor(server, "cs1").post(f"{path}/events", {"event": "not_ordinary"})
    assert r.status == 403, r
    lead = Actor(server, "cs_lead")
    ok(lead.post(f"{path}/events", {"event": "not_ordinary"}))
    escalation = ok(admin.get(path))
    assert escalation["state"] == "reported" and escalation["state_clauses"] == ["R14 §1.1.3"], escalation
    assert ("notify:总经理", True) in [(t["task"], t["done"]) for t in escalation["tasks"]], escalation
    ok(lead.post(f"{path}/events", {"event": "answered"}))
    assert ok(admin.get(path))["state"] == "answered"


def test_a_site_that_opens_the_rest_room_rota_post_gets_r01_s_duties(server, admin):
    """R01 §一 每天打扫 and §七 最后一个人走后关灯 are the post 休息室值日's (R04 §二1 排出值日表); the
    demo company has no such post, so nothing runs them until a site opens one: then the planner
    plans the day's cleaning on it, and 最后一人离开 makes the check of that rest room's regulation fall
    due there (R01 §七 for the 员工休息室, R18 §三7/§三8 for the lab's)."""
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    post = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "休息室值日"}), 201)["id"]
    ok(admin.post("/api/v1/duties:plan", {}))
    cleaning = [d for d in all_items(admin, f"/api/v1/duties?site_id={site}&post_id={post}&limit=200")
                if d["duty"] == "r01-daily-cleaning"]
    assert cleaning and all(d["clauses"] == ["R01 §一"] and d["post_id"] == post for d in cleaning), cleaning
    days = sorted(dt.datetime.fromisoformat(d["due_at"]).date() for d in cleaning)
    assert len(set(days)) == len(days) and days[-1] - days[0] <= dt.timedelta(days=2), days
    today = min(cleaning, key=lambda d: d["due_at"])  # the day under way: open now
    ok(admin.post(f"/api/v1/duties/{today['id']}/complete", {"answers": {"cleaned": True}}))
    assert ok(admin.get(f"/api/v1/duties/{today['id']}"))["state"] == "done"
    # 最后一人离开 of which rest room: R01's 员工休息室 starts R01's check, R18's 实验室休息室 R18's.
    fell = {}
    for place, want in (("员工休息室", "r01-last-out"), ("实验室休息室", "r18-leaving")):
        r = ok(admin.post(f"/api/v1/sites/{site}/events", {"event": "last_person_leaves", "ref": f"test/{place}",
                                                          "data": {"deadline": "30m", "place": place}}), 201)
        got = [ok(admin.get(f"/api/v1/duties/{i}")) for i in r["duties_started"]]
        assert [(d["duty"], d["post_id"]) for d in got] == [(want, post)], (place, got)
        fell[want] = got[0]
    last = fell["r01-last-out"]
    assert last["clauses"] == ["R01 §七"] and last["state"] in ("due", "scheduled"), last
    path = f"/api/v1/duties/{last['id']}/complete"
    r = admin.post(path, {"answers": {"lights": True}})
    assert r.status == 400 and r.json()["error"]["field"] == "answers.appliances", r
    ok(admin.post(path, {"answers": {"lights": True, "appliances": True}}))
    assert ok(admin.get(f"/api/v1/duties/{last['id']}"))["state"] == "done"


def test_a_site_that_opens_the_cs_management_post_gets_r14_s_reports(server, admin):
    """R14 §1.1.1 每日统计 and §1.1.3 定期汇报 are the 客服管理岗's (R14 §1.1 客服管理人员), a post the demo
    company does not have: once a site opens it, the day's statistics are planned on it and 报表到期
    makes its report fall due beside R06's and R10's."""
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    post = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "客服管理岗"}), 201)["id"]
    ok(admin.post("/api/v1/duties:plan", {}))
    stats = all_items(admin, f"/api/v1/duties?site_id={site}&post_id={post}&limit=200")
    assert stats and {(d["duty"], d["form"]["id"]) for d in stats} == {("r14-daily-stats", "r14-daily-stats")}, stats
    r = ok(admin.post(f"/api/v1/sites/{site}/events", {"event": "report_due", "ref": "test/r14",
                                                      "data": {"deadline": "1d"}}), 201)
    fell = [ok(admin.get(f"/api/v1/duties/{i}")) for i in r["duties_started"]]
    assert sorted(d["duty"] for d in fell) == ["r06-sales-report", "r10-reports", "r14-periodic-report"], fell
    report = next(d for d in fell if d["duty"] == "r14-periodic-report")
    assert report["post_id"] == post and report["clauses"] == ["R14 §1.1.3"], report


def test_the_requirement_sheet_is_written_by_its_feedback_duty(server, admin):
    """R06 §四(二)3 定期将客户需求表反馈: the duty's form is the 客户需求表, so completing the duty is what
    writes it — by the agent on the 客服岗, the sheet's 客户需求汇总 required."""
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    post = next(p["id"] for p in all_items(admin, "/api/v1/posts?limit=200")
                if p["site_id"] == site and p["name"] == "客服岗")
    agent = Actor(server, "cs1")
    ok(agent.post(f"/api/v1/posts/{post}/attendance"), 201)
    r = ok(admin.post(f"/api/v1/sites/{site}/events", {"event": "feedback_due", "ref": "test/r06-sheet",
                                                      "data": {"deadline": "1h"}}), 201)
    duty = ok(admin.get(f"/api/v1/duties/{r['duties_started'][0]}"))
    assert duty["duty"] == "r06-requirement-feedback" and duty["form"]["id"] == "r06-requirement-sheet", duty
    path = f"/api/v1/duties/{duty['id']}/complete"
    r = agent.post(path, {"answers": {}})
    assert r.status == 400 and r.json()["error"]["field"] == "answers.needs", r
    ok(agent.post(path, {"answers": {"needs": "希望增加夜间配送"}}))
    done = ok(admin.get(f"/api/v1/duties/{duty['id']}"))
    assert done["state"] == "done" and done["answers"] == {"needs": "希望增加夜间配送"}, done
    assert done["completed_person"] == agent.me()["person_id"], done
