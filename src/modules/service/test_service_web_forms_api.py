"""在线提交 (public web forms, issue 18 §2) over HTTP against the real binary, on both backends, on
the test clock, one server per backend: a supervisor of a queue (cn-default 客服主管) publishes a
form and gets its secret link once; a customer with no sign-in opens a ticket through it — in the
form's queue, linked to the archive's customer by phone, with the pack's SLA deadline as any ticket;
bad input writes nothing; a withdrawn link is refused; the per-form hourly limit answers 429."""
import datetime as dt

import pytest

from zhidu_harness import all_items, backend_server, login, ok, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # a Monday, a working day
PER_HOUR = 3
URL = "/api/v1/service/web-forms"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request):
    s = backend_server(request.param, extra=["--test-clock", START.isoformat(),
                                             "--web-form-per-hour", str(PER_HOUR)])
    yield s
    s.kill()


@pytest.fixture(scope="module")
def site(srv):
    """The demo site with a first-response figure and the 投诉组 queue; (admin, site, queue)."""
    admin = srv.admin()
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    ok(admin.request("PUT", f"/api/v1/sites/{site}/parameters/service_first_response_within",
                     body={"value": "2h"}))
    queue = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "投诉组"}), 201)["id"]
    return admin, site, queue


def written(admin, site):
    """What a submission writes: tickets of the site, the forms' submissions, service journal."""
    tickets = len(all_items(admin, f"/api/v1/service/tickets?site_id={site}"))
    subs = sum(f["submissions"] for f in ok(admin.get(f"{URL}?site_id={site}"))["items"])
    journal = [r for r in all_items(admin, "/api/v1/journal?limit=500")
               if r["kind"].startswith(("service.", "deadline."))]
    return tickets, subs, len(journal)


def form(lead, site, queue, title="在线报修", **extra):
    return ok(lead.post(URL, {"site_id": site, "queue_post_id": queue, "title": title, **extra}), 201)


def test_a_customer_opens_a_ticket_through_the_form(srv, site):
    admin, site_id, queue = site
    lead, agent = login(srv, "cs_lead"), login(srv, "cs1")
    # Only a supervisor of the queue publishes; a queue must be a pack post of the site.
    refused(agent.post(URL, {"site_id": site_id, "queue_post_id": queue, "title": "x"}), 403,
            "service.web_form_denied")
    r = lead.post(URL, {"site_id": site_id, "queue_post_id": queue, "title": ""})
    assert r.status == 400 and r.json()["error"]["field"] == "title", r
    f = form(lead, site_id, queue, category="售后")
    token = f["token"]
    assert len(token) == 48 and f["url"] == f"/#/form/{token}" and f["queue"] == "投诉组"
    listed = ok(agent.get(f"{URL}?site_id={site_id}"))["items"]
    assert [x["id"] for x in listed if x["id"] == f["id"]] and "token" not in listed[0]
    assert all(token not in str(j["payload"]) for j in all_items(admin, "/api/v1/journal?limit=500"))

    # A customer already in the archive, known by phone.
    cust = ok(agent.post("/api/v1/service/customers", {
        "site_id": site_id, "kind": "person", "name": "王女士", "phones": ["13912345678"]}), 201)
    public = srv.client()  # no sign-in
    page = ok(public.get(f"{URL}/{token}"))
    assert page["title"] == "在线报修" and page["categories"] == ["售后"] and page["site"]
    assert "queue_post_id" not in page and "id" not in page

    before = written(admin, site_id)
    bad = [({"phone": "139 1234 5678", "subject": "s", "body": "b"}, "name"),
           ({"name": "王", "subject": "s", "body": "b"}, "phone"),
           ({"name": "王", "phone": "12ab", "subject": "s", "body": "b"}, "phone"),
           ({"name": "王", "phone": "13912345678", "body": "b"}, "subject"),
           ({"name": "王", "phone": "13912345678", "subject": "s" * 501, "body": "b"}, "subject"),
           ({"name": "王", "phone": "13912345678", "subject": "s", "body": "字" * 1400}, "body"),
           ({"name": "王", "phone": "13912345678", "subject": "s", "body": "b",
             "category": "别的"}, "category"),
           ({"name": "王", "phone": "13912345678", "subject": "s", "body": "b", "x": 1}, "x")]
    for body, field in bad:
        r = public.post(f"{URL}/{token}", body)
        assert r.status == 400 and r.json()["error"]["field"] == field, (body, r)
    assert written(admin, site_id) == before  # nothing written by a refusal

    r = ok(public.post(f"{URL}/{token}", {"name": "王女士", "phone": "139-1234-5678",
                                          "company": "某某公司", "subject": "空调不制冷",
                                          "body": "三楼会议室空调不制冷。"}), 201)
    ticket = ok(agent.get(f"/api/v1/service/tickets/{r['reference']}"))
    assert ticket["queue_post_id"] == queue and ticket["queue"] == "投诉组"
    assert ticket["customer_id"] == cust["id"] and ticket["category"] == "售后"
    assert ticket["created_by"] == 0 and ticket["thread"][0]["kind"] == "customer"
    assert ticket["thread"][0]["body"] == "三楼会议室空调不制冷。"
    assert ticket["web_form"]["name"] == "王女士" and ticket["web_form"]["phone"] == "139****5678"
    # The pack's first-response level started on ticket_opened, in business hours: 09:00 + 2h.
    first = [d for d in ticket["deadlines"] if d["clock"] == "first_response"]
    assert len(first) == 1 and first[0]["state"] == "open", ticket["deadlines"]
    assert first[0]["due_at"] == "2026-12-07T11:00:00+08:00", first
    after = written(admin, site_id)
    assert after[:2] == (before[0] + 1, before[1] + 1)
    kinds = [(j["kind"], j["actor"]) for j in all_items(admin, "/api/v1/journal?limit=500")
             if j["subject"] in (f"ticket/{ticket['id']}", f"web_form/{f['id']}")]
    assert ("service.ticket.created", 0) in kinds and ("service.web_form.submitted", 0) in kinds
    # An unknown phone opens a ticket with no customer.
    r = ok(public.post(f"{URL}/{token}", {"name": "李先生", "phone": "13800000001",
                                          "subject": "咨询", "body": "请回电"}), 201)
    assert ok(agent.get(f"/api/v1/service/tickets/{r['reference']}"))["customer_id"] is None


def test_a_withdrawn_link_is_refused_and_the_hourly_limit_answers_429(srv, site):
    admin, site_id, queue = site
    lead, agent = login(srv, "cs_lead"), login(srv, "cs1")
    public = srv.client()
    gone = form(lead, site_id, queue, title="旧表单")
    refused(agent.post(f"{URL}/{gone['id']}/revoke"), 403, "service.web_form_denied")
    withdrawn = ok(lead.post(f"{URL}/{gone['id']}/revoke"))
    assert withdrawn["revoked"] is True
    refused(lead.post(f"{URL}/{gone['id']}/revoke"), 409, "service.web_form_revoked")
    refused(lead.post(f"{URL}/999999/revoke"), 404, "service.unknown_web_form")
    before = written(admin, site_id)
    refused(public.get(f"{URL}/{gone['token']}"), 404, "service.web_form_revoked")
    refused(public.post(f"{URL}/{gone['token']}", {"name": "a", "phone": "13800000002",
                                                   "subject": "s", "body": "b"}),
            404, "service.web_form_revoked")
    refused(public.get(f"{URL}/{'0' * 48}"), 404, "service.unknown_web_form")
    refused(public.get(f"{URL}/nonsense"), 404, "service.unknown_web_form")
    assert written(admin, site_id) == before

    busy = form(lead, site_id, queue, title="繁忙表单")
    submit = {"name": "a", "phone": "13800000003", "subject": "s", "body": "b"}
    for _ in range(PER_HOUR):
        ok(public.post(f"{URL}/{busy['token']}", submit), 201)
    before = written(admin, site_id)
    refused(public.post(f"{URL}/{busy['token']}", submit), 429, "service.web_form_rate")
    assert written(admin, site_id) == before
    # Per form: another form of the site still takes submissions; the hour passes.
    ok(public.post(f"{URL}/{form(lead, site_id, queue)['token']}", submit), 201)
    now = dt.datetime.fromisoformat(ok(admin.get("/api/v1/test/clock"))["now"].replace("Z", "+00:00"))
    ok(admin.post("/api/v1/test/clock", {"to": (now + dt.timedelta(minutes=61)).isoformat()}))
    ok(public.post(f"{URL}/{busy['token']}", submit), 201)
    srv.stop()
    v = srv.verify()
    assert v.returncode == 0, v.stdout + v.stderr
