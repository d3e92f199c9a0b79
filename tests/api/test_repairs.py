"""Repairs (报修) and content-addressed photos over HTTP, on both backends: a failed checklist item
opens a repair in the completion's own response (R12 §三(二): 遇系统故障及时记录并报修); the
lifecycle open → assigned → in_progress → fixed → closed with who may do what, refusals naming the
allowed actions, the verification by the reporter and time to fix; manual reports; photo upload
(dedup by SHA-256, type sniffing, size limit), serving with ETag, and a photo answer that must name
a stored photo; the journal records of all of it."""
import datetime as dt
import hashlib
import http.client
import os
import shutil
import tempfile

import pytest

from zhidu_harness import ROOT, Actor, Server, all_items

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 7, 0, tzinfo=TZ)
PHOTO_MAX = 64 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(300)


def pack_with_patrol_photo():
    """The shipped pack with a photo field on the video-patrol record (R12), so a planned duty
    has a photo item."""
    d = tempfile.mkdtemp(prefix="zhidu-pack-")
    shutil.copytree(os.path.join(ROOT, "policies/cn-default"), d, dirs_exist_ok=True)
    path = os.path.join(d, "R12.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    anchor = "      - {id: note, label: 说明, kind: text, required: false}\n"
    assert anchor in text
    text = text.replace(anchor, anchor + "      - {id: photo, label: 现场照片, kind: photo, required: false}\n", 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return d


@pytest.fixture
def repair_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", MONDAY.isoformat(),
                                       "--policies", pack_with_patrol_photo(),
                                       "--photo-max-bytes", str(PHOTO_MAX)]).start()
    yield s
    s.kill()


def advance(admin, to):
    r = admin.post("/api/v1/test/clock", {"to": to.isoformat()})
    assert r.status == 200, r


def post_id(admin, name):
    for p in all_items(admin, "/api/v1/posts?limit=200"):
        if p["name"] == name:
            return p["id"]
    raise AssertionError(name)


def upload(actor, data, content_type):
    return actor.client.request("POST", "/api/v1/photos", raw=data, headers={"Content-Type": content_type})


def raw_get(server, actor, path, headers=None):
    """GET returning the undecoded bytes (photos are binary)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    h = dict(headers or {})
    if actor is not None:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in actor.client.cookies.items())
    conn.request("GET", path, headers=h)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, r.headers, body


def due_patrol(op, control):
    due = op.get(f"/api/v1/duties?post_id={control}&state=due&limit=50").json()["items"]
    patrols = [d for d in due if d["duty"] == "r12-video-patrol"]
    assert len(patrols) == 1, due
    return patrols[0]["id"]


def act(actor, rid, action, **kw):
    return actor.post(f"/api/v1/repairs/{rid}/actions", {"action": action, **kw})


def test_repairs_and_photos(repair_server):
    server = repair_server
    admin = Actor(server, "admin")
    op = Actor(server, "op1")              # 中控员 on 中控岗: finds the fault
    op2 = Actor(server, "op2")             # another 中控员, not on the post
    chief = Actor(server, "guard_chief")   # 秩序维护主管: repair.manage
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    control = post_id(admin, "中控岗")

    # An engineer (工程维修人员, R12 §四(二之2)1) at the site.
    person = admin.post("/api/v1/people", {"site_id": site, "name": "测试·维修工"})
    assert person.status == 201, person
    fixer_person = person.json()["id"]
    acc = admin.post("/api/v1/accounts", {"username": "fixer", "password": "fixer-pass-1",
                                          "person_id": fixer_person,
                                          "roles": [{"role": "工程维修人员", "scope_kind": "site", "scope_id": site}]})
    assert acc.status == 201, acc
    fixer = server.client()
    assert fixer.login("fixer", "fixer-pass-1").status == 200

    assert op.post(f"/api/v1/posts/{control}/attendance").status == 201
    advance(admin, MONDAY + dt.timedelta(minutes=1))

    # ---- photos: stored once by SHA-256, refused by type and size.
    sha = hashlib.sha256(PNG).hexdigest()
    r = upload(op, PNG, "image/png")
    assert r.status == 201, r
    assert r.json()["sha256"] == sha and r.json()["created"] is True and r.json()["size_bytes"] == len(PNG)
    again = upload(op2, PNG, "image/png")
    assert again.status == 200 and again.json()["sha256"] == sha and again.json()["created"] is False
    assert upload(op, b"hello", "text/plain").status == 415
    liar = upload(op, JPEG, "image/png")  # the header says PNG, the bytes are JPEG
    assert liar.status == 415 and "image/jpeg" in liar.json()["error"]["message"], liar
    assert upload(op, b"GIF89a" + bytes(50), "image/webp").status == 415
    big = upload(op, (PNG + bytes(PHOTO_MAX))[:PHOTO_MAX + 1], "image/png")  # one byte over
    assert big.status == 413 and big.json()["error"]["code"] == "payload_too_large", big
    assert upload(op, (PNG + bytes(PHOTO_MAX))[:PHOTO_MAX], "image/png").status == 201  # at the limit
    assert upload(op, JPEG, "image/jpeg; charset=binary").status == 201

    status, headers, body = raw_get(server, op, f"/api/v1/photos/{sha}")
    assert status == 200 and body == PNG
    assert headers["Content-Type"] == "image/png"
    assert headers["ETag"] == f'"{sha}"' and "immutable" in headers["Cache-Control"]
    status, _, body = raw_get(server, op, f"/api/v1/photos/{sha}", {"If-None-Match": f'"{sha}"'})
    assert status == 304 and body == b""
    assert raw_get(server, None, f"/api/v1/photos/{sha}")[0] == 401  # signed-in users only
    assert raw_get(server, op, "/api/v1/photos/" + "0" * 64)[0] == 404
    assert raw_get(server, op, "/api/v1/photos/not-a-hash")[0] == 400

    # ---- a photo answer must name a stored photo; a refused completion writes nothing.
    patrol = due_patrol(op, control)
    bad = op.post(f"/api/v1/duties/{patrol}/complete",
                  {"answers": {"status": "fail", "photo": "f" * 64}})
    assert bad.status == 400 and bad.json()["error"]["field"] == "answers.photo", bad
    bad = op.post(f"/api/v1/duties/{patrol}/complete", {"answers": {"status": "fail", "photo": "IMG_001.jpg"}})
    assert bad.status == 400 and bad.json()["error"]["field"] == "answers.photo", bad
    assert all_items(admin, f"/api/v1/repairs?site_id={site}") == []
    assert op.get(f"/api/v1/duties/{patrol}").json()["state"] == "due"

    # ---- a failed item opens a repair in the same response (R12 §三(二)).
    done = op.post(f"/api/v1/duties/{patrol}/complete",
                   {"answers": {"status": "fail", "note": "3号摄像头黑屏", "photo": sha}})
    assert done.status == 200, done
    assert done.json()["state"] == "done"
    opened = done.json()["repairs_opened"]
    assert len(opened) == 1, done
    rid = opened[0]
    rep = op.get(f"/api/v1/repairs/{rid}").json()
    assert rep["state"] == "open"
    assert rep["source"] == {"kind": "checklist", "id": patrol, "item": "status"}
    assert rep["clauses"] == ["R12 §三(二)"]
    assert rep["assignee_role"] == "工程维修人员"  # named by the pack (follow_up.assign_to)
    assert rep["reporter_post_id"] == control
    assert rep["what"] == "运行状态" and "fail" in rep["description"]
    assert rep["allowed_actions"] == ["assign", "cancel"]
    assert rep["seconds_to_fix"] is None

    # A passing patrol opens nothing.
    advance(admin, MONDAY + dt.timedelta(minutes=16))
    ok = op.post(f"/api/v1/duties/{due_patrol(op, control)}/complete", {"answers": {"status": "pass"}})
    assert ok.status == 200 and ok.json()["repairs_opened"] == [], ok

    # ---- the lifecycle, with who may do what.
    r = act(fixer, rid, "fix")
    assert r.status == 409 and "assign, cancel" in r.json()["error"]["message"], r
    assert act(op, rid, "assign", person_id=fixer_person).status == 403  # not repair.manage
    r = act(chief, rid, "assign")
    assert r.status == 400 and r.json()["error"]["field"] == "role", r
    assert act(chief, rid, "assign", person_id=999999).status == 404
    r = act(chief, rid, "assign", person_id=fixer_person)
    assert r.status == 200 and r.json()["state"] == "assigned", r
    assert r.json()["assignee_person_id"] == fixer_person and r.json()["assignee_role"] == "工程维修人员"
    assert act(op2, rid, "start").status == 403  # neither assigned nor the assigned role
    assert act(fixer, rid, "start").json()["state"] == "in_progress"
    advance(admin, MONDAY + dt.timedelta(minutes=31))
    r = act(fixer, rid, "fix", note="更换摄像头电源")
    assert r.status == 200 and r.json()["state"] == "fixed", r
    assert r.json()["seconds_to_fix"] == 30 * 60  # reported at 07:01, fixed at 07:31
    assert act(fixer, rid, "close").status == 403  # the fixer does not verify their own fix
    r = act(op, rid, "reopen")
    assert r.status == 400 and r.json()["error"]["field"] == "note", r
    r = act(op, rid, "reopen", note="仍然黑屏")
    assert r.status == 200 and r.json()["state"] == "in_progress" and r.json()["seconds_to_fix"] is None
    assert act(fixer, rid, "fix", note="更换摄像头").json()["state"] == "fixed"
    r = act(op, rid, "close")  # the reporter, on the reporter's post, verifies
    assert r.status == 200 and r.json()["state"] == "closed" and r.json()["closed_at"], r
    r = act(chief, rid, "cancel", note="x")
    assert r.status == 409 and "no action" in r.json()["error"]["message"], r
    assert act(op, rid, "repair").status == 400
    assert act(op, 999999, "close").status == 404
    history = op.get(f"/api/v1/repairs/{rid}").json()["history"]
    assert [h["action"] for h in history] == ["report", "assign", "start", "fix", "reopen", "fix", "close"]
    assert [h["to"] for h in history][-1] == "closed" and all(h["at"] and h["by"] for h in history)

    # ---- a manual report; cancellation needs a reason.
    m = op.post("/api/v1/repairs", {"site_id": site, "what": "2号门禁", "description": "读卡器不亮",
                                    "clauses": ["R12 §四(二之2)3"]})
    assert m.status == 201, m
    mid = m.json()["id"]
    assert m.json()["source"]["kind"] == "manual" and m.json()["assignee_role"] is None
    assert op.post("/api/v1/repairs", {"site_id": site, "what": "x", "clauses": ["R99 §一"]}).status == 400
    assert op.post("/api/v1/repairs", {"site_id": site, "what": "x",
                                       "source": {"kind": "procedure", "id": 999999}}).status == 404
    assert op.post("/api/v1/repairs", {"site_id": site, "what": "x", "source": {"kind": "checklist", "id": 1}}).status == 400
    assert op.post("/api/v1/repairs", {"site_id": 999999, "what": "x"}).status == 404
    assert op.post("/api/v1/repairs", {"site_id": site}).status == 400
    assert act(op2, mid, "cancel", note="误报").status == 403  # not the reporter
    r = act(op, mid, "cancel")
    assert r.status == 400 and r.json()["error"]["field"] == "note"
    assert act(op, mid, "cancel", note="误报，读卡器正常").json()["state"] == "cancelled"

    # ---- lists and filters.
    three = op.post("/api/v1/repairs", {"site_id": site, "what": "空调"}).json()["id"]
    everything = all_items(op, f"/api/v1/repairs?site_id={site}")
    assert [x["id"] for x in everything] == [rid, mid, three]
    assert [x["id"] for x in all_items(op, f"/api/v1/repairs?site_id={site}&open=true")] == [three]
    assert [x["id"] for x in all_items(op, f"/api/v1/repairs?site_id={site}&state=cancelled")] == [mid]
    assert op.get(f"/api/v1/repairs?site_id={site}&state=broken").status == 400
    assert op.get("/api/v1/repairs").status == 403  # no company-wide role

    # ---- the journal has every change, photo.stored once per distinct photo.
    journal = all_items(admin, "/api/v1/journal?limit=500")
    kinds = [j["kind"] for j in journal]
    assert kinds.count("photo.stored") == 3  # PNG, the one at the limit, JPEG; not the PNG again
    assert kinds.count("repair.opened") == 3
    for k in ["repair.assigned", "repair.started", "repair.closed", "repair.reopened", "repair.cancelled"]:
        assert kinds.count(k) == 1, k
    assert kinds.count("repair.fixed") == 2
    opened_rec = next(j for j in journal if j["kind"] == "repair.opened" and j["subject"] == f"repair/{rid}")
    completed = next(j for j in journal if j["kind"] == "duty.completed" and j["subject"] == f"duty/{patrol}")
    assert completed["seq"] < opened_rec["seq"] and opened_rec["at"] == completed["at"]  # one transaction
    assert opened_rec["payload"]["notify_roles"] == ["工程维修人员"]
    fixed = [j for j in journal if j["kind"] == "repair.fixed"]
    assert fixed[0]["payload"]["seconds_to_fix"] == 1800

    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr
