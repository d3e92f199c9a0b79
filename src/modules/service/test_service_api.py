"""Customer service (客户服务, R06 R10 R14 R19) over HTTP against the real binary, on both backends:
the customer archive with de-duplication by phone and masking (full view only with the pack's
customer-data right, journaled), the caller register, tickets on a pack post's queue with their
thread, states and assignment, one procedure per complaint, SLA deadlines from site parameters
stopped by the first reply and by resolution, bad input refused with nothing written."""
from urllib.parse import quote

from zhidu_harness import all_items, login


def site_id(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def journal(admin, prefix):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"].startswith(prefix)]


def queue(admin, site, name="投诉组"):
    r = admin.post("/api/v1/posts", {"site_id": site, "name": name})
    assert r.status == 201, r
    return r.json()["id"]


def person_of(client):
    return client.get("/api/v1/me").json()["account"]["person_id"]


def test_a_phone_is_one_customer_and_masked_without_the_right(server, admin):
    site = site_id(admin)
    agent, lead = login(server, "cs1"), login(server, "cs_lead")
    r = agent.post("/api/v1/service/customers", {
        "site_id": site, "kind": "person", "name": "李先生", "phones": ["138 1234 5678"],
        "id_number": "110101199003071234", "grade": "VIP"})
    assert r.status == 201, r
    customer = r.json()
    assert customer["phones"] == ["138****5678"] and customer["masked"] is True
    assert customer["id_number"] == "110***********1234"

    dup = agent.post("/api/v1/service/customers", {
        "site_id": site, "kind": "company", "name": "某公司", "phones": ["021-5555", "138-1234-5678"]})
    assert dup.status == 409, dup
    assert dup.json()["error"]["existing_id"] == customer["id"]
    assert dup.json()["error"]["field"] == "phones"
    listed = all_items(agent, f"/api/v1/service/customers?site_id={site}")
    assert [c["id"] for c in listed] == [customer["id"]]
    assert all_items(agent, f"/api/v1/service/customers?site_id={site}&q=021") == []
    assert [c["id"] for c in all_items(agent, f"/api/v1/service/customers?site_id={site}&q="
                                        + quote("李"))] == [customer["id"]]

    refused = agent.get(f"/api/v1/service/customers/{customer['id']}?full=true")
    assert refused.status == 403, refused
    assert "R19 §二5)" in refused.json()["error"]["message"]
    assert journal(admin, "service.customer.viewed") == []
    full = lead.get(f"/api/v1/service/customers/{customer['id']}?full=true")
    assert full.status == 200, full
    assert full.json()["phones"] == ["13812345678"] and full.json()["masked"] is False
    assert full.json()["id_number"] == "110101199003071234"
    viewed = journal(admin, "service.customer.viewed")
    assert len(viewed) == 1 and viewed[0]["subject"] == f"customer/{customer['id']}"
    assert "R19 §二5)" in str(viewed[0]["payload"])
    assert all("13812345678" not in str(r["payload"]) for r in journal(admin, "service."))
    assert agent.get(f"/api/v1/service/customers/{customer['id']}?full=maybe").status == 400

    # Editing keeps phones unique too: taking another customer's phone is refused, nothing changes.
    other = agent.post("/api/v1/service/customers", {
        "site_id": site, "kind": "company", "name": "某公司", "phones": ["021-5555-0000"]}).json()
    clash = agent.request("PUT", f"/api/v1/service/customers/{other['id']}", body={
        "kind": "company", "name": "某公司改名", "phones": ["13812345678"]})
    assert clash.status == 409 and clash.json()["error"]["existing_id"] == customer["id"], clash
    r = agent.request("PUT", f"/api/v1/service/customers/{other['id']}", body={
        "kind": "company", "name": "某公司", "phones": ["021-5555-0000", "13900000000"], "grade": "A"})
    assert r.status == 200, r
    assert r.json()["phones"] == ["021****0000", "139****0000"] and r.json()["grade"] == "A"
    assert lead.get(f"/api/v1/service/customers/{other['id']}?full=1").json()["name"] == "某公司"


def test_a_call_is_registered_and_linked_by_phone(server, admin):
    site = site_id(admin)
    agent, lead = login(server, "cs1"), login(server, "cs_lead")
    customer = agent.post("/api/v1/service/customers", {
        "site_id": site, "kind": "person", "name": "王女士", "phones": ["13900001111"]}).json()
    r = agent.post("/api/v1/service/contacts", {
        "site_id": site, "channel": "call", "name": "王女士", "company": "某装饰公司",
        "phone": "139-0000-1111", "need": "咨询外墙涂料"})
    assert r.status == 201, r
    assert r.json()["customer_id"] == customer["id"] and r.json()["phone"] == "139****1111"
    bad = agent.post("/api/v1/service/contacts", {"site_id": site, "channel": "fax", "name": "某",
                                                  "need": "x"})
    assert bad.status == 400 and bad.json()["error"]["field"] == "channel"
    unknown = agent.post("/api/v1/service/contacts", {"site_id": site, "channel": "visit",
                                                      "name": "某", "need": "x", "customer_id": 99999})
    assert unknown.status == 400 and unknown.json()["error"]["field"] == "customer_id"
    rows = all_items(agent, f"/api/v1/service/contacts?site_id={site}")
    assert len(rows) == 1 and rows[0]["phone"] == "139****1111"
    assert agent.get(f"/api/v1/service/contacts?site_id={site}&full=true").status == 403
    full = lead.get(f"/api/v1/service/contacts?site_id={site}&full=true").json()["items"]
    assert full[0]["phone"] == "13900001111"
    assert len(journal(admin, "service.contact.viewed")) == 1
    assert len(journal(admin, "service.contact.recorded")) == 1


def test_a_complaint_ticket_runs_one_procedure_and_its_deadlines(server, admin):
    site = site_id(admin)
    q = queue(admin, site)
    for name, value in [("service_first_response_within", "1h"), ("service_resolution_within", "1d")]:
        r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/{name}", body={"value": value})
        assert r.status == 200, r
    agent, lead = login(server, "cs1"), login(server, "cs_lead")
    r = agent.post("/api/v1/service/tickets", {
        "site_id": site, "queue_post_id": q, "subject": "商品破损投诉", "priority": "normal",
        "complaint": True, "body": "收到的货物外包装破损"})
    assert r.status == 201, r
    t = r.json()
    assert t["state"] == "new" and t["queue"] == "投诉组" and t["complaint"] is True
    assert [e["kind"] for e in t["thread"]] == ["customer"]
    levels = {d["service_level"]: d for d in t["deadlines"]}
    assert set(levels) == {"r14-first-response", "r06-ticket-resolution"}
    assert all(d["state"] == "open" and d["due_at"] for d in levels.values())

    procs = all_items(admin, f"/api/v1/procedures?site_id={site}&ref=ticket/{t['id']}")
    assert [p["procedure"] for p in procs] == ["r06-complaint"]

    r = agent.post(f"/api/v1/service/tickets/{t['id']}/notes", {"body": "内部：先查物流"})
    assert r.status == 201, r
    assert {d["service_level"]: d["state"] for d in r.json()["deadlines"]}["r14-first-response"] == "open"
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/replies", {"body": "您好，已为您登记补发"})
    assert r.status == 201, r
    states = {d["service_level"]: d["state"] for d in r.json()["deadlines"]}
    assert states == {"r14-first-response": "met", "r06-ticket-resolution": "open"}

    me = person_of(agent)
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": me})
    assert r.status == 200, r
    assert r.json()["assignee"] == me and r.json()["state"] == "open"
    other = lead.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": 999999})
    assert other.status == 400 and other.json()["error"]["field"] == "person_id"
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "pending", "note": "等客户照片"})
    assert r.status == 200 and r.json()["pauses_sla"] is True
    r = agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "resolved"})
    assert r.status == 200, r
    assert {d["service_level"]: d["state"] for d in r.json()["deadlines"]}["r06-ticket-resolution"] == "met"
    early = agent.post(f"/api/v1/service/tickets/{t['id']}/state", {"to": "new"})
    assert early.status == 409, early
    assert early.json()["error"]["code"] == "failed_precondition"

    listed = all_items(agent, f"/api/v1/service/tickets?site_id={site}&queue_post_id={q}&state=resolved")
    assert [x["id"] for x in listed] == [t["id"]]
    kinds = [r["kind"] for r in journal(admin, "service.ticket.")]
    assert kinds == ["service.ticket.created", "service.ticket.noted", "service.ticket.replied",
                     "service.ticket.assigned", "service.ticket.moved", "service.ticket.moved"]
    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_only_a_supervisor_takes_a_ticket_someone_holds(server, admin):
    site = site_id(admin)
    q = queue(admin, site, "客服组")
    agent, lead = login(server, "cs1"), login(server, "cs_lead")
    t = agent.post("/api/v1/service/tickets", {"site_id": site, "queue_post_id": q,
                                               "subject": "软件使用咨询"}).json()
    # Without the site's figures, the deadlines are recorded and not timed (no invented default).
    assert {d["state"] for d in t["deadlines"]} == {"not_started"}
    assert agent.post(f"/api/v1/service/tickets/{t['id']}/assign",
                      {"person_id": person_of(agent)}).status == 200
    took = login(server, "cs_manager")
    grab = took.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": person_of(took)})
    # 客服经理 is above 客服主管 above 客服专员 in the pack: a supervisor of 客服组.
    assert grab.status == 200, grab
    back = agent.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": person_of(agent)})
    assert back.status == 403, back
    r = lead.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": person_of(lead),
                                                                 "note": "主管接手"})
    assert r.status == 200 and r.json()["assignee"] == person_of(lead)
    assert [e["kind"] for e in r.json()["thread"]] == ["assign", "assign", "assign"]
    # Another site's people see nothing.
    other = admin.post("/api/v1/sites", {"name": "另一园区", "time_zone": "Asia/Shanghai"}).json()
    stranger_q = queue(admin, other["id"])
    assert agent.post("/api/v1/service/tickets", {"site_id": other["id"], "queue_post_id": stranger_q,
                                                  "subject": "x"}).status == 403
    assert all_items(agent, f"/api/v1/service/tickets?site_id={site}&assignee={person_of(lead)}")[0]["id"] == t["id"]


def test_bad_input_is_refused_and_writes_nothing(server, admin):
    site = site_id(admin)
    q = queue(admin, site)
    not_queue = admin.post("/api/v1/posts", {"site_id": site, "name": "不是队列"}).json()["id"]
    c = login(server, "cs1")
    base = {"site_id": site, "queue_post_id": q, "subject": "问题"}
    cases = [
        ({**base, "subject": "x" * 501}, "subject"),
        ({**base, "body": "y" * 4001}, "body"),
        ({**base, "queue_post_id": not_queue}, "queue_post_id"),
        ({**base, "queue_post_id": 999999}, "queue_post_id"),
        ({**base, "customer_id": 999999}, "customer_id"),
        ({**base, "priority": "asap"}, "priority"),
        ({**base, "complaint": "yes"}, "complaint"),
        ({**base, "site_id": "one"}, "site_id"),
        ({**base, "colour": "red"}, "colour"),
        ({"site_id": site, "queue_post_id": q}, "subject"),
    ]
    for body, field in cases:
        r = c.post("/api/v1/service/tickets", body)
        assert r.status == 400, (body, r)
        assert r.json()["error"]["field"] == field, (body, r)
    for body, field in [
        ({"site_id": site, "kind": "person", "name": "某", "phones": []}, "phones"),
        ({"site_id": site, "kind": "person", "name": "某", "phones": ["abc"]}, "phones"),
        ({"site_id": site, "kind": "person", "name": "某", "phones": [138]}, "phones"),
        ({"site_id": site, "kind": "robot", "name": "某", "phones": ["13800000000"]}, "kind"),
        ({"site_id": site, "kind": "person", "name": "某", "phones": ["13800000000"],
          "id_number": "身份证"}, "id_number"),
        ({"site_id": site, "kind": "person", "name": "x" * 501, "phones": ["13800000000"]}, "name"),
    ]:
        r = c.post("/api/v1/service/customers", body)
        assert r.status == 400, (body, r)
        assert r.json()["error"]["field"] == field, (body, r)
    assert c.request("POST", "/api/v1/service/tickets", raw=b"{not json").status == 400
    assert c.get("/api/v1/service/tickets/999999").status == 404
    assert c.post("/api/v1/service/tickets/999999/replies", {"body": "x"}).status == 404
    assert c.get(f"/api/v1/service/tickets?site_id={site}&state=lost").status == 400
    assert all_items(c, f"/api/v1/service/tickets?site_id={site}") == []
    assert all_items(c, f"/api/v1/service/customers?site_id={site}") == []
    assert journal(admin, "service.") == []
    assert journal(admin, "site.event") == []


def test_the_routes_are_documented(server):
    doc = server.client().get("/api/v1/openapi.json").json()
    for path in ["/api/v1/service/customers", "/api/v1/service/customers/{id}",
                 "/api/v1/service/contacts", "/api/v1/service/tickets",
                 "/api/v1/service/tickets/{id}", "/api/v1/service/tickets/{id}/replies",
                 "/api/v1/service/tickets/{id}/notes", "/api/v1/service/tickets/{id}/state",
                 "/api/v1/service/tickets/{id}/assign"]:
        assert path in doc["paths"], path
