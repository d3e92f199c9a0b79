"""Alarms (报警) over HTTP on both backends, on a test clock: configured points, ingest with unknown
points refused (nothing written), the ISA-18.2 lifecycle (acknowledge, return to normal
unacknowledged, shelve with a server-enforced expiry, suppression), each alarm in the duty log with
repeats merged (a 500-activation flood is one entry with count 500), KPIs checked against values
computed by hand, and ingest over MQTT from a real mosquitto broker."""
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from zhidu_harness import Client, Server, all_items, free_port, login, site_and_post

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 8, 0, tzinfo=TZ)


def iso(t):
    return t.isoformat()


def point(admin, site, post, source, tag, title, kind="fire", priority=2):
    body = {"site_id": site, "source": source, "point": tag, "title": title, "kind": kind,
            "priority": priority}
    if post:
        body["post_id"] = post
    r = admin.post("/api/v1/alarm-points", body)
    assert r.status == 201, r
    return r.json()


def ingest(c, events):
    return c.post("/api/v1/alarms:ingest", {"events": events})


def journal_kinds(admin):
    return [j["kind"] for j in all_items(admin, "/api/v1/journal?limit=500")]


@pytest.fixture
def clock_server(require_backend):
    s = Server(require_backend, extra=["--test-clock", iso(START)]).start()
    yield s
    s.kill()


def test_alarm_lifecycle_log_merging_and_kpis(clock_server):
    server = clock_server
    admin = server.admin()
    fire1 = login(server, "fire1")
    lead = login(server, "lead1")  # 值班长: duty.manage, may shelve
    cs1 = login(server, "cs1")
    site, post = site_and_post(admin, "消防控制室值班岗")
    assert fire1.post(f"/api/v1/posts/{post}/attendance").status == 201

    smoke = point(admin, site, post, "fas-1", "3F-smoke-01", "3F烟感", priority=1)
    pump = point(admin, site, post, "scada", "P-101", "1号泵故障", kind="scada")
    assert smoke["state"] == "normal" and smoke["point"] == "3F-smoke-01"
    r = admin.post("/api/v1/alarm-points", {"site_id": site, "source": "fas-1",
                                            "point": "3F-smoke-01", "title": "x", "kind": "fire"})
    assert r.status == 409, r
    r = fire1.post("/api/v1/alarm-points", {"site_id": site, "source": "a", "point": "b",
                                            "title": "x", "kind": "fire"})
    assert r.status == 403, r

    # Unknown point or source: 4xx naming it, and nothing of the batch is written.
    r = ingest(admin, [{"source": "fas-1", "point": "3F-smoke-01", "state": "active"},
                       {"source": "fas-1", "point": "9F-nope", "state": "active"}])
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "events[1].point"
    assert "9F-nope" in r.json()["error"]["message"]
    r = ingest(admin, [{"source": "fas-x", "point": "3F-smoke-01", "state": "active"}])
    assert r.status == 400 and "fas-x" in r.json()["error"]["message"], r
    r = ingest(admin, [{"source": "fas-1", "point": "3F-smoke-01", "state": "burning"}])
    assert r.status == 400 and r.json()["error"]["field"] == "events[0].state", r
    assert admin.get(f"/api/v1/alarms/{smoke['id']}").json()["state"] == "normal"
    assert all_items(admin, f"/api/v1/alarms?site_id={site}") == []
    assert all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=alarm") == []
    # Only a machine/admin with alarms.ingest may send.
    assert ingest(fire1, [{"source": "fas-1", "point": "3F-smoke-01",
                           "state": "active"}]).status == 403

    # Active -> acknowledged -> normal; the alarm is in the duty log.
    r = ingest(admin, [{"source": "fas-1", "point": "3F-smoke-01", "state": "active",
                        "value": 1}])
    assert r.status == 200 and r.json()["activations"] == 1, r
    live = all_items(admin, f"/api/v1/alarms?site_id={site}")
    assert [a["id"] for a in live] == [smoke["id"]] and live[0]["state"] == "active_unack"
    entries = all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=alarm")
    assert len(entries) == 1
    assert entries[0]["ref"] == f"alarm/{smoke['id']}" and entries[0]["count"] == 1
    assert "3F烟感" in entries[0]["text"]
    assert cs1.post(f"/api/v1/alarms/{smoke['id']}/ack").status == 403
    r = fire1.post(f"/api/v1/alarms/{smoke['id']}/ack")
    assert r.status == 200 and r.json()["state"] == "active_ack", r
    assert fire1.post(f"/api/v1/alarms/{smoke['id']}/ack").status == 409
    r = ingest(admin, [{"source": "fas-1", "point": "3F-smoke-01", "state": "active"}])
    assert r.json()["unchanged"] == 1  # already active: nothing changes
    ingest(admin, [{"source": "fas-1", "point": "3F-smoke-01", "state": "normal"}])
    assert admin.get(f"/api/v1/alarms/{smoke['id']}").json()["state"] == "normal"

    # Returned to normal before anyone acknowledged: rtn_unack, still live until acknowledged.
    ingest(admin, [{"source": "scada", "point": "P-101", "state": "active"},
                   {"source": "scada", "point": "P-101", "state": "normal"}])
    assert admin.get(f"/api/v1/alarms/{pump['id']}").json()["state"] == "rtn_unack"
    assert pump["id"] in [a["id"] for a in all_items(admin, f"/api/v1/alarms?site_id={site}")]
    assert fire1.post(f"/api/v1/alarms/{pump['id']}/ack").json()["state"] == "normal"
    assert all_items(admin, f"/api/v1/alarms?site_id={site}") == []

    # Shelving needs duty.manage, a reason and an expiry the server enforces.
    path = f"/api/v1/alarms/{smoke['id']}/shelve"
    until = START + dt.timedelta(minutes=30)
    assert fire1.post(path, {"until": iso(until), "reason": "维修"}).status == 403
    r = lead.post(path, {"reason": "维修"})
    assert r.status == 400 and r.json()["error"]["field"] == "until", r
    r = lead.post(path, {"until": iso(START - dt.timedelta(minutes=1)), "reason": "维修"})
    assert r.status == 400 and r.json()["error"]["field"] == "until", r
    r = lead.post(path, {"until": iso(START + dt.timedelta(hours=25)), "reason": "维修"})
    assert r.status == 400 and r.json()["error"]["field"] == "until", r
    r = lead.post(path, {"until": iso(until), "reason": "3F烟感维修中"})
    assert r.status == 200 and r.json()["shelved"] and r.json()["shelve_reason"] == "3F烟感维修中"
    assert lead.post(path, {"until": iso(until), "reason": "again"}).status == 409
    # While shelved an activation is recorded but not annunciated: no new duty-log entry.
    ingest(admin, [{"source": "fas-1", "point": "3F-smoke-01", "state": "active"}])
    assert len(all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=alarm")) == 2
    r = admin.post("/api/v1/test/clock", {"to": iso(until + dt.timedelta(minutes=1))})
    assert r.status == 200, r
    a = admin.get(f"/api/v1/alarms/{smoke['id']}").json()
    assert not a["shelved"] and a["shelved_until"] is None and a["state"] == "active_unack"
    # A manual unshelve before the expiry cancels the timer; unshelving twice is a 409.
    until2 = START + dt.timedelta(hours=1)
    assert lead.post(path, {"until": iso(until2), "reason": "测试"}).status == 200
    assert lead.post(f"/api/v1/alarms/{smoke['id']}/unshelve").status == 200
    assert lead.post(f"/api/v1/alarms/{smoke['id']}/unshelve").status == 409
    # Suppressed by design (out of service).
    assert lead.post(f"/api/v1/alarms/{pump['id']}/suppress", {"reason": "停用"}).status == 200
    assert admin.get(f"/api/v1/alarms/{pump['id']}").json()["suppressed"]
    assert lead.post(f"/api/v1/alarms/{pump['id']}/unsuppress").status == 200
    fire1.post(f"/api/v1/alarms/{smoke['id']}/ack")
    ingest(admin, [{"source": "fas-1", "point": "3F-smoke-01", "state": "normal"}])

    # A flood: 500 activations of one point within the aggregation window (10 min by default)
    # are one duty-log entry with count 500.
    flood = point(admin, site, post, "fas-1", "B1-smoke-07", "B1烟感")
    t0 = START + dt.timedelta(hours=2)
    events = []
    for i in range(500):
        at = t0 + dt.timedelta(milliseconds=1000 * i)
        events.append({"source": "fas-1", "point": "B1-smoke-07", "state": "active",
                       "at": iso(at)})
        events.append({"source": "fas-1", "point": "B1-smoke-07", "state": "normal",
                       "at": iso(at + dt.timedelta(milliseconds=500))})
    # In batches of 100 events, so that a batch answers well within the client's timeout on
    # PostgreSQL under ASan; the merging goes by the events' times, not by the batches.
    activations = 0
    for i in range(0, len(events), 100):
        r = ingest(admin, events[i:i + 100])
        assert r.status == 200, r
        activations += r.json()["activations"]
    assert activations == 500
    entries = [e for e in all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=alarm")
               if e["ref"] == f"alarm/{flood['id']}"]
    assert len(entries) == 1 and entries[0]["count"] == 500, entries
    # After the window a new activation starts a new entry.
    ingest(admin, [{"source": "fas-1", "point": "B1-smoke-07", "state": "active",
                    "at": iso(t0 + dt.timedelta(minutes=11))}])
    entries = [e for e in all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=alarm")
               if e["ref"] == f"alarm/{flood['id']}"]
    assert sorted(e["count"] for e in entries) == [1, 500]

    kinds = journal_kinds(admin)
    for k in ("alarm.point.created", "alarm.activated", "alarm.returned", "alarm.acknowledged",
              "alarm.shelved", "alarm.unshelved", "alarm.suppressed", "alarm.unsuppressed"):
        assert k in kinds, k
    assert kinds.count("alarm.activated") >= 503
    assert kinds.count("alarm.unshelved") == 2

    # KPIs on a fresh site with a pattern computed by hand over one hour (6 windows of 10 min):
    #   K1 activates at 0:00, 0:20, 0:40          -> 3 within 60 s: chattering (max 3)
    #   K2 activates every 30 s from 2:00 to 6:30 -> 10, at most 2 within any 60 s
    #   window 0 therefore has 13 (> 10: flood); K3 activates 5 times in window 2 (21..29 min)
    #   and once in window 5 (55 min) and stays active; K4 has been active since 25 h before.
    # total 19, per 10 min 19/6, peak 13, flood windows 1 = 16.67 %, stale [K4].
    r = admin.post("/api/v1/sites", {"name": "KPI站", "time_zone": "Asia/Shanghai"})
    assert r.status == 201, r
    kpi_site = r.json()["id"]
    k = {n: point(admin, kpi_site, 0, "kpi", n, n) for n in ("K1", "K2", "K3", "K4")}
    base = START - dt.timedelta(hours=3)
    plan = [(dt.timedelta(hours=-25), "K4")]
    plan += [(dt.timedelta(seconds=s), "K1") for s in (0, 20, 40)]
    plan += [(dt.timedelta(seconds=120 + 30 * i), "K2") for i in range(10)]
    plan += [(dt.timedelta(minutes=m), "K3") for m in (21, 23, 25, 27, 29, 55)]
    plan.sort()
    events = []
    for offset, name in plan:
        at = base + offset
        events.append({"source": "kpi", "point": name, "state": "active", "at": iso(at)})
        if name != "K4" and not (name == "K3" and offset == dt.timedelta(minutes=55)):
            events.append({"source": "kpi", "point": name, "state": "normal",
                           "at": iso(at + dt.timedelta(seconds=5))})
    r = ingest(admin, events)
    assert r.status == 200 and r.json()["activations"] == 20, r
    q = (f"/api/v1/alarms/kpi?site_id={kpi_site}&from={iso(base)}&to="
         f"{iso(base + dt.timedelta(hours=1))}").replace("+", "%2B")
    r = admin.get(q)
    assert r.status == 200, r
    kpi = r.json()
    assert kpi["windows"] == 6
    assert kpi["activations"] == 19
    assert kpi["alarms_per_10min"] == pytest.approx(19 / 6)
    assert kpi["peak_10min"] == 13
    assert kpi["flood_windows"] == 1
    assert kpi["flood_percent"] == pytest.approx(100 / 6)
    assert kpi["chattering"] == [{"alarm_id": k["K1"]["id"], "max_in_60s": 3}]
    assert [s["id"] for s in kpi["stale"]] == [k["K4"]["id"]]
    same = iso(base).replace("+", "%2B")
    r = admin.get(f"/api/v1/alarms/kpi?site_id={kpi_site}&from={same}&to={same}")
    assert r.status == 400 and r.json()["error"]["field"] == "to", r
    assert admin.get(f"/api/v1/alarms/kpi?site_id={kpi_site}").status == 400

    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PUB = shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub"


@pytest.fixture
def broker():
    if not (os.path.exists(MOSQUITTO) and os.path.exists(MOSQUITTO_PUB)):
        pytest.fail("mosquitto and mosquitto_pub are needed (scripts/setup installs them)")
    port = free_port()
    d = tempfile.mkdtemp(prefix="zhidu-mqtt-")
    conf = os.path.join(d, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    log = open(os.path.join(d, "mosquitto.log"), "wb")
    proc = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    import socket
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def publish(port, topic, message):
    subprocess.run([MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", topic,
                    "-m", message], check=True, timeout=20)


def test_alarms_from_mqtt(require_backend, broker):
    server = Server(require_backend,
                    extra=["--mqtt", f"127.0.0.1:{broker}", "--mqtt-topic", "zhidu/+/alarms"])
    server.start()
    try:
        admin = server.admin()
        site, post = site_and_post(admin, "消防控制室值班岗")
        p = point(admin, site, post, "fas-9", "M-1", "9F手报")
        deadline = time.time() + 30
        while "MQTT subscribed" not in server.log() and time.time() < deadline:
            time.sleep(0.1)
        assert "MQTT subscribed" in server.log(), server.log()
        # The source comes from the topic level matched by '+'.
        publish(broker, "zhidu/fas-9/alarms", '{"point": "M-1", "state": "active", "value": 1}')
        state = None
        deadline = time.time() + 30
        while time.time() < deadline:
            state = admin.get(f"/api/v1/alarms/{p['id']}").json()["state"]
            if state == "active_unack":
                break
            time.sleep(0.1)
        assert state == "active_unack"
        entries = all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=alarm")
        assert [e["ref"] for e in entries] == [f"alarm/{p['id']}"]
        # Unknown point and unreadable payloads are counted and journaled as rejected.
        publish(broker, "zhidu/fas-9/alarms", '{"point": "M-404", "state": "active"}')
        publish(broker, "zhidu/fas-9/alarms", 'not json')
        rejected = []
        deadline = time.time() + 30
        while time.time() < deadline:
            rejected = [j for j in all_items(admin, "/api/v1/journal?limit=500")
                        if j["kind"] == "alarm.ingest.rejected"]
            if len(rejected) == 2:
                break
            time.sleep(0.2)
        assert len(rejected) == 2, rejected
        assert "M-404" in rejected[0]["payload"]["reason"]
        assert rejected[1]["payload"]["topic"] == "zhidu/fas-9/alarms"
        metrics = server.client().get("/metrics").body
        values = [float(line.split()[1]) for line in metrics.splitlines()
                  if line.startswith("zhidu_alarm_ingest_rejected_total ")]
        assert values == [2.0], values
        assert admin.get(f"/api/v1/alarms/{p['id']}").json()["activations"] == 1
    finally:
        server.kill()


def test_a_scada_alarm_starts_the_r02_fault_procedure(clock_server):
    """R02 §二4: an activation of a scada point raises the site event scada_alarm, which starts
    r02-scada-fault with the alarm point as its ref; with the site's observation time set it
    escalates when not cleared. A fire point starts no SCADA procedure."""
    server = clock_server
    admin = server.admin()
    site, post = site_and_post(admin, "中控岗")
    r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/scada_fault_observe", body={"value": "10m"})
    assert r.status == 200, r
    pump = point(admin, site, post, "scada", "P-201", "2号泵故障", kind="scada")
    smoke = point(admin, site, post, "fas-1", "5F-smoke-02", "5F烟感")
    assert ingest(admin, [{"source": "fas-1", "point": "5F-smoke-02", "state": "active"}]).status == 200
    assert all_items(admin, f"/api/v1/procedures?site_id={site}&procedure=r02-scada-fault") == []
    r = ingest(admin, [{"source": "scada", "point": "P-201", "state": "active"}])
    assert r.status == 200, r
    started = all_items(admin, f"/api/v1/procedures?site_id={site}&procedure=r02-scada-fault")
    assert len(started) == 1, started
    v = admin.get(f"/api/v1/procedures/{started[0]['id']}").json()
    assert v["ref"] == f"alarm-point/{pump['id']}" and v["state"] == "observing", v
    assert len(v["timers"]) == 1
    r = admin.post("/api/v1/test/clock", {"to": iso(START + dt.timedelta(minutes=11))})
    assert r.status == 200, r
    assert admin.get(f"/api/v1/procedures/{started[0]['id']}").json()["state"] == "escalated"
    assert smoke["kind"] == "fire"


def test_a_scada_alarm_returning_to_normal_clears_its_procedure(clock_server):
    """R02 §二4 (如果故障不能自动消除立即上报): the point that started r02-scada-fault returning to
    normal raises the site event `cleared` with the same ref, which moves that instance (and no
    other) from observing to cleared and cancels its observation timer, so it never escalates."""
    server = clock_server
    admin = server.admin()
    site, post = site_and_post(admin, "中控岗")
    r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/scada_fault_observe", body={"value": "10m"})
    assert r.status == 200, r
    a = point(admin, site, post, "scada", "P-301", "3号泵故障", kind="scada")
    b = point(admin, site, post, "scada", "P-302", "4号泵故障", kind="scada")
    assert ingest(admin, [{"source": "scada", "point": "P-301", "state": "active"},
                          {"source": "scada", "point": "P-302", "state": "active"}]).status == 200
    started = {p["ref"]: p["id"] for p in
               all_items(admin, f"/api/v1/procedures?site_id={site}&procedure=r02-scada-fault")}
    assert set(started) == {f"alarm-point/{a['id']}", f"alarm-point/{b['id']}"}, started
    ia, ib = started[f"alarm-point/{a['id']}"], started[f"alarm-point/{b['id']}"]

    assert ingest(admin, [{"source": "scada", "point": "P-301", "state": "normal"}]).status == 200
    va = admin.get(f"/api/v1/procedures/{ia}").json()
    assert va["state"] == "cleared", va
    assert va["history"][-1]["event"] == "cleared"
    assert admin.get(f"/api/v1/procedures/{ib}").json()["state"] == "observing"
    events = [j["payload"] for j in all_items(admin, "/api/v1/journal?limit=500")
              if j["kind"] == "site.event" and j["payload"]["event"] == "cleared"]
    assert [e["ref"] for e in events] == [f"alarm-point/{a['id']}"]

    r = admin.post("/api/v1/test/clock", {"to": iso(START + dt.timedelta(minutes=11))})
    assert r.status == 200, r
    assert admin.get(f"/api/v1/procedures/{ia}").json()["state"] == "cleared"  # timer cancelled
    assert admin.get(f"/api/v1/procedures/{ib}").json()["state"] == "escalated"


def test_a_new_alarm_reaches_everyone_on_a_post_of_the_site_and_their_leads(server, admin):
    """Issue 17 §6: a priority-1 alarm reached only the 部长 (who reads the whole journal) without
    a reload. alarm.* records now name the roles of every post of the site and their superiors
    (notify_roles), so the stream brings it to the 中控员, the 消防控制室值班员 and the 值班长 —
    and not to a 中控员 of another site; the acknowledgement reaches them the same way."""
    from test_notifications import WebSocket

    site, _ = site_and_post(admin, "中控岗")
    other = admin.post("/api/v1/sites", {"name": "别的厂区"}).json()["id"]
    r = admin.post("/api/v1/accounts", {"username": "op_elsewhere", "password": "correct horse 1",
                                        "roles": [{"role": "中控员", "scope_kind": "site",
                                                   "scope_id": other}]})
    assert r.status == 201, r
    elsewhere = Client(server.port)
    assert elsewhere.login("op_elsewhere", "correct horse 1").status == 200
    streams = {u: WebSocket(server.port, client=login(server, u)) for u in ("op1", "fire1", "lead1")}
    streams["op_elsewhere"] = WebSocket(server.port, client=elsewhere)
    assert all(ws.status == 101 for ws in streams.values())
    # A point of the site, not of one console position: the lead or the admin may acknowledge it.
    p = point(admin, site, None, "fas-live", "3F-smoke-01", "3F 烟感 01", kind="smoke", priority=1)
    r = ingest(admin, [{"source": "fas-live", "point": "3F-smoke-01", "state": "active"}])
    assert r.status == 200, r
    for user in ("op1", "fire1", "lead1"):
        got = streams[user].recv_until(lambda m: m["kind"] == "alarm.activated", timeout=20)
        e = got[-1]["payload"]
        assert e["id"] == p["id"] and e["priority"] == 1 and e["title"] == "3F 烟感 01", (user, e)
        assert {"中控员", "消防控制室值班员", "值班长"} <= set(e["notify_roles"]), e
    assert admin.post(f"/api/v1/alarms/{p['id']}/ack", {}).status == 200
    for user in ("op1", "fire1", "lead1"):
        got = streams[user].recv_until(lambda m: m["kind"] == "alarm.acknowledged", timeout=20)
        assert got[-1]["payload"]["state"] == "active_ack", got[-1]
    # Nothing of this site reaches a 中控员 of another site.
    seen = streams["op_elsewhere"].quiet_for(1.5)
    assert not [m for m in seen if m["kind"].startswith("alarm.")], seen
    for ws in streams.values():
        ws.close()
