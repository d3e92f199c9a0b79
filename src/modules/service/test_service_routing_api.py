"""Ticket routing (issue 18 §4) over HTTP against the real binary, on both backends: a new ticket
goes to an agent on its queue's post now — the one holding the fewest unresolved tickets, then the
one assigned longest ago — and waits unassigned when nobody is on the post, when the only person on
it is no agent, or when the site routes by hand (service_routing: manual). Journaled as the system's
assignment; the ticket opens as if taken."""
from zhidu_harness import all_items, login

PASSWORD = "correct horse 1"


def ok(r, status=200):
    assert r.status == status, r
    return r.json()


def test_tickets_go_to_the_least_loaded_agent_on_the_queue_post(server, admin):
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    q = ok(admin.post("/api/v1/posts", {"site_id": site, "name": "投诉组"}), 201)["id"]
    cs1 = login(server, "cs1")
    cs1_person = ok(cs1.get("/api/v1/me"))["account"]["person_id"]
    # A second agent, and a person on the post without an agent account.
    pid = ok(admin.post("/api/v1/people", {"site_id": site, "name": "路由测试·钱客服"}), 201)["id"]
    ok(admin.post("/api/v1/accounts", {"username": "cs_route", "password": PASSWORD, "person_id": pid,
                                       "roles": [{"role": "客服专员", "scope_kind": "site", "scope_id": site}]}), 201)
    cs2 = server.client()
    assert cs2.login("cs_route", PASSWORD).status == 200

    def ticket(subject):
        return ok(cs1.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                                        "subject": subject}), 201)

    # Nobody on the post: the ticket waits in the queue.
    waiting = ticket("无人在岗时的来电")
    assert (waiting["assignee"], waiting["state"]) == (None, "new"), waiting

    ok(cs1.post(f"/api/v1/posts/{q}/attendance"), 201)
    ok(cs2.post(f"/api/v1/posts/{q}/attendance"), 201)
    # Both hold nothing and were never assigned: the lower person id first; then the other (fewer
    # held); then, both holding one, the one assigned longest ago.
    first, second, third = ticket("咨询一"), ticket("咨询二"), ticket("咨询三")
    lower, higher = sorted([cs1_person, pid])
    assert [t["assignee"] for t in (first, second, third)] == [lower, higher, lower], (first, second, third)
    assert all(t["state"] == "open" for t in (first, second, third))
    # Load first: the one holding one gets the next; once the other resolves both of theirs, the
    # one holding none gets it.
    fourth = ticket("咨询四")
    assert fourth["assignee"] == higher, fourth
    holder = cs1 if lower == cs1_person else cs2
    for t in (first, third):
        ok(holder.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "resolved", "note": "已解答"}))
    fifth = ticket("咨询五")
    assert fifth["assignee"] == lower, fifth
    routed = [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"] == "service.ticket.assigned"]
    assert len(routed) == 5 and all(r["actor"] in (0, None) for r in routed), routed
    assert all(r["payload"]["routed"] is True for r in routed), routed

    # Off the post, one is no longer a candidate.
    ok(cs2.post(f"/api/v1/posts/{q}/attendance:leave", {}), 200)
    assert ticket("咨询六")["assignee"] == cs1_person

    # A site that routes by hand: nothing is routed.
    ok(admin.request("PUT", f"/api/v1/sites/{site}/parameters/service_routing", body={"value": "manual"}))
    manual = ticket("手动分派")
    assert (manual["assignee"], manual["state"]) == (None, "new"), manual
