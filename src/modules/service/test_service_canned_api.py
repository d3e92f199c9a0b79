"""常用回复 (canned replies, issue 18 §2) over HTTP against the real binary, on both backends: a
supervisor of the queue (cn-default 客服主管, whom the queue's 客服专员 report to) keeps the site's
and the queue's templates; an agent reads them at the desk and fills a reply; anyone else is
refused with nothing written."""
from zhidu_harness import Server, all_items, login, ok, refused

import pytest


@pytest.fixture
def srv(require_backend):
    s = Server(require_backend).start()
    yield s
    s.kill()


def saved(admin):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500")
            if r["kind"].startswith("service.canned.")]


def test_a_supervisor_keeps_canned_replies_an_agent_uses(srv):
    admin = srv.admin()
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    complaints = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "投诉组"}), 201)["id"]
    orders = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "订单组"}), 201)["id"]
    other = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "非队列岗位"}), 201)["id"]
    lead, agent = login(srv, "cs_lead"), login(srv, "cs1")
    url = "/api/v1/service/canned-replies"

    hello = ok(lead.post(url, {"site_id": site, "title": "问候", "body": "您好，很高兴为您服务。"}), 201)
    assert hello["queue_post_id"] is None and hello["queue"] == ""
    refund = ok(lead.post(url, {"site_id": site, "queue_post_id": complaints, "title": "退款流程",
                                "body": "退款将在 3 个工作日内原路退回。"}), 201)
    assert refund["queue"] == "投诉组"
    # The same title in another queue is another template; in the same queue a 409.
    ok(lead.post(url, {"site_id": site, "queue_post_id": orders, "title": "退款流程",
                       "body": "订单退款请提供订单号。"}), 201)
    n = len(saved(admin))
    refused(lead.post(url, {"site_id": site, "queue_post_id": complaints, "title": "退款流程",
                            "body": "重复"}), 409, "service.canned_title_taken", "title")
    # An agent (客服专员) is no supervisor: refused, for the site and for the queue.
    refused(agent.post(url, {"site_id": site, "title": "自拟", "body": "x"}), 403,
            "service.canned_denied")
    refused(agent.post(url, {"site_id": site, "queue_post_id": complaints, "title": "自拟",
                             "body": "x"}), 403, "service.canned_denied")
    r = lead.post(url, {"site_id": site, "queue_post_id": other, "title": "x", "body": "x"})
    assert r.status == 400 and r.json()["error"]["field"] == "queue_post_id", r
    r = lead.post(url, {"site_id": site, "body": "无标题"})
    assert r.status == 400 and r.json()["error"]["field"] == "title", r
    r = lead.post(url, {"site_id": site, "title": "长", "body": "字" * 1400})
    assert r.status == 400 and r.json()["error"]["field"] == "body", r
    assert len(saved(admin)) == n  # nothing written by a refusal

    # The desk reads the site's and its queue's, the queue's first, by title.
    items = ok(agent.get(f"{url}?site_id={site}&queue_post_id={complaints}"))["items"]
    assert [(c["title"], c["queue"]) for c in items] == [("退款流程", "投诉组"), ("问候", "")]
    assert [c["title"] for c in ok(agent.get(f"{url}?site_id={site}"))["items"]] == ["问候"]
    # Filling a reply with one: the thread has its text.
    t = ok(agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": complaints,
                                                   "subject": "退款咨询"}), 201)
    v = ok(agent.post(f"/api/v1/service/tickets/{t['id']}/replies", {"body": items[0]["body"]}), 201)
    assert [e["body"] for e in v["thread"] if e["kind"] == "reply"] == [refund["body"]]

    # Changed and deleted by the supervisor only.
    refused(agent.request("PUT", f"{url}/{refund['id']}", body={"title": "退款流程", "body": "y"}),
            403, "service.canned_denied")
    changed = ok(lead.request("PUT", f"{url}/{refund['id']}",
                              body={"title": "退款说明", "body": "退款 3 个工作日内到账。"}))
    assert (changed["title"], changed["queue_post_id"]) == ("退款说明", complaints)
    refused(agent.request("DELETE", f"{url}/{hello['id']}"), 403, "service.canned_denied")
    assert lead.request("DELETE", f"{url}/{hello['id']}").status == 204
    refused(lead.request("DELETE", f"{url}/{hello['id']}"), 404, "service.unknown_canned_reply")
    refused(lead.request("PUT", f"{url}/999999", body={"title": "a", "body": "b"}), 404,
            "service.unknown_canned_reply")
    items = ok(agent.get(f"{url}?site_id={site}&queue_post_id={complaints}"))["items"]
    assert [c["title"] for c in items] == ["退款说明"]
    kinds = [(j["kind"], j["payload"]["title"]) for j in saved(admin)]
    assert kinds[-2:] == [("service.canned.saved", "退款说明"), ("service.canned.deleted", "问候")]
    r = agent.get(f"{url}")
    assert r.status == 400 and r.json()["error"]["field"] == "site_id", r
