"""R17's registers on the service desk (issue 18 §8) over HTTP against the real binary, on both
backends, on the test clock from Monday 2026-12-07 09:00 in Shanghai: information feedback in the
pack's six categories (R17 §二(1)–(6), read from the pack's record, not from C++) routed by the
pack's procedure to the role it names, timed by a site parameter with no default; the callback
register (R17 §行为规范·二7/二8) whose promised time is a deadline of the kernel's engine — met when
the callback is recorded, breached and escalated as the pack says when not; every bad input a 4xx
with its reason and nothing written."""
import datetime as dt

from test_service_surveys_api import TZ, advance, clock  # noqa: F401 (a fixture)
from zhidu_harness import Actor, all_items, ok, refused

CATEGORIES = ["market", "our-mistake", "major-error", "safety", "out-of-scope", "customer"]


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def local(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def journal(admin, kind):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"] == kind]


def site_customer_agent(clock):
    admin = Actor(clock, "admin")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    customer = ok(admin.post("/api/v1/service/customers", {
        "site_id": site, "kind": "person", "name": "回拨测试·王女士", "phones": ["13900001111"]}),
        201)["id"]
    return admin, site, customer, Actor(clock, "cs1")


def test_feedback_takes_the_packs_categories_and_goes_to_the_role_it_names(clock):
    admin, site, customer, cs1 = site_customer_agent(clock)
    cats = ok(cs1.get("/api/v1/service/feedback-categories"))["items"]
    assert [c["id"] for c in cats] == CATEGORIES, cats
    assert {c["id"]: c["clauses"] for c in cats}["safety"] == ["R17 §二(4)"], cats

    # The site has not set how soon feedback is handled (R17 §二 及时: no figure): not timed.
    f = ok(cs1.post("/api/v1/service/feedback", {
        "site_id": site, "category": "safety", "detail": "仓库货架倾斜，有倒塌危险"}), 201)
    assert f["category_label"] == "危及人身安全问题" and f["clauses"] == ["R17 §二(4)"], f
    assert f["routed_to"] == ["值班经理"], f
    [proc] = f["procedures"]
    assert proc["procedure"] == "r17-feedback-routing" and proc["state"] == "safety", proc
    tasks = ok(admin.get(f"/api/v1/procedures/{proc['id']}"))["tasks"]
    assert any(t["kind"] == "assignment" and t["role"] == "值班经理" for t in tasks), tasks
    [timely] = f["deadlines"]
    assert timely["service_level"] == "r17-feedback-timely", timely
    assert timely["state"] == "not_started" and timely["due_at"] is None, timely

    # Once the site sets it, a customer's feedback is due within it.
    r = admin.call("PUT", f"/api/v1/sites/{site}/parameters/service_feedback_within",
                   {"value": "2h"})
    assert r.status == 200, r
    g = ok(cs1.post("/api/v1/service/feedback", {
        "site_id": site, "category": "customer", "detail": "客户反映包装太简陋",
        "customer_id": customer}), 201)
    assert g["customer_id"] == customer and g["procedures"][0]["state"] == "customer", g
    [timely] = g["deadlines"]
    assert timely["state"] == "open" and at(timely["due_at"]) == local(7, 11), timely
    recorded = journal(admin, "service.feedback.recorded")
    assert [j["subject"] for j in recorded] == [f"feedback/{f['id']}", f"feedback/{g['id']}"]
    assert recorded[1]["payload"]["clauses"] == ["R17 §二(6)"], recorded[1]

    listed = ok(cs1.get(f"/api/v1/service/feedback?site_id={site}&category=customer"))["items"]
    assert [x["id"] for x in listed] == [g["id"]], listed
    assert ok(cs1.get(f"/api/v1/service/feedback/{f['id']}"))["routed_to"] == ["值班经理"]
    # Only the role the pack names closes it: not the agent; the 值班经理 does — the procedure ends
    # and the deadline stops, met (2 h were set for the second one only).
    handled = f"/api/v1/procedures/{g['procedures'][0]['id']}/events"
    refused(cs1.post(handled, {"event": "feedback_handled"}), 403, "procedure.role_refused")
    person = ok(admin.post("/api/v1/people", {"site_id": site, "name": "值班经理·孙"}), 201)["id"]
    ok(admin.post("/api/v1/accounts", {"username": "dutymgr", "password": "correct horse 1",
                                       "person_id": person,
                                       "roles": [{"role": "值班经理", "scope_kind": "site",
                                                  "scope_id": site}]}), 201)
    manager = clock.client()
    assert manager.login("dutymgr", "correct horse 1").status == 200
    r = manager.post(handled, {"event": "feedback_handled"})
    assert r.status == 200, r
    g = ok(cs1.get(f"/api/v1/service/feedback/{g['id']}"))
    assert g["procedures"][0]["state"] == "handled" and g["procedures"][0]["open"] is False, g
    assert g["deadlines"][0]["state"] == "met" and g["routed_to"] == [], g

    # Bad input: refused with its reason, nothing written.
    refused(cs1.post("/api/v1/service/feedback", {"site_id": site, "category": "weather",
                                                  "detail": "x"}), 400,
            "feedback.unknown_category", "category")
    refused(cs1.post("/api/v1/service/feedback", {"site_id": site, "category": "market",
                                                  "detail": ""}), 400, "required", "detail")
    refused(cs1.post("/api/v1/service/feedback", {"site_id": site, "category": "market",
                                                  "detail": "x", "customer_id": 999999}), 404,
            "feedback.unknown_customer", "customer_id")
    r = cs1.post("/api/v1/service/feedback", {"site_id": site, "category": "market",
                                              "detail": "x", "extra": 1})
    assert r.status == 400 and r.json()["error"]["field"] == "extra", r
    assert len(ok(cs1.get(f"/api/v1/service/feedback?site_id={site}"))["items"]) == 2
    assert len(journal(admin, "service.feedback.recorded")) == 2
    assert len([e for e in journal(admin, "site.event")
                if e["payload"]["event"] == "info_feedback"]) == 2
    # Nobody raises the module's event by hand.
    refused(admin.post(f"/api/v1/sites/{site}/events", {"event": "info_feedback",
                                                         "subject": "x"}), 409,
            "event.raised_by_module")


def test_a_callback_is_due_at_the_promised_time_met_or_breached(clock):
    admin, site, customer, cs1 = site_customer_agent(clock)
    soon = ok(cs1.post("/api/v1/service/callbacks", {
        "site_id": site, "customer_id": customer, "phone": "139 0000 1111",
        "reason": "查询退款进度，需问财务", "promised_at": local(7, 10).isoformat()}), 201)
    assert soon["phone"] == "139****1111" and soon["done"] is False, soon
    assert soon["customer"] == "回拨测试·王女士", soon
    [d] = soon["deadlines"]
    assert d["service_level"] == "r17-callback-promised" and d["state"] == "open", d
    assert at(d["due_at"]) == local(7, 10), d
    later = ok(cs1.post("/api/v1/service/callbacks", {
        "site_id": site, "customer_id": customer, "phone": "13900001111",
        "reason": "确认发票抬头", "promised_at": local(7, 9, 30).isoformat()}), 201)
    rec = journal(admin, "service.callback.recorded")
    assert len(rec) == 2 and rec[0]["payload"]["phone"] == "139****1111", rec
    assert "R17 §行为规范·二8" in rec[0]["payload"]["clauses"], rec

    # 09:20: the first is called back in time; 09:45: the second's promise has passed.
    advance(admin, local(7, 9, 20))
    done = ok(cs1.post(f"/api/v1/service/callbacks/{soon['id']}/done",
                       {"outcome": "已告知退款到账时间"}))
    assert done["done"] is True and at(done["done_at"]) == local(7, 9, 20), done
    assert done["deadlines"][0]["state"] == "met", done
    refused(cs1.post(f"/api/v1/service/callbacks/{soon['id']}/done", {}), 409,
            "callback.already_done")
    advance(admin, local(7, 9, 45))
    late = ok(cs1.get(f"/api/v1/service/callbacks/{later['id']}"))
    assert late["deadlines"][0]["state"] == "breached", late
    breached = [j for j in journal(admin, "deadline.breached")
                if j["payload"].get("ref") == f"callback/{later['id']}"]
    assert len(breached) == 1, breached
    assert "值班经理" in str(breached[0]["payload"]), breached  # the pack's escalate:值班经理
    opened = ok(cs1.get(f"/api/v1/service/callbacks?site_id={site}&open=true"))["items"]
    assert [x["id"] for x in opened] == [later["id"]], opened
    late = ok(cs1.post(f"/api/v1/service/callbacks/{later['id']}/done", {}))
    assert late["deadlines"][0]["state"] == "met_late", late
    assert ok(cs1.get(f"/api/v1/service/callbacks?site_id={site}&open=true"))["items"] == []

    # Bad input: refused with its reason, nothing written.
    body = {"site_id": site, "customer_id": customer, "phone": "13900001111", "reason": "x",
            "promised_at": local(7, 12).isoformat()}
    refused(cs1.post("/api/v1/service/callbacks", {**body, "promised_at": local(7, 9).isoformat()}),
            400, "callback.promised_in_past", "promised_at")
    refused(cs1.post("/api/v1/service/callbacks", {**body, "customer_id": 999999}), 404,
            "callback.unknown_customer", "customer_id")
    refused(cs1.post("/api/v1/service/callbacks", {**body, "reason": ""}), 400, "required",
            "reason")
    refused(cs1.post("/api/v1/service/callbacks", {**body, "phone": ""}), 400, "required",
            "phone")
    r = cs1.post("/api/v1/service/callbacks", {**body, "phone": "12"})
    assert r.status == 400 and r.json()["error"]["field"] == "phone", r
    refused(cs1.post("/api/v1/service/callbacks", {**body, "promised_at": "明天"}), 400, "invalid",
            "promised_at")
    assert cs1.post("/api/v1/service/callbacks/999999/done", {}).status == 404
    assert len(ok(cs1.get(f"/api/v1/service/callbacks?site_id={site}"))["items"]) == 2
    assert len(journal(admin, "service.callback.recorded")) == 2
    assert len(journal(admin, "service.callback.done")) == 2
