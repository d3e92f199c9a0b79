"""Customer service feeds the assessment (issue 20 "satisfaction → KPI", issue 18 §8) over HTTP
against the real binary, on both backends, on the test clock: two agents take and resolve tickets
in a month, customers answer survey links, a supervisor of the queue reviews the agents' tickets
(质检评分) on the site's scale, R14's daily statistics are computed from the tickets; then
cn-default's R11 scheme (r11-performance) runs for the month, and the test recomputes every
indicator, its records and the score from the source records it reads back over the API (and R19's
scheme counts the tickets resolved). A review by a non-supervisor, outside the scale, without a
scale, twice, or of a ticket nobody holds is refused with nothing written."""
import datetime as dt

import pytest

from zhidu_harness import all_items, clock_server, login, ok, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
PERIOD = "2026-12"
PASSWORD = "correct horse 1"
# The site's weights for R11's indicators: this test's figures, not the regulation's (it gives none).
WEIGHTS = {"weight_business": 0.1, "weight_satisfaction": 0.3, "weight_attitude": 0.4,
           "weight_management": 0.2}


@pytest.fixture
def clock(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def param(admin, site, name, value):
    ok(admin.request("PUT", f"/api/v1/sites/{site}/parameters/{name}", body={"value": value}))


def journal(admin, prefix):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"].startswith(prefix)]


def test_r11_runs_from_tickets_surveys_and_quality_reviews(clock):
    admin = clock.admin()
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    queue = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "投诉组"}), 201)["id"]
    param(admin, site, "service_survey_after", "1h")
    listed = {p["name"]: p for p in ok(admin.get(f"/api/v1/sites/{site}/parameters"))["items"]}
    assert listed["service_quality_review_scale"]["value"] is None  # declared, no default
    assert "R11 §3.1" in listed["service_quality_review_scale"]["clauses"], listed
    cs1 = login(clock, "cs1")
    p1 = ok(cs1.get("/api/v1/me"))["account"]["person_id"]
    p2 = ok(admin.post("/api/v1/people", {"site_id": site, "name": "考核测试·钱客服"}), 201)["id"]
    ok(admin.post("/api/v1/accounts", {"username": "cs_kpi", "password": PASSWORD, "person_id": p2,
                                       "roles": [{"role": "客服专员", "scope_kind": "site", "scope_id": site}]}), 201)
    cs2 = clock.client()
    assert cs2.login("cs_kpi", PASSWORD).status == 200
    lead = login(clock, "cs_lead")  # 客服主管: the queue's roles (客服专员) report to it

    def ticket(agent, person, subject, resolve):
        t = ok(agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": queue,
                                                      "subject": subject}), 201)
        ok(agent.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": person}))
        if resolve:
            t = ok(agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "resolved"}))
        return t

    a1 = ticket(cs1, p1, "订单查询", True)
    a2 = ticket(cs1, p1, "退款咨询", True)
    a3 = ticket(cs1, p1, "发票问题", False)  # received, not resolved
    b1 = ticket(cs2, p2, "物流投诉", True)
    b2 = ticket(cs2, p2, "安装预约", True)
    nobody = ok(cs1.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": queue,
                                                     "subject": "无人受理"}), 201)

    # An hour on, the surveys are due; customers answer: cs1 one satisfied of two, cs2 two of two.
    ok(admin.post("/api/v1/test/clock", {"to": (START + dt.timedelta(hours=1)).isoformat()}))
    public = clock.client()
    for agent, t, score, reason in [(cs1, a1, 5, None), (cs1, a2, 2, "等待太久"), (cs2, b1, 4, None),
                                    (cs2, b2, 5, None)]:
        token = ok(agent.post(f"/api/v1/service/tickets/{t['id']}/survey-link"), 201)["token"]
        answer = {"score": score} if reason is None else {"score": score, "reason": reason}
        ok(public.post(f"/api/v1/service/surveys/{token}", answer), 201)

    # Quality reviews: refused without the site's scale, by a non-supervisor, outside the scale, of
    # a ticket nobody holds, by the reviewer of their own ticket; each writes nothing.
    review = f"/api/v1/service/tickets/{a1['id']}/quality-review"
    refused(lead.post(review, {"score": 80, "comment": "礼貌"}), 409, "service.review_scale_unset")
    param(admin, site, "service_quality_review_scale", "0,100")
    refused(cs2.post(review, {"score": 80}), 403, "service.not_supervisor")
    refused(lead.post(review, {"score": 101}), 400, "service.review_score_out_of_scale", "score")
    refused(lead.post(review, {"score": -1}), 400, "service.review_score_out_of_scale", "score")
    refused(lead.post(review, {"score": "80"}), 400, "invalid", "score")
    refused(lead.post(review, {}), 400, "required", "score")
    refused(lead.post(f"/api/v1/service/tickets/{nobody['id']}/quality-review", {"score": 80}), 409,
            "service.review_no_agent")
    assert ok(cs1.get(f"/api/v1/service/tickets/{a1['id']}"))["quality_reviews"] == []
    assert journal(admin, "service.quality_review") == []
    reviews = {}
    for t, score, comment in [(a1, 80, "礼貌，解答清楚"), (a2, 90.5, "耐心"), (b1, 70, "语气生硬")]:
        r = ok(lead.post(f"/api/v1/service/tickets/{t['id']}/quality-review",
                         {"score": score, "comment": comment}), 201)
        assert r["score"] == score and r["scale"] == [0, 100] and r["comment"] == comment, r
        reviews[t["id"]] = r
    refused(lead.post(review, {"score": 60}), 409, "service.review_exists")
    # The console's review form: the queue's supervisor, a ticket someone else holds, unreviewed.
    assert ok(lead.get(f"/api/v1/service/tickets/{a3['id']}"))["viewer_may_review"] is True
    assert ok(lead.get(f"/api/v1/service/tickets/{a1['id']}"))["viewer_may_review"] is False
    assert ok(cs2.get(f"/api/v1/service/tickets/{a3['id']}"))["viewer_may_review"] is False
    assert len(ok(cs1.get(f"/api/v1/service/tickets/{a1['id']}"))["quality_reviews"]) == 1
    recorded = journal(admin, "service.quality_review.recorded")
    assert len(recorded) == 3 and "R11 §3.1" in recorded[0]["payload"]["clauses"], recorded
    assert recorded[0]["payload"]["person_id"] == p1 and recorded[2]["payload"]["person_id"] == p2

    # R14's daily statistics of the day, computed from the tickets (not typed in).
    stats = ok(cs1.get(f"/api/v1/service/daily-stats?site_id={site}&day=2026-12-07"))
    assert "R14 §1.1.1" in stats["clauses"], stats
    by_person = {row["person_id"]: row for row in stats["items"]}
    assert set(by_person) == {p1, p2}, stats
    assert by_person[p1]["received_ticket_ids"] == sorted([a1["id"], a2["id"], a3["id"]])
    assert by_person[p1]["resolved_ticket_ids"] == sorted([a1["id"], a2["id"]])
    assert (by_person[p2]["received"], by_person[p2]["resolved"]) == (2, 2)
    assert by_person[p1]["orders"] == 0  # took no order that day (test_service_orders_api.py)
    assert ok(cs1.get(f"/api/v1/service/daily-stats?site_id={site}&day=2026-12-08"))["items"] == []
    refused(cs1.get(f"/api/v1/service/daily-stats?site_id={site}&day=2026-02-30"), 400, "invalid", "day")
    refused(cs1.get(f"/api/v1/service/daily-stats?site_id={site}"), 400, "required", "day")

    # The manager's scores for 相关的管理指标, then R11's weights: the run.
    param(admin, site, "assessment_manager_scale", "0,100")
    manager = {p1: 75, p2: 88}
    for person, score in manager.items():
        ok(admin.post("/api/v1/assessment-manager-scores",
                      {"site_id": site, "assessment": "r11-performance", "period": PERIOD,
                       "person_id": person, "indicator": "management", "score": score,
                       "comment": "按月评定"}), 201)
    body = {"site_id": site, "assessment": "r11-performance", "period": PERIOD}
    e = refused(admin.post("/api/v1/assessment-runs", body), 409, "assessment.weight_unset")
    assert all(name in e["message"] for name in WEIGHTS), e
    for name, value in WEIGHTS.items():
        param(admin, site, name, str(value))
    run = ok(admin.post("/api/v1/assessment-runs", body), 201)
    scores = {s["person_id"]: s for s in run["scores"]}
    assert set(scores) == {p1, p2}, run  # the site's holders of R11's subjects roles

    # Recompute every indicator from the records, read back over the API.
    tickets = [ok(cs1.get(f"/api/v1/service/tickets/{t['id']}")) for t in (a1, a2, a3, b1, b2, nobody)]
    for person in (p1, p2):
        values = {v["indicator"]: v for v in scores[person]["values"]}
        received = sorted({t["id"] for t in tickets for e in t["thread"]
                           if e["kind"] == "assign" and e["person_id"] == person})
        answered = [s for t in tickets for s in t["surveys"]
                    if s["agent"] == person and s["state"] == "answered" and s["channel"] == "link"]
        satisfied = [s for s in answered if s["satisfied"]]
        own_reviews = [q for t in tickets for q in t["quality_reviews"] if q["person_id"] == person]
        expected = {
            "business": (len(received), received, "ticket"),
            "satisfaction": (100.0 * len(satisfied) / len(answered), sorted(s["id"] for s in answered),
                             "survey"),
            "attitude": (sum(q["score"] for q in own_reviews) / len(own_reviews),
                         sorted(q["id"] for q in own_reviews), "quality_review"),
        }
        for indicator, (value, records, kind) in expected.items():
            v = values[indicator]
            assert v["computed"] and v["value"] == pytest.approx(value), (indicator, v)
            assert sorted(v["records"]) == records and v["record_kind"] == kind, (indicator, v)
            assert "R11 §3.1" in v["clauses"] and v["note"], v
        assert values["satisfaction"]["source_title"], values["satisfaction"]
        assert "R06 §四(一)10" in values["satisfaction"]["clauses"], values["satisfaction"]
        assert "R14 §1.1.1" in values["business"]["clauses"], values["business"]
        assert values["management"]["value"] == manager[person]
        score = sum(WEIGHTS["weight_" + i] * values[i]["value"]
                    for i in ("business", "satisfaction", "attitude", "management"))
        assert scores[person]["computed"] and scores[person]["score"] == pytest.approx(score), scores[person]
    # The figures this month gives, spelled out: cs1 3 received, 50 %, (80 + 90.5) / 2; cs2 2, 100 %, 70.
    assert [v["value"] for v in scores[p1]["values"]] == pytest.approx([3, 50.0, 85.25, 75])
    assert [v["value"] for v in scores[p2]["values"]] == pytest.approx([2, 100.0, 70, 88])
    # R19's scheme counts the tickets each agent resolved (source tickets) beside the roster.
    for name, value in {"r19_weight_performance": "0.6", "r19_weight_attendance": "0.4"}.items():
        param(admin, site, name, value)
    r19 = ok(admin.post("/api/v1/assessment-runs", {**body, "assessment": "r19-staff-kpi"}), 201)
    for s in r19["scores"]:
        performance = next(v for v in s["values"] if v["indicator"] == "performance")
        resolved = sorted(t["id"] for t in tickets if t["assignee"] == s["person_id"]
                          and t["state"] == "resolved" and t["resolved_at"])
        assert performance["records"] == resolved and performance["value"] == len(resolved), s
        assert performance["record_kind"] == "ticket", performance
    assert {s["person_id"] for s in r19["scores"]} == {p1, p2}, r19
    sources = {s["id"] for s in ok(admin.get("/api/v1/assessment-sources"))["items"]}
    assert {"surveys", "tickets", "quality_review", "daily_stats", "manager"} <= sources
    clock.stop()
    v = clock.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_an_agent_without_surveys_or_reviews_is_not_computed(server, admin):
    """No answered survey and no review in the month: those indicators are not computed (never a
    silent zero), so the person's score is not computed either; the ticket count is a count."""
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    for name, value in {**WEIGHTS, "assessment_manager_scale": "0,100"}.items():
        param(admin, site, name, str(value))
    run = ok(admin.post("/api/v1/assessment-runs",
                        {"site_id": site, "assessment": "r11-performance", "period": "2026-11"}), 201)
    assert run["scores"], run
    for s in run["scores"]:
        values = {v["indicator"]: v for v in s["values"]}
        assert s["computed"] is False and s["score"] is None, s
        assert values["business"]["value"] == 0 and values["business"]["records"] == []
        for indicator in ("satisfaction", "attitude", "management"):
            assert values[indicator]["computed"] is False and values[indicator]["note"], values[indicator]
