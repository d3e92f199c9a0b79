"""合并工单 and 附件 (ticket merge and attachments, issue 18 §2) over HTTP against the real binary, on
both backends, one server per backend. Merge: a duplicate is closed and marked merged into the
target, its conversation (with its images) is copied to the target's thread with the original
author and time under an entry naming it, its SLA deadlines stop through the kernel's engine
(ticket_merged), a complaint whose 客户反馈表 still runs is not merged away (R06 §四(一)7).
Attachments: images uploaded to the photo store (POST /api/v1/photos) ride on a new ticket, a
reply, a note and a customer message by their SHA-256 and come back in the thread; an image not
uploaded is refused (photo.not_uploaded). Every refusal writes nothing."""
import hashlib
import struct
import zlib

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
        self.seq = 0
        self.journal()

    def ticket(self, subject, queue="客服组", client=None, **extra):
        body = {"site_id": self.site, "queue_post_id": self.queues[queue], "subject": subject}
        body.update(extra)
        return ok((client or self.agent).post("/api/v1/service/tickets", body), 201)

    def get(self, tid):
        return ok(self.agent.get(f"/api/v1/service/tickets/{tid}"))

    def journal(self):
        """The records written since the last call."""
        rows = all_items(self.admin, f"/api/v1/journal?after={self.seq}&limit=500")
        if rows:
            self.seq = rows[-1]["seq"]
        return rows


@pytest.fixture(scope="module")
def desk(srv):
    return Desk(srv)


def png(width):
    """A real PNG of `width`×1 grey pixels (distinct bytes per width)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"\x00" + b"\x80" * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def upload(client, data):
    r = client.request("POST", "/api/v1/photos", raw=data, headers={"Content-Type": "image/png"})
    assert r.status in (200, 201), r
    assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()
    return r.json()["sha256"]


def merge(client, tid, into, **extra):
    return client.post(f"/api/v1/service/tickets/{tid}/merge", {"into": into, **extra})


def test_a_duplicate_is_merged_into_its_ticket(desk):
    agent = desk.agent
    target = desk.ticket("空调不制冷", body="客厅空调不制冷")
    dup = desk.ticket("空调又坏了", body="还是不制冷，请尽快处理")
    photo = upload(agent, png(3))
    ok(agent.post(f"/api/v1/service/tickets/{dup['id']}/replies",
                  {"body": "已安排师傅上门", "attachments": [photo]}), 201)
    ok(agent.post(f"/api/v1/service/tickets/{dup['id']}/notes", {"body": "与 #%d 重复" % target["id"]}),
       201)
    before = desk.get(dup["id"])
    clocks = {d["service_level"]: d["state"] for d in before["deadlines"]}
    assert clocks == {"r14-first-response": "met", "r06-ticket-resolution": "open"}, clocks
    desk.journal()

    merged = ok(merge(agent, dup["id"], target["id"], note="同一台空调"))
    assert merged["id"] == dup["id"] and merged["merged_into"] == target["id"]
    assert merged["state"] == "closed" and merged["closed_at"] and merged["next_states"] == []
    # The duplicate's running clock stopped through the engine, on ticket_merged; none runs now.
    after = {d["service_level"]: d for d in merged["deadlines"]}
    assert after["r06-ticket-resolution"]["state"] == "met"
    assert after["r06-ticket-resolution"]["stopped_at"]
    assert not [d for d in merged["deadlines"] if d["state"] in ("open", "paused")]
    # Its own thread is kept as it was, with the closing entry naming the target.
    assert [e["kind"] for e in merged["thread"]] == ["customer", "reply", "note", "state"]
    closing = merged["thread"][-1]
    assert (closing["from_state"], closing["to_state"]) == ("new", "closed")
    assert f"#{target['id']}" in closing["body"] and "同一台空调" in closing["body"]

    t = desk.get(target["id"])
    assert t["state"] == "new" and t["merged_into"] is None
    head, *copies = t["thread"][1:]
    assert head["kind"] == "note" and head["merged_from"] == dup["id"] and head["copied_from"] is None
    assert f"#{dup['id']}" in head["body"] and "空调又坏了" in head["body"]
    originals = before["thread"]
    assert [(e["kind"], e["body"], e["author"], e["at"], e["attachments"], e["copied_from"],
             e["merged_from"]) for e in copies] == [
        (e["kind"], e["body"], e["author"], e["at"], e["attachments"], e["id"], dup["id"])
        for e in originals]
    assert copies[1]["attachments"] == [photo]
    # The target's own clocks run on, untouched.
    assert {d["service_level"]: d["state"] for d in t["deadlines"]} == {
        "r14-first-response": "open", "r06-ticket-resolution": "open"}
    # SLA compliance counts the duplicate's first reply (before the merge), not the clock the
    # merge stopped: that work goes on on the target.
    day = before["created_at"][:10]
    report = ok(desk.admin.get(f"/api/v1/service/reports?site_id={desk.site}&from={day}&to={day}"))
    sla = {r["service_level"]: (r["met"], r["open"]) for r in report["sla"] if r["queue"] == "客服组"}
    assert sla == {"r14-first-response": (1, 1), "r06-ticket-resolution": (0, 1)}, sla

    records = desk.journal()
    kinds = [r["kind"] for r in records]
    assert kinds.count("service.ticket.merged") == 1
    m = next(r for r in records if r["kind"] == "service.ticket.merged")
    assert m["subject"] == f"ticket/{dup['id']}"
    assert (m["payload"]["into"], m["payload"]["entries_copied"], m["payload"]["from"]) == (
        target["id"], 3, "new")
    stopped = [r for r in records if r["kind"] == "deadline.stopped"]
    assert [(r["payload"]["ref"], r["payload"]["event"], r["payload"]["service_level"])
            for r in stopped] == [(f"ticket/{dup['id']}", "ticket_merged", "r06-ticket-resolution")]

    # A merged ticket takes no more work: it says where the work went.
    for path, body in [("replies", {"body": "x"}), ("notes", {"body": "x"}),
                       ("messages", {"body": "x"}), ("reopen", {"reason": "x"}),
                       ("state", {"to": "open"})]:
        refused(agent.post(f"/api/v1/service/tickets/{dup['id']}/{path}", body), 409,
                "service.ticket_merged")
    refused(merge(agent, dup["id"], target["id"]), 409, "service.merge_source_closed")
    other = desk.ticket("另一件事")
    refused(merge(agent, other["id"], dup["id"]), 409, "service.merge_closed", "into")
    assert "service.ticket.merged" not in [r["kind"] for r in desk.journal()]


def test_refused_merges_write_nothing(desk):
    agent, admin = desk.agent, desk.admin
    target = desk.ticket("门锁坏了", body="门锁打不开")
    dup = desk.ticket("门锁问题", body="锁芯卡住")
    done = desk.ticket("已解决的单")
    ok(agent.post(f"/api/v1/service/tickets/{done['id']}/state", {"to": "resolved"}))
    complaint = desk.ticket("服务态度投诉", queue="投诉组", complaint=True, body="态度差")
    assert [p["state"] for p in complaint["procedures"]] == ["recorded"]
    other_site = ok(admin.post("/api/v1/sites", {"name": "合并测试二号场所"}), 201)["id"]
    other_queue = ok(admin.post("/api/v1/posts", {"site_id": other_site, "name": "客服组"}), 201)["id"]
    elsewhere = ok(admin.post("/api/v1/service/tickets", {
        "site_id": other_site, "queue_post_id": other_queue, "subject": "别处的单"}), 201)
    desk.journal()
    snapshot = {t: desk.get(t) for t in (target["id"], dup["id"], complaint["id"], done["id"])}

    refused(merge(agent, dup["id"], dup["id"]), 400, "service.merge_into_self", "into")
    refused(merge(agent, dup["id"], 999999), 404, "service.unknown_ticket", "into")
    # The agent holds no role at the other site: its ticket is unknown to them; the admin sees both.
    refused(merge(agent, dup["id"], elsewhere["id"]), 404, "service.unknown_ticket", "into")
    refused(merge(admin, dup["id"], elsewhere["id"]), 409, "service.merge_other_site", "into")
    refused(merge(agent, dup["id"], done["id"]), 409, "service.merge_closed", "into")
    # R06 §四(一)7: the 客户反馈表 is followed to the customer's satisfaction on its own ticket.
    r = refused(merge(agent, complaint["id"], target["id"]), 409, "service.merge_procedure_running")
    assert "R06 §四(一)7" in r["message"]
    r = agent.post(f"/api/v1/service/tickets/{dup['id']}/merge", {"note": "x"})
    assert r.status == 400 and r.json()["error"]["field"] == "into", r
    r = agent.post(f"/api/v1/service/tickets/{dup['id']}/merge", {"into": target["id"], "x": 1})
    assert r.status == 400, r

    assert desk.journal() == []  # no record, no event, no deadline stopped
    for tid, was in snapshot.items():
        now = desk.get(tid)
        assert (now["state"], now["merged_into"], now["thread"], now["deadlines"]) == (
            was["state"], was["merged_into"], was["thread"], was["deadlines"]), tid

    # The other way round is allowed: the duplicate goes into the complaint, whose form runs on.
    merged = ok(merge(agent, dup["id"], complaint["id"]))
    assert merged["merged_into"] == complaint["id"]
    c = desk.get(complaint["id"])
    assert [p["state"] for p in c["procedures"]] == ["recorded"]
    assert [e["merged_from"] for e in c["thread"]][-2:] == [dup["id"], dup["id"]]


def test_images_ride_on_the_thread(desk):
    agent = desk.agent
    a, b = upload(agent, png(1)), upload(agent, png(2))
    t = desk.ticket("地板开裂", body="见照片", attachments=[a])
    assert [(e["kind"], e["attachments"]) for e in t["thread"]] == [("customer", [a])]
    url = f"/api/v1/service/tickets/{t['id']}"
    v = ok(agent.post(f"{url}/replies", {"body": "已收到", "attachments": [a, b, a]}), 201)
    assert v["thread"][-1]["attachments"] == [a, b]  # a repeat is kept once
    v = ok(agent.post(f"{url}/notes", {"body": "内部备注", "attachments": [b]}), 201)
    assert v["thread"][-1]["attachments"] == [b]
    v = ok(agent.post(f"{url}/messages", {"body": "又裂了", "attachments": [b]}), 201)
    assert v["thread"][-1]["attachments"] == [b]
    v = ok(agent.post(f"{url}/replies", {"body": "无图"}), 201)
    assert v["thread"][-1]["attachments"] == []
    assert [e["attachments"] for e in desk.get(t["id"])["thread"]] == [[a], [a, b], [b], [b], []]
    # The thumbnails' route: the bytes behind the hash.
    r = agent.get(f"/api/v1/photos/{b}")
    assert r.status == 200 and r.headers.get("Content-Type") == "image/png", r
    rows = [r for r in desk.journal() if r["subject"] == f"ticket/{t['id']}"]
    journaled = [(r["kind"], r["payload"].get("attachments")) for r in rows
                 if r["kind"] in ("service.ticket.created", "service.ticket.replied",
                                  "service.ticket.noted", "service.ticket.customer_message")]
    assert journaled == [("service.ticket.created", [a]), ("service.ticket.replied", [a, b]),
                         ("service.ticket.noted", 1),  # a note's number only, as its text
                         ("service.ticket.customer_message", [b]),
                         ("service.ticket.replied", None)]

    # Refused, nothing written: an image never uploaded, a malformed hash, more than 10.
    missing = hashlib.sha256(b"never uploaded").hexdigest()
    thread = desk.get(t["id"])["thread"]
    for path, body in [("replies", {"body": "x"}), ("notes", {"body": "x"}),
                       ("messages", {"body": "x"})]:
        refused(agent.post(f"{url}/{path}", {**body, "attachments": [a, missing]}), 400,
                "photo.not_uploaded", "attachments")
        refused(agent.post(f"{url}/{path}", {**body, "attachments": ["xyz"]}), 400, "invalid",
                "attachments")
    refused(agent.post(f"{url}/replies", {"body": "x", "attachments": [a] * 2 + [
        hashlib.sha256(bytes([i])).hexdigest() for i in range(10)]}), 400, "invalid", "attachments")
    r = agent.post(f"{url}/replies", {"body": "x", "attachments": "abc"})
    assert r.status == 400 and r.json()["error"]["field"] == "attachments", r
    refused(agent.post("/api/v1/service/tickets", {
        "site_id": desk.site, "queue_post_id": desk.queues["客服组"], "subject": "带图新单",
        "body": "x", "attachments": [missing]}), 400, "photo.not_uploaded", "attachments")
    assert desk.journal() == []
    assert desk.get(t["id"])["thread"] == thread
    assert not [x for x in all_items(agent, f"/api/v1/service/tickets?site_id={desk.site}")
                if x["subject"] == "带图新单"]
