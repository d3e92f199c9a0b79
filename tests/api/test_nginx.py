"""The nginx example (packaging/nginx/zhidu.conf) run by the real nginx in front of the real binary:
one node on SQLite, a pair of nodes on one PostgreSQL (issue 22 §6, docs/operations.md "Two nodes").

The example is used as shipped; only what a site edits is replaced — the ports (127.0.0.1 here,
never a public address), the certificate (a throwaway self-signed one made with openssl), the
upstream's server lines and the access log path — and every replacement must match, so a change
to the example that the test no longer covers fails here. nginx runs in the foreground from a
temporary prefix and is stopped by PID."""
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import time

import pytest

from test_notifications import WebSocket
from zhidu_harness import ROOT, Client, Server, free_port, wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
EXAMPLE = os.path.join(ROOT, "packaging/nginx/zhidu.conf")


def local_config(example, http_port, https_port, upstreams, cert, key, access_log):
    """The example with this machine's ports, certificate, upstream servers and log path."""
    edits = [
        (r"^    server 127\.0\.0\.1:8080;$",
         "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)),
        (r"^    listen 80;$", f"    listen 127.0.0.1:{http_port};"),
        (r"^    listen \[::\]:80;\n", ""),
        (r"^    listen 443 ssl http2;$", f"    listen 127.0.0.1:{https_port} ssl http2;"),
        (r"^    listen \[::\]:443 ssl http2;\n", ""),
        (r"ssl_certificate     /etc/ssl/zhidu/fullchain\.pem;", f"ssl_certificate     {cert};"),
        (r"ssl_certificate_key /etc/ssl/zhidu/privkey\.pem;", f"ssl_certificate_key {key};"),
        (r"/var/log/nginx/zhidu\.access\.log", access_log),
    ]
    for pattern, replacement in edits:
        example, n = re.subn(pattern, replacement, example, flags=re.M)
        assert n == 1, f"the example no longer has {pattern!r}"
    return example


class Nginx:
    def __init__(self, tmp, upstreams):
        self.tmp = tmp
        self.http_port, self.https_port = free_port(), free_port()
        self.cert, self.key = str(tmp / "cert.pem"), str(tmp / "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True, timeout=60)
        self.access_log = str(tmp / "zhidu.access.log")
        with open(EXAMPLE, encoding="utf-8") as f:
            site = local_config(f.read(), self.http_port, self.https_port, upstreams,
                                self.cert, self.key, self.access_log)
        (tmp / "zhidu.conf").write_text(site, encoding="utf-8")
        for d in ["body", "proxy", "fastcgi", "uwsgi", "scgi"]:
            (tmp / d).mkdir()
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the temporary prefix
        (tmp / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\n{user}"
            f"error_log {tmp}/error.log info;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n  access_log off;\n"
            + "".join(f"  {d}_temp_path {tmp}/{d};\n" for d in ["proxy", "fastcgi", "uwsgi", "scgi"])
            + f"  client_body_temp_path {tmp}/body;\n  include {tmp}/zhidu.conf;\n}}\n",
            encoding="utf-8")
        self.argv = [NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf")]
        self.proc = None
        self.tls = ssl.create_default_context(cafile=self.cert)

    def check(self):
        return subprocess.run(self.argv + ["-t"], capture_output=True, text=True, timeout=60)

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

        def up():
            assert self.proc.poll() is None, (self.tmp / "error.log").read_text()
            try:
                c = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.tls, timeout=2)
                c.request("GET", "/healthz")
                ok = c.getresponse().status == 200
                c.close()
                return ok
            except OSError:
                return False
        wait_until(up, 30)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class TlsClient(Client):
    """The harness client, through nginx's TLS port with the certificate verified."""

    def __init__(self, front):
        super().__init__(front.https_port)
        self.tls = front.tls

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, timeout=30)
        return self.conn


@pytest.fixture
def front(require_backend, tmp_path):
    """(nginx, nodes): one node on SQLite, two nodes on one database on PostgreSQL."""
    assert os.path.exists(NGINX), "nginx is not installed (scripts/setup installs it)"
    proxy = ["--trusted-proxy", "127.0.0.1", "--secure-cookies"]  # as packaging/zhidu.env
    nodes = []
    proxy_front = None
    try:
        a = Server(require_backend, extra=["--node-id", "node-a", *proxy]).start()
        nodes.append(a)
        if require_backend == "postgresql":
            nodes.append(Server("postgresql", demo=False, database_url=a.database_url,
                                extra=["--node-id", "node-b", *proxy]).start())
        proxy_front = Nginx(tmp_path, [n.port for n in nodes])
        yield proxy_front, nodes
    finally:
        if proxy_front:
            proxy_front.stop()
        for n in nodes:
            n.kill()


def access_lines(nodes, request_id):
    """zhidu's access-log lines (JSON, one per request) with this request id, from every node."""
    out = []
    for n in nodes:
        for line in open(n.log_path, encoding="utf-8", errors="replace"):
            if line.startswith("{") and f'"{request_id}"' in line:
                entry = json.loads(line)
                if entry.get("id") == request_id:
                    out.append((n, entry))
    return out


def test_the_example_runs_in_front_of_the_nodes(front):
    proxy_front, nodes = front
    checked = proxy_front.check()
    assert checked.returncode == 0 and "syntax is ok" in checked.stderr, checked.stderr
    proxy_front.start()

    # Plain HTTP only redirects to TLS.
    c = http.client.HTTPConnection("127.0.0.1", proxy_front.http_port, timeout=10)
    c.request("GET", "/api/v1/me")
    r = c.getresponse()
    assert r.status == 301 and r.getheader("Location").startswith("https://127.0.0.1"), r.status
    c.close()

    web = TlsClient(proxy_front)
    page = web.get("/", headers={"X-Request-Id": "ngx-page-1"})
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html"), page
    assert page.headers["X-Request-Id"] == "ngx-page-1"  # the client's id, through nginx to zhidu
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    # Without one, nginx's own $request_id (32 hex digits) is the id zhidu answers and logs.
    own = web.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", own), own
    assert wait_until(lambda: access_lines(nodes, own), 5)

    # Signing in through nginx: the cookie is Secure (TLS ends at nginx, X-Forwarded-Proto https).
    password = nodes[0].credentials()["admin"][0]
    r = web.login("admin", password)
    assert r.status == 200, r
    assert all("Secure" in v for v in r.headers.get_all("Set-Cookie")), r.headers.get_all("Set-Cookie")

    # A client cannot choose its address: nginx appends the address it saw, and zhidu believes only
    # the last entry, from its trusted proxy.
    r = web.get("/api/v1/me", headers={"X-Forwarded-For": "203.0.113.7", "X-Request-Id": "ngx-xff-1"})
    assert r.status == 200, r
    assert wait_until(lambda: access_lines(nodes, "ngx-xff-1"), 5)
    assert [e["client"] for _, e in access_lines(nodes, "ngx-xff-1")] == ["127.0.0.1"]

    # The limits of the example: /metrics is not served outside, a body over 1 MiB stops at nginx.
    assert web.get("/metrics").status == 404
    big = web.request("POST", "/api/v1/sites", raw=b"{" + b" " * (1 << 20) + b"}",
                      headers={"X-Request-Id": "ngx-big-1"})
    assert big.status == 413, big
    web.close()
    time.sleep(0.2)
    assert access_lines(nodes, "ngx-big-1") == []  # zhidu never saw it

    # The live stream through nginx's upgrade: a write made through nginx arrives on it — with two
    # nodes, whichever node the write and the stream each reached.
    web = TlsClient(proxy_front)
    assert web.login("admin", password).status == 200
    ws = WebSocket(proxy_front.https_port, client=web,
                   tls=proxy_front.tls, headers={"Host": f"127.0.0.1:{proxy_front.https_port}"})
    assert ws.status == 101, ws.body
    names = [f"前置厂区{i}" for i in range(4)]
    for name in names:
        assert web.post("/api/v1/sites", {"name": name}).status == 201
    got = ws.recv_until(lambda m: m["kind"] == "org.site.created" and m["payload"]["name"] == names[-1])
    assert [m["payload"]["name"] for m in got if m["kind"] == "org.site.created"] == names
    ws.close()

    if len(nodes) == 2:
        # nginx spreads requests over the pair (round robin); the session is the database's, so
        # each node answers it.
        ids = [f"ngx-rr-{i}" for i in range(8)]
        for i in ids:
            assert web.get("/api/v1/me", headers={"X-Request-Id": i}).status == 200
        assert wait_until(lambda: all(access_lines(nodes, i) for i in ids), 5)
        served = {access_lines(nodes, i)[0][0].port for i in ids}
        assert served == {n.port for n in nodes}, served
        # Signing out on one node ends the session on both: through nginx the old cookie is
        # refused on the very next requests (each node keeps principals ≤ 500 ms).
        cookies = dict(web.cookies)
        assert web.post("/api/v1/logout").status in (200, 204)
        time.sleep(0.6)
        stale = TlsClient(proxy_front)
        stale.cookies = cookies
        statuses = [stale.get("/api/v1/me").status for _ in range(4)]
        assert statuses == [401] * 4, statuses
        stale.close()
    web.close()
    proxy_front.stop()
    assert proxy_front.proc.returncode == 0
    # nginx's access log carries the same ids as zhidu's.
    with open(proxy_front.access_log, encoding="utf-8") as f:
        assert any("id=ngx-xff-1 " in line for line in f)
