"""The command-line forms scripts depend on."""
import os
import sqlite3
import subprocess
import tempfile

from zhidu_harness import BIN, Server


def test_admin_create_user_then_login():
    data = tempfile.mkdtemp(prefix="zhidu-cli-")
    r = subprocess.run([BIN, "admin", "create-user", "--data", data, "--username", "ops_admin",
                        "--role", "admin", "--password-stdin"], input="correct horse battery\n",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "created account ops_admin" in r.stdout
    again = subprocess.run([BIN, "admin", "create-user", "--data", data, "--username", "ops_admin",
                            "--role", "admin", "--password-stdin"], input="another password\n",
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "already exists" in again.stderr
    bad_role = subprocess.run([BIN, "admin", "create-user", "--data", data, "--username", "x_user",
                               "--role", "emperor", "--password-stdin"], input="long enough pw\n",
                              capture_output=True, text=True, timeout=60)
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr
    s = Server(demo=False, data_dir=data).start()
    try:
        c = s.client()
        assert c.login("ops_admin", "correct horse battery").status == 200
        assert c.post("/api/v1/sites", {"name": "命令行站点"}).status == 201
    finally:
        assert s.stop() == 0
    assert s.verify().returncode == 0


def test_second_server_on_same_data_dir_is_refused():
    s = Server().start()
    try:
        other = subprocess.run([BIN, "serve", "--data", s.data_dir, "--listen", "127.0.0.1:0"],
                               capture_output=True, text=True, timeout=30)
        assert other.returncode == 2
        assert "another zhidu process" in other.stderr
    finally:
        s.stop()


def test_bad_listen_address():
    r = subprocess.run([BIN, "serve", "--data", tempfile.mkdtemp(), "--listen", "nonsense"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "host:port" in r.stderr


def test_fast_password_hashing_is_refused_beyond_loopback():
    """--test-fast-password-hashing weakens every password hash: a server reachable from other
    machines refuses to start with it (exit 2), naming the flag."""
    r = subprocess.run([BIN, "serve", "--data", tempfile.mkdtemp(), "--listen", "0.0.0.0:0",
                        "--test-fast-password-hashing"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "--test-fast-password-hashing" in r.stderr and "loopback" in r.stderr


def test_fast_password_hashing_makes_hashes_at_the_minimum_cost():
    """The harness starts servers with it (seeding ~30 demo accounts at the interactive cost
    took ~6 s per start); the stored hashes say which cost they were made with."""
    fast, slow = Server(demo=True), Server(demo=True, fast_hashing=False)
    for s in (fast, slow):
        s.start()
        try:
            assert s.admin().get("/api/v1/me").status == 200
        finally:
            assert s.stop() == 0
    db = lambda s: sqlite3.connect(os.path.join(s.data_dir, "zhidu.db"))
    fast_hash = db(fast).execute("SELECT password_hash FROM accounts WHERE username='admin'").fetchone()[0]
    slow_hash = db(slow).execute("SELECT password_hash FROM accounts WHERE username='admin'").fetchone()[0]
    assert fast_hash.startswith("$argon2id$") and slow_hash.startswith("$argon2id$")
    assert "m=8," in fast_hash, fast_hash
    assert "m=65536," in slow_hash, slow_hash
