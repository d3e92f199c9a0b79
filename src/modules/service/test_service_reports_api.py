"""Customer-service reports (issue 18 §10) over HTTP against the real binary, on both backends, on
the test clock from Monday 2026-12-07 09:00 in Shanghai (two working days): two agents take tickets
in two queues (客服组, 投诉组 with two complaints), reply early, late and never, resolve, customers
answer survey links, orders are shipped on time and late. The test keeps what it did and computes
every figure of the reports from it — per agent per day (the daily statistics, first responses
with their median and share within the SLA, surveys, on-time shipping), SLA compliance per queue
and service level, complaint analysis, on-time shipping — then compares the JSON answer and the
XLSX workbook (read with zipfile, no extra package). Only a supervisor of the site's queues reads
them; bad dates, a range too long and an unknown site are refused with their reasons."""
import datetime as dt
import http.client
import io
import re
import statistics
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict

import pytest

from test_service_sla_api import advance_days
from zhidu_harness import Actor, clock_server, ok, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
PASSWORD = "correct horse 1"
FIRST, RESOLUTION = "r14-first-response", "r06-ticket-resolution"  # cn-default's ticket levels


@pytest.fixture
def clock(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


class Agent(Actor):
    """An account this test creates, signing in again when the clock ends its session."""

    def __init__(self, server, username, password):
        self.password = password
        super().__init__(server, username)

    def _login(self):
        assert self.client.login(self.username, self.password).status == 200


def local(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def day_of(t):
    return t.astimezone(TZ).date().isoformat()


def fetch_bytes(server, client, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    cookie = "; ".join(f"{k}={v}" for k, v in client.client.cookies.items())
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    assert r.status == 200, (r.status, body[:300])
    return body


def sheets(xlsx):
    """{sheet name: [[cell text or number, …] per row]} of a workbook, with the stdlib only."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        shared = [("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
                  for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
        rels = {r.get("Id"): r.get("Target")
                for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out = {}
        for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", ns):
            target = rels[s.get(f"{{{ns['r']}}}id")]
            xml = ET.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/")))
            rows = []
            for row in xml.iter(f"{{{ns['m']}}}row"):
                cells = {}
                for c in row.findall("m:c", ns):
                    col = re.match(r"[A-Z]+", c.get("r")).group()
                    index = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(col))) - 1
                    v = c.find("m:v", ns)
                    if v is None:
                        continue
                    cells[index] = shared[int(v.text)] if c.get("t") == "s" else float(v.text)
                rows.append([cells.get(i) for i in range(max(cells) + 1)] if cells else [])
            out[s.get("name")] = rows
    return out


def test_reports_per_agent_sla_complaints_and_shipping(clock):
    admin = Actor(clock, "admin")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    for name, value in [("service_first_response_within", "1h"), ("service_resolution_within", "4h"),
                        ("service_survey_after", "1h")]:
        ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/{name}", {"value": value}))
    queues = {name: ok(admin.post("/api/v1/posts", {"site_id": site, "name": name}), 201)["id"]
              for name in ("客服组", "投诉组")}
    cs1 = Actor(clock, "cs1")
    p1 = cs1.me()["person_id"]
    p2 = ok(admin.post("/api/v1/people", {"site_id": site, "name": "报表测试·钱客服"}), 201)["id"]
    ok(admin.post("/api/v1/accounts", {"username": "cs_report", "password": PASSWORD, "person_id": p2,
                                       "roles": [{"role": "客服专员", "scope_kind": "site",
                                                  "scope_id": site}]}), 201)
    cs2 = Agent(clock, "cs_report", PASSWORD)
    lead = Actor(clock, "cs_lead")  # 客服主管: the queues' 客服专员 report to it
    customer = ok(admin.post("/api/v1/service/customers", {
        "site_id": site, "kind": "company", "name": "报表测试·华东贸易", "phones": ["021-5555-0188"]}),
        201)["id"]

    # What the test does, kept to compute the reports: tickets, orders, survey answers.
    tickets = {}   # name → {id, queue, person, created, complaint, category, replied, resolved}
    orders = {}    # name → {id, person, created, shipped}
    answers = []   # (ticket name, at, satisfied)

    def ticket(name, agent, person, queue, at, complaint=False, category=""):
        t = ok(agent.post("/api/v1/service/tickets", {
            "site_id": site, "queue_post_id": queues[queue], "subject": f"报表测试 {name}",
            "category": category, "complaint": complaint}), 201)
        ok(agent.post(f"/api/v1/service/tickets/{t['id']}/assign", {"person_id": person}))
        tickets[name] = {"id": t["id"], "queue": queue, "person": person, "created": at,
                         "complaint": complaint, "category": category, "replied": None,
                         "resolved": None}

    def reply(name, agent, at):
        ok(agent.post(f"/api/v1/service/tickets/{tickets[name]['id']}/replies", {"body": "您好"}), 201)
        tickets[name]["replied"] = at

    def resolve(name, agent, at):
        ok(agent.post(f"/api/v1/service/tickets/{tickets[name]['id']}/state", {"to": "resolved"}))
        tickets[name]["resolved"] = at

    def order(name, agent, person, at):
        o = ok(agent.post("/api/v1/service/orders", {
            "site_id": site, "customer_id": customer, "kind": "retail",
            "items": [{"name": "报表测试件", "quantity": 1}]}), 201)
        assert o["state"] == "notice", o
        orders[name] = {"id": o["id"], "person": person, "created": at, "shipped": None}

    def ship(name, agent, at):
        ok(agent.post(f"/api/v1/service/orders/{orders[name]['id']}/ship", {}))
        orders[name]["shipped"] = at

    def answer(name, agent, at, score, reason=None):
        token = ok(agent.post(f"/api/v1/service/tickets/{tickets[name]['id']}/survey-link"), 201)["token"]
        body = {"score": score} if reason is None else {"score": score, "reason": reason}
        r = ok(clock.client().post(f"/api/v1/service/surveys/{token}", body), 201)
        answers.append((name, at, r["satisfied"]))

    # Monday 12-07.
    now = local(7, 9)
    ticket("t1", cs1, p1, "客服组", now)
    ticket("t2", cs1, p1, "客服组", now)
    ticket("t3", cs1, p2, "投诉组", now, complaint=True, category="物流")
    ticket("t4", cs1, p2, "投诉组", now, complaint=True, category="服务态度")
    order("o1", cs1, p1, now)
    order("o3", cs1, p1, now)
    order("o4", cs2, p2, now)
    advance_days(admin, local(7, 9, 20))
    reply("t1", cs1, local(7, 9, 20))
    advance_days(admin, local(7, 9, 50))
    reply("t3", cs2, local(7, 9, 50))
    advance_days(admin, local(7, 10, 30))  # t2's and t4's first responses fell due at 10:00
    reply("t2", cs1, local(7, 10, 30))
    advance_days(admin, local(7, 11))
    resolve("t1", cs1, local(7, 11))
    resolve("t3", cs2, local(7, 11))
    ship("o1", cs1, local(7, 11))
    ship("o4", cs2, local(7, 11))
    advance_days(admin, local(7, 12))  # the surveys are due an hour after resolution
    answer("t1", cs1, local(7, 12), 5)
    answer("t3", cs2, local(7, 12), 4)
    # Tuesday 12-08: o3's cut-off (the end of 12-07) has passed; t2's resolution (15:00) too.
    advance_days(admin, local(8, 9))
    ticket("t5", cs1, p1, "客服组", local(8, 9))
    ship("o3", cs1, local(8, 9))
    advance_days(admin, local(8, 9, 10))
    reply("t5", cs1, local(8, 9, 10))
    advance_days(admin, local(8, 10))
    resolve("t2", cs1, local(8, 10))
    advance_days(admin, local(8, 11))
    answer("t2", cs1, local(8, 11), 2, "处理太慢")
    now = local(8, 11)

    # ---- the expected figures, from what the test did. Due times: created at 09:00 on a working
    # day, the first response (1 working hour) is due 10:00 and the resolution (4 working hours,
    # lunch 11:30-13:30 skipped) 15:00; a retail order confirmed before 17:30 ships by the day's end.
    def due(t, level):
        return t["created"].replace(hour=10) if level == FIRST else t["created"].replace(hour=15)

    def outcome(stopped, due_at):
        if stopped:
            return "met" if stopped <= due_at else "met_late"
        return "breached" if now >= due_at else "open"

    rows = defaultdict(lambda: defaultdict(int))
    minutes = defaultdict(list)
    for t in tickets.values():
        rows[(day_of(t["created"]), t["person"])]["received"] += 1
        if t["resolved"]:
            rows[(day_of(t["resolved"]), t["person"])]["resolved"] += 1
        if t["replied"]:
            key = (day_of(t["replied"]), t["person"])
            rows[key]["first_responses"] += 1
            rows[key]["first_response_timed"] += 1
            rows[key]["first_response_met"] += t["replied"] <= due(t, FIRST)
            minutes[key].append((t["replied"] - t["created"]).total_seconds() / 60)
    for name, at, satisfied in answers:
        key = (day_of(at), tickets[name]["person"])
        rows[key]["surveys_answered"] += 1
        rows[key]["surveys_satisfied"] += satisfied
    for o in orders.values():
        rows[(day_of(o["created"]), o["person"])]["orders"] += 1
        if o["shipped"]:
            key = (day_of(o["shipped"]), o["person"])
            rows[key]["shipped"] += 1
            rows[key]["shipped_on_time"] += day_of(o["shipped"]) == day_of(o["created"])

    report = ok(lead.get(f"/api/v1/service/reports?site_id={site}&from=2026-12-07&to=2026-12-08"))
    assert (report["from"], report["to"], report["zone"]) == ("2026-12-07", "2026-12-08", "Asia/Shanghai")
    assert {"R14 §1.1.1", "R14 §1.2.5", "R06 §四(二)5"} <= set(report["clauses"]), report["clauses"]
    got = {(r["day"], r["person_id"]): r for r in report["agents"]}
    assert set(got) == set(rows), (sorted(got), sorted(rows))
    figures = ["received", "resolved", "orders", "first_responses", "first_response_met",
               "first_response_timed", "surveys_answered", "surveys_satisfied", "shipped",
               "shipped_on_time"]
    for key, want in rows.items():
        r = got[key]
        assert {f: r[f] for f in figures} == {f: want[f] for f in figures}, (key, r)
        assert r["reopened"] == 0
        median = statistics.median(minutes[key]) if minutes[key] else None
        assert r["first_response_median_minutes"] == pytest.approx(median), (key, r)
        pct = 100 * want["first_response_met"] / want["first_response_timed"] if want["first_response_timed"] else None
        assert r["first_response_met_percent"] == pytest.approx(pct), (key, r)
        pct = 100 * want["surveys_satisfied"] / want["surveys_answered"] if want["surveys_answered"] else None
        assert r["satisfaction_percent"] == pytest.approx(pct), (key, r)
    assert got[("2026-12-07", p1)]["name"] == "演示·吴客服"
    # Spelled out: cs1 on Monday answered in 20 and 90 minutes (median 55), one of two in time.
    assert got[("2026-12-07", p1)]["first_response_median_minutes"] == pytest.approx(55)
    assert got[("2026-12-07", p1)]["first_response_met_percent"] == pytest.approx(50)

    # SLA compliance per queue and level: the ticket deadlines started in the range.
    sla = defaultdict(lambda: defaultdict(int))
    for t in tickets.values():
        sla[(t["queue"], FIRST)][outcome(t["replied"], due(t, FIRST))] += 1
        sla[(t["queue"], RESOLUTION)][outcome(t["resolved"], due(t, RESOLUTION))] += 1
    got = {(r["queue"], r["service_level"]): r for r in report["sla"]}
    assert set(got) == set(sla), (sorted(got), sorted(sla))
    for key, want in sla.items():
        r = got[key]
        counts = {s: r[s] for s in ("met", "met_late", "breached", "open", "not_started")}
        assert counts == {s: want[s] for s in counts}, (key, r)
        done = want["met"] + want["met_late"] + want["breached"]
        assert r["met_percent"] == pytest.approx(100 * want["met"] / done if done else None), (key, r)
        assert r["queue_post_id"] == queues[key[0]] and r["title"], r
    assert got[("客服组", FIRST)]["clock"] == "first_response"
    assert (got[("投诉组", FIRST)]["met"], got[("投诉组", FIRST)]["breached"]) == (1, 1)
    # The report agrees with the deadlines each ticket shows (the SLA log).
    for t in tickets.values():
        shown = {d["service_level"]: d["state"]
                 for d in ok(lead.get(f"/api/v1/service/tickets/{t['id']}"))["deadlines"]}
        assert shown[FIRST] == outcome(t["replied"], due(t, FIRST)), (t, shown)

    # Complaints: by category and state, the 客户反馈表's state, the time to a satisfied answer.
    complaints = [t for t in tickets.values() if t["complaint"]]
    c = report["complaints"]
    assert c["total"] == len(complaints) and sorted(c["ticket_ids"]) == sorted(t["id"] for t in complaints)
    assert {r["category"]: r["count"] for r in c["by_category"]} == {"物流": 1, "服务态度": 1}
    states = defaultdict(int)
    for t in complaints:
        states["resolved" if t["resolved"] else "open"] += 1
    assert {r["state"]: r["count"] for r in c["by_state"]} == states
    forms = defaultdict(int)
    for t in complaints:
        for p in ok(lead.get(f"/api/v1/service/tickets/{t['id']}"))["procedures"]:
            assert p["procedure"] == "r06-complaint", p  # cn-default's 客户反馈表
            forms[f"{p['procedure']}/{p['state']}"] += 1
    assert {r["form_state"]: r["count"] for r in c["by_form_state"]} == forms and forms, c
    assert all(r["title"] for r in c["by_form_state"]), c
    hours = [(at - tickets[n]["created"]).total_seconds() / 3600 for n, at, s in answers
             if s and tickets[n]["complaint"]]
    assert c["satisfied"] == len(hours) == 1
    assert c["median_hours_to_satisfied"] == pytest.approx(statistics.median(hours))

    # On-time shipping per agent: shipped by the cut-off (the end of the day the order was taken).
    ship_rows = defaultdict(lambda: [0, 0])
    for o in orders.values():
        ship_rows[o["person"]][0] += 1
        ship_rows[o["person"]][1] += day_of(o["shipped"]) == day_of(o["created"])
    s = report["shipping"]
    assert {r["person_id"]: [r["shipped"], r["on_time"]] for r in s["by_agent"]} == ship_rows
    assert (s["shipped"], s["on_time"], s["late"]) == (3, 2, 1)
    assert s["on_time_percent"] == pytest.approx(200 / 3)

    # One day: only what happened on 12-08, and SLA rows of the deadlines started that day (t5).
    day2 = ok(lead.get(f"/api/v1/service/reports?site_id={site}&from=2026-12-08&to=2026-12-08"))
    assert {r["day"] for r in day2["agents"]} == {"2026-12-08"}
    assert {(r["queue"], r["service_level"]): (r["met"], r["open"]) for r in day2["sla"]} == {
        ("客服组", FIRST): (1, 0), ("客服组", RESOLUTION): (0, 1)}
    assert day2["complaints"]["total"] == 0 and day2["complaints"]["median_hours_to_satisfied"] is None

    # The XLSX: one sheet per report, Chinese headers, the same figures.
    path = f"/api/v1/service/reports/export.xlsx?site_id={site}&from=2026-12-07&to=2026-12-08"
    r = lead.get(path)
    assert r.status == 200 and r.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), r
    book = sheets(fetch_bytes(clock, lead, path))
    assert list(book) == ["客服日报", "SLA达成", "投诉分析", "发货及时率"], list(book)
    daily = book["客服日报"]
    header = daily[1]
    assert header[:7] == ["日期", "客服", "接待量", "解决", "重新打开", "成交订单", "首次回复"], header
    by_key = {(row[0], row[1]): dict(zip(header, row)) for row in daily[2:]}
    x = by_key[("2026-12-07", "演示·吴客服")]
    want = rows[("2026-12-07", p1)]
    assert (x["接待量"], x["解决"], x["成交订单"], x["首次回复"]) == (
        want["received"], want["resolved"], want["orders"], want["first_responses"]), x
    assert x["首次回复中位时长（分钟）"] == pytest.approx(55) and x["时限内占比（%）"] == pytest.approx(50)
    assert x["满意率（%）"] == pytest.approx(100) and x["按时发货"] == 1, x
    assert len(daily) - 2 == len(rows)
    sla_sheet = book["SLA达成"]
    header = sla_sheet[1]
    got = {(row[0], row[2]): dict(zip(header, row)) for row in sla_sheet[2:]}
    for key, want in sla.items():
        assert (got[key]["按时"], got[key]["超时后完成"], got[key]["已超时未完成"], got[key]["计时中"]) == (
            want["met"], want["met_late"], want["breached"], want["open"]), (key, got[key])
    complaint_sheet = book["投诉分析"]
    assert complaint_sheet[1] == ["投诉总数", "客户已满意", "至客户满意中位时长（小时）"]
    assert complaint_sheet[2] == [2, 1, pytest.approx(3)], complaint_sheet
    flat = [cell for row in complaint_sheet for cell in row]
    assert "物流" in flat and "服务态度" in flat and "已解决" in flat and "处理中" in flat, flat
    shipping_sheet = book["发货及时率"]
    assert shipping_sheet[1] == ["客服", "发货", "按时", "延迟", "及时率（%）"]
    assert shipping_sheet[-1][:4] == ["合计", 3, 2, 1] and shipping_sheet[-1][4] == pytest.approx(200 / 3)

    # Who reads them, and bad input: each refusal with its reason.
    base = f"/api/v1/service/reports?site_id={site}"
    refused(cs1.get(f"{base}&from=2026-12-07&to=2026-12-08"), 403, "service.reports_denied")
    refused(cs1.get(path), 403, "service.reports_denied")
    assert ok(admin.get(f"{base}&from=2026-12-07&to=2026-12-08"))["agents"] == report["agents"]
    refused(lead.get(f"{base}&from=2026-02-30&to=2026-12-08"), 400, "invalid", "from")
    refused(lead.get(f"{base}&from=2026-12-07&to=12/08"), 400, "invalid", "to")
    refused(lead.get(f"{base}&to=2026-12-08"), 400, "required", "from")
    refused(lead.get(f"{base}&from=2026-12-08&to=2026-12-07"), 400, "service.report_range", "to")
    refused(lead.get(f"{base}&from=2026-09-01&to=2026-12-02"), 400, "service.report_range", "to")
    assert ok(lead.get(f"{base}&from=2026-09-01&to=2026-12-01"))["agents"] == []  # 92 days
    refused(lead.get("/api/v1/service/reports?site_id=999999&from=2026-12-07&to=2026-12-08"), 404,
            "service.unknown_site")
    refused(lead.get("/api/v1/service/reports/export.xlsx?site_id=999999&from=2026-12-07&to=2026-12-08"),
            404, "service.unknown_site")
