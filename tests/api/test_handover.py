"""Handover (交接班, 五交五不接) over HTTP on both backends, on the test clock: a handover opened
too early is refused naming the window (R12 §四(一)1); a normal handover freezes the outgoing
shift's report, takes the 五交 answers, the incoming acknowledges the abnormal entries, both sign
with their passwords (a wrong one is 403 and journaled; a third person cannot sign), and only then
does attendance switch and the seal — recomputable from the frozen report — appear; a duty
completed after opening lands in the next shift's report; a refusal (五不接) keeps the outgoing on
post and reaches the shift lead (秩序维护主管, the superior of 中控员) over the stream.

R12 gives the control room no shift times, so the site enters its own shift pattern for 中控岗:
the test serves a copy of the shipped pack with one site pattern appended to R12.yaml."""
import datetime as dt
import hashlib
import os

import pytest

from test_notifications import WebSocket
from test_runtime_week import Actor, advance, post_id
from zhidu_harness import clock_server, pack_with

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 7, 0, tzinfo=TZ)

with open(os.path.join(os.path.dirname(__file__), "site_control_room_pattern.yaml"),
          encoding="utf-8") as _f:
    SITE_PATTERN = "\n" + _f.read()

R12_ANSWERS = {
    "precheck": True,
    "equipment": "pass",
    "incidents": "无",
    "duty-log": True,
    "tools": "pass",
    "instructions": "无",
    "hygiene": "pass",
    "hand-problems": "07:15 巡视漏检一次",
    "hand-tools": True,
    "hand-safety": True,
    "hand-records": True,
    "hand-hygiene": True,
}


@pytest.fixture
def hserver(require_backend, tmp_path):
    # The site patterns 中控岗 itself: without the demo roster, its handovers follow that pattern.
    pack = pack_with(tmp_path, "R12.yaml", SITE_PATTERN, drop_demo_roster="中控岗")
    s = clock_server(require_backend, MONDAY, pack)
    yield s
    s.kill()


def journal(actor, kind, after=0):
    out = []
    for _ in range(200):
        r = actor.get("/api/v1/journal?limit=200" + (f"&after={after}" if after else ""))
        assert r.status == 200, r
        items = r.json()["items"]
        out += [j for j in items if j["kind"] == kind]
        if not items:
            return out
        after = items[-1]["seq"]
    raise AssertionError("journal too long")


def head_seq(actor):
    seq = 0
    for _ in range(200):
        r = actor.get("/api/v1/journal?limit=200" + (f"&after={seq}" if seq else ""))
        assert r.status == 200, r
        items = r.json()["items"]
        if not items:
            return seq
        seq = items[-1]["seq"]
    raise AssertionError("journal too long")


def attendance(actor, post):
    r = actor.get(f"/api/v1/posts/{post}/attendance")
    assert r.status == 200, r
    return sorted(a["person_id"] for a in r.json()["items"])


def patrol_at(op, post, t):
    items = op.get(f"/api/v1/duties?post_id={post}&duty=r12-video-patrol&limit=200").json()["items"]
    return next(d for d in items if dt.datetime.fromisoformat(d["due_at"]) == t)


def test_handover_window_signatures_seal_and_refusal(hserver):
    server = hserver
    admin = Actor(server, "admin")
    chief = Actor(server, "guard_chief")   # 秩序维护主管: superior of 中控员, the shift lead
    op1 = Actor(server, "op1")
    op2 = Actor(server, "op2")
    p1, p2 = op1.me()["person_id"], op2.me()["person_id"]
    creds = server.credentials()
    post = post_id(admin, "中控岗")

    # The grace after the shift start is the site's figure (the regulations give none): declared,
    # not set, so the window closes at the start.
    site = next(p["site_id"] for p in admin.get("/api/v1/posts?limit=200").json()["items"]
                if p["id"] == post)
    params = {p["name"]: p for p in admin.get(f"/api/v1/sites/{site}/parameters").json()["items"]}
    assert params["handover_grace"]["kind"] == "duration" and params["handover_grace"]["value"] is None

    assert op1.post(f"/api/v1/posts/{post}/attendance").status == 201
    # The 07:00 patrol done, 07:15 missed (→ a violation), 07:30 done; 07:45 still open at 07:50.
    advance(admin, MONDAY.replace(minute=1))
    assert op1.post(f"/api/v1/duties/{patrol_at(op1, post, MONDAY)['id']}/complete",
                    {"answers": {"status": "pass"}}).status == 200
    advance(admin, MONDAY.replace(minute=31))
    assert op1.post(f"/api/v1/duties/{patrol_at(op1, post, MONDAY.replace(minute=30))['id']}/complete",
                    {"answers": {"status": "pass"}}).status == 200
    # The outgoing writes the duty log: one routine entry, one abnormal one the incoming must read.
    for kind, text in (("routine", "视频巡查正常"), ("abnormal", "3号摄像机画面中断，已报修")):
        r = op1.post("/api/v1/duty-log", {"site_id": site, "post_id": post, "kind": kind,
                                          "text": text})
        assert r.status == 201, r
    abnormal_entry = r.json()["id"]

    # Too early: 07:40 is before 07:50 (R12 §四(一)1: 提前10分钟到岗 for the 08:00 change).
    advance(admin, MONDAY.replace(minute=40))
    r = op2.post("/api/v1/handovers", {"post_id": post})
    assert r.status == 409 and r.json()["error"]["reason"] == "handover.outside_window", r
    msg = r.json()["error"]["message"]
    assert "07:50" in msg and "08:00" in msg and "R12 §四(一)1" in msg, msg
    assert op2.get(f"/api/v1/handovers?post_id={post}").json()["items"] == []
    # Unknown post: 404; malformed: 400.
    assert op2.post("/api/v1/handovers", {"post_id": 999999}).status == 404
    assert op2.post("/api/v1/handovers", {"post_id": "x"}).status == 400

    # In the window: the incoming opens; the report is frozen with its hash.
    advance(admin, MONDAY.replace(minute=50))
    assert op1.post("/api/v1/handovers", {"post_id": post}).status == 409  # the outgoing cannot
    r = op2.post("/api/v1/handovers", {"post_id": post})
    assert r.status == 201, r
    h = r.json()
    hid = h["id"]
    assert h["state"] == "open" and h["outgoing_person_id"] == p1 and h["incoming_person_id"] == p2
    assert h["checklists"] == ["r12-handover"]
    # 中控岗 has no published roster in the demo: the check is skipped and says why.
    assert h["roster_check"].startswith("skipped: no published roster"), h["roster_check"]
    assert hashlib.sha256(h["report_canonical"].encode()).hexdigest() == h["report_sha256"]
    report = h["report"]
    assert report["log_source"] == "duty log"
    assert [(e["kind"], e["abnormal"]) for e in report["log"]] == [("routine", False),
                                                                  ("abnormal", True)]
    by_due = {d["due_at"]: d for d in report["duties"]}
    assert by_due[MONDAY.replace(minute=15).isoformat()]["state"] == "missed"
    open_patrol = by_due[MONDAY.replace(minute=45).isoformat()]
    assert open_patrol["state"] == "due" and "completed_at" not in open_patrol
    assert [v["code"] for v in report["violations"]] == ["R12-PATROL-MISSED"]
    abnormal = [a["ref"] for a in report["abnormal"]]
    missed = by_due[MONDAY.replace(minute=15).isoformat()]["id"]
    assert f"duty/{missed}" in abnormal, abnormal
    assert f"violation/{report['violations'][0]['id']}" in abnormal, abnormal
    assert f"log/{abnormal_entry}" in abnormal, abnormal
    assert h["unacknowledged"] == abnormal
    assert op2.post("/api/v1/handovers", {"post_id": post}).status == 409  # one open per post

    # After opening: a duty completed now belongs to the next shift's report.
    advance(admin, MONDAY.replace(minute=51))
    assert op1.post(f"/api/v1/duties/{open_patrol['id']}/complete",
                    {"answers": {"status": "pass"}}).status == 200
    assert op2.get(f"/api/v1/handovers/{hid}").json()["report"] == report  # frozen

    # Bad input, nothing written.
    r = op2.post(f"/api/v1/handovers/{hid}/sign", {"password": creds["op2"][0]})
    # Each refusal carries its stable reason (docs/api.md), which the console says in Chinese.
    assert r.status == 409, r  # the outgoing signs first
    assert r.json()["error"]["reason"] == "handover.outgoing_signs_first", r
    r = op1.post(f"/api/v1/handovers/{hid}/sign", {"password": creds["op1"][0]})
    assert r.status == 409 and "checklist" in r.json()["error"]["message"], r
    assert r.json()["error"]["reason"] == "handover.checklist_first", r
    r = op1.post(f"/api/v1/handovers/{hid}/answers", {"answers": {"precheck": True}})
    assert r.status == 400 and r.json()["error"]["field"].startswith("answers."), r
    assert r.json()["error"]["reason"] == "required", r
    r = op1.post(f"/api/v1/handovers/{hid}/refuse", {"reason": "tools-incomplete"})
    assert r.status == 403 and r.json()["error"]["reason"] == "handover.not_incoming", r
    r = admin.post(f"/api/v1/handovers/{hid}/answers", {"answers": R12_ANSWERS})
    assert r.status == 403, r

    r = op1.post(f"/api/v1/handovers/{hid}/answers", {"answers": R12_ANSWERS})
    assert r.status == 200, r
    assert r.json()["answers"]["equipment"] == "pass"

    before = head_seq(admin)
    r = op1.post(f"/api/v1/handovers/{hid}/sign", {"password": "wrong-password"})
    assert r.status == 403 and r.json()["error"]["field"] == "password", r
    assert r.json()["error"]["reason"] == "auth.signature_password", r
    failed = journal(admin, "handover.signature_failed", before)
    assert len(failed) == 1 and failed[0]["payload"]["handover_id"] == hid
    assert op2.get(f"/api/v1/handovers/{hid}").json()["signatures"] == []
    r = admin.post(f"/api/v1/handovers/{hid}/sign", {"password": creds["admin"][0]})
    assert r.status == 403, r  # a third person

    from test_notifications import WebSocket
    incoming_stream = WebSocket(server.port, client=op2.client)  # the 接班人's console, live
    assert incoming_stream.status == 101
    r = op1.post(f"/api/v1/handovers/{hid}/sign", {"password": creds["op1"][0]})
    assert r.status == 200 and r.json()["signed_by"] == ["outgoing"], r
    # The incoming (no journal.read) sees the outgoing's signature at once: notify_people.
    got = incoming_stream.recv_until(lambda m: m["kind"] == "handover.signed", timeout=20)
    assert got[-1]["payload"]["role"] == "outgoing" and got[-1]["payload"]["person_id"] == p1, got
    incoming_stream.close()
    assert attendance(admin, post) == [p1]  # one signature changes nothing on the post
    r = op2.post(f"/api/v1/handovers/{hid}/sign", {"password": creds["op2"][0]})
    assert r.status == 409 and "acknowledge" in r.json()["error"]["message"], r
    assert r.json()["error"]["reason"] == "handover.acknowledge_first", r
    r = op2.post(f"/api/v1/handovers/{hid}/acknowledge", {"items": ["duty/999999"]})
    assert r.status == 400 and r.json()["error"]["field"] == "items", r
    r = op2.post(f"/api/v1/handovers/{hid}/acknowledge", {"items": abnormal})
    assert r.status == 200 and r.json()["unacknowledged"] == [], r
    acks = r.json()["acknowledgements"]
    assert sorted(a["ref"] for a in acks) == sorted(abnormal)
    assert all(a["person_id"] == p2 and a["at"] for a in acks)

    r = op2.post(f"/api/v1/handovers/{hid}/sign", {"password": creds["op2"][0]})
    assert r.status == 200, r
    done = r.json()
    assert done["state"] == "completed" and done["signed_by"] == ["outgoing", "incoming"]
    assert attendance(admin, post) == [p2]  # switched in the same transaction
    seal = done["seal"]
    assert seal["sealed"][0] == done["report_canonical"]
    assert hashlib.sha256("\n".join(seal["sealed"]).encode()).hexdigest() == done["seal_sha256"]
    assert seal["responsible_person_id"] == p2  # 交班后发现问题，由接班人员负责
    completed = [j for j in journal(admin, "handover.completed", before)
                 if j["payload"]["handover_id"] == hid]
    assert len(completed) == 1
    assert completed[0]["payload"]["seal_sha256"] == done["seal_sha256"]
    assert completed[0]["payload"]["responsible_person_id"] == p2
    assert op2.post(f"/api/v1/handovers/{hid}/sign", {"password": creds["op2"][0]}).status == 409
    printed = op2.get(f"/api/v1/handovers/{hid}/print").json()
    assert printed["title"] == "交接班记录" and printed["seal_sha256"] == done["seal_sha256"]
    assert any(row["label"] == "交工具" and row["answer"] is True for row in printed["rows"])

    # The 16:00 change: op1 comes back as the incoming; 五不接 refusal.
    advance(admin, MONDAY.replace(hour=15, minute=50))
    r = op1.post("/api/v1/handovers", {"post_id": post})
    assert r.status == 201, r
    h2 = r.json()
    # The patrol completed after the first handover opened is in this shift's report.
    rolled = [d for d in h2["report"]["duties"] if d["id"] == open_patrol["id"]]
    assert len(rolled) == 1 and rolled[0]["state"] == "done" and rolled[0]["completed_at"]
    r = op1.post(f"/api/v1/handovers/{h2['id']}/refuse", {"reason": "no-such-reason"})
    assert r.status == 400 and r.json()["error"]["field"] == "reason", r
    assert "tools-incomplete" in r.json()["error"]["message"]

    chief.me()  # signs in again if the session expired on the clock
    ws = WebSocket(server.port, client=chief.client, path=f"/api/v1/stream?after={head_seq(admin)}")
    assert ws.status == 101, ws.body
    r = op1.post(f"/api/v1/handovers/{h2['id']}/refuse",
                 {"reason": "tools-incomplete", "note": "对讲机缺一台"})
    assert r.status == 200, r
    assert r.json()["state"] == "refused"
    assert r.json()["refusal"]["clauses"] == ["R12 §四(二)2(3)"]
    assert attendance(admin, post) == [p2]  # the outgoing stays on post
    got = ws.recv_until(lambda m: m["kind"] == "handover.refused")
    ws.close()
    refused = got[-1]["payload"]
    assert refused["handover_id"] == h2["id"] and "秩序维护主管" in refused["notify_roles"]
    assert refused["clauses"] == ["R12 §四(二)2(3)"] and refused["outgoing_stays_on_post"]
    # After fixing the problem the handover is opened again.
    r = op1.post("/api/v1/handovers", {"post_id": post})
    assert r.status == 201, r
    states = [x["state"] for x in op1.get(f"/api/v1/handovers?post_id={post}").json()["items"]]
    assert states == ["completed", "refused", "open"]
    assert [x["id"] for x in
            op1.get(f"/api/v1/handovers?post_id={post}&state=refused").json()["items"]] == [h2["id"]]
    assert op1.get("/api/v1/handovers?state=bogus").status == 400

    server.stop()
    assert server.verify().returncode == 0
