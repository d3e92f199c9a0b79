"""Discipline cases (纪律处分, R03 §二, R13 第三则) over HTTP against the real binary, on both backends:
a case through every step of R03's ladder on the test clock — education with a correction order
whose deadline is the site's parameter, 拒不整改 moving it to the report to the manager, public
criticism, the missed deadline moving it to company discipline by itself, 辞退 only under the
general manager's signed approval naming the case — and bad input refused with a stable reason and
nothing written; a violation against nobody assigned later; compensation in whole fen."""
import datetime as dt

import pytest

from zhidu_harness import Actor, Server, all_items, login, ok, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)


def iso(t):
    return t.isoformat()


def site_of(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def person(admin, name):
    for p in all_items(admin, "/api/v1/people?limit=200"):
        if p["name"] == name:
            return p["id"]
    raise AssertionError(name)


def journal(admin, prefix="discipline."):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"].startswith(prefix)]


def violation(client, site, person_id, code, at):
    body = {"site_id": site, "code": code, "occurred_at": iso(at)}
    if person_id:
        body["person_id"] = person_id
    return ok(client.post("/api/v1/violations", body), 201)


@pytest.fixture
def clock_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", iso(START)]).start()
    yield s
    s.kill()


def test_a_case_climbs_r03s_ladder_to_dismissal(clock_server):
    server = clock_server
    setup = server.admin()
    site = site_of(setup)
    agent = person(setup, "演示·吴客服")
    ok(setup.request("PUT", f"/api/v1/sites/{site}/parameters/r03_correction_within",
                     body={"value": "3d"}))
    # Sessions follow the test clock: these sign in again after it moves.
    admin = Actor(server, "admin")
    manager = Actor(server, "cs_manager")  # 客服经理: above R03's 管理人员 (reports_to)
    v = violation(manager, site, agent, "R03-CONDUCT", START - dt.timedelta(hours=1))
    assert v["consequence"]["discipline"] == "educate"

    c = ok(manager.post("/api/v1/discipline-cases",
                        {"site_id": site, "person_id": agent, "violation_ids": [v["id"]],
                         "note": "工作时间未着工装"}), 201)
    assert (c["step"], c["state"], c["ladder"]) == ("educate", "correcting", "r03-progressive")
    assert c["step_title"] == "教育并要求整改" and c["clauses"] == ["R03 §二"]
    assert dt.datetime.fromisoformat(c["correction_due"]) == START + dt.timedelta(days=3)
    assert c["on_refusal"]["id"] == "report-manager"
    assert [s["id"] for s in c["next_steps"]] == ["report-manager"]
    assert c["viewer_may_act"] is True
    path = f"/api/v1/discipline-cases/{c['id']}"

    # The agent sees their own case, cannot act on it.
    cs1 = login(server, "cs1")
    mine = ok(cs1.get(path))
    assert mine["viewer_may_act"] is False
    assert cs1.post(f"{path}/correction", {"outcome": "refused"}).status == 403
    assert [i["id"] for i in all_items(cs1, f"/api/v1/discipline-cases?site_id={site}")] == [c["id"]]

    # 拒不整改: the report to the manager follows by itself.
    c = ok(manager.post(f"{path}/correction", {"outcome": "refused", "note": "拒绝整改"}))
    assert (c["step"], c["state"]) == ("report-manager", "open")
    assert [e["kind"] for e in c["events"]] == ["opened", "refused", "step"]
    c = ok(manager.post(f"{path}/steps", {"step": "public-criticism", "note": "区内通报批评"}))
    assert c["state"] == "correcting"
    due = dt.datetime.fromisoformat(c["correction_due"])

    # The deadline passes with nothing recorded: the scheduler moves the case on.
    ok(admin.post("/api/v1/test/clock", {"to": iso(due + dt.timedelta(minutes=1))}))
    c = ok(manager.get(path))
    assert (c["step"], c["state"]) == ("company-discipline", "open")
    missed, moved = c["events"][-2:]
    assert missed["kind"] == "missed" and missed["actor"] is None
    assert moved["kind"] == "step" and moved["step"] == "company-discipline"
    assert [s["id"] for s in c["next_steps"]] == ["dismissal"]
    assert c["next_steps"][0]["approval"] == "r03-dismissal"

    # 辞退: the general manager approves a request naming the case, with a signature.
    refused(manager.post(f"{path}/steps", {"step": "dismissal"}), 409,
            "discipline.approval_required", "request_id")
    req = ok(manager.post("/api/v1/requests", {"site_id": site, "type": "r03-dismissal",
                                               "inputs": {"case.id": c["id"]},
                                               "reason": "拒不整改，情节严重"}), 201)
    refused(manager.post(f"{path}/steps", {"step": "dismissal", "request_id": req["id"]}), 409,
            "discipline.not_approved")
    # The demo's 总经理 (R14 §1.1.2) signs the approval with the password.
    gm = login(server, "general_mgr")
    ok(gm.post(f"/api/v1/requests/{req['id']}/decisions",
               {"approve": True, "password": server.credentials()["general_mgr"][0],
                "note": "同意辞退"}), 201)
    c = ok(manager.post(f"{path}/steps", {"step": "dismissal", "request_id": req["id"],
                                          "note": "依总经理批准辞退"}))
    assert (c["step"], c["state"], c["outcome"], c["open"]) == ("dismissal", "closed", "ended", False)
    assert c["events"][-1]["request_id"] == req["id"]

    # Closed is final.
    refused(manager.post(f"{path}/close", {}), 409, "discipline.case_closed")
    refused(manager.post(f"{path}/steps", {"step": "dismissal", "request_id": req["id"]}), 409,
            "discipline.case_closed")

    records = journal(admin)
    assert [r["kind"] for r in records] == [
        "discipline.case.opened", "discipline.case.refused", "discipline.case.step",
        "discipline.case.step", "discipline.case.missed", "discipline.case.step",
        "discipline.case.step"]
    for r in records:
        assert r["payload"]["clauses"] == ["R03 §二"], r
        assert r["payload"]["site_id"] == site and r["payload"]["person_id"] == agent
    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_bad_input_gets_a_stable_reason_and_writes_nothing(server, admin):
    site = site_of(admin)
    agent = person(admin, "演示·吴客服")
    manager = login(server, "cs_manager")
    now = dt.datetime.now(TZ)
    conduct = violation(manager, site, agent, "R03-CONDUCT", now - dt.timedelta(hours=2))
    damage = violation(manager, site, agent, "R18-MALICIOUS-DAMAGE", now - dt.timedelta(hours=1))
    cases = "/api/v1/discipline-cases"

    # R03 gives no period and the site has not set one: the taker gives the deadline.
    body = {"site_id": site, "person_id": agent, "violation_ids": [conduct["id"], damage["id"]]}
    refused(manager.post(cases, body), 400, "discipline.deadline_required", "correct_by")
    refused(manager.post(cases, dict(body, person_id=999999)), 400, "discipline.unknown_person",
            "person_id")
    refused(manager.post(cases, dict(body, violation_ids=[999999])), 400,
            "discipline.unknown_violation", "violation_ids")
    refused(manager.post(cases, dict(body, violation_ids=[])), 400, "required", "violation_ids")
    refused(manager.post(cases, dict(body, correct_by="明天")), 400, "invalid", "correct_by")
    assert manager.post(cases, dict(body, colour="红")).status == 400
    assert journal(admin) == []

    c = ok(manager.post(cases, dict(body, correct_by=iso(now + dt.timedelta(days=2)))), 201)
    path = f"{cases}/{c['id']}"
    refused(manager.post(cases, dict(body, correct_by=iso(now + dt.timedelta(days=2)))), 409,
            "discipline.violation_in_case", "violation_ids")
    # A step out of order, a step the ladder does not have.
    for step in ["public-criticism", "company-discipline", "dismissal"]:
        refused(manager.post(f"{path}/steps", {"step": step}), 409,
                "discipline.step_out_of_order", "step")
    refused(manager.post(f"{path}/steps", {"step": "罚站"}), 400, "discipline.unknown_step", "step")
    refused(manager.post(f"{path}/close", {}), 409, "discipline.correction_outstanding")
    assert manager.post(f"{path}/correction", {"outcome": "maybe"}).status == 400

    # Money is whole fen, more than nothing; only where the penalty says 照价赔偿, once.
    comp = f"{path}/compensations"
    for amount in [12.5, "1250", True, 1e3]:
        refused(manager.post(comp, {"violation_id": damage["id"], "amount_fen": amount}), 400,
                "discipline.amount_not_integer", "amount_fen")
    for amount in [0, -100]:
        refused(manager.post(comp, {"violation_id": damage["id"], "amount_fen": amount}), 400,
                "discipline.amount_not_positive", "amount_fen")
    refused(manager.post(comp, {"violation_id": conduct["id"], "amount_fen": 500}), 409,
            "discipline.no_compensation", "violation_id")
    assert manager.get(f"{cases}/999999").status == 404
    assert manager.post(f"{cases}/999999/close", {}).status == 404
    assert [r["kind"] for r in journal(admin)] == ["discipline.case.opened"]

    paid = ok(manager.post(comp, {"violation_id": damage["id"], "amount_fen": 12345,
                                  "note": "座椅维修费"}), 201)
    assert paid["compensation_fen"] == 12345
    assert paid["compensations"][0]["amount_fen"] == 12345
    refused(manager.post(comp, {"violation_id": damage["id"], "amount_fen": 100}), 409,
            "discipline.compensation_recorded", "violation_id")

    ok(manager.post(f"{path}/correction", {"outcome": "corrected", "note": "已整改"}))
    refused(manager.post(f"{path}/correction", {"outcome": "corrected"}), 409,
            "discipline.no_correction")
    closed = ok(manager.post(f"{path}/close", {"note": "整改完毕"}))
    assert closed["outcome"] == "resolved"
    refused(manager.post(f"{path}/close", {}), 409, "discipline.case_closed")
    assert [r["kind"] for r in journal(admin)] == [
        "discipline.case.opened", "discipline.case.compensation", "discipline.case.corrected",
        "discipline.case.closed"]


def test_a_violation_against_nobody_is_assigned_then_cased(server, admin):
    site = site_of(admin)
    agent = person(admin, "演示·吴客服")
    manager = login(server, "cs_manager")
    now = dt.datetime.now(TZ)
    violation(manager, site, agent, "R03-CONDUCT", now - dt.timedelta(days=2))
    nobody = violation(manager, site, None, "R03-CONDUCT", now - dt.timedelta(hours=3))
    assert nobody["person_id"] is None and nobody["occurrence"] == 1
    body = {"site_id": site, "person_id": agent, "violation_ids": [nobody["id"]]}
    refused(manager.post("/api/v1/discipline-cases", body), 409, "discipline.violation_unassigned",
            "violation_ids")
    assign = f"/api/v1/violations/{nobody['id']}/assign"
    assert login(server, "cs1").post(assign, {"person_id": agent}).status == 403
    refused(manager.post(assign, {"person_id": 999999}), 400, "invalid", "person_id")
    assert manager.post(assign, {}).status == 400
    assigned = ok(manager.post(assign, {"person_id": agent, "note": "监控回放确认"}))
    assert assigned["person_id"] == agent
    assert assigned["occurrence"] == 2  # counted from the agent's history once known
    assert assigned["consequence"]["discipline"] == "report-manager"
    refused(manager.post(assign, {"person_id": agent}), 409, "violation.already_assigned")
    rec = journal(admin, "violation.assigned")
    assert len(rec) == 1 and rec[0]["payload"]["previous_consequence"]["occurrence"] == 1
    c = ok(manager.post("/api/v1/discipline-cases", body), 201)
    assert (c["step"], c["state"]) == ("report-manager", "open")
    assert ok(admin.get(f"/api/v1/violations/{nobody['id']}"))["person_id"] == agent


def test_the_routes_are_documented(server):
    doc = server.client().get("/api/v1/openapi.json").json()
    for path in ["/api/v1/discipline-cases", "/api/v1/discipline-cases/{id}",
                 "/api/v1/discipline-cases/{id}/steps", "/api/v1/discipline-cases/{id}/correction",
                 "/api/v1/discipline-cases/{id}/compensations",
                 "/api/v1/discipline-cases/{id}/close", "/api/v1/discipline-ladders",
                 "/api/v1/violations/{id}/assign"]:
        assert path in doc["paths"], path
