"""Two `zhidu serve` nodes on one PostgreSQL (issue 22 §5): each webhook message is sent once and a
node that dies is taken over after its lease; each MQTT message is ingested once; a sign-out or a
revoked API token on one node is refused by the other within a second.

Each node has its own --node-id and --data directory; the robot is a local HTTP server counting
requests, the broker the real mosquitto."""
import re
import subprocess
import time

import pytest

from test_alarms import broker, point, publish  # noqa: F401 (broker is a fixture)
from test_notifications import Receiver
from zhidu_harness import Client, Server, site_and_post, wait_until

LEASE_MS = 3000


@pytest.fixture
def nodes(require_backend):
    if require_backend != "postgresql":
        pytest.skip("several nodes share one database only on PostgreSQL")
    started = []

    def start(extra_a=(), extra_b=()):
        a = Server("postgresql", extra=["--node-id", "node-a", *extra_a]).start()
        started.append(a)
        b = Server("postgresql", demo=False, database_url=a.database_url,
                   extra=["--node-id", "node-b", *extra_b]).start()
        started.append(b)
        return a, b

    yield start
    for s in started:
        s.kill()


def admin_of(node, password):
    c = Client(node.port)
    assert c.login("admin", password).status == 200
    return c


def holder(node, channel):
    """The node that last held the channel's delivery lease (the database's word)."""
    return subprocess.run(
        ["psql", node.database_url, "-Atc",
         f"SELECT lease_node FROM webhook_cursors WHERE channel_id = {int(channel)}"],
        capture_output=True, text=True, check=True).stdout.strip()


def site_names(robot, path):
    """The site names in the robot's messages, in arrival order."""
    out = []
    for body in robot.on(path):
        m = re.search(r"：(节点厂区\d+)（", body["text"]["content"])
        assert m, body
        out.append(m.group(1))
    return out


def test_two_nodes_send_each_webhook_once_and_the_survivor_takes_over(nodes):
    lease = ["--webhook-lease-ms", str(LEASE_MS)]
    a, b = nodes(lease, lease)
    password = a.credentials()["admin"][0]
    on = {"node-a": a, "node-b": b}
    admins = {"node-a": admin_of(a, password), "node-b": admin_of(b, password)}
    robot = Receiver()
    try:
        r = admins["node-a"].post("/api/v1/notify/channels", {
            "name": "值班群", "format": "wecom", "url": robot.url("/hook"), "kinds": ["org.site."]})
        assert r.status == 201, r
        channel = r.json()["id"]
        # Sites created alternately on both nodes: each is one org.site.created record.
        names = []
        for i in range(20):
            names.append(f"节点厂区{i}")
            node = "node-a" if i % 2 == 0 else "node-b"
            assert admins[node].post("/api/v1/sites", {"name": names[-1]}).status == 201
        assert wait_until(lambda: len(robot.on("/hook")) >= 20, 30), len(robot.on("/hook"))
        time.sleep(2)  # a second sender would have sent by now (both poll every 500 ms)
        assert sorted(site_names(robot, "/hook")) == sorted(names)  # each once, none twice
        assert site_names(robot, "/hook") == names  # in journal order
        # The channel's counts are in the database: both nodes answer the same.
        got = [admins[n].get(f"/api/v1/notify/channels/{channel}").json()["delivery"]
               for n in on]
        assert got[0]["delivered"] == got[1]["delivered"] == 20, got
        sender = holder(a, channel)
        assert sender in on, sender
        survivor = "node-b" if sender == "node-a" else "node-a"
        # The holder dies without giving its lease up; the survivor sends after the lease.
        on[sender].kill()
        killed_at = time.time()
        for i in range(20, 25):
            names.append(f"节点厂区{i}")
            assert admins[survivor].post("/api/v1/sites", {"name": names[-1]}).status == 201
        assert wait_until(lambda: len(robot.on("/hook")) >= 25, 30), len(robot.on("/hook"))
        took = time.time() - killed_at
        print(f"\nsurvivor {survivor} took over after {took:.1f} s (lease {LEASE_MS} ms)")
        time.sleep(1)
        assert site_names(robot, "/hook") == names
        d = admins[survivor].get(f"/api/v1/notify/channels/{channel}").json()["delivery"]
        assert d["delivered"] == 25 and d["queued"] == 0, d
        assert holder(a, channel) == survivor
    finally:
        robot.stop()


def test_a_node_stopping_gives_its_webhook_leases_up(nodes):
    # A long lease: only the stopping node's release lets the other continue within the test.
    lease = ["--webhook-lease-ms", "600000"]
    a, b = nodes(lease, lease)
    password = a.credentials()["admin"][0]
    admin_a, admin_b = admin_of(a, password), admin_of(b, password)
    robot = Receiver()
    try:
        r = admin_a.post("/api/v1/notify/channels", {
            "name": "值班群", "format": "wecom", "url": robot.url("/hook"), "kinds": ["org.site."]})
        assert r.status == 201, r
        assert admin_a.post("/api/v1/sites", {"name": "节点厂区0"}).status == 201
        assert wait_until(lambda: len(robot.on("/hook")) == 1, 30)
        sender = holder(a, r.json()["id"])
        stopping, admin = (a, admin_b) if sender == "node-a" else (b, admin_a)
        assert stopping.stop() == 0
        assert admin.post("/api/v1/sites", {"name": "节点厂区1"}).status == 201
        assert wait_until(lambda: len(robot.on("/hook")) == 2, 10), robot.requests
        assert site_names(robot, "/hook") == ["节点厂区0", "节点厂区1"]
    finally:
        robot.stop()


def feeds(admin):
    return admin.get("/api/v1/alarms/feeds").json()["mqtt"]["messages"]


def mqtt_nodes(nodes, broker, extra, subscribed):  # noqa: F811
    """Two nodes taking alarms from `broker`, each subscribed as `subscribed`; their admins."""
    mqtt = ["--mqtt", f"127.0.0.1:{broker}", "--mqtt-topic", "zhidu/+/alarms", *extra]
    a, b = nodes(mqtt, mqtt)
    password = a.credentials()["admin"][0]
    for node in (a, b):
        assert wait_until(lambda: f"MQTT subscribed to {subscribed}" in node.log(), 30), node.log()
    return a, b, admin_of(a, password), admin_of(b, password)


def test_two_nodes_ingest_each_mqtt_message_once(nodes, broker):  # noqa: F811
    a, b, admin_a, admin_b = mqtt_nodes(nodes, broker, [], "$share/zhidu/zhidu/+/alarms")
    site, post = site_and_post(admin_a, "消防控制室值班岗")
    points = [point(admin_a, site, post, "fas-7", f"M-{i}", f"{i}F手报") for i in range(12)]

    def activations():
        return [admin_b.get(f"/api/v1/alarms/{p['id']}").json()["activations"] for p in points]

    for i in range(10):
        publish(broker, "zhidu/fas-7/alarms", f'{{"point": "M-{i}", "state": "active"}}')
    assert wait_until(lambda: all(n >= 1 for n in activations()[:10]), 30), activations()
    time.sleep(1.5)  # a second ingest of any message would have landed by now
    assert activations()[:10] == [1] * 10
    took = feeds(admin_a), feeds(admin_b)
    print(f"\nmessages taken by node-a, node-b: {took}")
    assert sum(took) == 10 and min(took) > 0, took  # shared between them, each once
    # One node goes away: the broker gives the other every message at once.
    a.kill()
    for i in range(10, 12):
        publish(broker, "zhidu/fas-7/alarms", f'{{"point": "M-{i}", "state": "active"}}')
    assert wait_until(lambda: activations()[10:] == [1, 1], 30), activations()
    assert feeds(admin_b) == took[1] + 2


def test_without_a_group_every_node_takes_every_message(nodes, broker):  # noqa: F811
    a, b, admin_a, admin_b = mqtt_nodes(nodes, broker, ["--mqtt-group", ""], "zhidu/+/alarms")
    site, post = site_and_post(admin_a, "消防控制室值班岗")
    point(admin_a, site, post, "fas-7", "M-1", "1F手报")
    publish(broker, "zhidu/fas-7/alarms", '{"point": "M-1", "state": "active"}')
    # What the group prevents: both nodes took the one message.
    assert wait_until(lambda: feeds(admin_a) == 1 and feeds(admin_b) == 1, 30)


def refused_after(client, headers=None, limit=3):
    """Polls /api/v1/me every 20 ms until it answers 401; returns how long that took."""
    start = time.time()
    while time.time() - start < limit:
        r = client.get("/api/v1/me", headers=headers)
        if r.status == 401:
            return time.time() - start
        assert r.status == 200, r
        time.sleep(0.02)
    pytest.fail(f"still signed in {limit} s later")


def test_a_sign_out_or_revoked_token_is_refused_by_every_node_within_a_second(nodes):
    a, b = nodes()
    password = a.credentials()["admin"][0]
    # A session signed in on node A, used on node B (its principal kept in B's cache).
    on_a = admin_of(a, password)
    on_b = Client(b.port)
    on_b.cookies = dict(on_a.cookies)
    for _ in range(5):
        assert on_b.get("/api/v1/me").status == 200
    assert on_a.post("/api/v1/logout").status == 204
    took = refused_after(on_b)
    print(f"\nsign-out seen by node B after {took:.3f} s")
    assert took < 1.0, took
    # An API token made on node A, used on node B, revoked on node A.
    admin = admin_of(a, password)
    made = admin.post("/api/v1/api-tokens", {"name": "两节点令牌"})
    assert made.status == 201, made
    bearer = Client(b.port)
    headers = {"Authorization": f"Bearer {made.json()['token']}"}
    for _ in range(5):
        assert bearer.get("/api/v1/me", headers=headers).status == 200
    tokens = admin.get("/api/v1/api-tokens").json()["items"]
    token_id = next(t["id"] for t in tokens if t["name"] == "两节点令牌")
    assert admin.request("DELETE", f"/api/v1/api-tokens/{token_id}").status == 200
    took = refused_after(bearer, headers)
    print(f"token revocation seen by node B after {took:.3f} s")
    assert took < 1.0, took
