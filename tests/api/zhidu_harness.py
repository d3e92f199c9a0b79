"""Starts the real zhidu binary on 127.0.0.1 and talks to it over real HTTP.

Every server is started with a fresh data directory (and, for PostgreSQL, a fresh database on the
throwaway cluster named by ZHIDU_TEST_PG_URL) and stopped by PID."""
import atexit
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ZHIDU_BIN", os.path.join(ROOT, "build/debug/src/app/zhidu"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_pg_database():
    """A new empty database on the throwaway cluster; returns its URL."""
    base = os.environ.get("ZHIDU_TEST_PG_URL")
    if not base:
        return None
    name = "zhidu_api_" + secrets.token_hex(6)
    subprocess.run(["psql", base, "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True)
    parsed = urllib.parse.urlparse(base)
    return urllib.parse.urlunparse(parsed._replace(path="/" + name))


def run_sql(server, statements):
    """Runs SQL on a stopped server's data as someone with the file or the database would: the
    SQLite file directly, PostgreSQL through psql."""
    if server.database_url:
        for sql in statements:
            subprocess.run(["psql", server.database_url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           check=True, capture_output=True)
    else:
        db = sqlite3.connect(os.path.join(server.data_dir, "zhidu.db"))
        for sql in statements:
            db.execute(sql)
        db.commit()
        db.close()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


# Clause coverage (scripts/clause_coverage.py): with ZHIDU_CLAUSE_LOG set, every short string and
# every string citing a clause (§) in a response is noted with the test that saw it, except on the
# endpoints that list the pack or the API itself (they would name every clause without exercising
# any): the policy, request types, plans, sites and their event list, and the OpenAPI document
# (its route descriptions cite clauses; test_hardening reads it to visit every route). Raising a
# site event (POST …/events) does count: its answer is the procedures it started.
CLAUSE_LOG = os.environ.get("ZHIDU_CLAUSE_LOG")
_PACK_LISTINGS = ("/api/v1/policy", "/api/v1/request-types", "/api/v1/duties:plan-report",
                  "/api/v1/sites/", "/api/v1/openapi.json")
_seen = {}


def _note_clauses(method, path, payload):
    if path.startswith(_PACK_LISTINGS) and not (method == "POST" and "/events" in path):
        return
    try:
        doc = json.loads(payload)
    except ValueError:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
    stack = [doc]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str) and (len(v) <= 80 or "§" in v):
            _seen.setdefault(v, set()).add(test)


def _write_clause_log():
    if CLAUSE_LOG and _seen:
        with open(CLAUSE_LOG, "a", encoding="utf-8") as f:
            for v, tests in _seen.items():
                f.write(json.dumps([v, sorted(tests)], ensure_ascii=False) + "\n")


atexit.register(_write_clause_log)


class Client:
    """A cookie-keeping HTTP/1.1 client on one keep-alive connection."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = None
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.conn

    def request(self, method, path, body=None, headers=None, raw=None, csrf=True):
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
        if data is not None:
            hdrs.setdefault("Content-Type", "application/json")
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            hdrs.setdefault("X-CSRF-Token", self.csrf)
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=hdrs)
                r = conn.getresponse()
                payload = r.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self.conn = None
                if attempt == 1:
                    raise
        for value in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            val = rest.split(";", 1)[0]
            if val:
                self.cookies[name] = val
            else:
                self.cookies.pop(name, None)
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        if CLAUSE_LOG:
            _note_clauses(method, path, payload)
        return Response(r.status, r.headers, payload)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def login(self, username, password):
        r = self.post("/api/v1/login", {"username": username, "password": password})
        if r.status == 200:
            self.csrf = r.json()["csrf_token"]
        return r

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


class Server:
    def __init__(self, backend="sqlite", demo=True, data_dir=None, database_url=None, extra=(),
                 fast_hashing=True):
        self.backend = backend
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="zhidu-api-")
        self.database_url = database_url
        if backend == "postgresql" and not self.database_url:
            self.database_url = fresh_pg_database()
        self.demo = demo
        # argon2id at the interactive cost takes ~0.2 s per demo account (~6 s of every start);
        # tests that measure password checking itself pass fast_hashing=False.
        self.fast_hashing = fast_hashing
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    def args(self):
        a = [BIN, "serve", "--data", self.data_dir, "--listen", f"127.0.0.1:{self.port}"]
        if self.database_url:
            a += ["--database", self.database_url]
        if self.demo:
            a.append("--demo")
        if self.fast_hashing:
            a.append("--test-fast-password-hashing")
        return a + self.extra

    def start(self, timeout=60):
        self.port = free_port()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"zhidu exited with {self.proc.returncode}:\n{self.log()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("zhidu did not become healthy:\n" + self.log())

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def credentials(self):
        out = {}
        with open(os.path.join(self.data_dir, "demo-credentials.txt"), encoding="utf-8") as f:
            for line in f:
                user, password, role = line.split()
                out[user] = (password, role)
        return out

    def client(self):
        return Client(self.port)

    def admin(self):
        c = self.client()
        r = c.login("admin", self.credentials()["admin"][0])
        assert r.status == 200, r
        return c

    def stop(self, timeout=30):
        """SIGTERM, wait; returns the exit code."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def verify(self):
        a = [BIN, "verify", "--data", self.data_dir]
        if self.database_url:
            a += ["--database", self.database_url]
        return subprocess.run(a, capture_output=True, text=True, timeout=300)


class Actor:
    """A signed-in demo user who signs in again when the session expires (sessions follow the clock)."""

    def __init__(self, server, username):
        self.server = server
        self.username = username
        self.client = server.client()
        self._login()

    def _login(self):
        r = self.client.login(self.username, self.server.credentials()[self.username][0])
        assert r.status == 200, r

    def call(self, method, path, body=None):
        r = self.client.request(method, path, body=body)
        if r.status == 401:
            self._login()
            r = self.client.request(method, path, body=body)
        return r

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None):
        return self.call("POST", path, body)

    def me(self):
        return self.get("/api/v1/me").json()["account"]

def wait_until(predicate, timeout, step=0.1):
    """Polls `predicate` until it holds or `timeout` seconds pass; returns its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()

def all_items(client, path, max_pages=1000):
    """Every item of a paged list, following next_cursor (bounded)."""
    items, cursor = [], None
    for _ in range(max_pages):
        sep = "&" if "?" in path else "?"
        r = client.get(path + (f"{sep}cursor={cursor}" if cursor else ""))
        assert r.status == 200, r
        body = r.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("too many pages")


def login(server, username):
    """A client signed in as a demo user."""
    c = server.client()
    r = c.login(username, server.credentials()[username][0])
    assert r.status == 200, r
    return c


def site_and_post(admin, post_name):
    """The demo site's id and the id of its post named `post_name`."""
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    for p in all_items(admin, "/api/v1/posts?limit=200"):
        if p["name"] == post_name:
            return site, p["id"]
    raise AssertionError(f"no post {post_name}")


def staff_only(admin, site, post_name, reason):
    """Marks every post not staffed (不设岗, `reason`) but the site's post named `post_name` (None:
    every post), so that only its duties fall due in a long run; returns that post's id."""
    kept = None
    for p in all_items(admin, "/api/v1/posts?limit=200"):
        if p["name"] == post_name and p["site_id"] == site:
            kept = p["id"]
            continue
        r = admin.call("PUT", f"/api/v1/posts/{p['id']}/staffing", {"staffed": False, "reason": reason})
        assert r.status == 200, r
    assert post_name is None or kept, post_name
    return kept


def clock_server(backend, start, pack=None):
    """A started demo server on the test clock at `start`, serving `pack` (a directory) if given."""
    extra = ["--test-clock", start.isoformat()] + (["--policies", pack] if pack else [])
    return Server(backend, extra=extra).start()


def ok(r, status=200):
    """`r`'s JSON body, once its status is `status`."""
    assert r.status == status, r
    return r.json()


def refused(r, status, reason, field=None):
    """`r` is a refusal with `status` and the error `reason` (and `field`, if given); its error."""
    assert r.status == status, r
    e = r.json()["error"]
    assert e.get("reason") == reason, e
    if field:
        assert e.get("field") == field, e
    return e


def pack_with(tmp_path, file_name, appended, drop_demo_roster=None):
    """A copy of the shipped pack with `appended` YAML added to `file_name` (a site's own figures,
    e.g. a shift pattern the regulation leaves open); returns its directory. `drop_demo_roster`
    names a post whose demo roster is left out (a test that rosters or patterns the post itself:
    handovers follow the published roster first)."""
    pack = tmp_path / "pack"
    shutil.copytree(os.path.join(ROOT, "policies", "cn-default"), pack)
    with open(pack / file_name, "a", encoding="utf-8") as f:
        f.write(appended)
    if drop_demo_roster:
        drop_roster(pack / "demo" / "company.yaml", drop_demo_roster)
    return str(pack)


def drop_roster(company_yaml, post):
    """Removes the demo roster of `post` from a copy of demo/company.yaml."""
    with open(company_yaml, encoding="utf-8") as f:
        text = f.read()
    kept = re.sub(r"  - \{post: " + re.escape(post) + r",[^}]*\}\n", "", text)
    assert kept != text, f"the demo has no roster of {post}"
    with open(company_yaml, "w", encoding="utf-8") as f:
        f.write(kept)


def pack_with_file(tmp_path, file_name, text):
    """A copy of the shipped pack with a file of the site's own rules added (`text`, e.g. duties
    citing a regulation); returns its directory."""
    pack = pack_with(tmp_path, "pack.yaml", "")
    with open(os.path.join(pack, file_name), "w", encoding="utf-8") as f:
        f.write(text)
    return pack


def backend_server(backend, extra=()):
    """A started demo server on `backend`; PostgreSQL is skipped without ZHIDU_TEST_PG_URL (and
    fails in CI, where make test must start it)."""
    import pytest

    if backend == "postgresql" and not os.environ.get("ZHIDU_TEST_PG_URL"):
        if os.environ.get("CI"):
            pytest.fail("ZHIDU_TEST_PG_URL is not set in CI: make test must start PostgreSQL")
        pytest.skip("ZHIDU_TEST_PG_URL not set (run under scripts/with-postgres)")
    return Server(backend, extra=extra).start()


class DemoUsers:
    """The demo company's users signed in on demand, with request and journal helpers."""

    def __init__(self, server):
        self.server = server
        self.creds = server.credentials()
        self.clients = {}
        self.admin = self.login("admin")
        self.site = self.admin.get("/api/v1/sites").json()["items"][0]["id"]

    def login(self, user):
        if user not in self.clients:
            c = self.server.client()
            r = c.login(user, self.creds[user][0])
            assert r.status == 200, r
            c.account_id = r.json()["account"]["id"]
            c.password = self.creds[user][0]
            self.clients[user] = c
        return self.clients[user]

    def __getitem__(self, user):
        return self.login(user)

    def file(self, user, type_, inputs=None, reason="测试"):
        body = {"site_id": self.site, "type": type_, "reason": reason}
        if inputs is not None:
            body["inputs"] = inputs
        return self[user].post("/api/v1/requests", body)

    def journal(self, kind, subject=None):
        """The journal records of `kind` (and `subject`, when given), oldest first."""
        items, cursor = [], None
        for _ in range(1000):
            r = self.admin.get("/api/v1/journal?limit=500" + (f"&cursor={cursor}" if cursor else ""))
            assert r.status == 200, r
            items += r.json()["items"]
            cursor = r.json()["next_cursor"]
            if not cursor:
                return [i for i in items
                        if i["kind"] == kind and (subject is None or i["subject"] == subject)]
        raise AssertionError("too many journal pages")

    def close(self):
        for c in self.clients.values():
            c.close()
