"""Issue 15 (hardening), on both backends: a deeply nested body is refused before it is built,
bytes that are not UTF-8 in a URL get 400 (never 500), the session cookie's Secure flag, and
usernames that differ only in case are one account."""
import http.client
import json
import re
import subprocess

from zhidu_harness import BIN, Server, run_sql

DEPTH = 100_000


def deep(depth=DEPTH):
    """An array nested `depth` deep."""
    return "[" * depth + "]" * depth


def deep_object(depth=DEPTH):
    """An object nested `depth` deep: what a handler copies when it reads an object field."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def routes():
    """Every METHOD PATTERN the server answers, but signing out (the loops need the session)."""
    out = subprocess.run([BIN, "routes"], capture_output=True, text=True, timeout=30, check=True)
    pairs = [line.split(" ", 1) for line in out.stdout.splitlines() if line.strip()]
    return [(m, p) for m, p in pairs if p != "/api/v1/logout"]


def concrete(pattern, value):
    """The pattern with every {param} (and {token}.ics) replaced by `value`."""
    return re.sub(r"\{[^}]+\}", value, pattern)


def healthy(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        c.request("GET", "/healthz")
        return c.getresponse().status == 200
    finally:
        c.close()


# The routes that take an object where the crash was found: the other fields a handler reads
# first, so that it reaches the nested one ("DEEP") and copies it.
def object_bodies(site):
    return [
        ("/api/v1/requests", {"site_id": site, "type": "x", "inputs": "DEEP"}),
        ("/api/v1/procedures/1/events", {"event": "x", "inputs": "DEEP"}),
        (f"/api/v1/sites/{site}/events", {"event": "visitors_left", "data": "DEEP"}),
        ("/api/v1/procedures", {"procedure": "x", "site_id": site, "data": "DEEP"}),
        ("/api/v1/duties/1/complete", {"answers": "DEEP"}),
        ("/api/v1/handovers/1/answers", {"answers": "DEEP"}),
        ("/api/v1/visits", {"site_id": site, "place": "x", "request_id": 1, "name": "x",
                            "fields": "DEEP"}),
        ("/api/v1/repairs", {"site_id": site, "what": "x", "source": "DEEP"}),
    ]


def test_a_body_nested_100000_deep_is_refused_and_the_server_stays_up(server, admin):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    for path, body in object_bodies(site):
        raw = json.dumps(body).replace('"DEEP"', deep_object()).encode()
        r = admin.request("POST", path, raw=raw)
        assert healthy(server), (path, server.log())
        assert r.status == 400, (path, r)
        assert r.json()["error"]["code"] == "invalid_argument", (path, r)
        assert "deeper than 64 levels" in r.json()["error"]["message"], (path, r)
    for top in (deep(), deep_object(), "[" + deep_object() + "]"):
        r = admin.request("POST", "/api/v1/alarms:ingest", raw=top.encode())
        assert healthy(server), server.log()
        assert r.status == 400 and "deeper than 64 levels" in r.body, r
    # Every other route that takes a body: never a 5xx, never a crash.
    for method, pattern in routes():
        if method in ("GET", "HEAD") or pattern == "/api/v1/photos":
            continue
        r = admin.request(method, concrete(pattern, "1"),
                          raw=('{"x":' + deep_object() + "}").encode())
        assert r.status < 500, (method, pattern, r)
        assert healthy(server), (method, pattern)


def test_nesting_up_to_64_levels_reaches_the_handler(admin):
    # The body's own object is level 1: 63 arrays inside it make 64, 64 make 65.
    ok = admin.request("POST", "/api/v1/sites", raw=('{"name":"x","extra":' + deep(63) + "}").encode())
    assert ok.status == 400 and "unknown field" in ok.json()["error"]["message"], ok
    too_deep = admin.request("POST", "/api/v1/sites",
                             raw=('{"name":"x","extra":' + deep(64) + "}").encode())
    assert too_deep.status == 400
    assert "deeper than 64 levels" in too_deep.json()["error"]["message"], too_deep


def test_bytes_that_are_not_utf8_in_the_url_get_400_on_every_route(server, admin):
    r = admin.request("DELETE", "/api/v1/sites/%FF")
    assert r.status == 400, r
    assert r.json()["error"]["code"] == "invalid_argument"
    for method, pattern in routes():
        for path in {concrete(pattern, "%FF"), concrete(pattern, "1") + "?site_id=%FF&q=%C0%AF"}:
            r = admin.request(method, path, raw=b"{}" if method not in ("GET", "HEAD") else None)
            assert r.status < 500, (method, path, r)
            if "%FF" in path or "%C0" in path:
                assert r.status == 400, (method, path, r)
    assert healthy(server)


def session_cookie(server):
    c = server.client()
    r = c.post("/api/v1/login", {"username": "admin",
                                 "password": server.credentials()["admin"][0]})
    assert r.status == 200, r
    cookies = [v for v in r.headers.get_all("Set-Cookie") or [] if v.startswith("zhidu_session=")]
    assert len(cookies) == 1, cookies
    c.close()
    return cookies[0]


def test_secure_cookies_flag(require_backend):
    plain = Server(require_backend).start()
    try:
        assert "Secure" not in session_cookie(plain)  # loopback: the default is off
        assert "cookies not Secure" in plain.log()
    finally:
        plain.kill()
    secure = Server(require_backend, extra=["--secure-cookies"]).start()
    try:
        assert session_cookie(secure).endswith("; Secure")
        assert "cookies Secure" in secure.log()
    finally:
        secure.kill()
    both = subprocess.run([BIN, "serve", "--data", secure.data_dir, "--secure-cookies",
                           "--no-secure-cookies"], capture_output=True, text=True, timeout=30)
    assert both.returncode == 2


def test_usernames_are_unique_whatever_their_case(server, admin):
    body = {"username": "Night.Guard", "password": "a long password", "roles": []}
    assert admin.post("/api/v1/accounts", body).status == 201
    again = admin.post("/api/v1/accounts", dict(body, username="night.guard"))
    assert again.status == 409, again
    assert again.json()["error"]["field"] == "username"
    c = server.client()
    assert c.login("NIGHT.GUARD", "a long password").status == 200
    assert c.get("/api/v1/me").json()["account"]["username"] == "Night.Guard"
    c.close()
    names = [a["username"].lower() for a in admin.get("/api/v1/accounts?limit=500").json()["items"]]
    assert names.count("night.guard") == 1



def test_sizes_event_names_and_free_text(admin):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    events = f"/api/v1/sites/{site}/events"
    r = admin.post(events, {"event": "x" * 1_000_000})
    assert r.status == 400 and r.json()["error"]["field"] == "event", r
    r = admin.post(events, {"event": "x" * 101})
    assert r.status == 400 and r.json()["error"]["field"] == "event", r
    assert "100 bytes" in r.json()["error"]["message"]
    r = admin.post(events, {"event": "visitors_left", "subject": "参观",
                            "data": {"if_staffed": True, "note": "长" * 7000}})
    assert r.status == 400 and r.json()["error"]["field"] == "data", r
    assert "20000 bytes" in r.json()["error"]["message"]
    r = admin.post("/api/v1/procedures/1/events", {"event": "e" * 101})
    assert r.status == 400 and r.json()["error"]["field"] == "event", r


def test_a_site_event_the_pack_does_not_declare_is_refused(admin):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    r = admin.post(f"/api/v1/sites/{site}/events", {"event": "visitors_lefft", "subject": "参观"})
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "event"
    assert "declares no site event" in r.json()["error"]["message"]
    ok = admin.post(f"/api/v1/sites/{site}/events",
                    {"event": "visitors_left", "subject": "参观", "data": {"if_staffed": True}})
    assert ok.status == 201, ok


def test_migration_renames_existing_case_twins(require_backend):
    """A database from before migration 14 may hold two usernames that differ only in case: the
    later is renamed NAME-dupID, the earlier keeps its name and both still sign in."""
    s = Server(require_backend).start()
    admin = s.admin()
    assert admin.post("/api/v1/accounts", {"username": "Twin", "password": "first password",
                                           "roles": []}).status == 201
    admin.close()
    assert s.stop() == 0
    # Back to schema 13 (what migration 14 adds, undone), with a case twin as it could exist then.
    undo = ["DROP INDEX accounts_username_nocase", "DROP TABLE journal_head",
            "DELETE FROM schema_migrations WHERE version = 14",
            "INSERT INTO accounts(username, password_hash, disabled, created_at) "
            "SELECT 'twin', password_hash, disabled, created_at FROM accounts WHERE username = 'Twin'"]
    if s.database_url:
        undo[1:1] = ["DROP TRIGGER journal_head_follows ON journal",
                     "DROP FUNCTION journal_head_follows()"]
    else:
        undo[1:1] = ["DROP TRIGGER journal_seq_positive_insert",
                     "DROP TRIGGER journal_seq_positive_update", "DROP TRIGGER journal_head_follows"]
    run_sql(s, undo)
    s.start()
    try:
        admin = s.admin()
        names = [a["username"] for a in admin.get("/api/v1/accounts?limit=500").json()["items"]]
        assert "Twin" in names and "twin" not in names, names
        dup = [n for n in names if n.startswith("twin-dup")]
        assert len(dup) == 1, names
        c = s.client()
        assert c.login(dup[0], "first password").status == 200
        assert c.login("TWIN", "first password").status == 200
        c.close()
        admin.close()
    finally:
        s.kill()
