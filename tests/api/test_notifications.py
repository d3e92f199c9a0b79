"""Live notifications: the WebSocket stream (/api/v1/stream) over the real binary.

The WebSocket client is a minimal RFC 6455 client on the standard library (no pip packages): the
handshake, masked client frames, and unmasked server frames, fragmented or not."""
import base64
import datetime
import hashlib
import json
import os
import signal
import socket
import struct
import time

import pytest

from zhidu_harness import Client, Server, wait_until

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


class WsClosed(Exception):
    def __init__(self, code, reason):
        super().__init__(f"closed {code} {reason!r}")
        self.code = code
        self.reason = reason


class WebSocket:
    """Connects and upgrades; `status` is 101 on success, else the HTTP status (and `body`)."""

    def __init__(self, port, path="/api/v1/stream", client=None, headers=None, timeout=10,
                 tls=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls is not None:  # an ssl.SSLContext: the stream through a TLS front (test_nginx.py)
            self.sock = tls.wrap_socket(self.sock, server_hostname="127.0.0.1")
        key = base64.b64encode(os.urandom(16)).decode()
        hdrs = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
                "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"}
        if client is not None and client.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        hdrs.update(headers or {})
        request = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items())
        self.sock.sendall((request + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        self.body = b""
        if self.status == 101:
            expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            assert self.headers.get("sec-websocket-accept") == expected
        else:
            length = int(self.headers.get("content-length", "0"))
            while len(self.buf) < length:
                chunk = self.sock.recv(4096)
                if not chunk:
                    break
                self.buf += chunk
            self.body = self.buf[:length]
            self.sock.close()

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed without a close frame")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _frame(self):
        b0, b1 = self._read(2)
        opcode, masked, n = b0 & 0x0F, b1 & 0x80, b1 & 0x7F
        assert not masked, "server frames are never masked"
        if n == 126:
            n = struct.unpack(">H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read(8))[0]
        return bool(b0 & 0x80), opcode, self._read(n)

    def send(self, opcode, payload=b""):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + body)

    def recv(self, timeout=20):
        """The next text message as JSON; raises WsClosed on a close frame, socket.timeout."""
        self.sock.settimeout(timeout)
        message, first_opcode = b"", None
        while True:
            fin, opcode, payload = self._frame()
            if opcode == 0x9:  # ping
                self.send(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:  # echo the close, as RFC 6455 asks, so the server need not wait
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                try:
                    self.send(0x8, payload[:2])
                except OSError:
                    pass
                raise WsClosed(code, payload[2:].decode("utf-8", "replace"))
            if opcode != 0x0:
                first_opcode = opcode
            message += payload
            if fin:
                assert first_opcode == 0x1, "text frames only"
                return json.loads(message.decode("utf-8"))

    def recv_until(self, predicate, timeout=15):
        """Messages up to and including the first that satisfies `predicate`."""
        got = []
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            assert left > 0, f"timed out; got {[(m['id'], m['kind']) for m in got]}"
            got.append(self.recv(timeout=left))
            if predicate(got[-1]):
                return got

    def quiet_for(self, seconds):
        """Messages arriving within `seconds` (none expected, usually)."""
        got = []
        deadline = time.time() + seconds
        try:
            while time.time() < deadline:
                got.append(self.recv(timeout=max(0.05, deadline - time.time())))
        except (socket.timeout, TimeoutError):
            pass
        return got

    def close(self):
        try:
            self.send(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()


def head_seq(admin):
    """The journal head, from the zhidu_journal_records gauge."""
    for line in admin.get("/metrics").body.splitlines():
        if line.startswith("zhidu_journal_records "):
            return int(float(line.split()[1]))
    raise AssertionError("no zhidu_journal_records in /metrics")


def journal_after(admin, after):
    items, cursor = [], None
    while True:
        url = "/api/v1/journal?limit=500" + (f"&after={after}" if after else "") + (
            f"&cursor={cursor}" if cursor else "")
        page = admin.get(url).json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = page["next_cursor"]
        after = 0


def test_admin_stream_receives_writes_in_order(server, admin):
    # From an explicit point: the scheduler writes on its own, so a head read after connecting
    # may already be past records the stream rightly delivers (a CI failure: 115.. against 119).
    start = head_seq(admin)
    ws = WebSocket(server.port, path=f"/api/v1/stream?after={start}", client=admin)
    assert ws.status == 101, ws.body
    for name in ["北区厂房", "南区厂房"]:
        assert admin.post("/api/v1/sites", {"name": name}).status == 201
    got = ws.recv_until(lambda m: m["kind"] == "org.site.created" and m["payload"]["name"] == "南区厂房")
    ids = [m["id"] for m in got]
    # An admin sees every record: consecutive ids right after the point it asked for.
    assert ids == list(range(start + 1, start + 1 + len(ids))), ids
    sites = [m for m in got if m["kind"] == "org.site.created"]
    assert [m["payload"]["name"] for m in sites] == ["北区厂房", "南区厂房"]
    assert all(m["subject"].startswith("site/") for m in sites)
    assert datetime.datetime.fromisoformat(got[0]["at"]).tzinfo is not None
    ws.close()


def test_resume_after_last_id_has_no_gaps_and_no_duplicates(server, admin):
    ws = WebSocket(server.port, client=admin)
    assert ws.status == 101
    admin.post("/api/v1/sites", {"name": "甲"})
    last = ws.recv_until(lambda m: m["kind"] == "org.site.created")[-1]["id"]
    ws.close()

    for name in ["乙", "丙", "丁"]:
        assert admin.post("/api/v1/sites", {"name": name}).status == 201
    missed = journal_after(admin, last)
    assert [j["kind"] for j in missed if j["kind"] == "org.site.created"] == ["org.site.created"] * 3

    again = WebSocket(server.port, client=admin, path=f"/api/v1/stream?after={last}")
    assert again.status == 101
    got = again.recv_until(lambda m: m["id"] == missed[-1]["seq"])
    assert [m["id"] for m in got] == [j["seq"] for j in missed]
    assert [m["kind"] for m in got] == [j["kind"] for j in missed]
    # Then live, no duplicates: the next write comes once, right after.
    admin.post("/api/v1/sites", {"name": "戊"})
    live = again.recv_until(lambda m: m["kind"] == "org.site.created")
    assert live[0]["id"] == missed[-1]["seq"] + 1
    # Nothing comes twice. (The scheduler may write meanwhile: only newer records may follow.)
    later = again.quiet_for(0.5)
    assert all(m["id"] > live[-1]["id"] for m in later), later
    assert not [m for m in later if m["kind"] == "org.site.created"], later
    again.close()

    # Last-Event-ID works as ?after=.
    third = WebSocket(server.port, client=admin, headers={"Last-Event-ID": str(last)})
    assert third.status == 101
    assert third.recv()["id"] == last + 1
    third.close()


def test_a_user_without_journal_read_sees_only_records_naming_them(server, admin):
    r = admin.post("/api/v1/accounts", {"username": "op_stream", "password": "correct horse 1",
                                        "roles": [{"role": "中控员"}]})
    assert r.status == 201, r
    me = r.json()["id"]
    user = Client(server.port)
    assert user.login("op_stream", "correct horse 1").status == 200
    ws = WebSocket(server.port, client=user)
    assert ws.status == 101
    admin.post("/api/v1/sites", {"name": "别人的厂区"})
    admin.post("/api/v1/reminders", {"due_at": datetime.datetime.now(SHANGHAI).isoformat(),
                                     "message": "admin's own"})
    due = datetime.datetime.now(SHANGHAI) + datetime.timedelta(seconds=1)
    created = user.post("/api/v1/reminders", {"due_at": due.isoformat(), "message": "巡检"})
    assert created.status == 201, created
    rid = created.json()["id"]
    got = ws.recv_until(lambda m: m["kind"] == "reminder.fired", timeout=30)
    assert [m["kind"] for m in got] == ["reminder.created", "reminder.fired"], got
    assert all(m["payload"]["account_id"] == me for m in got)
    assert got[1]["subject"] == f"reminder/{rid}"
    assert got[0]["id"] < got[1]["id"]
    ws.close()


def test_upgrades_need_authentication(server):
    ws = WebSocket(server.port)
    assert ws.status == 401
    assert json.loads(ws.body)["error"]["code"] == "unauthenticated"
    bad = WebSocket(server.port, headers={"Authorization": "Bearer nope"})
    assert bad.status == 401
    # A plain GET is told to upgrade; a bad resume point is a 400 before the upgrade.
    admin = server.admin()
    assert admin.get("/api/v1/stream").status == 426
    far = WebSocket(server.port, client=admin, path="/api/v1/stream?after=99999999")
    assert far.status == 400 and json.loads(far.body)["error"]["field"] == "after"
    assert WebSocket(server.port, client=admin, path="/api/v1/stream?after=x").status == 400


def test_bearer_tokens_and_the_per_account_limit(server, admin):
    token = admin.post("/api/v1/api-tokens", {"name": "stream"}).json()["token"]
    streams = [WebSocket(server.port, headers={"Authorization": f"Bearer {token}"}) for _ in range(8)]
    assert [s.status for s in streams] == [101] * 8
    ninth = WebSocket(server.port, client=admin)
    assert ninth.status == 101
    with pytest.raises(WsClosed) as closed:
        ninth.recv()
    assert closed.value.code == 1008 and "too many streams" in closed.value.reason
    streams.pop().close()
    deadline = time.time() + 10
    for attempt in range(1000):  # the slot frees once the server notices the close
        tenth = WebSocket(server.port, client=admin)
        try:
            # A new name each attempt: a retry must not collide with the site the last one made.
            created = admin.post("/api/v1/sites", {"name": f"再来{attempt}"})
            assert created.status == 201, created
            assert tenth.recv_until(lambda m: m["kind"] == "org.site.created"
                                    and m["payload"].get("name") == f"再来{attempt}")
            break
        except WsClosed:
            assert time.time() < deadline, "the closed stream's slot was never freed"
            time.sleep(0.2)
    for s in streams + [tenth]:
        s.close()


def test_shutdown_closes_streams_with_going_away(server, admin):
    ws = WebSocket(server.port, client=admin)
    assert ws.status == 101
    started = time.time()
    server.proc.send_signal(signal.SIGTERM)
    with pytest.raises(WsClosed) as closed:
        while True:
            ws.recv(timeout=10)
    assert closed.value.code == 1001
    assert server.proc.wait(timeout=20) == 0
    assert time.time() - started < 15


# ---- webhooks

class Receiver:
    """A local group robot on 127.0.0.1: on each path, the first `failures` POSTs get a 500, later
    ones {"errcode":0,"errmsg":"ok"}. Records every request."""

    def __init__(self, failures=0):
        import http.server
        import threading
        self.failures = failures
        self.requests = []  # (path, parsed JSON body)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append((self.path, json.loads(body)))
                    n = sum(1 for p, _ in outer.requests if p == self.path)
                status = 500 if n <= outer.failures else 200
                reply = json.dumps({"errcode": 0 if status == 200 else 1, "errmsg": "ok"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def on(self, path):
        with self.lock:
            return [body for p, body in self.requests if p == path]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_webhooks_in_three_formats_retry_with_backoff(server, admin):
    robot = Receiver(failures=2)
    try:
        ids = {}
        for fmt in ["wecom", "dingtalk", "feishu"]:
            r = admin.post("/api/v1/notify/channels", {"name": f"{fmt}群", "format": fmt,
                                                       "url": robot.url(f"/{fmt}"),
                                                       "kinds": ["org.site."]})
            assert r.status == 201, r
            assert r.json()["kinds"] == ["org.site."] and r.json()["delivery"]["delivered"] == 0
            ids[fmt] = r.json()["id"]
        started = time.time()
        assert admin.post("/api/v1/sites", {"name": "推送测试厂区"}).status == 201
        # 2 failures, then success: attempts after 0 s, ~1 s and ~3 s.
        assert wait_until(lambda: all(len(robot.on(f"/{f}")) >= 3 for f in ids), 30), robot.requests
        assert time.time() - started >= 2.5, "the retries did not back off"
        time.sleep(1.5)
        for fmt in ids:
            bodies = robot.on(f"/{fmt}")
            assert len(bodies) == 3, (fmt, bodies)  # one record, nothing after the success
            assert bodies[0] == bodies[2]  # a retry resends the same message
        wecom, dingtalk, feishu = (robot.on(f"/{f}")[-1] for f in ["wecom", "dingtalk", "feishu"])
        for body in (wecom, dingtalk):
            assert set(body) == {"msgtype", "text"} and body["msgtype"] == "text"
            assert set(body["text"]) == {"content"}
        assert set(feishu) == {"msg_type", "content"} and feishu["msg_type"] == "text"
        assert set(feishu["content"]) == {"text"}
        for text in (wecom["text"]["content"], dingtalk["text"]["content"], feishu["content"]["text"]):
            assert "org.site.created" in text and "推送测试厂区" in text and "+08:00" in text, text
        for fmt, cid in ids.items():
            got = admin.get(f"/api/v1/notify/channels/{cid}").json()
            d = got["delivery"]
            assert (d["delivered"], d["failed"], d["attempts"], d["queued"]) == (1, 0, 3, 0), got
            assert d["last_status"] == "200" and d["node"], d  # this node holds the lease
        metrics = admin.get("/metrics").body
        assert "zhidu_webhook_delivered_total 3" in metrics, metrics[-800:]
        assert "zhidu_webhook_attempts_total 9" in metrics
    finally:
        robot.stop()


def test_a_dead_or_hanging_receiver_never_slows_requests(server, admin):
    hanging = socket.socket()  # accepts connections (backlog) but never answers
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(16)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()  # nothing listens there: connection refused
    try:
        hang_url = f"http://127.0.0.1:{hanging.getsockname()[1]}/hook"
        a = admin.post("/api/v1/notify/channels", {"name": "hang", "format": "wecom", "url": hang_url})
        b = admin.post("/api/v1/notify/channels", {"name": "dead", "format": "feishu",
                                                   "url": f"http://127.0.0.1:{dead_port}/hook"})
        assert a.status == 201 and b.status == 201
        slowest = 0
        for i in range(8):
            t = time.time()
            assert admin.post("/api/v1/sites", {"name": f"厂区{i}"}).status == 201
            slowest = max(slowest, time.time() - t)
        assert slowest < 3, f"a POST took {slowest:.1f} s with dead receivers"
        dead = b.json()["id"]
        assert wait_until(lambda: admin.get(f"/api/v1/notify/channels/{dead}").json()["delivery"]["attempts"] >= 2, 20)
        got = admin.get(f"/api/v1/notify/channels/{dead}").json()["delivery"]
        assert got["delivered"] == 0 and got["queued"] >= 1 and got["last_status"], got
    finally:
        hanging.close()


def test_channels_need_the_permission_and_are_validated(server, admin):
    admin.post("/api/v1/accounts", {"username": "op_hooks", "password": "correct horse 1",
                                    "roles": [{"role": "中控员"}]})
    user = Client(server.port)
    assert user.login("op_hooks", "correct horse 1").status == 200
    good = {"name": "群", "format": "dingtalk", "url": "http://127.0.0.1:9/robot/send?access_token=s3cret"}
    assert user.post("/api/v1/notify/channels", good).status == 403
    assert user.get("/api/v1/notify/channels").status == 403
    for field, bad in [("format", {**good, "format": "slack"}), ("url", {**good, "url": "ftp://x"}),
                       ("kinds", {**good, "kinds": [""]}), ("site_id", {**good, "site_id": 999999})]:
        r = admin.post("/api/v1/notify/channels", bad)
        assert r.status == 400 and r.json()["error"]["field"] == field, (field, r)
    created = admin.post("/api/v1/notify/channels", good)
    assert created.status == 201, created
    assert admin.post("/api/v1/notify/channels", good).status == 409
    cid = created.json()["id"]
    assert [c["id"] for c in admin.get("/api/v1/notify/channels").json()["items"]] == [cid]
    assert admin.request("DELETE", f"/api/v1/notify/channels/{cid}").status == 204
    assert admin.request("DELETE", f"/api/v1/notify/channels/{cid}").status == 409
    assert admin.get(f"/api/v1/notify/channels/{cid}").json()["deleted"] is True
    assert admin.get("/api/v1/notify/channels").json()["items"] == []
    assert admin.get("/api/v1/notify/channels/424242").status == 404
    # Created and deleted are journaled, without the URL's secret.
    journal = journal_after(admin, 0)
    kinds = [j for j in journal if j["kind"].startswith("notify.channel.")]
    assert [j["kind"] for j in kinds] == ["notify.channel.created", "notify.channel.deleted"]
    assert "s3cret" not in json.dumps(kinds) and kinds[0]["payload"]["host"] == "127.0.0.1:9"


def test_a_retry_waiting_at_shutdown_is_sent_after_a_restart(require_backend):
    # Delivery state is in the database (webhook_cursors): a failed send is retried, not lost.
    s = Server(require_backend).start()
    robot = Receiver(failures=1000)
    try:
        admin = s.admin()
        r = admin.post("/api/v1/notify/channels", {"name": "重启群", "format": "wecom",
                                                   "url": robot.url("/hook"), "kinds": ["org.site."]})
        assert r.status == 201, r
        channel = r.json()["id"]
        assert admin.post("/api/v1/sites", {"name": "重启前厂区"}).status == 201
        assert wait_until(lambda: len(robot.on("/hook")) >= 1, 20)  # refused: a retry waits
        assert s.stop() == 0
        robot.failures = 0
        again = Server(require_backend, demo=False, data_dir=s.data_dir,
                       database_url=s.database_url).start()
        try:
            admin = again.admin()
            assert wait_until(lambda: admin.get(f"/api/v1/notify/channels/{channel}")
                              .json()["delivery"]["delivered"] == 1, 20)
            d = admin.get(f"/api/v1/notify/channels/{channel}").json()["delivery"]
            assert d["attempts"] == len(robot.on("/hook")) >= 2 and d["failed"] == 0, d
            assert "重启前厂区" in robot.on("/hook")[-1]["text"]["content"]
            assert admin.post("/api/v1/sites", {"name": "重启后厂区"}).status == 201
            assert wait_until(lambda: len(robot.on("/hook")) == d["attempts"] + 1, 20)
            assert "重启后厂区" in robot.on("/hook")[-1]["text"]["content"]
        finally:
            again.kill()
    finally:
        robot.stop()
        s.kill()
