"""The duty board's reads kept between writes (src/api/read_cache.hpp), on both backends:

* a second identical read is answered from the cache (X-Zhidu-Cache: hit) with the same body;
* every write is seen by the next read of the one who wrote it (read-your-writes), 25 times over,
  for an alarm ingested, a post created and a duty answered;
* answers are per account: another account reading the same URL gets its own answer (a 403 here);
* `--read-cache-entries 0` turns it off;
* the principals of API tokens are kept the same way (api/generation_cache.hpp): a repeated bearer
  request is authenticated without the store (zhidu_principal_cache_hits_total), each token keeps
  its own account, a wrong token is still refused, and `--principal-cache-entries 0` turns it off;
* the principals of sessions too, with the session's end checked on every hit: signing out is seen
  by the very next request, a board read included (a hit is served on the network thread), and a
  session that ended on the clock is refused though its principal is kept."""
import datetime

from zhidu_harness import Actor, Server, clock_server


def site_of(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def cache_header(r):
    return r.headers.get("X-Zhidu-Cache")


def test_a_repeated_board_read_is_a_hit_with_the_same_body(server, admin):
    site = site_of(admin)
    for path in (f"/api/v1/alarms?site_id={site}", f"/api/v1/posts?site_id={site}",
                 f"/api/v1/rosters?site_id={site}", f"/api/v1/duties?site_id={site}&limit=50"):
        # The scheduler writes on its own (duties fall due, go late), and a commit between the
        # two reads makes the second a miss with a newer body. So take pairs until the second is
        # a hit (a few tries at most), and require that hit to carry the first's body exactly.
        for attempt in range(5):
            first = admin.get(path)
            assert first.status == 200, (path, first)
            second = admin.get(path)
            assert second.status == 200, (path, second)
            if cache_header(second) == "hit":
                break
        assert cache_header(second) == "hit", (path, cache_header(second), attempt)
        assert second.body == first.body, path
    # A route outside the board's is never cached.
    assert cache_header(admin.get("/api/v1/people?site_id=%d" % site)) is None


def test_every_write_is_seen_by_the_next_read(server, admin):
    site = site_of(admin)
    alarms = f"/api/v1/alarms?site_id={site}&limit=200"
    posts = f"/api/v1/posts?site_id={site}&limit=200"
    admin.get(alarms), admin.get(posts)  # warm
    for i in range(25):
        r = admin.post("/api/v1/alarm-points", {"site_id": site, "source": "cache-test",
                                                "point": f"C{i}", "title": f"缓存测试{i}",
                                                "kind": "fire", "priority": 2})
        assert r.status == 201, r
        r = admin.post("/api/v1/alarms:ingest", {"events": [
            {"source": "cache-test", "point": f"C{i}", "state": "active", "value": "1"}]})
        assert r.status == 200 and r.json()["activations"] == 1, r
        live = admin.get(alarms)
        assert live.status == 200
        assert f"C{i}" in {a["point"] for a in live.json()["items"]}, (i, cache_header(live))
        r = admin.post("/api/v1/posts", {"site_id": site, "name": f"缓存岗{i}"})
        assert r.status == 201, r
        names = {p["name"] for p in admin.get(posts).json()["items"]}
        assert f"缓存岗{i}" in names, i
        # And read again without a write in between: now from the cache, still with it.
        again = admin.get(posts)
        assert f"缓存岗{i}" in {p["name"] for p in again.json()["items"]}


def test_answers_are_per_account(server, admin):
    other = admin.post("/api/v1/sites", {"name": "缓存测试站"})
    assert other.status == 201, other
    path = f"/api/v1/duties?site_id={other.json()['id']}&limit=10"
    for _ in range(2):
        assert admin.get(path).status == 200
    cs1 = Actor(server, "cs1")  # no role at the new site
    r = cs1.get(path)
    assert r.status == 403, r
    assert cache_header(r) != "hit"


def test_the_cache_can_be_turned_off(require_backend):
    s = Server(require_backend, extra=["--read-cache-entries", "0"]).start()
    try:
        admin = s.admin()
        site = site_of(admin)
        for _ in range(3):
            r = admin.get(f"/api/v1/alarms?site_id={site}")
            assert r.status == 200 and cache_header(r) is None, r.headers
    finally:
        s.kill()


def metric(server, name):
    for line in server.client().get("/metrics").body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_bearer_principals_are_kept_between_writes(server, admin):
    first = admin.post("/api/v1/api-tokens", {"name": "缓存令牌一"})
    second = admin.post("/api/v1/api-tokens", {"name": "缓存令牌二"})
    assert first.status == 201 and second.status == 201
    machine = server.client()
    hits = metric(server, "zhidu_principal_cache_hits_total")
    assert hits is not None
    for _ in range(5):
        for token in (first.json()["token"], second.json()["token"]):
            r = machine.get("/api/v1/me", headers=bearer(token))
            assert r.status == 200 and r.json()["account"]["username"] == "admin", r
    # Ten bearer requests: the scheduler's commits may make a few of them misses, not all.
    assert metric(server, "zhidu_principal_cache_hits_total") > hits
    # A kept principal is found by its own token only.
    assert machine.get("/api/v1/me", headers=bearer(first.json()["token"] + "0")).status == 401
    assert machine.get("/api/v1/me", headers=bearer("zt_wrong")).status == 401
    # A write through a kept token is the token's account's, and the next read sees it.
    r = machine.post("/api/v1/sites", {"name": "令牌缓存站"}, headers=bearer(first.json()["token"]))
    assert r.status == 201, r
    names = {x["name"] for x in machine.get("/api/v1/sites?limit=500",
                                            headers=bearer(second.json()["token"])).json()["items"]}
    assert "令牌缓存站" in names


def test_the_principal_cache_can_be_turned_off(require_backend):
    s = Server(require_backend, extra=["--principal-cache-entries", "0"]).start()
    try:
        token = s.admin().post("/api/v1/api-tokens", {"name": "无缓存"}).json()["token"]
        machine = s.client()
        for _ in range(3):
            assert machine.get("/api/v1/me", headers=bearer(token)).status == 200
        assert metric(s, "zhidu_principal_cache_hits_total") is None
        assert metric(s, "zhidu_read_cache_hits_total") is not None
    finally:
        s.kill()


def test_session_principals_are_kept_and_signing_out_is_seen_at_once(server, admin):
    site = site_of(admin)
    board = f"/api/v1/posts?site_id={site}"
    person = server.client()
    assert person.login("op1", server.credentials()["op1"][0]).status == 200
    hits = metric(server, "zhidu_principal_cache_hits_total")
    # A board read answered from both caches (a background commit may make a pair miss).
    for _ in range(5):
        first, second = person.get(board), person.get(board)
        assert first.status == 200 and second.status == 200, (first, second)
        if cache_header(second) == "hit":
            break
    assert cache_header(second) == "hit" and second.body == first.body
    assert metric(server, "zhidu_principal_cache_hits_total") > hits
    assert person.get("/api/v1/me").json()["account"]["username"] == "op1"
    # Each session keeps its own account.
    assert admin.get("/api/v1/me").json()["account"]["username"] == "admin"
    kept = dict(person.cookies)
    assert person.post("/api/v1/logout").status == 204
    person.cookies = kept  # the signed-out cookie, sent again as a stolen copy would be
    for path in (board, "/api/v1/me"):
        r = person.get(path)
        assert r.status == 401 and r.json()["error"]["code"] == "unauthenticated", (path, r)
    # A cookie that is not a session is refused, cached principals or not.
    stranger = server.client()
    r = stranger.get(board, headers={"Cookie": "zhidu_session=not-a-session"})
    assert r.status == 401, r


def test_a_session_ended_on_the_clock_is_refused_though_its_principal_is_kept(require_backend):
    start = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    s = clock_server(require_backend, start)
    try:
        admin = s.admin()
        site = site_of(admin)
        board = f"/api/v1/posts?site_id={site}"
        person = s.client()
        assert person.login("op1", s.credentials()["op1"][0]).status == 200
        for _ in range(3):
            assert person.get(board).status == 200
            assert person.get("/api/v1/me").status == 200
        # Sessions last 12 h (AuthOptions::session_ttl): 13 h later this one has ended.
        later = start + datetime.timedelta(hours=13)
        r = admin.post("/api/v1/test/clock", {"to": later.isoformat()})
        if r.status == 401:  # the admin's own session ended too: sign in again
            admin = s.admin()
            r = admin.post("/api/v1/test/clock", {"to": later.isoformat()})
        assert r.status == 200, r
        for path in (board, "/api/v1/me"):
            r = person.get(path)
            assert r.status == 401 and r.json()["error"]["code"] == "unauthenticated", (path, r)
    finally:
        s.kill()
