"""The release tarball (scripts/dist, `make dist`), its install script, the systemd unit and the
nginx example (docs/operations.md). The tarball is built here from the binary under test and a
stand-in console; the server is started from the installed tree with the settings of the shipped
environment example."""
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import tarfile
import time

import pytest

from zhidu_harness import BIN, ROOT, Client, free_port

HARDENING = ["NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/zhidu",
             "User=zhidu", "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=",
             "EnvironmentFile=/etc/zhidu/zhidu.env"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The tarball and its unpacked tree; removed afterwards (each holds a copy of the binary)."""
    tmp = tmp_path_factory.mktemp("dist")
    web = tmp / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>制度 console</title>", encoding="utf-8")
    (web / "assets" / "app-1234.js").write_text("console.log('zhidu')", encoding="utf-8")
    r = subprocess.run([os.path.join(ROOT, "scripts/dist"), "--bin", BIN, "--web", str(web),
                        "--out", str(tmp / "out")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    path = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r".*/zhidu-\d+\.\d+\.\d+-[\w-]+\.tar\.gz", path), path
    with tarfile.open(path) as tar:
        tar.extractall(tmp / "x")
    (tree,) = list((tmp / "x").iterdir())
    yield path, tree
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def scratch(tmp_path):
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_tarball_holds_what_a_server_needs(dist):
    tarball, tree = dist
    with tarfile.open(tarball) as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}
        top = {m.name.split("/", 1)[0] for m in tar.getmembers()}
        assert len(top) == 1
        assert not any(m.name.startswith("/") or ".." in m.name.split("/")
                       for m in tar.getmembers())
        for needed in ["bin/zhidu", "web/index.html", "web/assets/app-1234.js",
                       "policies/cn-default/pack.yaml", "policies/cn-default/R01.yaml",
                       "packaging/zhidu.service", "packaging/zhidu.env",
                       "packaging/nginx/zhidu.conf", "packaging/sysusers.d/zhidu.conf",
                       "packaging/zhidu-backup.service", "packaging/zhidu-backup.timer",
                       "install.sh", "docs/operations.md", "README.md", "VERSION", "DEPENDS"]:
            assert needed in members, needed
        calendars = [n for n in members if n.startswith("policies/cn-default/calendars/")]
        assert calendars, "the shared calendars the pack uses"
        assert members["bin/zhidu"].mode & 0o111 and members["install.sh"].mode & 0o111
        assert all(m.uid == 0 and m.gid == 0 for m in members.values())
        depends = tar.extractfile(next(iter(top)) + "/DEPENDS").read().decode().split()
    # The shared libraries' Debian packages, so install.sh can name what is missing.
    for pkg in ["libsqlite3-0", "libsodium23", "liblua5.4-0"]:
        assert pkg in depends, depends
    assert any(p.startswith("libpqxx") for p in depends), depends

    # The packaged binary runs on the packaged pack.
    assert tree.name == next(iter(top))
    r = subprocess.run([str(tree / "bin/zhidu"), "policy", "check",
                        str(tree / "policies/cn-default")], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def read_env(path):
    env = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def test_install_then_serve_with_the_shipped_settings(dist, scratch):
    tmp_path = scratch
    _, tree = dist
    root = tmp_path / "root"
    r = subprocess.run([str(tree / "install.sh"), "--root", str(root)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    opt = root / "opt/zhidu"
    for f in ["bin/zhidu", "web/index.html", "policies/cn-default/pack.yaml", "VERSION",
              "docs/operations.md"]:
        assert (opt / f).exists(), f
    assert (root / "etc/systemd/system/zhidu.service").exists()
    assert (root / "etc/zhidu/nginx-zhidu.conf.example").exists()
    env_file = root / "etc/zhidu/zhidu.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o640
    assert stat.S_IMODE((root / "var/lib/zhidu").stat().st_mode) == 0o750

    # An upgrade keeps the site's settings and the previous version.
    env_file.write_text(env_file.read_text() + "# edited by the site\n")
    r = subprocess.run([str(tree / "install.sh"), "--root", str(root)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "edited by the site" in env_file.read_text()
    assert (root / "opt/zhidu.previous/bin/zhidu").exists()
    assert subprocess.run([str(tree / "install.sh"), "--bogus"], capture_output=True).returncode == 2

    # The unit's command line with the example's settings, paths moved under the staged root.
    env = read_env(env_file)
    assert env["ZHIDU_LISTEN"].startswith("127.0.0.1:")
    assert "--trusted-proxy 127.0.0.1" in env["ZHIDU_OPTIONS"]
    unit = (root / "etc/systemd/system/zhidu.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
    port = free_port()
    values = dict(env, ZHIDU_LISTEN=f"127.0.0.1:{port}",
                  ZHIDU_POLICIES=str(root) + env["ZHIDU_POLICIES"])
    argv = []
    for word in shlex.split(exec_start):
        if re.fullmatch(r"\$\{?ZHIDU_OPTIONS\}?", word):
            argv += values["ZHIDU_OPTIONS"].split()
            continue
        word = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], word)
        if word.startswith("/opt/") or word.startswith("/var/"):
            word = str(root) + word
        argv.append(word)
    assert argv[0] == str(opt / "bin/zhidu") and argv[1] == "serve"
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        c = Client(port)
        for _ in range(300):
            try:
                if c.get("/healthz").status == 200:
                    break
            except OSError:
                c.close()
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
        page = c.get("/", headers={"X-Forwarded-For": "198.51.100.9", "X-Request-Id": "pkg-1"})
        assert page.status == 200 and "制度 console" in page.body
        assert page.headers["X-Request-Id"] == "pkg-1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0
    text = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert "cookies Secure" in text, text  # --secure-cookies from the example
    line = next(json.loads(l) for l in text.splitlines() if '"pkg-1"' in l)
    assert line["client"] == "198.51.100.9"  # nginx's address is the trusted proxy
    assert (root / "var/lib/zhidu/zhidu.db").exists()

    # The backup unit's command, paths under the staged root, makes a verified backup.
    backup_unit = (root / "etc/systemd/system/zhidu-backup.service").read_text()
    command = re.search(r"^ExecStart=(.*)$", backup_unit, re.M).group(1).replace("%%", "%")
    command = re.sub(r"(?<=[ '])/(opt|var)/", lambda m: f"{root}/{m.group(1)}/", command)
    words = shlex.split(command)
    assert words[:2] == ["/bin/sh", "-c"]
    r = subprocess.run(words, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(verified)" in r.stdout
    made = os.listdir(root / "var/backups/zhidu")
    assert len(made) == 1 and re.fullmatch(r"zhidu-\d{8}T\d{6}Z\.db", made[0]), made


def test_the_systemd_unit_is_hardened_and_verifies(tmp_path):
    unit = open(os.path.join(ROOT, "packaging/zhidu.service"), encoding="utf-8").read()
    for directive in HARDENING:
        assert re.search("^" + re.escape(directive) + "$", unit, re.M), directive
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    # The unit as installed, with the binary and the environment file where this machine has them.
    local = tmp_path / "zhidu.service"
    local.write_text(unit.replace("/opt/zhidu/bin/zhidu", BIN)
                     .replace("/etc/zhidu/zhidu.env", os.path.join(ROOT, "packaging/zhidu.env")))
    for name in ["zhidu-backup.service", "zhidu-backup.timer"]:
        text = open(os.path.join(ROOT, "packaging", name), encoding="utf-8").read()
        (tmp_path / name).write_text(text.replace("/opt/zhidu/bin/zhidu", BIN))
    for name in ["zhidu.service", "zhidu-backup.service", "zhidu-backup.timer"]:
        r = subprocess.run(["systemd-analyze", "verify", str(tmp_path / name)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        # Unknown keys and bad values are only warnings there: none may appear.
        assert "zhidu" not in r.stderr, r.stderr


def test_the_nginx_example_matches_the_server(tmp_path):
    conf = open(os.path.join(ROOT, "packaging/nginx/zhidu.conf"), encoding="utf-8").read()
    assert "proxy_pass http://zhidu;" in conf and "server 127.0.0.1:8080;" in conf
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf
    assert "X-Forwarded-Proto $scheme" in conf
    stream = re.search(r"location = /api/v1/stream \{(.*?)\n    \}", conf, re.S).group(1)
    for needed in ["proxy_buffering off;", "Upgrade $http_upgrade", "X-Forwarded-For",
                   "proxy_read_timeout 1h;"]:
        assert needed in stream, needed
    # The body limits are the server's: 1 MiB everywhere, --photo-max-bytes for photos.
    assert re.search(r"^    client_max_body_size 1m;", conf, re.M)
    photos = re.search(r"location = /api/v1/photos \{(.*?)\}", conf, re.S).group(1)
    help_text = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True).stdout
    default = int(re.search(r"--photo-max-bytes[^\n]*?=(\d+)", help_text).group(1))
    assert f"client_max_body_size {default // (1 << 20)}m;" in photos, (default, photos)
    assert default % (1 << 20) == 0
    env = read_env(os.path.join(ROOT, "packaging/zhidu.env"))
    assert "server " + env["ZHIDU_LISTEN"] + ";" in conf
