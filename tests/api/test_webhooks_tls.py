"""Robots over https:// with certificate verification, and the signed robots (加签), against the
real binary and local TLS servers on 127.0.0.1 whose certificates come from throwaway CAs made
with the openssl CLI: a certificate of the CA given by --tls-ca-file is accepted; one of another
CA is refused; one of the right CA that does not name the host is refused. The fake robots check
the DingTalk signature (timestamp, sign in the query) and the Feishu one (timestamp, sign in the
body) and refuse a bad one as the vendors do (docs/operations.md cites their pages)."""
import base64
import hashlib
import hmac
import http.server
import json
import os
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

from zhidu_harness import backend_server, wait_until

DING_SECRET = "SECa1b2c3d4e5f6"
FEISHU_SECRET = "feishuSecret0123"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=zhidu test {name}", cwd=d)
    return os.path.join(d, f"{name}.pem")


def make_cert(d, ca, name, san):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
    with open(os.path.join(d, f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    return os.path.join(d, f"{name}.pem"), os.path.join(d, f"{name}.key")


class TlsRobot:
    """A group robot on https://127.0.0.1:PORT that checks signatures: records (path, query,
    body, signature_ok) and answers errcode 0, or 310000 (DingTalk) / code 19021 (Feishu) when a
    signature is wrong."""

    def __init__(self, cert, key):
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                path, _, query = self.path.partition("?")
                q = urllib.parse.parse_qs(query)
                if path == "/dingtalk":
                    ok = outer.dingtalk_ok(q)
                    reply = {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign not match"}
                elif path == "/feishu":
                    ok = outer.feishu_ok(body)
                    reply = {"code": 0, "msg": "success"} if ok else {"code": 19021, "msg": "sign match fail"}
                else:
                    ok = True
                    reply = {"errcode": 0, "errmsg": "ok"}
                with outer.lock:
                    outer.requests.append((path, q, body, ok))
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def dingtalk_ok(q):
        # sign = urlEncode(Base64(HmacSHA256(key=secret, msg=timestamp + "\n" + secret))), timestamp
        # in ms within an hour of now (parse_qs has undone the urlEncode).
        if "timestamp" not in q or "sign" not in q or "access_token" not in q:
            return False
        ts = q["timestamp"][0]
        if abs(int(ts) - time.time() * 1000) > 3600 * 1000:
            return False
        mac = hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256)
        return hmac.compare_digest(q["sign"][0], base64.b64encode(mac.digest()).decode())

    @staticmethod
    def feishu_ok(body):
        # sign = Base64(HmacSHA256(key=timestamp + "\n" + secret, msg="")), timestamp in s.
        ts, sign = body.get("timestamp"), body.get("sign")
        if not isinstance(ts, str) or not isinstance(sign, str) or abs(int(ts) - time.time()) > 3600:
            return False
        mac = hmac.new(f"{ts}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256)
        return hmac.compare_digest(sign, base64.b64encode(mac.digest()).decode())

    def url(self, path, host="127.0.0.1"):
        return f"https://{host}:{self.httpd.server_address[1]}{path}"

    def on(self, path):
        with self.lock:
            return [r for r in self.requests if r[0] == path]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="zhidu-tls-")
    ca = make_ca(d, "ca")
    make_ca(d, "otherca")
    return {
        "ca": ca,
        "good": make_cert(d, "ca", "good", "IP:127.0.0.1,DNS:localhost"),
        "untrusted": make_cert(d, "otherca", "untrusted", "IP:127.0.0.1"),
        "wrong_name": make_cert(d, "ca", "wrong", "DNS:robot.example"),
    }


def test_https_robots_verify_the_peer_and_sign(backend, pki):
    robots = {k: TlsRobot(*pki[k]) for k in ("good", "untrusted", "wrong_name")}
    srv = backend_server(backend, extra=["--tls-ca-file", pki["ca"]])
    admin = srv.admin()
    try:
        good = robots["good"]
        channels = {
            "dingtalk": {"format": "dingtalk", "url": good.url("/dingtalk?access_token=tok1"),
                         "secret": DING_SECRET},
            "feishu": {"format": "feishu", "url": good.url("/feishu"), "secret": FEISHU_SECRET},
            "wecom": {"format": "wecom", "url": good.url("/wecom?key=k1")},
            "untrusted": {"format": "wecom", "url": robots["untrusted"].url("/wecom")},
            "wrong_name": {"format": "wecom", "url": robots["wrong_name"].url("/wecom")},
            "bad_sign": {"format": "feishu", "url": good.url("/feishu"), "secret": "notTheSecret"},
            # By DNS name: the good certificate names localhost; the other names robot.example.
            "by_name": {"format": "wecom", "url": good.url("/by-name?key=k2", host="localhost")},
            "wrong_dns": {"format": "wecom", "url": robots["wrong_name"].url("/wecom", host="localhost")},
        }
        ids = {}
        for name, c in channels.items():
            r = admin.post("/api/v1/notify/channels", {"name": name, "kinds": ["org.site."], **c})
            assert r.status == 201, (name, r)
            got = r.json()
            assert got["signed"] is ("secret" in c)
            assert "#" not in got["url"]
            assert "secret" not in c or c["secret"] not in json.dumps(got)
            ids[name] = got["id"]
        # Nothing of a secret is shown again, nor journaled.
        listed = json.dumps(admin.get("/api/v1/notify/channels").json())
        assert DING_SECRET not in listed and FEISHU_SECRET not in listed
        journal = json.dumps(admin.get("/api/v1/journal?limit=500").json())
        assert DING_SECRET not in journal and FEISHU_SECRET not in journal

        assert admin.post("/api/v1/sites", {"name": "加签测试厂区"}).status == 201
        assert wait_until(lambda: all(good.on(p) for p in ("/dingtalk", "/feishu", "/wecom")), 30)

        def delivery(name):
            return admin.get(f"/api/v1/notify/channels/{ids[name]}").json()["delivery"]

        assert wait_until(lambda: all(delivery(n)["delivered"] == 1
                                      for n in ("dingtalk", "feishu", "wecom", "by_name")), 20)
        path, q, body, ok = good.on("/dingtalk")[0]
        assert ok and q["access_token"] == ["tok1"], q
        assert body["msgtype"] == "text" and "加签测试厂区" in body["text"]["content"]
        path, q, body, ok = good.on("/feishu")[0]
        assert ok and body["msg_type"] == "text" and "加签测试厂区" in body["content"]["text"], body
        path, q, body, ok = good.on("/wecom")[0]
        assert ok and "sign" not in q and "timestamp" not in q and set(body) == {"msgtype", "text"}

        # A wrong secret: the robot refuses (code 19021), the channel counts failed attempts.
        assert wait_until(lambda: delivery("bad_sign")["attempts"] >= 1, 20)
        assert delivery("bad_sign")["last_status"] == "code 19021" and delivery("bad_sign")["delivered"] == 0
        # The TLS failures: no request ever reaches those robots.
        for name in ("untrusted", "wrong_name", "wrong_dns"):
            assert wait_until(lambda: delivery(name)["attempts"] >= 1, 20), name
            d = delivery(name)
            assert d["delivered"] == 0 and d["last_status"].startswith("certificate verify failed"), d
        assert "IP address mismatch" in delivery("wrong_name")["last_status"]
        assert "hostname mismatch" in delivery("wrong_dns")["last_status"].lower()
        assert "local issuer" in delivery("untrusted")["last_status"]
        assert robots["untrusted"].requests == [] and robots["wrong_name"].requests == []
    finally:
        admin.close()
        srv.kill()
        for r in robots.values():
            r.stop()


def test_a_wecom_robot_takes_no_secret_and_an_unreadable_ca_file_stops_the_server(server, admin):
    r = admin.post("/api/v1/notify/channels", {"name": "企微", "format": "wecom",
                                               "url": "https://127.0.0.1:9/x", "secret": "abc"})
    assert r.status == 400 and r.json()["error"]["reason"] == "notify.secret_unsupported", r
    r = admin.post("/api/v1/notify/channels", {"name": "钉钉", "format": "dingtalk",
                                               "url": "https://127.0.0.1:9/x#frag"})
    assert r.status == 400 and r.json()["error"]["field"] == "url", r
    assert admin.get("/api/v1/notify/channels").json()["items"] == []
    from zhidu_harness import BIN
    out = subprocess.run([BIN, "serve", "--data", tempfile.mkdtemp(), "--listen", "127.0.0.1:0",
                          "--tls-ca-file", "/nonexistent/ca.pem"], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 2 and "--tls-ca-file" in out.stderr, out
