"""Importing tickets (POST /api/v1/service/tickets:batch, issue 18 §12's creation rate for an
integration) over HTTP against the real binary, on both backends, one server per backend. Each
ticket of a batch is opened exactly as POST /service/tickets opens one — the same answer to GET, the
same SLA deadlines and, for a complaint, the pack's procedure, the same journal records — and a
batch is all or none: a ticket refused before the write (a missing subject, a wrong type, an
unknown field, a site the caller has no role at) or inside it (a queue that is not a pack post)
refuses the lot, naming its index, and writes nothing."""
import pytest

from zhidu_harness import all_items, backend_server, login, ok, refused


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request):
    s = backend_server(request.param)
    yield s
    s.kill()


class Desk:
    def __init__(self, srv):
        self.admin = srv.admin()
        self.site = ok(self.admin.get("/api/v1/sites"))["items"][0]["id"]
        self.queues = {name: ok(self.admin.post("/api/v1/posts", {"site_id": self.site, "name": name}),
                                201)["id"] for name in ["客服组", "投诉组"]}
        for name, value in [("service_first_response_within", "1h"),
                            ("service_resolution_within", "1d")]:
            ok(self.admin.request("PUT", f"/api/v1/sites/{self.site}/parameters/{name}",
                                  body={"value": value}))
        self.agent = login(srv, "cs1")

    def item(self, subject, queue="客服组", **extra):
        return {"site_id": self.site, "queue_post_id": self.queues[queue], "subject": subject,
                **extra}

    def batch(self, items, client=None):
        return (client or self.agent).post("/api/v1/service/tickets:batch", {"tickets": items})

    def tickets(self):
        return all_items(self.admin, f"/api/v1/service/tickets?site_id={self.site}&limit=200")

    def created(self):
        """The service.ticket.created records so far."""
        return [r for r in all_items(self.admin, "/api/v1/journal?limit=500")
                if r["kind"] == "service.ticket.created"]


@pytest.fixture(scope="module")
def desk(srv):
    return Desk(srv)


def shape(desk, t):
    """What a ticket's opening decides, without what differs between two tickets."""
    procs = all_items(desk.admin, f"/api/v1/procedures?site_id={desk.site}&ref=ticket/{t['id']}")
    return {"queue": t["queue"], "state": t["state"], "priority": t["priority"],
            "complaint": t["complaint"], "subject": t["subject"], "category": t["category"],
            "deadlines": sorted((d["service_level"], d["state"]) for d in t["deadlines"]),
            "procedures": sorted(p["procedure"] for p in procs),
            "thread": [(e["kind"], e["body"]) for e in t["thread"]]}


def test_a_batch_opens_each_ticket_as_the_single_route_does(desk):
    items = [desk.item("批量导入：空调不制冷", body="客厅空调不制冷", priority="high"),
             desk.item("批量导入：投诉送货迟到", queue="投诉组", complaint=True,
                       body="说好上午送到，下午还没到"),
             desk.item("批量导入：咨询发票", category="发票")]
    before = len(desk.created())
    r = ok(desk.batch(items), 201)
    assert r["count"] == 3 and len(r["ids"]) == 3
    assert r["ids"] == sorted(r["ids"]) and len(set(r["ids"])) == 3  # in the order sent
    singles = [ok(desk.agent.post("/api/v1/service/tickets", i), 201) for i in items]
    for tid, single, item in zip(r["ids"], singles, items):
        got = ok(desk.agent.get(f"/api/v1/service/tickets/{tid}"))
        assert got["subject"] == item["subject"]
        assert shape(desk, got) == shape(desk, single), (got, single)
    first = shape(desk, ok(desk.agent.get(f"/api/v1/service/tickets/{r['ids'][0]}")))
    assert first["deadlines"], "the service levels on ticket_opened start for a batch's ticket"
    complaint = shape(desk, ok(desk.agent.get(f"/api/v1/service/tickets/{r['ids'][1]}")))
    assert complaint["procedures"] == ["r06-complaint"]
    records = desk.created()[before:]
    assert [rec["subject"] for rec in records[:3]] == [f"ticket/{t}" for t in r["ids"]]
    assert [rec["subject"] for rec in records[3:]] == [f"ticket/{t['id']}" for t in singles]


@pytest.mark.parametrize("bad, field, status", [
    ({"subject": None}, "tickets[1].subject", 400),        # required, dropped below
    ({"subject": ""}, "tickets[1].subject", 400),
    ({"site_id": "一"}, "tickets[1].site_id", 400),
    ({"colour": "红"}, "tickets[1].colour", 400),
    ({"priority": "very"}, "tickets[1].priority", 400),
    ({"site_id": 987654}, "tickets[1]", 403),               # no role at that site
    ({"queue_post_id": 987654}, "tickets[1].queue_post_id", 400),  # refused inside the write
])
def test_one_bad_ticket_refuses_the_whole_batch_and_writes_nothing(desk, bad, field, status):
    second = desk.item("批量导入：第二张")
    for k, v in bad.items():
        if v is None:
            second.pop(k)
        else:
            second[k] = v
    items = [desk.item("批量导入：第一张"), second, desk.item("批量导入：第三张")]
    tickets, created = len(desk.tickets()), len(desk.created())
    r = desk.batch(items)
    assert r.status == status, r
    e = r.json()["error"]
    assert e["field"] == field, e
    assert e["message"].startswith(field.split(".")[0] + ": "), e
    assert len(desk.tickets()) == tickets and len(desk.created()) == created


def test_the_batch_itself_is_checked(desk):
    tickets = len(desk.tickets())
    refused(desk.batch([]), 400, "required", "tickets")
    too_many = [desk.item(f"批量导入：第{i}张") for i in range(101)]
    refused(desk.batch(too_many), 400, "invalid", "tickets")
    r = desk.agent.post("/api/v1/service/tickets:batch", {"tickets": {"subject": "不是数组"}})
    refused(r, 400, "invalid", "tickets")
    refused(desk.agent.post("/api/v1/service/tickets:batch", {}), 400, "required", "tickets")
    r = desk.agent.post("/api/v1/service/tickets:batch", {"tickets": [desk.item("x")], "more": 1})
    assert r.status == 400 and r.json()["error"]["field"] == "more", r
    r = desk.agent.post("/api/v1/service/tickets:batch", {"tickets": [desk.item("x"), "不是工单"]})
    assert r.status == 400 and r.json()["error"]["field"] == "tickets[1]", r
    r = desk.agent.request("POST", "/api/v1/service/tickets:batch", raw=b'{"tickets": [',
                           headers={"Content-Type": "application/json"})
    assert r.status == 400, r
    assert len(desk.tickets()) == tickets
    # A hundred is allowed: the limit is inclusive.
    r = ok(desk.batch(too_many[:100]), 201)
    assert r["count"] == 100 and len(desk.tickets()) == tickets + 100
