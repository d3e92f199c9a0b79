"""Durability: kill -9 during a burst of concurrent writes loses nothing that was acknowledged,
and SIGTERM drains in-flight writes before exiting."""
import signal
import threading
import time

from zhidu_harness import Client, Server


def burst(server, admin, prefix, acked, stop_event, threads=8, max_seconds=20):
    cookies, csrf = dict(admin.cookies), admin.csrf
    deadline = time.time() + max_seconds

    def worker(n):
        c = Client(server.port)
        c.cookies, c.csrf = dict(cookies), csrf
        i = 0
        while not stop_event.is_set() and time.time() < deadline and i < 2000:
            name = f"{prefix}-{n}-{i}"
            try:
                r = c.post("/api/v1/sites", {"name": name})
            except Exception:
                return
            if r.status == 201:
                acked.append(name)
            i += 1

    ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    return ts


def all_site_names(client):
    names, cursor = set(), None
    while True:
        r = client.get("/api/v1/sites?limit=500" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200, r
        names |= {s["name"] for s in r.json()["items"]}
        cursor = r.json()["next_cursor"]
        if not cursor:
            return names


def test_kill_9_loses_no_acknowledged_write(require_backend):
    s = Server(require_backend).start()
    admin = s.admin()
    acked, stop = [], threading.Event()
    threads = burst(s, admin, "crash", acked, stop)
    deadline = time.time() + 20
    while len(acked) < 150 and time.time() < deadline:
        time.sleep(0.05)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acked) >= 150, "the burst was too slow to test anything"

    s.start()
    names = all_site_names(s.admin())
    missing = [n for n in acked if n not in names]
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:3]}"
    assert s.stop() == 0
    v = s.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_sigterm_drains_in_flight_writes(require_backend):
    s = Server(require_backend).start()
    admin = s.admin()
    acked, stop = [], threading.Event()
    threads = burst(s, admin, "drain", acked, stop)
    deadline = time.time() + 20
    while len(acked) < 100 and time.time() < deadline:
        time.sleep(0.05)
    assert s.stop() == 0, s.log()
    stop.set()
    for t in threads:
        t.join(30)
    assert "stopped cleanly" in s.log()
    s.start()
    names = all_site_names(s.admin())
    assert all(n in names for n in acked)
    s.stop()
    assert s.verify().returncode == 0
