"""Satisfaction surveys (issue 18 §7) and the 客户反馈表's closing on the customer's satisfaction
(§5) over HTTP against the real binary, on both backends, on the test clock: resolve → the
survey's timer fires after the site's delay → a link (only its hash stored) → the public page with
no sign-in → one answer → credited to agent and queue; a reused, unknown or expired link is a clear
4xx; reopening withdraws the survey; the complaint's form closes only when the customer is
recorded satisfied and then schedules the return visit."""
import datetime as dt

import pytest

from zhidu_harness import Server, all_items, login

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock(require_backend):
    s = Server(require_backend, extra=["--test-clock", START.isoformat()]).start()
    yield s
    s.kill()


def advance(admin, to):
    r = admin.post("/api/v1/test/clock", {"to": to.isoformat()})
    assert r.status == 200, r


def site_with(admin, params):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    for name, value in params.items():
        r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/{name}", body={"value": value})
        assert r.status == 200, (name, r)
    r = admin.post("/api/v1/posts", {"site_id": site, "name": "投诉组"})
    assert r.status == 201, r
    return site, r.json()["id"]


def journal(admin, prefix):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"].startswith(prefix)]


def resolved_ticket(agent, site, queue, complaint=False):
    t = agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": queue,
                                               "subject": "商品破损投诉", "complaint": complaint}).json()
    me = agent.get("/api/v1/me").json()["account"]["person_id"]
    assert agent.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": me}).status == 200
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "resolved"})
    assert r.status == 200, r
    return r.json(), me


def test_a_survey_runs_from_resolution_to_credit(clock):
    admin = clock.admin()
    # Every survey parameter is the module's, declared to the site with no default.
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    listed = {p["name"]: p for p in admin.get(f"/api/v1/sites/{site}/parameters").json()["items"]}
    for name in ["service_survey_after", "service_survey_valid_for", "service_survey_scale",
                 "service_return_visit_after"]:
        assert name in listed and listed[name]["value"] is None, name
    site, q = site_with(admin, {"service_survey_after": "2h", "service_survey_valid_for": "1d"})
    agent = login(clock, "cs1")
    t, me = resolved_ticket(agent, site, q)
    assert t["survey"]["state"] == "scheduled"
    assert t["survey"]["due_at"].startswith("2026-12-07T11:00")
    early = agent.post(f"/api/v1/service/tickets/{t['id']}/survey-link")
    assert early.status == 409 and early.json()["error"]["reason"] == "survey.not_due", early

    advance(admin, START + dt.timedelta(hours=2))
    t = agent.get(f"/api/v1/service/tickets/{t['id']}").json()
    assert t["survey"]["state"] == "due"
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/survey-link")
    assert r.status == 201, r
    link = r.json()
    token = link["token"]
    assert link["url"] == f"/#/survey/{token}" and link["expires_at"].startswith("2026-12-08T11:00")
    assert all(token not in str(j["payload"]) for j in journal(admin, "service."))

    public = clock.client()  # no sign-in
    page = public.get(f"/api/v1/service/surveys/{token}")
    assert page.status == 200, page
    assert page.json()["scale"] == ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert page.json()["subject"] == "商品破损投诉"
    low = public.post(f"/api/v1/service/surveys/{token}", {"score": 1})
    assert low.status == 400 and low.json()["error"]["field"] == "reason", low
    assert low.json()["error"]["reason"] == "survey.reason_required"
    bad = public.post(f"/api/v1/service/surveys/{token}", {"score": 9})
    assert bad.status == 400 and bad.json()["error"]["field"] == "score", bad
    r = public.post(f"/api/v1/service/surveys/{token}", {"score": 5, "reason": "处理很快"})
    assert r.status == 201 and r.json()["satisfied"] is True, r
    reused = public.post(f"/api/v1/service/surveys/{token}", {"score": 1, "reason": "改主意"})
    assert reused.status == 409 and reused.json()["error"]["reason"] == "survey.answered", reused
    assert public.get(f"/api/v1/service/surveys/{token}").status == 409
    unknown = public.get("/api/v1/service/surveys/" + "0" * 48)
    assert unknown.status == 404 and unknown.json()["error"]["reason"] == "survey.unknown_link"
    assert public.get("/api/v1/service/surveys/nonsense").status == 404

    t = agent.get(f"/api/v1/service/tickets/{t['id']}").json()
    assert t["survey"]["state"] == "answered" and t["survey"]["score"] == 5
    assert t["satisfaction"]["satisfied"] is True and t["satisfaction"]["channel"] == "link"
    by_agent = agent.get(f"/api/v1/service/satisfaction?site_id={site}&by=agent").json()["items"]
    assert by_agent == [{"person_id": me, "name": by_agent[0]["name"], "answered": 1, "satisfied": 1,
                         "low": 0, "satisfaction_rate": 1.0, "average_score": 5.0}]
    by_queue = agent.get(f"/api/v1/service/satisfaction?site_id={site}&by=queue").json()["items"]
    assert [(x["queue_post_id"], x["name"], x["answered"]) for x in by_queue] == [(q, "投诉组", 1)]
    assert agent.get(f"/api/v1/service/satisfaction?site_id={site}&by=team").status == 400
    answered = journal(admin, "service.survey.answered")
    assert len(answered) == 1 and answered[0]["payload"]["score"] == 5
    assert answered[0]["payload"]["person_id"] == me
    assert [j["kind"] for j in journal(admin, "service.survey.")] == [
        "service.survey.scheduled", "service.survey.due", "service.survey.link_issued",
        "service.survey.answered"]
    clock.stop()
    v = clock.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_expired_and_withdrawn_links_and_no_delay(clock):
    admin = clock.admin()
    agent = login(clock, "cs1")
    site, q = site_with(admin, {})
    t, _ = resolved_ticket(agent, site, q)
    # Without the site's delay no survey is scheduled, and the ticket says why.
    assert t["survey"]["state"] == "not_scheduled"
    assert "service_survey_after" in t["survey"]["note"]
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/survey-link")
    assert r.status == 409 and r.json()["error"]["reason"] == "survey.not_scheduled"

    for name, value in {"service_survey_after": "1h", "service_survey_valid_for": "30m"}.items():
        assert admin.request("PUT", f"/api/v1/sites/{site}/parameters/{name}",
                             body={"value": value}).status == 200
    t, _ = resolved_ticket(agent, site, q)
    advance(admin, START + dt.timedelta(hours=1))
    token = agent.post(f"/api/v1/service/tickets/{t['id']}/survey-link").json()["token"]
    advance(admin, START + dt.timedelta(hours=1, minutes=31))
    public = clock.client()
    expired = public.post(f"/api/v1/service/surveys/{token}", {"score": 4})
    assert expired.status == 409 and expired.json()["error"]["reason"] == "survey.expired", expired
    fresh = agent.post(f"/api/v1/service/tickets/{t['id']}/survey-link").json()["token"]
    assert public.get(f"/api/v1/service/surveys/{token}").status == 404  # replaced
    assert public.get(f"/api/v1/service/surveys/{fresh}").status == 200
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "open", "note": "客户再次来电"})
    assert r.status == 200 and r.json()["survey"]["state"] == "cancelled", r
    gone = public.post(f"/api/v1/service/surveys/{fresh}", {"score": 4})
    assert gone.status == 409 and gone.json()["error"]["reason"] == "survey.cancelled", gone
    assert journal(admin, "service.survey.answered") == []
    # Nothing was half-written by the refusals.
    assert agent.get(f"/api/v1/service/satisfaction?site_id={site}").json()["items"] == []


def test_the_feedback_form_closes_only_when_the_customer_is_recorded_satisfied(clock):
    admin = clock.admin()
    agent = login(clock, "cs1")
    site, q = site_with(admin, {"service_survey_after": "1h", "service_return_visit_after": "3d"})
    t = agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                               "subject": "安装质量投诉", "complaint": True}).json()
    form = t["procedures"][0]
    assert form["procedure"] == "r06-complaint" and form["state"] == "recorded"
    for event in ["forwarded", "department_result"]:
        r = agent.post(f"/api/v1/procedures/{form['id']}/events", {"event": event})
        assert r.status == 200, r
    # Saying "satisfied" by hand is refused, as a transition and as a site event.
    r = agent.post(f"/api/v1/procedures/{form['id']}/events",
                   {"event": "satisfaction_recorded", "inputs": {"customer.satisfied": True}})
    assert r.status == 409 and r.json()["error"]["reason"] == "procedure.event_by_module", r
    r = agent.post(f"/api/v1/sites/{site}/events", {"event": "satisfaction_recorded",
                                                    "ref": f"ticket/{t['id']}",
                                                    "data": {"customer.satisfied": True}})
    assert r.status == 409 and r.json()["error"]["reason"] == "event.raised_by_module", r
    assert agent.get(f"/api/v1/procedures/{form['id']}").json()["state"] == "following"

    # A return visit finds the customer unhappy: back to the departments.
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/satisfaction",
                   {"satisfied": False, "note": "回访：客户对安装仍不满意"})
    assert r.status == 201, r
    assert r.json()["procedures"][0]["state"] == "routed"
    assert r.json()["satisfaction"] == {"satisfied": False, "score": None, "scale_size": None,
                                        "channel": "return_visit", "at": r.json()["satisfaction"]["at"]}
    assert agent.post(f"/api/v1/service/tickets/{t['id']}/satisfaction",
                      {"note": "x"}).json()["error"]["field"] == "satisfied"
    assert agent.post(f"/api/v1/procedures/{form['id']}/events",
                      {"event": "department_result"}).status == 200

    # The survey answered satisfied closes the form and schedules the return visit.
    me = agent.get("/api/v1/me").json()["account"]["person_id"]
    agent.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": me})
    assert agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "resolved"}).status == 200
    advance(admin, START + dt.timedelta(hours=1))
    token = agent.post(f"/api/v1/service/tickets/{t['id']}/survey-link").json()["token"]
    assert clock.client().post(f"/api/v1/service/surveys/{token}", {"score": 4}).status == 201
    t = agent.get(f"/api/v1/service/tickets/{t['id']}").json()
    assert t["procedures"][0]["state"] == "closed" and t["procedures"][0]["open"] is True
    # Three days on, a day at a time (one jump's timers can outrun the client on PostgreSQL under
    # load); each day a new session, as sessions follow the clock.
    for day in (1, 2, 3):
        advance(clock.admin(), START + dt.timedelta(days=day, hours=1))
    agent, admin = login(clock, "cs1"), clock.admin()
    t = agent.get(f"/api/v1/service/tickets/{t['id']}").json()
    assert t["procedures"][0]["state"] == "return-visit"
    r = agent.post(f"/api/v1/procedures/{form['id']}/events", {"event": "return_visit_done"})
    assert r.status == 200, r
    t = agent.get(f"/api/v1/service/tickets/{t['id']}").json()
    assert t["procedures"][0]["state"] == "visited" and t["procedures"][0]["open"] is False
    moved = [j for j in journal(admin, "procedure.transition")
             if j["payload"].get("event") == "satisfaction_recorded"]
    assert [j["payload"]["to"] for j in moved] == ["routed", "closed"]
    assert moved[1]["payload"]["inputs"] == {"customer.satisfied": True}
