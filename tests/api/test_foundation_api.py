"""The HTTP API conventions of the foundation, on both backends, against the real binary."""
import json
import re
import socket
import subprocess
import threading

from zhidu_harness import BIN, Client, login


def journal_head(admin):
    """The seq of the last record made on behalf of an account. Records by the system (actor 0:
    duty timers firing in the background) are left out: they happen whatever the test does."""
    items, cursor = [], None
    while True:
        r = admin.get("/api/v1/journal?limit=500" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200, r
        items += [i for i in r.json()["items"] if i["actor"] != 0]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items[-1]["seq"] if items else 0


def oversize_status(port, client):
    """Announces a 2 MiB body and sends only its start: the server must answer 413 from the
    Content-Length alone (a client still sending would otherwise race the server's close)."""
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    head = (f"POST /api/v1/people HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Cookie: {cookie}\r\nX-CSRF-Token: {client.csrf}\r\nContent-Length: {2 << 20}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + b'{"name":"xxxx')
        reply = b""
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    return int(reply.split(b" ", 2)[1])


def site_id(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def test_healthz_and_metrics(server, admin):
    c = server.client()
    r = c.get("/healthz")
    assert r.status == 200 and r.json() == {"status": "ok"}
    admin.get("/api/v1/sites")
    m = c.get("/metrics")
    assert m.status == 200
    assert 'zhidu_http_requests_total{method="GET",route="/api/v1/sites",status="200"}' in m.body
    assert "zhidu_http_request_duration_seconds_bucket" in m.body
    assert "zhidu_commit_duration_seconds_count" in m.body
    records = re.search(r"^zhidu_journal_records (\d+)", m.body, re.M)
    assert records and int(records.group(1)) > 0


def test_login_cookie_csrf_logout(server):
    c = server.client()
    bad = c.login("admin", "not-the-password")
    assert bad.status == 401
    assert bad.json()["error"]["code"] == "unauthenticated"
    r = c.login("admin", server.credentials()["admin"][0])
    assert r.status == 200
    cookie = r.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert r.json()["account"]["roles"][0]["role"] == "admin"
    assert c.get("/api/v1/me").json()["account"]["username"] == "admin"

    before = c.get("/api/v1/sites").json()["items"]
    no_csrf = c.post("/api/v1/sites", {"name": "无令牌"}, headers={"X-CSRF-Token": ""})
    assert no_csrf.status == 403 and "CSRF" in no_csrf.json()["error"]["message"]
    wrong_csrf = c.post("/api/v1/sites", {"name": "错令牌"}, headers={"X-CSRF-Token": "0" * 32})
    assert wrong_csrf.status == 403
    assert c.get("/api/v1/sites").json()["items"] == before

    assert c.post("/api/v1/logout").status == 204
    assert c.get("/api/v1/me").status == 401


def test_unauthenticated_requests_are_refused(server):
    c = server.client()
    r = c.get("/api/v1/sites")
    assert r.status == 401 and r.json()["error"]["message"]
    assert c.get("/api/v1/journal").status == 401


def test_login_throttling(server):
    c = server.client()
    codes = [c.login("op1", f"wrong-{i}").status for i in range(4)]
    assert codes[:3] == [401] * 3
    assert codes[3] == 429  # a delay (docs/security.md), not a lockout
    # Even the right password is refused while delayed.
    r = c.login("op1", server.credentials()["op1"][0])
    assert r.status == 429 and r.headers["Retry-After"] == "1"


def test_auth_events_are_journaled(server, admin):
    server.client().login("admin", "wrong-password")
    kinds = [r["kind"] for r in admin.get("/api/v1/journal?limit=500").json()["items"]]
    assert "auth.login.succeeded" in kinds
    assert "auth.login.failed" in kinds
    assert "auth.account.created" in kinds


def test_roles_scope_permissions(server, admin):
    op = server.client()
    assert op.login("op1", server.credentials()["op1"][0]).status == 200
    assert op.get("/api/v1/sites").status == 200  # everyone signed in may read the organisation
    r = op.post("/api/v1/sites", {"name": "越权站点"})
    assert r.status == 403 and r.json()["error"]["code"] == "permission_denied"
    assert op.get("/api/v1/journal").status == 403
    assert op.get("/api/v1/accounts").status == 403


def test_create_organisation_and_timestamps(server, admin):
    s = admin.post("/api/v1/sites", {"name": "测试站点", "time_zone": "Asia/Shanghai"})
    assert s.status == 201, s
    assert s.json()["created_at"].endswith("+08:00")
    sid = s.json()["id"]
    d = admin.post("/api/v1/departments", {"site_id": sid, "name": "消防控制室"}).json()
    t = admin.post("/api/v1/teams", {"site_id": sid, "department_id": d["id"], "name": "一班"})
    assert t.status == 201
    p = admin.post("/api/v1/people", {"site_id": sid, "department_id": d["id"], "team_id": t.json()["id"],
                                       "name": "测试员", "employee_no": "T-1"})
    assert p.status == 201 and p.json()["created_at"].endswith("+08:00")
    pid = p.json()["id"]
    cert = admin.post(f"/api/v1/people/{pid}/certifications",
                      {"kind": "消防设施操作员", "number": "C-1", "expires_on": "2027-03-31"})
    assert cert.status == 201
    got = admin.get(f"/api/v1/people/{pid}").json()
    assert got["certifications"][0]["expires_on"] == "2027-03-31"
    dup = admin.post("/api/v1/people", {"site_id": sid, "name": "重复", "employee_no": "T-1"})
    assert dup.status == 409 and dup.json()["error"]["field"] == "employee_no"
    other_site = admin.post("/api/v1/sites", {"name": "另一站点"}).json()["id"]
    cross = admin.post("/api/v1/teams", {"site_id": other_site, "department_id": d["id"], "name": "跨站"})
    assert cross.status == 400 and cross.json()["error"]["field"] == "department_id"


def test_bad_input_is_refused_and_writes_nothing(server, admin):
    sid = site_id(admin)
    head = journal_head(admin)
    people = len(admin.get("/api/v1/people?limit=500").json()["items"])
    cases = [
        ("malformed JSON", dict(raw=b'{"site_id": 1, "name": '), 400, None),
        ("not an object", dict(raw=b"[1,2,3]"), 400, None),
        ("wrong type", dict(body={"site_id": "one", "name": "x"}), 400, "site_id"),
        ("wrong type name", dict(body={"site_id": sid, "name": 7}), 400, "name"),
        ("missing field", dict(body={"site_id": sid}), 400, "name"),
        ("unknown field", dict(body={"site_id": sid, "name": "x", "salary": 1}), 400, "salary"),
        ("empty name", dict(body={"site_id": sid, "name": "   "}), 400, "name"),
        ("invalid UTF-8", dict(raw=b'{"site_id": 1, "name": "\xff\xfe"}'), 400, None),
        ("unknown site", dict(body={"site_id": 999999, "name": "x"}), 400, "site_id"),
        ("unknown team", dict(body={"site_id": sid, "team_id": 999999, "name": "x"}), 400, "team_id"),
        ("wrong content type", dict(raw=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}), 415, None),
    ]
    for label, kw, status, field in cases:
        r = admin.post("/api/v1/people", **kw)
        assert r.status == status, (label, r)
        err = r.json()["error"]
        assert err["message"], label
        assert len(err["message"]) > 5, label
        if field:
            assert err.get("field") == field, (label, r)
    assert oversize_status(server.port, admin) == 413
    assert admin.get("/api/v1/people/999999").status == 404
    assert admin.get("/api/v1/people/abc").status == 404
    assert admin.get("/api/v1/nothing-here").status == 404
    assert admin.request("DELETE", "/api/v1/people").status == 405
    bad_cert = admin.post("/api/v1/people/999999/certifications", {"kind": "k", "number": "n"})
    assert bad_cert.status == 404
    assert admin.get("/api/v1/people?limit=0").status == 400
    assert admin.get("/api/v1/people?cursor=%%%").status == 400
    bad_date = admin.post(f"/api/v1/people/1/certifications", {"kind": "k", "number": "n", "expires_on": "2027-02-30"})
    assert bad_date.status == 400 and bad_date.json()["error"]["field"] == "expires_on"
    assert journal_head(admin) == head, "a refused request wrote to the journal"
    assert len(admin.get("/api/v1/people?limit=500").json()["items"]) == people


def test_cursor_pagination(server, admin):
    for i in range(7):
        assert admin.post("/api/v1/sites", {"name": f"分页站点{i}"}).status == 201
    seen, cursor, pages = [], None, 0
    while True:
        r = admin.get("/api/v1/sites?limit=3" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200
        page = r.json()
        assert len(page["items"]) <= 3
        seen += [s["id"] for s in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 8  # 7 + the demo site
    assert seen == sorted(seen)
    assert pages == 3


def test_idempotency_key(server, admin):
    key = {"Idempotency-Key": "retry-123"}
    first = admin.post("/api/v1/sites", {"name": "幂等站点"}, headers=key)
    assert first.status == 201
    again = admin.post("/api/v1/sites", {"name": "幂等站点"}, headers=key)
    assert again.status == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    names = [s["name"] for s in admin.get("/api/v1/sites?limit=500").json()["items"]]
    assert names.count("幂等站点") == 1
    reused = admin.post("/api/v1/sites", {"name": "别的站点"}, headers=key)
    assert reused.status == 422
    # A failed request does not burn the key: fix the input and retry with it.
    k2 = {"Idempotency-Key": "retry-456"}
    assert admin.post("/api/v1/sites", {"name": ""}, headers=k2).status == 400
    assert admin.post("/api/v1/sites", {"name": ""}, headers=k2).status == 400


def test_idempotency_key_concurrent_retries_write_once(server, admin):
    results = []
    cookies, csrf = dict(admin.cookies), admin.csrf

    def post():
        c = Client(server.port)
        c.cookies, c.csrf = dict(cookies), csrf
        results.append(c.post("/api/v1/sites", {"name": "并发幂等"}, headers={"Idempotency-Key": "same"}).status)
        c.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert 201 in results
    assert set(results) <= {201, 409}
    names = [s["name"] for s in admin.get("/api/v1/sites?limit=500").json()["items"]]
    assert names.count("并发幂等") == 1


def test_bearer_token_needs_no_csrf(server, admin):
    r = admin.post("/api/v1/api-tokens", {"name": "SCADA 接口"})
    assert r.status == 201
    token = r.json()["token"]
    machine = server.client()
    created = machine.post("/api/v1/sites", {"name": "机器创建"}, headers={"Authorization": f"Bearer {token}"})
    assert created.status == 201
    assert machine.get("/api/v1/sites", headers={"Authorization": "Bearer zt_wrong"}).status == 401


def test_accounts_api(server, admin):
    sid = site_id(admin)
    r = admin.post("/api/v1/accounts", {"username": "new_op", "password": "s3cret-pass",
                                        "roles": [{"role": "中控员", "scope_kind": "site", "scope_id": sid}]})
    assert r.status == 201, r
    assert server.client().login("new_op", "s3cret-pass").status == 200
    short = admin.post("/api/v1/accounts", {"username": "x_op", "password": "short"})
    assert short.status == 400 and short.json()["error"]["field"] == "password"
    unknown_role = admin.post("/api/v1/accounts", {"username": "y_op", "password": "long-enough", "roles": [{"role": "国王"}]})
    assert unknown_role.status == 400
    dup = admin.post("/api/v1/accounts", {"username": "new_op", "password": "another-pass"})
    assert dup.status == 409
    listed = [a["username"] for a in admin.get("/api/v1/accounts?limit=500").json()["items"]]
    assert "new_op" in listed and "y_op" not in listed


def test_openapi_matches_routes(server):
    doc = server.client().get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    out = subprocess.run([BIN, "routes"], capture_output=True, text=True, check=True).stdout
    routed = {tuple(line.split(" ", 1)) for line in out.strip().splitlines()}
    assert routed, "zhidu routes printed nothing"
    assert documented == routed, f"only documented: {documented - routed}; only routed: {routed - documented}"


def test_demo_is_seeded_once(server, admin):
    creds = server.credentials()
    for role in ["admin", "中控员", "消防控制室值班员", "值班长", "部长", "客服专员", "礼宾员", "舍长"]:
        assert role in {r for _, r in creds.values()}, role
    depts = {d["name"] for d in admin.get("/api/v1/departments?limit=500").json()["items"]}
    assert {"消防控制室", "中控室", "客服部", "贵宾厅", "行政办公室"} <= depts
    teams = {t["name"] for t in admin.get("/api/v1/teams?limit=500").json()["items"]}
    assert {"中控室甲班", "中控室乙班", "中控室丙班", "中控室丁班"} <= teams
    assert server.stop() == 0
    server.start()
    assert len(server.client().login("admin", creds["admin"][0]).json()["account"]["roles"]) == 1
    c = server.admin()
    assert len(c.get("/api/v1/sites?limit=500").json()["items"]) == 1


def test_static_files_stay_inside_the_web_root(server):
    c = server.client()
    for path in ["//etc/passwd", "/%2Fetc/passwd", "/../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd"]:
        r = c.get(path)
        assert r.status == 404, (path, r.status)
        assert "root:" not in r.body


def test_me_carries_the_packs_permissions_and_kinds(server, admin):
    """docs/policy_format.md §3: the console learns what an account may do from the server — the
    permissions the pack gives its roles and the kinds derived from them — never from role names."""
    me = admin.get("/api/v1/me").json()["account"]
    assert "*" in me["permissions"] and me["kinds"] == ["admin"]
    op = login(server, "op1")  # 中控员: on a post of the pack (中控岗), no ledger permission
    acct = op.get("/api/v1/me").json()["account"]
    assert acct["kinds"] == ["operator"]
    assert set(acct["permissions"]) == {"org.read", "visits.manage", "footage.manage"}
    head = login(server, "head")  # 部长: decides violations (R12 §三(五))
    acct = head.get("/api/v1/me").json()["account"]
    assert "head" in acct["kinds"] and "ledger.decide" in acct["permissions"]
    # The account form's role list is the pack's, each with the permissions the pack gives it.
    roles = {r["id"]: r for r in op.get("/api/v1/policy/roles").json()["items"]}
    assert roles["admin"]["builtin"] is True and roles["admin"]["permissions"] == ["*"]
    assert roles["管理员"]["permissions"] == ["*"] and roles["管理员"]["builtin"] is False
    assert "ledger.decide" in roles["部长"]["permissions"]
    assert roles["中控员"]["reports_to"] == "秩序维护主管"
    assert roles["员工"]["permissions"] == []
