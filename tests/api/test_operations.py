"""Operating zhidu (docs/operations.md): `zhidu backup` / `zhidu restore` of the SQLite database
while the server runs, the PostgreSQL way (pg_dump / pg_restore, then verify), and the access log
with its request ids."""
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

from zhidu_harness import BIN, Server, fresh_pg_database

CRASH_SIGNS = ("Traceback", "terminate called", "AddressSanitizer", "runtime error", "Aborted")


def zhidu(*args, timeout=120):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)


def site_names(client):
    r = client.get("/api/v1/sites?limit=200")
    assert r.status == 200, r
    return {s["name"] for s in r.json()["items"]}


def add_sites(client, prefix, count):
    for i in range(count):
        r = client.post("/api/v1/sites", {"name": f"{prefix}{i}"})
        assert r.status == 201, r
    return {f"{prefix}{i}" for i in range(count)}


def verify_head(data_dir):
    r = zhidu("verify", "--data", data_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    return re.search(r"head (\d+:[0-9a-f]{64})", r.stdout).group(1)


def test_backup_while_serving_restores_exactly_the_backed_up_records(tmp_path):
    s = Server("sqlite").start()
    try:
        admin = s.admin()
        before = add_sites(admin, "备份前站点", 5)
        # Another client keeps writing while the backup runs: the copy is one moment of the
        # database, whose chain verifies.
        stop = threading.Event()
        during = []

        def keep_writing():
            c = s.admin()
            for i in range(300):
                if stop.is_set():
                    break
                r = c.post("/api/v1/sites", {"name": f"备份中站点{i}"})
                assert r.status == 201, r
                during.append(f"备份中站点{i}")
            c.close()

        writer = threading.Thread(target=keep_writing)
        writer.start()
        time.sleep(0.3)
        out = str(tmp_path / "zhidu-backup.db")
        b = zhidu("backup", "--data-dir", s.data_dir, "--out", out)
        stop.set()
        writer.join(timeout=60)
        assert b.returncode == 0, b.stdout + b.stderr
        m = re.search(r": (\d+) bytes, (\d+) journal records, head (\d+):([0-9a-f]{64}) \(verified\)",
                      b.stdout)
        assert m, b.stdout
        assert int(m.group(1)) == os.path.getsize(out)
        assert m.group(2) == m.group(3)
        # One self-contained file: no .partial, no -wal or -shm beside it.
        assert sorted(os.listdir(tmp_path)) == ["zhidu-backup.db"]
        after = add_sites(admin, "备份后站点", 3)
        admin.close()
    finally:
        assert s.stop() == 0

    fresh = str(tmp_path / "restored")
    r = zhidu("restore", "--data-dir", fresh, "--from", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verified" in r.stdout and "replaced" not in r.stdout
    assert sorted(os.listdir(fresh)) == ["zhidu.db", "zhidu.lock"]
    # The restored database is the backup: same records, same head.
    assert verify_head(fresh) == f"{m.group(3)}:{m.group(4)}"
    shutil.copy(os.path.join(s.data_dir, "demo-credentials.txt"), fresh)
    restored = Server("sqlite", demo=False, data_dir=fresh).start()
    try:
        names = site_names(restored.admin())
    finally:
        assert restored.stop() == 0
    assert before <= names
    assert not (after & names)
    written_during = {n for n in names if n.startswith("备份中站点")}
    assert written_during  # the writer had started before the backup
    assert written_during <= set(during)
    # The records written during the backup are a prefix of what the writer wrote: one moment.
    assert written_during == {f"备份中站点{i}" for i in range(len(written_during))}
    assert restored.verify().returncode == 0

    # Restoring over the original (stopped) data directory keeps the replaced database beside it.
    again = zhidu("restore", "--data-dir", s.data_dir, "--from", out)
    assert again.returncode == 0, again.stdout + again.stderr
    kept = [f for f in os.listdir(s.data_dir) if f.startswith("zhidu.db.replaced-")]
    assert len(kept) == 1, os.listdir(s.data_dir)
    db = sqlite3.connect(os.path.join(s.data_dir, kept[0]))
    kept_names = {row[0] for row in db.execute("SELECT name FROM sites")}
    db.close()
    assert after <= kept_names
    assert verify_head(s.data_dir) == f"{m.group(3)}:{m.group(4)}"


def test_restore_refuses_a_tampered_backup_and_a_running_server(tmp_path):
    s = Server("sqlite").start()
    try:
        admin = s.admin()
        add_sites(admin, "篡改站点", 2)
        admin.close()
        out = str(tmp_path / "b.db")
        assert zhidu("backup", "--data-dir", s.data_dir, "--out", out).returncode == 0
        # A server holds the data directory: nothing is replaced under it.
        busy = zhidu("restore", "--data-dir", s.data_dir, "--from", out)
        assert busy.returncode == 2, busy.stdout + busy.stderr
        assert "stop the server first" in busy.stderr
        assert not [f for f in os.listdir(s.data_dir) if "replaced" in f or "restoring" in f]
    finally:
        assert s.stop() == 0

    tampered = str(tmp_path / "tampered.db")
    shutil.copy(out, tampered)
    db = sqlite3.connect(tampered)
    db.execute("UPDATE journal SET payload = replace(payload, '}', ',\"note\":\"篡改\"}') "
               "WHERE seq = 5")
    db.commit()
    db.close()
    fresh = str(tmp_path / "fresh")
    r = zhidu("restore", "--data-dir", fresh, "--from", tampered)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "refused" in r.stderr and "BROKEN at record 5" in r.stderr, r.stderr
    assert "nothing was changed" in r.stderr
    assert not os.path.exists(os.path.join(fresh, "zhidu.db"))
    assert not [f for f in os.listdir(fresh) if f.startswith("zhidu.db")]

    # Over an existing database: refused the same way, the database untouched.
    head = verify_head(s.data_dir)
    r = zhidu("restore", "--data-dir", s.data_dir, "--from", tampered)
    assert r.returncode == 1 and "BROKEN at record 5" in r.stderr, r.stderr
    assert verify_head(s.data_dir) == head
    assert not [f for f in os.listdir(s.data_dir) if "replaced" in f or "restoring" in f]

    # A live database that was tampered with gives no backup: the copy's chain is checked first.
    live = tmp_path / "live"
    live.mkdir()
    shutil.copy(tampered, live / "zhidu.db")
    b = zhidu("backup", "--data-dir", str(live), "--out", str(tmp_path / "from-tampered.db"))
    assert b.returncode == 1, b.stdout + b.stderr
    assert "BROKEN at record 5" in b.stdout and "no backup was written" in b.stdout, b.stdout
    assert not [f for f in os.listdir(tmp_path) if f.startswith("from-tampered")]

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    r = zhidu("restore", "--data-dir", fresh, "--from", str(garbage))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "not a readable zhidu database" in r.stderr, r.stderr
    assert not any(sign in r.stderr for sign in CRASH_SIGNS)


def test_backup_and_restore_usage_errors(tmp_path):
    empty = str(tmp_path / "empty")
    os.mkdir(empty)
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"x")
    cases = [
        (["backup"], "--data-dir is required"),
        (["backup", "--data-dir", empty], "--out is required"),
        (["restore", "--data-dir", empty], "--from is required"),
        (["restore", "--from", str(existing)], "--data-dir is required"),
        (["backup", "--data-dir", empty, "--out", str(tmp_path / "o.db"), "--bogus"], "bogus"),
        (["backup", "--data-dir", empty, "--out", str(tmp_path / "o.db")], "no zhidu database"),
        (["backup", "--data-dir", empty, "--out", str(existing)], "no zhidu database"),
        (["restore", "--data-dir", empty, "--from", str(tmp_path / "missing.db")],
         "is not a backup file"),
        (["restore", "--data-dir", empty, "--from", str(tmp_path)], "is not a backup file"),
    ]
    for args, expected in cases:
        r = zhidu(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert expected in r.stderr, (args, r.stderr)
        assert not any(sign in r.stderr for sign in CRASH_SIGNS), (args, r.stderr)
    # Root in a directory the service's user owns would leave files that user cannot open.
    if os.geteuid() == 0:
        owned = tmp_path / "owned"
        owned.mkdir()
        (owned / "zhidu.db").write_bytes(b"")
        os.chown(owned, 65534, 65534)
        for args in (["backup", "--data-dir", str(owned), "--out", str(tmp_path / "r.db")],
                     ["restore", "--data-dir", str(owned), "--from", str(existing)]):
            r = zhidu(*args)
            assert r.returncode == 2 and "not as root" in r.stderr, (args, r.stderr)
        assert sorted(os.listdir(owned)) == ["zhidu.db"]
    # An existing --out is never overwritten.
    s = Server("sqlite", demo=False).start()
    try:
        r = zhidu("backup", "--data-dir", s.data_dir, "--out", str(existing))
        assert r.returncode == 2 and "already exists" in r.stderr, r.stderr
        assert existing.read_bytes() == b"x"
        r = zhidu("backup", "--data-dir", s.data_dir, "--out", str(tmp_path / "no" / "dir.db"))
        assert r.returncode == 2 and "does not exist" in r.stderr, r.stderr
    finally:
        assert s.stop() == 0


def test_postgresql_backup_is_pg_dump_and_pg_restore(require_backend):
    """The documented PostgreSQL way (docs/operations.md): pg_dump -Fc, pg_restore into a new
    database, zhidu verify, and the server finds its records there."""
    if require_backend != "postgresql":
        pytest.skip("zhidu backup covers SQLite; PostgreSQL is backed up with pg_dump")
    s = Server("postgresql").start()
    try:
        admin = s.admin()
        before = add_sites(admin, "转储站点", 3)
        dump = os.path.join(s.data_dir, "zhidu.dump")
        # While the server runs: pg_dump reads one snapshot.
        d = subprocess.run(["pg_dump", "--format=custom", "--file", dump, s.database_url],
                           capture_output=True, text=True, timeout=300)
        assert d.returncode == 0, d.stderr
        after = add_sites(admin, "转储后站点", 2)
        admin.close()
    finally:
        assert s.stop() == 0
    target = fresh_pg_database()
    r = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, dump],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    v = zhidu("verify", "--data", s.data_dir, "--database", target)
    assert v.returncode == 0 and "intact" in v.stdout, v.stdout + v.stderr
    restored = Server("postgresql", demo=False, data_dir=s.data_dir, database_url=target).start()
    try:
        names = site_names(restored.admin())
    finally:
        assert restored.stop() == 0
    assert before <= names and not (after & names)
    # zhidu backup is for SQLite: without a database file it says where to look.
    b = zhidu("backup", "--data-dir", tempfile.mkdtemp(), "--out", dump + ".db")
    assert b.returncode == 2 and "pg_dump" in b.stderr


def access_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [json.loads(line) for line in f if line.startswith("{\"time\"")]


def upgrade(port, headers):
    """A WebSocket upgrade of /api/v1/stream; returns the response head."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        lines = ["GET /api/v1/stream HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                 "Sec-WebSocket-Version: 13"] + [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    return head.split(b"\r\n\r\n")[0].decode("utf-8", "replace")


def test_each_request_has_an_id_in_the_response_and_the_access_log(require_backend, tmp_path):
    log_file = str(tmp_path / "access.log")
    s = Server(require_backend,
               extra=["--log-file", log_file, "--trusted-proxy", "127.0.0.1"]).start()
    try:
        c = s.client()
        sane = "req-2026.12_05-abc"
        r = c.get("/healthz?token=do-not-log-me", headers={"X-Request-Id": sane})
        assert r.status == 200 and r.headers["X-Request-Id"] == sane
        generated = set()
        for bad in ["x" * 65, "has space", "semi;colon", "a/b", ""]:
            r = c.get("/api/v1/me", headers={"X-Request-Id": bad})
            assert r.status == 401
            rid = r.headers["X-Request-Id"]
            assert re.fullmatch(r"[0-9a-f]{16}", rid), (bad, rid)
            generated.add(rid)
        assert len(generated) == 5
        r = c.get("/api/v1/no-such-thing", headers={"X-Forwarded-For": "203.0.113.7"})
        assert r.status == 404
        missing = r.headers["X-Request-Id"]
        r = c.post("/api/v1/login", {"username": "nobody_here", "password": "wrong password"})
        assert r.status in (401, 429)
        login_id = r.headers["X-Request-Id"]
        # The WebSocket stream's upgrade: refused (not signed in) with its id, and accepted.
        refused = upgrade(s.port, {"X-Request-Id": "ws-refused-1",
                                   "X-Forwarded-For": "203.0.113.9"})
        assert refused.startswith("HTTP/1.1 401") and "X-Request-Id: ws-refused-1" in refused
        admin = s.admin()
        cookie = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
        accepted = upgrade(s.port, {"X-Request-Id": "ws-open-1", "Cookie": cookie})
        assert accepted.startswith("HTTP/1.1 101"), accepted
    finally:
        assert s.stop() == 0
    lines = access_lines(log_file)
    by_id = {line["id"]: line for line in lines}
    first = by_id[sane]
    assert first["method"] == "GET" and first["path"] == "/healthz" and first["status"] == 200
    assert first["level"] == "info" and first["client"] == "127.0.0.1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", first["time"])
    assert isinstance(first["ms"], (int, float)) and first["ms"] >= 0
    for rid in generated:
        assert by_id[rid]["status"] == 401 and by_id[rid]["path"] == "/api/v1/me"
    # The client as resolved through the trusted proxy.
    assert by_id[missing]["status"] == 404 and by_id[missing]["client"] == "203.0.113.7"
    assert by_id[login_id]["method"] == "POST" and by_id[login_id]["path"] == "/api/v1/login"
    assert by_id["ws-refused-1"]["status"] == 401
    assert by_id["ws-refused-1"]["client"] == "203.0.113.9"
    assert by_id["ws-open-1"]["status"] == 101 and by_id["ws-open-1"]["path"] == "/api/v1/stream"
    text = open(log_file, encoding="utf-8").read()
    assert "do-not-log-me" not in text and "wrong password" not in text
    # The log file holds only access lines; the server's own messages stay on its output.
    assert all(line.startswith("{") for line in text.splitlines())


def test_the_access_log_goes_to_standard_error_by_default(require_backend):
    s = Server(require_backend, demo=False).start()
    try:
        r = s.client().get("/healthz", headers={"X-Request-Id": "stderr-check-1"})
        assert r.headers["X-Request-Id"] == "stderr-check-1"
    finally:
        assert s.stop() == 0
    assert any(line["id"] == "stderr-check-1" and line["status"] == 200
               for line in access_lines(s.log_path))
    quiet = Server(require_backend, demo=False, extra=["--no-access-log"]).start()
    try:
        r = quiet.client().get("/healthz", headers={"X-Request-Id": "quiet-1"})
        assert r.headers.get("X-Request-Id") is None
    finally:
        assert quiet.stop() == 0
    assert not access_lines(quiet.log_path)
