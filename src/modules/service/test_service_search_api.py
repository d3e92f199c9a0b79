"""Ticket search (GET /api/v1/service/tickets?q=, issue 18 §12) over HTTP against the real binary,
on both backends: Chinese 2-character words (which SQLite's trigram tokenizer cannot find) and
longer phrases match where they occur in a subject or in one entry of the thread (a reply, the
customer's message, an internal note), never across punctuation; Latin words match whole words,
in any case; the other filters and the cursor apply to the matches; a refused write leaves nothing
to find; a query with nothing to search for is a 400 naming `q`; tickets and entries written
before the index existed are indexed when the server starts; entries moved to another ticket by
one UPDATE (a merge) are found on that ticket.

The expected matches are computed here from the texts the test wrote by the rule docs state (a
scan), never read back from the server."""
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
# The thread: (index of the subject's ticket, path, body). 漏水 is only in a reply, 噪音 only in a
# customer's message, 退款 only in a note; 制冷 and 空调 also occur in subjects.
THREAD = [
    (0, "replies", "师傅明天上门，先检查是否漏水"),
    (1, "messages", "晚上有噪音，影响休息"),
    (2, "notes", "内部：客户要求退款，待主管批准"),
    (3, "messages", "空调 制冷 still bad"),
    (4, "replies", "已联系快递公司，态度问题会处理"),
]
QUERIES = ["制冷", "空调", "不制", "冷空", "态度差", "发货", "a1023", "A1023", "差", "空调 维修",
           "调不制冷", "冷，要", "漏水", "噪音", "退款", "态度", "still", "空调 bad", "上门 漏水",
           "问题", "维修 漏水"]  # the last: one term in the subject, one in a reply: no match


def runs(text):
    """The subject as the index sees it: runs of CJK characters and of ASCII letters/digits."""
    return re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+", text)


def expected(texts, q):
    """One of the texts (the subject, each entry's body) matches q."""
    return any(matches(t, q) for t in texts)


def matches(subject, q):
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
    """{id: ([subject, entry bodies...], queue)}, the thread written as THREAD says."""
    ids = {}
    for i, subject in enumerate(SUBJECTS):
        r = agent.post("/api/v1/service/tickets", {
            "site_id": site, "queue_post_id": queue_a if i % 2 == 0 else queue_b,
            "subject": subject, "priority": "normal"})
        assert r.status == 201, r
        ids[r.json()["id"]] = ([subject], queue_a if i % 2 == 0 else queue_b)
    order = list(ids)
    for i, path, body in THREAD:
        r = agent.post(f"/api/v1/service/tickets/{order[i]}/{path}", {"body": body})
        assert r.status in (200, 201), r
        ids[order[i]][0].append(body)
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
            assert want or q == "维修 漏水", q  # each query (but that one) finds something
            got = [i for i in found(client, site, q) if i in ours]
            assert got == want, (q, got, want)
        # Something to find, so the test can fail: the words tested do occur.
        assert len([i for i in found(client, site, "制冷") if i in ours]) == 2
        assert [i for i in found(client, site, "冷空") if i in ours] == \
            [i for i, (s, _) in ids.items() if s[0].startswith("冷空气")]
        # A word only in a reply, only in a customer's message, only in a note: its one ticket.
        order = list(ids)
        for q, i in [("漏水", 0), ("噪音", 1), ("退款", 2)]:
            assert [t for t in found(client, site, q) if t in ours] == [order[i]], q
        # The other filters apply to the matches; paging by cursor (limit 2) loses nothing.
        want_b = sorted(i for i, (s, qid) in ids.items() if expected(s, "差") and qid == queues[1])
        assert [i for i in found(client, site, "差", f"&queue_post_id={queues[1]}") if i in ours] == want_b
        assert want_b  # 投诉：快递员态度差 is in queue B

    check(agent)

    # A refused write leaves nothing to find: a reply and a note to a closed ticket.
    last = list(ids)[-1]
    for to in ["resolved", "closed"]:
        r = agent.post(f"/api/v1/service/tickets/{last}/state", {"to": to})
        assert r.status == 200, r
    for path in ["replies", "notes"]:
        r = agent.post(f"/api/v1/service/tickets/{last}/{path}", {"body": "罚单已开"})
        assert r.status in (409, 412) and r.json()["error"]["code"], r
    assert [t for t in found(agent, site, "罚单") if t in ours] == []

    # Nothing to search for: a 400 naming q, in the API's error shape.
    for q in ["，。！", "  "]:
        r = agent.get(f"/api/v1/service/tickets?site_id={site}&q={quote(q)}")
        assert r.status == 400 and r.json()["error"]["field"] == "q", r
    many = " ".join(f"w{i}" for i in range(17))
    r = agent.get(f"/api/v1/service/tickets?site_id={site}&q={quote(many)}")
    assert r.status == 400 and r.json()["error"]["field"] == "q", r

    # Tickets and entries written before the index existed: empty both indexes while the server
    # is stopped, and the next start indexes every subject and entry again.
    server.stop()
    if server.database_url:
        run_sql(server, ["UPDATE service_tickets SET terms = '{}'",
                         "UPDATE service_ticket_entries SET terms = '{}'"])
    else:
        run_sql(server, [s for table in ["service_tickets_fts", "service_entries_fts"] for s in [
            f"DROP TABLE {table}",
            f"CREATE VIRTUAL TABLE {table} USING fts5(bi, uni, content='', "
            "tokenize='unicode61 remove_diacritics 0')"]])
    server.start()
    agent = login(server, "cs1")
    check(agent)

    # A merge moves thread entries to another ticket: the one UPDATE of db::MoveThreadEntries,
    # and the search finds the entries' text on the ticket they moved to, not on the old one.
    server.stop()
    order = list(ids)
    run_sql(server, [f"UPDATE service_ticket_entries SET ticket_id = {order[5]} "
                     f"WHERE ticket_id = {order[1]}"])
    server.start()
    agent = login(server, "cs1")
    assert [t for t in found(agent, site, "噪音") if t in ours] == [order[5]]
    ids[order[5]][0].extend(ids[order[1]][0][1:])
    del ids[order[1]][0][1:]
    for q in QUERIES:
        want = sorted(i for i, (s, _) in ids.items() if expected(s, q))
        assert [i for i in found(agent, site, q) if i in ours] == want, q
    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr
