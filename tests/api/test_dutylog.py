"""The duty log (值班记录) over HTTP on both backends: append-only entries with corrections as new
entries, Chinese full-text search through the bigram index (误报, 复位, a 4-character word, one
character) compared with a substring scan of every entry, newest-first paging, the print view of
the 消防控制室值班记录表 (R20 §四7) and the XLSX export. That the index, not a scan, answers is
proved at the store level (tests/store_dutylog_test.cpp: EXPLAIN on both backends)."""
import datetime
import http.client
import io
import re
import zipfile
from urllib.parse import quote

from zhidu_harness import all_items, login, site_and_post


# Texts written by the operator. Some contain the words searched for; some contain their
# characters without the word (separated by punctuation or a space, or reversed), which a
# bigram index must not confuse with the word.
TEXTS = [
    "3F烟感报警，现场确认为误报，已按复位程序操作",
    "5F手动报警按钮误报",
    "误，报：不是一个词",
    "报误顺序颠倒",
    "消防主机复位",
    "已复 位（中间有空格）",
    "巡查正常，无异常",
    "B1烟感报警，保安员到场确认",
    "喷淋泵测试正常，复位完成",
    "对讲机、手电筒充电完好",
    "烟感 报警分开写",
    "电梯迫降测试：误报警一次",
    "Pump-3 fault cleared, FAS reset",
    "来访：工程部张三，值班长批准",
    "防盗系统22:00打开",
]


def scan(q):
    return {i for i, t in enumerate(TEXTS) if q in t}


def test_duty_log_append_only_search_print_export(server):
    admin = server.admin()
    fire1 = login(server, "fire1")
    cs1 = login(server, "cs1")
    site, post = site_and_post(admin, "消防控制室值班岗")

    # Only someone on duty at the site (or with duty.manage) writes the log (R02 §三2).
    r = fire1.post("/api/v1/duty-log", {"site_id": site, "post_id": post, "kind": "routine",
                                        "text": "未上岗"})
    assert r.status == 403, r
    assert fire1.post(f"/api/v1/posts/{post}/attendance").status == 201
    assert cs1.post("/api/v1/duty-log", {"site_id": site, "kind": "routine",
                                         "text": "x"}).status == 403

    ids = []
    for i, text in enumerate(TEXTS):
        kind = "abnormal" if "误报" in text else "routine"
        r = fire1.post("/api/v1/duty-log", {"site_id": site, "post_id": post, "kind": kind,
                                            "text": text})
        assert r.status == 201, r
        e = r.json()
        assert e["text"] == text and e["kind"] == kind and e["count"] == 1
        assert e["author_person"] is not None
        ids.append(e["id"])

    # Bad input: 4xx naming the field, nothing written.
    for body, field in [
        ({"site_id": site, "kind": "gossip", "text": "x"}, "kind"),
        ({"site_id": site, "kind": "alarm", "text": "x"}, "kind"),
        ({"site_id": site, "kind": "routine", "text": ""}, "text"),
        ({"site_id": site, "kind": "routine", "text": "x" * 4001}, "text"),
        ({"site_id": site, "kind": "correction", "text": "更正"}, "corrects"),
        ({"site_id": site, "kind": "routine", "text": "x", "corrects": ids[0]}, "corrects"),
        ({"site_id": site, "kind": "correction", "text": "x", "corrects": 999999}, "corrects"),
        ({"site_id": site, "kind": "routine", "text": "x", "post_id": 999999}, "post_id"),
        ({"site_id": site, "kind": "routine", "text": "x", "mood": "ok"}, "mood"),
        ({"site_id": 999999, "kind": "routine", "text": "x"}, "site_id"),
    ]:
        r = fire1.post("/api/v1/duty-log", body)
        assert 400 <= r.status < 500, (body, r)
        assert r.json()["error"]["field"] == field, (body, r)
    assert len(all_items(admin, f"/api/v1/duty-log?site_id={site}")) == len(TEXTS)

    # Append-only: no route changes or deletes an entry.
    for method in ("PUT", "PATCH", "DELETE"):
        r = fire1.request(method, f"/api/v1/duty-log/{ids[1]}", body={"text": "改"})
        assert r.status in (404, 405), (method, r)
    assert fire1.get(f"/api/v1/duty-log/{ids[1]}").json()["text"] == TEXTS[1]

    # A correction is a new entry pointing at the old one, which stays as it was.
    r = fire1.post("/api/v1/duty-log", {"site_id": site, "post_id": post, "kind": "correction",
                                        "text": "更正：应为6F手动报警按钮", "corrects": ids[1]})
    assert r.status == 201, r
    correction = r.json()
    assert correction["corrects"] == ids[1] and correction["kind_label"] == "更正"
    assert fire1.get(f"/api/v1/duty-log/{ids[1]}").json()["text"] == TEXTS[1]

    # Newest first, paged: ids strictly descending and every entry once.
    paged = all_items(admin, f"/api/v1/duty-log?site_id={site}&limit=4")
    got = [e["id"] for e in paged]
    assert got == sorted(ids + [correction["id"]], reverse=True)

    # Search: 2-character words, a 4-character word and one character find exactly the entries a
    # substring scan finds.
    for q in ["误报", "复位", "烟感报警", "误", "复位程序", "手电筒", "报警"]:
        found = all_items(admin, f"/api/v1/duty-log?site_id={site}&q={quote(q)}&limit=3")
        found_ids = {e["id"] for e in found if e["kind"] != "correction"}
        expected = {ids[i] for i in scan(q)}
        assert found_ids == expected, (q, sorted(found_ids), sorted(expected))
        assert expected, q  # every query has something to find
        assert all(q in e["text"] for e in found)
    assert {ids[i] for i in scan("误报")} == {ids[0], ids[1], ids[11]}
    # Two terms: both must occur; Latin words match whole words, case-insensitively.
    both = all_items(admin, f"/api/v1/duty-log?site_id={site}&q={quote('烟感 确认')}")
    assert {e["id"] for e in both} == {ids[0], ids[7]}
    latin = all_items(admin, f"/api/v1/duty-log?site_id={site}&q=FAULT")
    assert [e["id"] for e in latin] == [ids[12]]
    assert all_items(admin, f"/api/v1/duty-log?site_id={site}&q={quote('误报复位')}") == []
    # Combined with filters.
    abnormal = all_items(admin, f"/api/v1/duty-log?site_id={site}&kind=abnormal&q={quote('复位')}")
    assert {e["id"] for e in abnormal} == {ids[0]}
    r = admin.get(f"/api/v1/duty-log?site_id={site}&q={quote('，。')}")
    assert r.status == 400 and r.json()["error"]["field"] == "q", r
    r = admin.get(f"/api/v1/duty-log?q={quote('误报')}")
    assert r.status == 400 and r.json()["error"]["field"] == "site_id", r

    # Print view of the 消防控制室值班记录表: the pack's record, oldest first, totals.
    r = admin.get(f"/api/v1/duty-log/print?site_id={site}&from=2000-01-01T00:00:00%2B08:00"
                  f"&to=2100-01-01T00:00:00%2B08:00")
    assert r.status == 200, r
    view = r.json()
    assert view["record"]["id"] == "r20-duty-log"
    assert view["record"]["clauses"] == ["R20 §四7"]
    assert [row["id"] for row in view["rows"]] == sorted(ids + [correction["id"]])
    assert view["totals"] == {"entries": len(TEXTS) + 1, "abnormal": 3, "alarms": 0,
                              "corrections": 1}
    assert view["rows"][0]["post"] == "消防控制室值班岗"
    assert view["rows"][0]["author_name"] == "演示·王消防"
    r = admin.get(f"/api/v1/duty-log/print?site_id={site}&from=2000-01-01T00:00:00%2B08:00"
                  f"&to=2100-01-01T00:00:00%2B08:00&record=nope")
    assert r.status == 400 and r.json()["error"]["field"] == "record", r

    # XLSX export: a real workbook with the title and the entries' text.
    r = admin.get(f"/api/v1/duty-log/export.xlsx?site_id={site}&from=2000-01-01T00:00:00%2B08:00"
                  f"&to=2100-01-01T00:00:00%2B08:00")
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # The harness decodes bodies as text: fetch the bytes.
    xlsx = fetch_bytes(server, admin, f"/api/v1/duty-log/export.xlsx?site_id={site}"
                       f"&from=2000-01-01T00:00:00%2B08:00&to=2100-01-01T00:00:00%2B08:00")
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert view["record"]["title"] in strings
    for text in TEXTS:
        assert text.replace("&", "&amp;") in strings, text
    assert len(re.findall(r"<row ", sheet)) >= len(TEXTS) + 1 + 5

    # Every entry is journaled; the chain verifies.
    kinds = [j["kind"] for j in all_items(admin, "/api/v1/journal?limit=500")]
    assert kinds.count("dutylog.entry.created") == len(TEXTS) + 1
    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def fetch_bytes(server, client, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    assert r.status == 200
    return data


def test_an_entry_written_afterwards_keeps_when_it_happened(server):
    """An operator writes at 14:30 what they found at 14:05: the entry keeps both times — `at`,
    set by the server, and `occurred_at`, given by the writer and never after the writing."""
    admin = server.admin()
    site, post = site_and_post(admin, "中控岗")
    before = len(all_items(admin, f"/api/v1/duty-log?site_id={site}&limit=200"))

    now = datetime.datetime.now(datetime.timezone.utc)
    happened = (now - datetime.timedelta(minutes=25)).astimezone(
        datetime.timezone(datetime.timedelta(hours=8))).replace(microsecond=0)
    r = admin.post("/api/v1/duty-log", {"site_id": site, "post_id": post, "kind": "abnormal",
                                        "text": "3F配电间异味，已通知工程部",
                                        "occurred_at": happened.isoformat()})
    assert r.status == 201, r
    e = r.json()
    assert datetime.datetime.fromisoformat(e["occurred_at"]) == happened, e
    assert datetime.datetime.fromisoformat(e["at"]) > happened, e
    assert admin.get(f"/api/v1/duty-log/{e['id']}").json()["occurred_at"] == e["occurred_at"]
    created = [j for j in all_items(admin, "/api/v1/journal?limit=500")
               if j["kind"] == "dutylog.entry.created" and j["payload"]["id"] == e["id"]]
    assert datetime.datetime.fromisoformat(created[0]["payload"]["occurred_at"]) == happened

    # Without it, the entry has none (the time of writing is not copied into it).
    r = admin.post("/api/v1/duty-log", {"site_id": site, "kind": "routine", "text": "巡查正常"})
    assert r.status == 201 and r.json()["occurred_at"] is None, r

    # Refused, nothing written: a time after now, a time that is not ISO 8601.
    future = (now + datetime.timedelta(hours=1)).isoformat()
    r = admin.post("/api/v1/duty-log", {"site_id": site, "kind": "routine", "text": "x",
                                        "occurred_at": future})
    assert r.status == 400, r
    err = r.json()["error"]
    assert err["field"] == "occurred_at" and err["reason"] == "dutylog.occurred_in_future", err
    r = admin.post("/api/v1/duty-log", {"site_id": site, "kind": "routine", "text": "x",
                                        "occurred_at": "昨天下午"})
    assert r.status == 400 and r.json()["error"]["field"] == "occurred_at", r
    assert len(all_items(admin, f"/api/v1/duty-log?site_id={site}&limit=200")) == before + 2
