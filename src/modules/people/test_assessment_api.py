"""Assessment runs and performance pay (issue 20 §1, §2) over HTTP against the real binary, on both
backends. On the test clock, a site's own scheme for the fire operators (a file of the pack, as a
company writes its own) counts the people module's attendance findings, the ledger's violations,
a duty the operator did and one whose miss was charged to them, and a manager's score (an absence
overturned on appeal is not counted): the run is refused while a weight is unset, a manager's score outside the site's
scale is refused with nothing written, and every score is recomputed by the test from the source
records the run names; pay is the scheme's formula over the score and the amounts entered in whole
fen, recomputed by the test; the month is closed (journaled), closing twice and any input after the
close are refused, and only an approved re-open request of the pack's type re-opens it. cn-default's
R06 scheme, whose shipments no record holds, is refused naming its indicators."""
import datetime as dt
import http.client
import io
import os
import urllib.parse
import zipfile

import pytest

from zhidu_harness import Actor, Server, all_items, login, ok, pack_with_file, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
NIGHT = dt.datetime(2026, 12, 8, 0, 0, tzinfo=TZ)  # the early shift, 00:00-08:00
PERIOD = "2026-12"
POST = "消防控制室值班岗"
SCHEME = "site-fire-month"

# A site's own scheme (the figures 100 and the formula are this test's, not a regulation's).
SITE_RULES = """regulation: R15
assessments:
  - id: site-fire-month
    title: 消防值班员月度考核（本单位）
    clause: "R15 第三条"
    subjects: [消防控制室值班员]
    indicators:
      - {id: late, title: 迟到次数, weight: {param: site_w_late}, source: roster.late}
      - {id: absent, title: 缺勤次数, weight: {param: site_w_absent}, source: roster.absent}
      - {id: breaches, title: 违规次数, weight: {param: site_w_breaches}, source: violations}
      - {id: conduct, title: 工作态度, weight: {param: site_w_conduct}, source: manager}
      - {id: missed, title: 未完成任务, weight: 0.5, source: duties.missed}
      - {id: done, title: 完成任务, weight: 0.1, source: duties.done}
    formula: |
      100 - w.late * late - w.absent * absent - w.breaches * breaches + w.conduct * conduct
        - w.missed * missed + w.done * done
    inputs: {base_pay: number, performance_pay: number}
    pay: "base_pay + performance_pay * score / 100"
    reopen: r11-month-reopen
"""
# And a duty of the site's whose miss is charged to whoever held the post (for duties.missed).
SITE_DUTY = """regulation: R20
duties:
  - id: site-fire-shift-check
    title: 交班前核对消防控制室值班记录（本单位）
    clause: "R20 §三9"
    post: 消防控制室值班岗
    schedule: {on: shift_end}
    on_miss: {violation: R13-DISCIPLINE}
"""
WEIGHTS = {"site_w_late": 0.5, "site_w_absent": 1, "site_w_breaches": 0.25, "site_w_conduct": 0.2}


def q(t):
    return urllib.parse.quote(t.isoformat())


def advance(admin, to):
    ok(admin.post("/api/v1/test/clock", {"to": to.isoformat()}))


def param(admin, site, name, value):
    ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/{name}", {"value": value}))


def journal(admin, prefix="assessment."):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"].startswith(prefix)]


def in_period(t):
    return "2026-12-01T00:00:00+08:00" <= t < "2027-01-01T00:00:00+08:00"


@pytest.fixture
def site_server(require_backend, tmp_path):
    pack = pack_with_file(tmp_path, "S11.yaml", SITE_RULES)
    with open(os.path.join(pack, "S20.yaml"), "w", encoding="utf-8") as f:
        f.write(SITE_DUTY)
    s = Server(require_backend, extra=["--test-clock", START.isoformat(), "--policies", pack]).start()
    yield s
    s.kill()


def test_a_month_scored_paid_closed_and_reopened(site_server):
    server = site_server
    admin = Actor(server, "admin")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    post = next(p["id"] for p in all_items(admin, f"/api/v1/posts?site_id={site}") if p["name"] == POST)
    shifts = ok(admin.get(f"/api/v1/shifts?site_id={site}&from={q(NIGHT)}&to={q(NIGHT + dt.timedelta(hours=1))}"))
    on_shift = [s for s in shifts["items"] if s["post_id"] == post and s["starts_at"] == NIGHT.isoformat()]
    assert len(on_shift) == 2, on_shift
    accounts = {}
    for user in server.credentials():
        me = Actor(server, user).me()
        if me.get("person_id"):
            accounts[me["person_id"]] = user
    late_person, absent_person = on_shift[0]["person_id"], on_shift[1]["person_id"]

    # A month of attendance: one operator takes the post 12 minutes late, the other never comes;
    # both charged under the site's codes (the people module's findings, in the ledger).
    for name, value in [("attendance_late_after", "5m"), ("attendance_late_code", "R15-LATE"),
                        ("attendance_absent_code", "R13-DISCIPLINE")]:
        param(admin, site, name, value)
    advance(admin, NIGHT + dt.timedelta(minutes=12))
    operator = Actor(server, accounts[late_person])
    ok(operator.post(f"/api/v1/posts/{post}/attendance"), 201)
    # On the post, the operator does the shift's 手电筒、对讲机充电 (duties.done) but not the site's
    # check, whose miss at the shift's end is charged to them (duties.missed).
    charging = [d for d in all_items(admin, f"/api/v1/duties?site_id={site}&post_id={post}&duty=r20-charging")
                if d["due_at"] == NIGHT.isoformat()]
    assert len(charging) == 1, charging
    ok(operator.post(f"/api/v1/duties/{charging[0]['id']}/complete", {}))
    advance(admin, NIGHT + dt.timedelta(hours=8, minutes=6))
    # And an inspector's violation against the late operator.
    ok(admin.post("/api/v1/violations", {"site_id": site, "person_id": late_person, "code": "R03-CONDUCT",
                                         "occurred_at": (NIGHT + dt.timedelta(hours=2)).isoformat()}), 201)

    # One absence is overturned on appeal (the absentee appeals, the 总经理 decides): a finding
    # whose violation is overturned no longer counts in the run.
    excused = next(f for f in all_items(admin, f"/api/v1/attendance-findings?site_id={site}&person_id={absent_person}")
                   if f["kind"] == "absent" and f["violation_id"])
    absentee = Actor(server, accounts[absent_person])
    ok(absentee.post(f"/api/v1/violations/{excused['violation_id']}/appeal", {"appeal": "当班在泵房处理故障"}))
    gm = login(server, "general_mgr")
    ok(gm.post(f"/api/v1/violations/{excused['violation_id']}/decision",
               {"decision": "overturn", "note": "监控确认在岗"}))

    run_body = {"site_id": site, "assessment": SCHEME, "period": PERIOD}
    # Weights are the site's (no defaults): a run names the unset ones and writes nothing.
    e = refused(admin.post("/api/v1/assessment-runs", run_body), 409, "assessment.weight_unset")
    assert all(name in e["message"] for name in WEIGHTS), e
    assert ok(admin.get(f"/api/v1/assessment-runs?site_id={site}"))["items"] == []
    for name, value in WEIGHTS.items():
        param(admin, site, name, str(value))

    # A manager's score: refused until the site sets its scale, then checked against it.
    score_body = {"site_id": site, "assessment": SCHEME, "period": PERIOD, "person_id": late_person,
                  "indicator": "conduct", "score": 80, "comment": "态度认真"}
    refused(admin.post("/api/v1/assessment-manager-scores", score_body), 409, "assessment.scale_unset")
    param(admin, site, "assessment_manager_scale", "0,100")
    refused(admin.post("/api/v1/assessment-manager-scores", {**score_body, "score": 120}), 400,
            "assessment.score_out_of_scale", "score")
    refused(admin.post("/api/v1/assessment-manager-scores", {**score_body, "score": -1}), 400,
            "assessment.score_out_of_scale", "score")
    refused(admin.post("/api/v1/assessment-manager-scores", {**score_body, "score": "80"}), 400,
            "invalid", "score")
    refused(admin.post("/api/v1/assessment-manager-scores", {**score_body, "indicator": "late"}), 400,
            "assessment.not_manager_scored", "indicator")
    assert journal(admin) == []  # nothing written by the refusals
    ok(admin.post("/api/v1/assessment-manager-scores", score_body), 201)
    # Only the scheme's own: a subject of it (the lounge's concierge is not).
    concierge = next(p for p, u in accounts.items() if u == "concierge")
    refused(admin.post("/api/v1/assessment-manager-scores", {**score_body, "person_id": concierge}), 400,
            "assessment.not_subject", "person_id")

    run = ok(admin.post("/api/v1/assessment-runs", run_body), 201)
    assert (run["assessment"], run["period"], run["clauses"]) == (SCHEME, PERIOD, ["R15 第三条"])
    scores = {s["person_id"]: s for s in run["scores"]}
    assert late_person in scores and absent_person in scores
    assert concierge not in scores  # subjects are the scheme's role holders only

    # The test recomputes each indicator from its source records and the score from the formula.
    findings = all_items(admin, f"/api/v1/attendance-findings?site_id={site}")
    duties = {}

    def duty(subject):
        if subject not in duties:
            duties[subject] = ok(admin.get("/api/v1/duties/" + subject.split("/")[1]))
        return duties[subject]
    overturned = {v["id"] for v in all_items(admin, f"/api/v1/violations?site_id={site}")
                  if v["state"] == "overturned"}
    for person, s in scores.items():
        values = {v["indicator"]: v for v in s["values"]}
        mine = [f for f in findings if f["person_id"] == person and in_period(f["shift_start"])
                and f["violation_id"] not in overturned and f["withdrawn_request"] is None]
        late = sorted(f["id"] for f in mine if f["kind"] == "late")
        absent = sorted(f["id"] for f in mine if f["kind"] == "absent")
        breaches = sorted(v["id"] for v in all_items(admin, f"/api/v1/violations?site_id={site}&person_id={person}")
                          if v["state"] != "overturned" and in_period(v["occurred_at"]))
        assert (values["late"]["records"], values["late"]["value"]) == (late, len(late)), values["late"]
        assert values["late"]["record_kind"] == "attendance_finding"
        assert (values["absent"]["records"], values["absent"]["value"]) == (absent, len(absent))
        assert (values["breaches"]["records"], values["breaches"]["value"]) == (breaches, len(breaches))
        assert values["breaches"]["record_kind"] == "violation"
        assert all(v["clauses"] == ["R15 第三条"] for v in s["values"])
        assert values["late"]["weight"] == WEIGHTS["site_w_late"]
        # Duties missed and charged to the person: the ledger's violations whose subject is a duty
        # the runtime marked missed; duties done: those the person completed in the month.
        missed = sorted(v["id"] for v in all_items(admin, f"/api/v1/violations?site_id={site}&person_id={person}")
                        if v["subject"].startswith("duty/") and v["state"] != "overturned"
                        and duty(v["subject"])["state"] == "missed" and in_period(duty(v["subject"])["window_end"]))
        done = sorted(d["id"] for state in ("done", "late")
                      for d in all_items(admin, f"/api/v1/duties?site_id={site}&state={state}")
                      if d["completed_person"] == person and in_period(d["completed_at"]))
        assert (values["missed"]["records"], values["missed"]["value"]) == (missed, len(missed)), values["missed"]
        assert (values["done"]["records"], values["done"]["value"]) == (done, len(done)), values["done"]
        assert (values["missed"]["weight"], values["done"]["weight"]) == (0.5, 0.1)  # the pack's figures
        if person == late_person:
            assert (len(done), len(missed)) == (1, 1), (done, missed)
        if person == late_person:
            assert len(late) == 1 and len(breaches) >= 2  # the charged lateness and the inspector's
            conduct = values["conduct"]
            assert (conduct["value"], conduct["note"], conduct["computed"]) == (80, "态度认真", True)
            want = (100 - WEIGHTS["site_w_late"] * len(late) - WEIGHTS["site_w_absent"] * len(absent)
                    - WEIGHTS["site_w_breaches"] * len(breaches) + WEIGHTS["site_w_conduct"] * 80
                    - 0.5 * len(missed) + 0.1 * len(done))
            assert s["score"] == pytest.approx(want), (s, want)
            late_score = s["score"]
        else:
            # No manager's score: not computed, never a zero.
            assert (values["conduct"]["value"], values["conduct"]["computed"]) == (None, False)
            assert "未录入" in values["conduct"]["note"]
            assert (s["score"], s["computed"]) == (None, False)
    # The absence overturned on appeal is not counted; the others (the evening's, not charged) are.
    assert excused["id"] not in scores[absent_person]["values"][1]["records"]
    assert any(s["values"][1]["value"] >= 1 for s in scores.values()), scores

    # A person without ledger.read sees only their own score.
    me = Actor(server, accounts[late_person])
    own = ok(me.get(f"/api/v1/assessment-runs/{run['id']}"))
    assert [s["person_id"] for s in own["scores"]] == [late_person]
    mine = ok(me.get(f"/api/v1/assessment-scores?site_id={site}"))["items"]
    assert [(s["run_id"], s["score"], s["period"]) for s in mine] == [(run["id"], late_score, PERIOD)]
    ok(me.get(f"/api/v1/assessment-scores?site_id={site}&person_id={absent_person}"), 403)
    ok(me.post("/api/v1/assessment-runs", run_body), 403)
    runs = ok(admin.get(f"/api/v1/assessment-runs?site_id={site}"))["items"]
    assert [r["id"] for r in runs] == [run["id"]]
    [rec] = [r for r in journal(admin) if r["kind"] == "assessment.run"]
    assert rec["subject"] == f"assessment_run/{run['id']}"

    # Pay in whole fen: fractions and strings refused, nothing written.
    pay_body = {"site_id": site, "assessment": SCHEME, "period": PERIOD, "person_id": late_person}
    for bad in (12.5, "1250", 1e3):
        refused(admin.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"base_pay": bad}}), 400,
                "assessment.amount_not_integer", "inputs")
    refused(admin.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"base_pay": -5}}), 400,
            "assessment.amount_negative", "inputs")
    refused(admin.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"bonus": 5}}), 400,
            "assessment.unknown_input", "inputs")
    ok(me.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"base_pay": 1}}), 403)
    pay_path = f"/api/v1/assessment-pay?site_id={site}&assessment={SCHEME}&period={PERIOD}"
    assert all(line["inputs_fen"] == {} for line in ok(admin.get(pay_path))["items"])
    ok(admin.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"base_pay": 500000}}), 201)
    line = next(x for x in ok(admin.get(pay_path))["items"] if x["person_id"] == late_person)
    assert line["pay_fen"] is None and "performance_pay" in line["note"], line
    ok(admin.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"performance_pay": 123457}}), 201)
    line = next(x for x in ok(admin.get(pay_path))["items"] if x["person_id"] == late_person)
    want = 500000 + 123457 * late_score / 100
    assert line["pay_fen"] == int(want + 0.5), (line, want)  # whole fen, rounded
    assert line["inputs_fen"] == {"base_pay": 500000, "performance_pay": 123457}
    # The operator reads their own pay slip only.
    assert [x["person_id"] for x in ok(me.get(pay_path))["items"]] == [late_person]

    # The month close: journaled; twice refused; nothing more enters the month.
    closed = ok(admin.post("/api/v1/assessment-periods:close", run_body), 201)
    assert closed["closed"] is True
    refused(admin.post("/api/v1/assessment-periods:close", run_body), 409, "assessment.already_closed")
    refused(admin.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"base_pay": 1}}), 409,
            "assessment.period_closed")
    refused(admin.post("/api/v1/assessment-runs", run_body), 409, "assessment.period_closed")
    refused(admin.post("/api/v1/assessment-manager-scores", score_body), 409, "assessment.period_closed")
    line = next(x for x in ok(admin.get(pay_path))["items"] if x["person_id"] == late_person)
    assert line["inputs_fen"]["base_pay"] == 500000  # unchanged

    # Re-opening needs an approved request of the pack's type naming this close.
    reopen = {**run_body}
    refused(admin.post("/api/v1/assessment-periods:reopen", reopen), 400, "required", "request_id")
    other = ok(admin.post("/api/v1/requests", {"site_id": site, "type": "r11-month-reopen",
                                            "inputs": {"month_close.id": closed["id"] + 1000},
                                            "reason": "另一结算"}), 201)
    refused(admin.post("/api/v1/assessment-periods:reopen", {**reopen, "request_id": other["id"]}), 409,
            "assessment.wrong_request", "request_id")
    req = ok(admin.post("/api/v1/requests", {"site_id": site, "type": "r11-month-reopen",
                                          "inputs": {"month_close.id": closed["id"]},
                                          "reason": "绩效工资录入有误，需更正"}), 201)
    refused(admin.post("/api/v1/assessment-periods:reopen", {**reopen, "request_id": req["id"]}), 409,
            "assessment.not_approved", "request_id")
    ok(gm.post(f"/api/v1/requests/{req['id']}/decisions",
               {"approve": True, "password": server.credentials()["general_mgr"][0], "note": "同意重开"}), 201)
    opened = ok(admin.post("/api/v1/assessment-periods:reopen", {**reopen, "request_id": req["id"]}))
    assert (opened["closed"], opened["request_id"]) == (False, req["id"])
    refused(admin.post("/api/v1/assessment-periods:reopen", {**reopen, "request_id": req["id"]}), 409,
            "assessment.not_closed")
    ok(admin.post("/api/v1/assessment-pay-inputs", {**pay_body, "inputs": {"base_pay": 510000}}), 201)
    # Payroll reads a closed month only.
    export = f"/api/v1/assessment-pay/export.xlsx?site_id={site}&assessment={SCHEME}&period={PERIOD}"
    refused(admin.get(export), 409, "assessment.not_closed")
    # Closed again, the old approval does not re-open the new close.
    again = ok(admin.post("/api/v1/assessment-periods:close", run_body), 201)
    refused(admin.post("/api/v1/assessment-periods:reopen", {**reopen, "request_id": req["id"]}), 409,
            "assessment.wrong_request")
    kinds = [r["kind"] for r in journal(admin)]
    assert kinds == ["assessment.manager_score", "assessment.run", "assessment.pay_input",
                     "assessment.pay_input", "assessment.period.closed", "assessment.period.reopened",
                     "assessment.pay_input", "assessment.period.closed"], kinds
    assert again["id"] != closed["id"]

    # The closed month's pay as an XLSX workbook for payroll: the test's own figure is in it.
    xlsx = fetch_bytes(server, login(server, "admin"), export)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    pay = int(510000 + 123457 * late_score / 100 + 0.5)
    assert "消防值班员月度考核（本单位）" in strings and "base_pay（分）" in strings, strings
    assert f"<v>{pay}</v>" in sheet and "<v>510000</v>" in sheet, sheet
    ok(me.get(export), 403)


def fetch_bytes(server, client, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    assert r.status == 200, (r.status, data[:300])
    assert r.getheader("Content-Type").startswith("application/vnd.openxmlformats")
    return data


# A site's scheme naming sources no module computes (every source of cn-default is computed since
# the service module's orders gave R06 its shipments).
UNCOMPUTED = """regulation: R06
assessments:
  - id: site-deliveries
    title: 送货准时率（本单位）
    clause: "R06 §四(一)5"
    subjects: [客服专员]
    indicators:
      - {id: delivered_on_time, title: 按时送达数, source: deliveries}
      - {id: delivered_total, title: 送达总数, source: deliveries.total}
    formula: "delivered_on_time / delivered_total"
"""


@pytest.fixture
def uncomputed_server(require_backend, tmp_path):
    s = Server(require_backend,
               extra=["--policies", pack_with_file(tmp_path, "S06.yaml", UNCOMPUTED)]).start()
    yield s
    s.kill()


def test_a_scheme_naming_a_source_nothing_computes_is_refused(uncomputed_server):
    admin = Actor(uncomputed_server, "admin")
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    body = {"site_id": site, "assessment": "site-deliveries", "period": "2026-11"}
    e = refused(admin.post("/api/v1/assessment-runs", body), 409, "assessment.source_not_computed")
    for indicator in ("delivered_on_time", "delivered_total"):
        assert indicator in e["message"], e
    assert admin.get("/api/v1/assessment-runs?site_id=%d" % site).json()["items"] == []
    # R11's sources are the service module's (api::IndicatorSources) and the manager's score:
    # computable, refused only for its unset weights (src/modules/service/test_service_kpi_api.py
    # runs it).
    e = refused(admin.post("/api/v1/assessment-runs", {**body, "assessment": "r11-performance"}), 409,
                "assessment.weight_unset")
    assert "weight_business" in e["message"] and "weight_satisfaction" in e["message"], e
    refused(admin.post("/api/v1/assessment-runs", {**body, "assessment": "nope"}), 400,
            "assessment.unknown_scheme", "assessment")
    # R15 (lateness from the roster): computable, refused only for its unset weight.
    e = refused(admin.post("/api/v1/assessment-runs", {**body, "assessment": "r15-attendance"}), 409,
                "assessment.weight_unset")
    assert "weight_lateness" in e["message"], e
    refused(admin.post("/api/v1/assessment-runs", {**body, "assessment": "r15-attendance",
                                                   "period": "2026-13"}), 400, "invalid", "period")
    refused(admin.post("/api/v1/assessment-runs", {**body, "assessment": "r15-attendance",
                                                   "period": "2026-1"}), 400, "invalid", "period")
    # R06 names no re-open request: its month cannot be closed.
    refused(admin.post("/api/v1/assessment-periods:close", {**body, "assessment": "r06-on-time-shipping"}),
            409, "assessment.no_reopen")
    sources = [s["id"] for s in admin.get("/api/v1/assessment-sources").json()["items"]]
    assert {"roster", "roster.late", "violations", "duties.done", "duties.missed", "manager"} <= set(sources)
    # and those the service module contributes
    assert {"surveys", "tickets", "quality_review", "daily_stats"} <= set(sources)
    assert admin.get(f"/api/v1/assessment-runs?site_id={site}").json()["items"] == []


def test_employment_stage_and_end_date_on_the_person(server, admin):
    """R11 §2: the stage a person is in (the site's list) and when it ends."""
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    concierge = login(server, "concierge")
    mine = concierge.get("/api/v1/me").json()["account"]["person_id"]
    other = next(p["id"] for p in all_items(admin, f"/api/v1/people?site_id={site}&limit=200") if p["id"] != mine)
    path = f"/api/v1/people/{mine}/employment"
    assert ok(admin.get(path)) == {"person_id": mine, "stage": None, "ends_on": None}
    refused(admin.request("PUT", path, body={"stage": "实习员工"}), 409, "assessment.stages_unset")
    ok(admin.request("PUT", f"/api/v1/sites/{site}/parameters/employment_stages",
                     body={"value": "正式员工,实习员工,见习员工,转岗,晋升,降职"}))
    refused(admin.request("PUT", path, body={"stage": "外包"}), 400, "assessment.unknown_stage", "stage")
    refused(admin.request("PUT", path, body={"stage": "实习员工", "ends_on": "2027-02-30"}), 400,
            "invalid", "ends_on")
    refused(admin.request("PUT", path, body={}), 400, "required", "stage")
    assert ok(admin.get(path))["stage"] is None  # nothing written by the refusals
    e = ok(admin.request("PUT", path, body={"stage": "实习员工", "ends_on": "2027-03-31"}))
    assert (e["stage"], e["ends_on"]) == ("实习员工", "2027-03-31")
    e = ok(admin.request("PUT", path, body={"stage": "正式员工"}))
    assert (e["stage"], e["ends_on"]) == ("正式员工", None)
    assert ok(concierge.get(path))["stage"] == "正式员工"  # one's own
    ok(concierge.get(f"/api/v1/people/{other}/employment"), 403)
    ok(concierge.request("PUT", path, body={"stage": "晋升"}), 403)
    records = [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"] == "person.employment"]
    assert len(records) == 2, records
