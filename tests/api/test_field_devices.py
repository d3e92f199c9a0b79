"""Field devices feeding the alarm module, on both backends, from local simulators over real TCP:

* GB/T 26875.3 (zhidu serve --gb26875-listen): a fire panel's 用户信息传输装置 (gb26875_sim.py)
  sends 部件运行状态 and 建筑消防设施系统状态 frames. A fire alarm opens the alarm and starts the
  pack's fire procedure (R20) in the ingest's transaction; a fault and a supervisory signal open
  their points; the system's 复位 (a state bit, or a 复位 operation) returns every point of the
  system to normal. Each well-formed
  发送数据 frame is answered 确认 with its serial and the addresses swapped; malformed frames (bad
  start, bad end, length mismatch, bad checksum, oversize, bad data unit, a command a device does
  not send) are refused — 否认 when the header could be read — counted in GET
  /api/v1/alarms/feeds and the log; an unmapped component is counted, logged and journaled."""
import os
import time

import pytest

import gb26875_sim as sim
from zhidu_harness import Server, all_items, free_port, login, site_and_post

DEVICE = 0x0000C0A8010A  # the transmission device's 源地址
CENTRE = 0x000000000001
FIRE_SYSTEM = 1          # 系统类型 1: 火灾报警系统
SMOKE, DETECTOR, VALVE, UNMAPPED = 0x00020017, 0x00020018, 0x00030001, 0x00090009

FIELD_DEVICES = f"""
gb26875:
  - {{device: {DEVICE:#x}, system: 1, component: {SMOKE:#x}, on: [fire], source: fas-gb, point: 3F-smoke-23}}
  - {{device: {DEVICE:#x}, system: 1, component: {DETECTOR:#x}, on: [fault], source: fas-gb, point: 3F-det-24-fault}}
  - {{device: {DEVICE:#x}, system: 1, component: {VALVE:#x}, on: [supervisory, shielded], source: fas-gb, point: B1-valve-1}}
  - {{device: {DEVICE:#x}, system: 1, on: [fault], source: fas-gb, point: panel-1-fault}}
"""


def read_log(server):
    with open(server.log_path, encoding="utf-8", errors="replace") as f:
        return f.read()


def point(admin, site, post, tag, title, kind):
    r = admin.post("/api/v1/alarm-points", {"site_id": site, "post_id": post, "source": "fas-gb",
                                            "point": tag, "title": title, "kind": kind})
    assert r.status == 201, r
    return r.json()


def state_of(admin, p):
    return admin.get(f"/api/v1/alarms/{p['id']}").json()["state"]


@pytest.fixture
def panel_server(require_backend, tmp_path):
    path = tmp_path / "field-devices.yaml"
    path.write_text(FIELD_DEVICES, encoding="utf-8")
    port = free_port()
    server = Server(require_backend, extra=["--gb26875-listen", f"127.0.0.1:{port}",
                                            "--field-devices", str(path)]).start()
    server.gb_port = port
    yield server
    server.kill()


def test_fire_panel_over_gb26875(panel_server):
    server = panel_server
    admin = server.admin()
    site, post = site_and_post(admin, "消防控制室值班岗")
    smoke = point(admin, site, post, "3F-smoke-23", "3F 23号烟感", "fire")
    detector = point(admin, site, post, "3F-det-24-fault", "3F 24号探测器故障", "fire_fault")
    valve = point(admin, site, post, "B1-valve-1", "B1 1号信号阀监管", "fire_supervisory")
    panel = point(admin, site, post, "panel-1-fault", "1号火灾报警控制器故障", "fire_fault")
    assert "GB/T 26875.3 receiver listening on 127.0.0.1" in read_log(server)

    dev = sim.Device(server.gb_port, DEVICE, CENTRE)
    try:
        # A fire alarm from the panel: 确认 with the frame's serial, addresses swapped.
        serial = dev.send(sim.component_status(
            (FIRE_SYSTEM, 1, 42, SMOKE, sim.NORMAL_RUN | sim.FIRE, "3F 23号烟感")))
        r = dev.reply()
        assert (r["command"], r["serial"]) == (sim.CONFIRM, serial), r
        assert (r["source"], r["destination"], r["unit"]) == (CENTRE, DEVICE, b""), r
        assert r["version"] == (1, 0)
        assert state_of(admin, smoke) == "active_unack"
        ref = f"alarm-point/{smoke['id']}"
        [proc] = all_items(admin, f"/api/v1/procedures?site_id={site}&ref={ref}")
        assert proc["procedure"] == "r20-fire-alarm" and proc["subject"] == "3F 23号烟感", proc
        events = [j["payload"] for j in all_items(admin, "/api/v1/journal?limit=500")
                  if j["kind"] == "site.event" and j["payload"].get("ref") == ref]
        assert [e["event"] for e in events] == ["fire_alarm"], events
        assert [e["ref"] for e in all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=alarm")] \
            == [f"alarm/{smoke['id']}"]

        # A fault and a supervisory signal in one frame; the smoke detector's state repeated.
        serial = dev.send(sim.component_status(
            (FIRE_SYSTEM, 1, 30, DETECTOR, sim.NORMAL_RUN | sim.FAULT, "3F 24号感温"),
            (FIRE_SYSTEM, 1, 97, VALVE, sim.NORMAL_RUN | sim.SUPERVISORY, "B1 1号信号阀"),
            (FIRE_SYSTEM, 1, 42, SMOKE, sim.NORMAL_RUN | sim.FIRE, "3F 23号烟感")))
        assert (dev.reply()["command"], serial) == (sim.CONFIRM, serial)
        assert [state_of(admin, p) for p in (smoke, detector, valve, panel)] == \
            ["active_unack", "active_unack", "active_unack", "normal"]
        # A fault bit on a point that watches fire only changes nothing.
        dev.send(sim.component_status((FIRE_SYSTEM, 1, 42, SMOKE, sim.NORMAL_RUN | sim.FIRE | sim.FAULT, "")))
        assert dev.reply()["command"] == sim.CONFIRM
        assert admin.get(f"/api/v1/alarms/{smoke['id']}").json()["activations"] == 1
        # The panel's own fault (系统状态, no component).
        dev.send(sim.system_status((FIRE_SYSTEM, 1, sim.NORMAL_RUN | sim.FAULT)))
        assert dev.reply()["command"] == sim.CONFIRM
        assert state_of(admin, panel) == "active_unack"

        # 复位: every point of the system returns (unacknowledged: rtn_unack).
        dev.send(sim.system_status((FIRE_SYSTEM, 1, sim.NORMAL_RUN | sim.RESET)))
        assert dev.reply()["command"] == sim.CONFIRM
        assert [state_of(admin, p) for p in (smoke, detector, valve, panel)] == ["rtn_unack"] * 4

        # An unmapped component: confirmed, counted, logged and journaled — not dropped silently.
        dev.send(sim.component_status((FIRE_SYSTEM, 1, 42, UNMAPPED, sim.NORMAL_RUN | sim.FIRE, "x")))
        assert dev.reply()["command"] == sim.CONFIRM
        rejected = [j["payload"] for j in all_items(admin, "/api/v1/journal?limit=500")
                    if j["kind"] == "alarm.ingest.rejected"]
        assert [x["channel"] for x in rejected] == ["gb26875"], rejected
        assert f"component {UNMAPPED}" in rejected[0]["topic"], rejected

        # Malformed frames, each refused and counted; 否认 (with the serial) where the header
        # could be read.
        unit = sim.component_status((FIRE_SYSTEM, 1, 42, SMOKE, sim.NORMAL_RUN | sim.FIRE, ""))
        dev.send(unit, checksum=0)  # a checksum of 0 is wrong for this frame (its sum is not 0)
        r = dev.reply()
        assert (r["command"], r["serial"]) == (sim.DENY, dev.serial), r
        dev.send(unit, end=b"$$")
        assert (dev.reply()["command"], dev.serial) == (sim.DENY, dev.serial)
        dev.send(unit, length=len(unit) - 6)
        assert dev.reply()["command"] == sim.DENY
        dev.send(unit, length=len(unit) + 6)
        assert dev.reply()["command"] == sim.DENY
        dev.send(b"\x00" * 10, length=2000)
        assert dev.reply()["command"] == sim.DENY
        dev.send(unit[:-3])  # a type-2 unit cut short: its size does not match its count
        assert dev.reply()["command"] == sim.DENY
        dev.send(b"", command=sim.REQUEST)
        assert dev.reply()["command"] == sim.DENY
        dev.send_raw(b"GARBAGE")
        assert dev.no_reply()
        # The stream resynchronises: the next good frame is confirmed.
        serial = dev.send(unit)
        r = dev.reply()
        assert (r["command"], r["serial"]) == (sim.CONFIRM, serial), r
        assert state_of(admin, smoke) == "active_unack"
        assert admin.get(f"/api/v1/alarms/{smoke['id']}").json()["activations"] == 2
        # 操作信息: 消音 changes nothing; 复位 returns the system's points, as the reset bit does.
        dev.send(sim.operation_info((FIRE_SYSTEM, 1, sim.OPERATION_MUTE, 3)))
        assert dev.reply()["command"] == sim.CONFIRM
        assert state_of(admin, smoke) == "active_unack"
        dev.send(sim.operation_info((FIRE_SYSTEM, 1, sim.OPERATION_RESET, 3)))
        assert dev.reply()["command"] == sim.CONFIRM
        assert state_of(admin, smoke) == "rtn_unack"
    finally:
        dev.close()

    feeds = admin.get("/api/v1/alarms/feeds")
    assert feeds.status == 200, feeds
    gb = feeds.json()["gb26875"]
    assert gb["refused"] == {"bad_start": 1, "bad_end": 1, "length_mismatch": 2, "bad_checksum": 1,
                             "oversize": 1, "bad_data_unit": 1, "bad_command": 1}, gb
    assert gb["refused_total"] == 8
    assert gb["unmapped"] == 1 and gb["connections"] == 1, gb
    # Confirmed: fire, fault+supervisory, fire+fault, panel fault, reset, unmapped, final, mute,
    # reset operation = 9; denied: the 7 refusals whose header could be read.
    assert (gb["confirmed"], gb["denied"]) == (9, 7), gb
    assert gb["frames_received"] == 11, gb  # well-formed frames, the bad unit and command among them
    assert gb["status_objects"] == 11, gb
    assert gb["events_ingested"] == 1 + 3 + 1 + 1 + 4 + 1 + 4, gb
    log = read_log(server)
    for reason in ("bad_start", "bad_end", "length_mismatch", "bad_checksum", "oversize",
                   "bad_data_unit", "bad_command"):
        assert f"refused ({reason})" in log, reason
    assert f"unmapped device {DEVICE:#x} system 1 component {UNMAPPED}" in log
    metrics = server.client().get("/metrics").body
    assert "zhidu_gb26875_frames_refused_total 8" in metrics, metrics
    # The counters are for those who read the journal.
    assert login(server, "fire1").get("/api/v1/alarms/feeds").status == 403
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_field_devices_file_is_checked(require_backend, tmp_path):
    """A mistake in the file stops the server with the entry and field named."""
    path = tmp_path / "bad.yaml"
    path.write_text("gb26875:\n  - {device: 1, system: 1, on: [smoke], source: a, point: b}\n",
                    encoding="utf-8")
    server = Server(require_backend, extra=["--gb26875-listen", f"127.0.0.1:{free_port()}",
                                            "--field-devices", str(path)])
    with pytest.raises(RuntimeError) as e:
        server.start(timeout=30)
    assert "gb26875[0].on[0]" in str(e.value), str(e.value)


def test_a_taken_gb26875_port_stops_the_server(require_backend):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        server = Server(require_backend, extra=["--gb26875-listen", f"127.0.0.1:{port}"])
        with pytest.raises(RuntimeError) as e:
            server.start(timeout=30)
    assert f"--gb26875-listen 127.0.0.1:{port}" in str(e.value), str(e.value)


class ModbusServer:
    """A Modbus TCP server on 127.0.0.1 (raw sockets, function codes 1-4), written from the public
    Modbus Application Protocol and Messaging on TCP/IP specifications: MBAP header (transaction id,
    protocol 0, length, unit id) then the PDU. Values are set by the test while zhidu polls."""

    def __init__(self, unit=1):
        import socket
        import threading
        self.unit = unit
        self.coils, self.discrete, self.holding, self.inputs = {}, {}, {}, {}
        self.requests = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        import threading
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        import struct
        with conn:
            while not self.stopped:
                head = b""
                while len(head) < 7:
                    chunk = conn.recv(7 - len(head))
                    if not chunk:
                        return
                    head += chunk
                tid, proto, length, unit = struct.unpack(">HHHB", head)
                pdu = b""
                while len(pdu) < length - 1:
                    chunk = conn.recv(length - 1 - len(pdu))
                    if not chunk:
                        return
                    pdu += chunk
                self.requests += 1
                fc, addr, count = pdu[0], *struct.unpack(">HH", pdu[1:5])
                if unit != self.unit:
                    body = bytes([fc | 0x80, 0x0B])  # gateway target device failed to respond
                elif fc in (1, 2):
                    table = self.coils if fc == 1 else self.discrete
                    bits = [table.get(addr + i, 0) for i in range(count)]
                    data = bytearray((count + 7) // 8)
                    for i, b in enumerate(bits):
                        if b:
                            data[i // 8] |= 1 << (i % 8)
                    body = bytes([fc, len(data)]) + bytes(data)
                elif fc in (3, 4):
                    table = self.holding if fc == 3 else self.inputs
                    data = b"".join(struct.pack(">H", table.get(addr + i, 0)) for i in range(count))
                    body = bytes([fc, len(data)]) + data
                else:
                    body = bytes([fc | 0x80, 0x01])  # illegal function
                conn.sendall(struct.pack(">HHHB", tid, 0, len(body) + 1, unit) + body)

    def close(self):
        self.stopped = True
        self.sock.close()


def wait_state(admin, p, want, timeout=20):
    deadline = time.time() + timeout
    state = None
    while time.time() < deadline:
        state = state_of(admin, p)
        if state == want:
            return state
        time.sleep(0.1)
    return state


def test_modbus_polls_feed_alarm_points(require_backend, tmp_path):
    plc = ModbusServer(unit=7)
    down_port = free_port()  # nothing listens here
    path = tmp_path / "field-devices.yaml"
    path.write_text(f"""
modbus:
  - {{host: 127.0.0.1, port: {plc.port}, unit: 7, table: coil, address: 10, interval_ms: 200,
     active_when: {{equals: 1}}, source: bms, point: pump-1-trip}}
  - {{host: 127.0.0.1, port: {plc.port}, unit: 7, table: holding_register, address: 5,
     interval_ms: 200, active_when: {{above: 100}}, source: bms, point: tank-level-high}}
  - {{host: 127.0.0.1, port: {plc.port}, unit: 7, table: input_register, address: 0,
     interval_ms: 200, active_when: {{bit: 3}}, source: bms, point: fan-2-fault}}
  - {{host: 127.0.0.1, port: {plc.port}, unit: 9, table: discrete_input, address: 0,
     interval_ms: 200, active_when: {{equals: 1}}, source: bms, point: wrong-unit}}
  - {{host: 127.0.0.1, port: {down_port}, unit: 1, table: coil, address: 0, interval_ms: 200,
     active_when: {{equals: 1}}, source: bms, point: unreachable}}
""", encoding="utf-8")
    server = Server(require_backend, extra=["--field-devices", str(path)]).start()
    try:
        admin = server.admin()
        site, post = site_and_post(admin, "消防控制室值班岗")
        pts = {tag: point2(admin, site, post, tag) for tag in
               ("pump-1-trip", "tank-level-high", "fan-2-fault", "wrong-unit", "unreachable")}
        # Everything reads normal first.
        counters = wait_feeds(admin, lambda m: all(x["reads"] > 0 for x in m[:3]))
        assert [x["active"] for x in counters[:3]] == [False, False, False], counters
        plc.coils[10] = 1
        plc.holding[5] = 101
        plc.inputs[0] = 0b1000
        for tag in ("pump-1-trip", "tank-level-high", "fan-2-fault"):
            assert wait_state(admin, pts[tag], "active_unack") == "active_unack", tag
        plc.holding[5] = 100  # not above 100: back to normal
        assert wait_state(admin, pts["tank-level-high"], "rtn_unack") == "rtn_unack"
        assert state_of(admin, pts["pump-1-trip"]) == "active_unack"
        counters = wait_feeds(admin, lambda m: m[3]["errors"] > 0 and m[4]["errors"] > 0)
        assert counters[3]["reads"] == 0 and counters[3]["last_error"], counters[3]
        assert counters[4]["reads"] == 0 and "connect" in counters[4]["last_error"], counters[4]
        assert [state_of(admin, pts[t]) for t in ("wrong-unit", "unreachable")] == ["normal"] * 2
        assert counters[0]["changes"] == 2 and counters[0]["value"] == 1, counters[0]
        log = read_log(server)
        assert "Modbus poll of 127.0.0.1:%d unit 1 coil 0 (bms/unreachable) failing" % down_port in log
        metrics = server.client().get("/metrics").body
        assert "zhidu_modbus_poll_errors_total " in metrics
        # The PLC goes away: errors are counted, the points keep their state.
        plc.close()
        counters = wait_feeds(admin, lambda m: m[0]["errors"] > 0)
        assert state_of(admin, pts["pump-1-trip"]) == "active_unack"
    finally:
        plc.close()
        server.kill()


def point2(admin, site, post, tag):
    r = admin.post("/api/v1/alarm-points", {"site_id": site, "post_id": post, "source": "bms",
                                            "point": tag, "title": tag, "kind": "equipment"})
    assert r.status == 201, r
    return r.json()


def wait_feeds(admin, ok, timeout=20):
    deadline = time.time() + timeout
    modbus = None
    while time.time() < deadline:
        modbus = admin.get("/api/v1/alarms/feeds").json()["modbus"]
        if ok(modbus):
            return modbus
        time.sleep(0.1)
    raise AssertionError(f"feeds never satisfied the condition: {modbus}")
