"""Ticket search (GET /api/v1/service/tickets?q=, issue 18 §12) over HTTP against the real binary,
on both backends: Chinese 2-character words (which SQLite's trigram tokenizer cannot find) and
longer phrases match where they occur in a subject, never across punctuation; Latin words match
whole words, in any case; the other filters and the cursor apply to the matches; a query with
nothing to search for is a 400 naming `q`; tickets opened before the index existed are indexed
when the server starts.

The expected matches are computed here from the subjects by the rule docs state (a scan), never
read back from the server."""
import re
from urllib.parse import quote

from zhidu_harness import all_items, login, run_sql

SUBJECTS = [
    "空调不制冷，要求上门维修",
    "发票开错了：抬头不对",
    "配送延误三天",
    "制冷效果差",
    "投诉：快递员态度差",
    "订单 A1023 未发货",
    "空调遥控器丢失",
    "冷空气来了，暖气不热",
    "Order a1023 shipped late",
]
QUERIES = ["制冷", "空调", "不制", "冷空", "态度差", "发货", "a1023", "A1023", "差", "空调 维修",
           "调不制冷", "冷，要"]


def runs(text):
    """The subject as the index sees it: runs of CJK characters and of ASCII letters/digits."""
    return re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+", text)


def expected(subject, q):
    """Every term of q found: a CJK term as a substring of one run, a word as a whole word."""
    terms = runs(q)
    have = runs(subject)
    for t in terms:
        if re.fullmatch(r"[A-Za-z0-9]+", t):
            if t.lower() not in [h.lower() for h in have]:
                return False
        elif not any(t in h for h in have):
            return False
    return True


def site_id(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def open_tickets(agent, site, queue_a, queue_b):
    ids = {}
    for i, subject in enumerate(SUBJECTS):
        r = agent.post("/api/v1/service/tickets", {
            "site_id": site, "queue_post_id": queue_a if i % 2 == 0 else queue_b,
            "subject": subject, "priority": "normal"})
        assert r.status == 201, r
        ids[r.json()["id"]] = (subject, queue_a if i % 2 == 0 else queue_b)
    return ids


def found(client, site, q, extra=""):
    return [t["id"] for t in all_items(client, f"/api/v1/service/tickets?site_id={site}&q={quote(q)}{extra}&limit=2")]


def test_tickets_are_found_by_chinese_words_and_the_index_is_built_at_start(server, admin):
    site = site_id(admin)
    queues = []
    for name in ["投诉组", "订单组"]:  # queues are posts the pack names
        r = admin.post("/api/v1/posts", {"site_id": site, "name": name})
        assert r.status == 201, r
        queues.append(r.json()["id"])
    agent = login(server, "cs1")
    ids = open_tickets(agent, site, *queues)
    ours = set(ids)

    def check(client):
        for q in QUERIES:
            want = sorted(i for i, (s, _) in ids.items() if expected(s, q))
            got = [i for i in found(client, site, q) if i in ours]
            assert got == want, (q, got, want)
        # Something to find, so the test can fail: the words tested do occur.
        assert len([i for i in found(client, site, "制冷") if i in ours]) == 2
        assert [i for i in found(client, site, "冷空") if i in ours] == \
            [i for i, (s, _) in ids.items() if s.startswith("冷空气")]
        # The other filters apply to the matches; paging by cursor (limit 2) loses nothing.
        want_b = sorted(i for i, (s, qid) in ids.items() if expected(s, "差") and qid == queues[1])
        assert [i for i in found(client, site, "差", f"&queue_post_id={queues[1]}") if i in ours] == want_b
        assert want_b  # 投诉：快递员态度差 is in queue B

    check(agent)

    # Nothing to search for: a 400 naming q, in the API's error shape.
    for q in ["，。！", "  "]:
        r = agent.get(f"/api/v1/service/tickets?site_id={site}&q={quote(q)}")
        assert r.status == 400 and r.json()["error"]["field"] == "q", r
    many = " ".join(f"w{i}" for i in range(17))
    r = agent.get(f"/api/v1/service/tickets?site_id={site}&q={quote(many)}")
    assert r.status == 400 and r.json()["error"]["field"] == "q", r

    # Tickets opened before the index existed: empty the index while the server is stopped, and
    # the next start indexes every ticket again.
    server.stop()
    if server.database_url:
        run_sql(server, ["UPDATE service_tickets SET terms = '{}'"])
    else:
        run_sql(server, ["DROP TABLE service_tickets_fts",
                         "CREATE VIRTUAL TABLE service_tickets_fts USING fts5(bi, uni, content='', "
                         "tokenize='unicode61 remove_diacritics 0')"])
    server.start()
    agent = login(server, "cs1")
    check(agent)
    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr
