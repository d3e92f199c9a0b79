"""The command-line forms scripts depend on."""
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
