"""Rosters (排班) over HTTP on both backends: generated from the pack's shift patterns (三班二运转 of
R02, 四班三运转 of R09), shift instants across midnight in Asia/Shanghai, the fire control room's
staffing rules of R20 refusing publication (two on every shift, certificates, ≤12 h continuous),
overlaps, swaps, leave, substitution, the iCalendar feed and the .xlsx 排班表."""
import datetime as dt
import http.client
import io
import itertools
import re
import zipfile

import icalendar

TZ = dt.timezone(dt.timedelta(hours=8))
_counter = itertools.count(1)


def next_month():
    today = dt.date.today()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last = ((first + dt.timedelta(days=32)).replace(day=1)) - dt.timedelta(days=1)
    return first, last


def parse(s):
    return dt.datetime.fromisoformat(s)


def ok(r, status=200):
    assert r.status == status, (r.status, r.body[:2000])
    return r.json()


class Org:
    """A fresh site with a post, teams and people, created through the API."""

    def __init__(self, admin, post_name, teams, people_per_team, cert=None):
        self.admin = admin
        n = next(_counter)
        self.site = ok(admin.post("/api/v1/sites", {"name": f"排班站{n}-{post_name}"}), 201)["id"]
        self.post = ok(admin.post("/api/v1/posts", {"site_id": self.site, "name": post_name}), 201)["id"]
        self.teams, self.people, self.names = [], {}, {}
        for t in teams:
            team = ok(admin.post("/api/v1/teams", {"site_id": self.site, "name": f"{t}班"}), 201)["id"]
            self.teams.append(team)
            self.people[team] = []
            for i in range(people_per_team):
                self.add_person(team, f"{post_name[:2]}{t}{i}", cert)

    def add_person(self, team, name, cert=None):
        p = ok(self.admin.post("/api/v1/people", {"site_id": self.site, "team_id": team, "name": name}), 201)["id"]
        if cert:
            self.certify(p, *cert)
        self.people[team].append(p)
        self.names[p] = name
        return p

    def certify(self, person, kind, expires_on):
        ok(self.admin.post(f"/api/v1/people/{person}/certifications",
                           {"kind": kind, "number": f"X{person}", "expires_on": expires_on}), 201)

    def generate(self, pattern, first, last, **extra):
        body = {"site_id": self.site, "post_id": self.post, "pattern": pattern, "team_ids": self.teams,
                "first_day": first.isoformat(), "last_day": last.isoformat(), **extra}
        return self.admin.post("/api/v1/rosters", body)


def active(roster):
    return [a for a in roster["assignments"] if a["state"] == "active"]


def test_patterns_generate_shift_times_across_midnight_and_export(server, admin):
    first, last = next_month()
    days = (last - first).days + 1

    # 三班二运转 (R02 §三1): 白班 08:00-17:00, 夜班 17:00-08:00 the next day, cycle day → night → off.
    three = Org(admin, "中控值班岗", "甲乙丙", 1)
    r = ok(three.generate("r02-three-team-two-shift", first, last), 201)
    assert r["state"] == "draft" and r["warnings"] == []
    shifts = active(r)
    assert len(shifts) == 2 * days
    for a in shifts:
        start, end = parse(a["starts_at"]), parse(a["ends_at"])
        assert start.utcoffset() == dt.timedelta(hours=8) and end.utcoffset() == dt.timedelta(hours=8)
        if a["shift"] == "day":
            assert (start.hour, end.hour, end.date()) == (8, 17, start.date()) and a["shift_name"] == "白班"
        else:
            assert (start.hour, end.hour, end.date()) == (17, 8, start.date() + dt.timedelta(days=1))
            assert a["shift_name"] == "夜班" and end - start == dt.timedelta(hours=15)
    for d in range(days):
        on = sorted(a["shift"] for a in shifts if parse(a["starts_at"]).date() == first + dt.timedelta(days=d))
        assert on == ["day", "night"], (d, on)
    for person in itertools.chain(*three.people.values()):
        seq = [a["shift"] for a in shifts if a["person_id"] == person]
        days_on = sorted({parse(a["starts_at"]).date() for a in shifts if a["person_id"] == person})
        assert all((b - a).days in (1, 2) for a, b in zip(days_on, days_on[1:]))  # one day off in three
        assert all(x != y for x, y in zip(seq, seq[1:]))  # day, night, (off), day …
    published = ok(admin.post(f"/api/v1/rosters/{r['id']}/publish"))
    assert published["state"] == "published" and published["published_at"]
    again = ok(admin.post(f"/api/v1/rosters/{r['id']}/publish"), 409)
    assert "already published" in again["error"]["message"], again

    # 四班三运转 (R09 §三1): 00-08, 08-16, 16-24 — the late shift ends at the next local midnight.
    four = Org(admin, "中控值班岗四班", "甲乙丙丁", 1)
    r4 = ok(four.generate("r09-four-team-three-shift", first, last), 201)
    s4 = active(r4)
    assert len(s4) == 3 * days
    hours = {"early": (0, 8), "middle": (8, 16), "late": (16, 0)}
    for a in s4:
        start, end = parse(a["starts_at"]), parse(a["ends_at"])
        assert (start.hour, end.hour) == hours[a["shift"]] and end - start == dt.timedelta(hours=8)
        assert start.astimezone(dt.timezone.utc).hour == (hours[a["shift"]][0] - 8) % 24  # +08:00, no DST
    late = next(a for a in s4 if a["shift"] == "late")
    assert parse(late["ends_at"]).date() == parse(late["starts_at"]).date() + dt.timedelta(days=1)
    ok(admin.post(f"/api/v1/rosters/{r4['id']}/publish"))

    # Who is on which shift: one day of the site of the four-team roster.
    day = dt.datetime.combine(first + dt.timedelta(days=3), dt.time(0), TZ)
    q = f"/api/v1/shifts?site_id={four.site}&from={(day).isoformat()}&to={(day + dt.timedelta(days=1)).isoformat()}"
    on_day = ok(admin.get(q.replace("+", "%2B")))["items"]
    assert sorted(a["shift"] for a in on_day) == ["early", "late", "middle"]
    names = {a["shift"]: a["shift_name"] for a in on_day}
    assert names == {a["shift"]: a["shift_name"] for a in s4 if a["shift"] in names}, names
    assert all(names[k] != k for k in names), names  # 早班/中班/晚班, not the ids
    unbounded = ok(admin.get(f"/api/v1/shifts?site_id={four.site}"), 400)
    assert unbounded["error"]["field"] == "from", unbounded

    listed = ok(admin.get(f"/api/v1/rosters?site_id={three.site}"))["items"]
    assert [x["id"] for x in listed] == [r["id"]] and listed[0]["state"] == "published"
    # post_id narrows the list: the four-team post's roster, not the three-team one's.
    by_post = ok(admin.get(f"/api/v1/rosters?post_id={r4['post_id']}"))["items"]
    assert [x["id"] for x in by_post] == [r4["id"]], by_post
    assert ok(admin.get(f"/api/v1/rosters?post_id=abc"), 400)["error"]["field"] == "post_id"

    # The month's 排班表 as .xlsx: people as rows, days as columns, shift names in the cells.
    raw = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    raw.request("GET", f"/api/v1/rosters/{r['id']}/export.xlsx",
                headers={"Cookie": "; ".join(f"{k}={v}" for k, v in admin.cookies.items())})
    resp = raw.getresponse()
    data = resp.read()
    assert resp.status == 200, data[:500]
    assert resp.getheader("Content-Type").startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    for name in three.names.values():
        assert name in strings
    for word in ["姓名", "白班", "夜班", "排班表"]:
        assert word in strings, word
    assert len(re.findall(r"<row ", sheet)) == 2 + 3  # title, header, three people
    raw.close()


def test_fire_control_room_staffing_swaps_leave_substitution_and_calendar(server, admin):
    first, last = next_month()
    week_end = first + dt.timedelta(days=7)
    cert = ("消防设施操作员证", (first + dt.timedelta(days=400)).isoformat())
    fire = Org(admin, "消防控制室值班岗", "甲乙丙丁", 1, cert)

    # One per shift: R20 §四2 needs one to confirm an alarm on site while another stays at the console.
    one = ok(fire.generate("r09-four-team-three-shift", first, week_end), 201)
    assert one["warnings"] and all(w["kind"] == "alarm_staffing" for w in one["warnings"])
    refused = admin.post(f"/api/v1/rosters/{one['id']}/publish")
    assert refused.status == 409
    problems = refused.json()["error"]["problems"]
    assert len(problems) == 3 * 8 and all(p["rule"] == "r20-staffing" and p["clauses"] == ["R20 §一2"] for p in problems)
    assert ok(admin.get(f"/api/v1/rosters/{one['id']}"))["state"] == "draft"

    # Two per team — but one certificate expires on the third day: that person counts as none.
    expiring = None
    for i, team in enumerate(fire.teams):
        exp = (first + dt.timedelta(days=2)).isoformat() if i == 0 else cert[1]
        p = fire.add_person(team, f"消防{i}b", (cert[0], exp))
        expiring = expiring or p
    two = ok(fire.generate("r09-four-team-three-shift", first, week_end), 201)
    refused = admin.post(f"/api/v1/rosters/{two['id']}/publish")
    assert refused.status == 409
    problems = refused.json()["error"]["problems"]
    uncertified = [p for p in problems if p["kind"] == "uncertified"]
    assert [p["person_id"] for p in uncertified] == [expiring]
    assert any("持证" in c or "R20 §四5" == c for c in uncertified[0]["clauses"]), uncertified[0]
    short = [p for p in problems if p["kind"] == "alarm_staffing"]
    assert short and all(parse(p["starts_at"]).date() > first + dt.timedelta(days=1) for p in short)
    # Renewed: the same draft now publishes.
    fire.certify(expiring, cert[0], cert[1])
    assert ok(admin.get(f"/api/v1/rosters/{two['id']}"))["warnings"] == []
    roster = ok(admin.post(f"/api/v1/rosters/{two['id']}/publish"))
    shifts = active(roster)
    assert len(shifts) == 2 * 3 * 8

    # A published roster changes only by swap, leave, substitution.
    in_one = {a["person_id"] for a in one["assignments"]}
    early1 = next(a for a in shifts if a["shift"] == "early" and a["person_id"] not in in_one)
    day1 = parse(early1["starts_at"]).date().isoformat()
    r = admin.post(f"/api/v1/rosters/{two['id']}/assignments",
                   {"person_id": early1["person_id"], "shift": "middle", "day": day1})
    assert r.status == 409 and "published" in r.json()["error"]["message"]
    # Overlap: the draft `one` may not put a person on a shift they already work in a published roster.
    r = admin.post(f"/api/v1/rosters/{one['id']}/assignments",
                   {"person_id": early1["person_id"], "shift": "early", "day": day1})
    assert r.status == 409 and f"assignment {early1['id']}" in r.json()["error"]["message"], r.body
    assert r.json()["error"]["field"] == "person_id"
    r = admin.post(f"/api/v1/rosters/{one['id']}/assignments",
                   {"person_id": early1["person_id"], "shift": "dawn", "day": day1})
    assert r.status == 400 and r.json()["error"]["field"] == "shift"

    def touching(person, a):
        s, e = parse(a["starts_at"]), parse(a["ends_at"])
        return [b for b in active(ok(admin.get(f"/api/v1/rosters/{two['id']}")))
                if b["person_id"] == person and parse(b["starts_at"]) <= e and parse(b["ends_at"]) >= s]

    # ≤12 h continuous (R20 §一3/§四3): a middle-shift worker substituting the late shift that follows.
    late = next(a for a in shifts if a["shift"] == "late" and parse(a["starts_at"]).date() > first)
    same_day = parse(late["starts_at"]).date()
    middle = next(a for a in shifts if a["shift"] == "middle" and parse(a["starts_at"]).date() == same_day)
    r = admin.post(f"/api/v1/roster-assignments/{late['id']}/substitute",
                   {"substitute_person_id": middle["person_id"], "note": "代班"})
    assert r.status == 409 and "连续工作16小时" in r.json()["error"]["message"], r.body
    assert "R20 §一3" in r.json()["error"]["message"] or "R20 §四3" in r.json()["error"]["message"]
    assert any(a["id"] == late["id"] and a["state"] == "active"
               for a in ok(admin.get(f"/api/v1/rosters/{two['id']}"))["assignments"])

    # Accounts: a person on the roster, a colleague, and the shift lead (值班长) of the site.
    everyone = list(itertools.chain(*fire.people.values()))
    a = next(x for x in shifts if x["shift"] == "middle" and parse(x["starts_at"]).date() > first + dt.timedelta(days=2))
    requester = a["person_id"]
    colleague = next(p for p in everyone if p != requester and not touching(p, a))
    accounts = {}
    for name, person, roles in [("rq", requester, []), ("cl", colleague, []),
                                ("lead", 0, [{"role": "值班长", "scope_kind": "site", "scope_id": fire.site}])]:
        user = f"{name}{fire.site}"
        body = {"username": user, "password": "long-enough-pw", "roles": roles}
        if person:
            body["person_id"] = person
        ok(admin.post("/api/v1/accounts", body), 201)
        c = server.client()
        ok(c.login(user, "long-enough-pw"))
        accounts[name] = c

    swap = ok(accounts["rq"].post(f"/api/v1/roster-assignments/{a['id']}/swap",
                                  {"colleague_person_id": colleague, "reason": "家中有事"}), 201)
    assert swap["state"] == "pending"
    r = accounts["cl"].post(f"/api/v1/roster-assignments/{a['id']}/swap", {"colleague_person_id": requester})
    assert r.status == 403  # only the person on the shift asks
    r = accounts["cl"].post(f"/api/v1/roster-swaps/{swap['id']}/decision", {"decision": "approve"})
    assert r.status == 403  # the colleague is not the shift lead
    done = ok(accounts["lead"].post(f"/api/v1/roster-swaps/{swap['id']}/decision", {"decision": "approve", "note": "同意"}))
    assert done["state"] == "approved" and done["decided_by"]
    after = ok(admin.get(f"/api/v1/rosters/{two['id']}"))
    old = next(x for x in after["assignments"] if x["id"] == a["id"])
    new = next(x for x in after["assignments"] if x["replaces"] == a["id"])
    assert old["state"] == "swapped" and new["person_id"] == colleague and new["origin"] == "swap"
    assert new["starts_at"] == a["starts_at"] and after["warnings"] == []
    r = accounts["lead"].post(f"/api/v1/roster-swaps/{swap['id']}/decision", {"decision": "reject"})
    assert r.status == 409  # decided once

    # A swap the lead cannot approve (the colleague would work 16 h on end), then rejected.
    b = next(x for x in shifts if x["shift"] == "late" and x["person_id"] == requester
             and x["state"] == "active" and x["id"] != a["id"])
    day_b = parse(b["starts_at"]).date()
    tired = next(x["person_id"] for x in active(after) if x["shift"] == "middle"
                 and parse(x["starts_at"]).date() == day_b and x["person_id"] != requester)
    bad = ok(accounts["rq"].post(f"/api/v1/roster-assignments/{b['id']}/swap", {"colleague_person_id": tired}), 201)
    r = accounts["lead"].post(f"/api/v1/roster-swaps/{bad['id']}/decision", {"decision": "approve"})
    assert r.status == 409 and "连续工作" in r.json()["error"]["message"], r.body
    assert ok(accounts["lead"].post(f"/api/v1/roster-swaps/{bad['id']}/decision",
                                    {"decision": "reject", "note": "连续工作超过12小时"}))["state"] == "rejected"

    # Leave (请假): the person comes off the shift and the roster shows the shift short of two.
    r = accounts["rq"].post(f"/api/v1/roster-assignments/{b['id']}/leave", {"reason": "病假"})
    assert r.status == 403
    view = ok(accounts["lead"].post(f"/api/v1/roster-assignments/{b['id']}/leave", {"reason": "病假"}))
    warned = [w for w in view["warnings"] if w["starts_at"] == b["starts_at"]]
    assert [w["kind"] for w in warned] == ["alarm_staffing"] and "R20 §一2" in warned[0]["clauses"]
    r = accounts["lead"].post(f"/api/v1/roster-assignments/{b['id']}/leave", {"reason": "again"})
    assert r.status == 409

    # The iCalendar feed of the colleague, at a secret URL, without a session.
    tok = ok(accounts["cl"].post(f"/api/v1/people/{colleague}/ical-token"), 201)
    assert accounts["rq"].post(f"/api/v1/people/{colleague}/ical-token").status == 403
    anon = server.client()
    feed = anon.get(tok["url"])
    assert feed.status == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    text = feed.body
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H" or "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    tzs = [c for c in cal.walk("VTIMEZONE")]
    assert [str(t["TZID"]) for t in tzs] == ["Asia/Shanghai"]
    events = cal.walk("VEVENT")
    mine = [x for x in active(ok(admin.get(f"/api/v1/rosters/{two['id']}"))) if x["person_id"] == colleague]
    assert len(events) == len(mine) and mine
    by_uid = {str(e["UID"]): e for e in events}
    for x in mine:
        e = by_uid[f"roster-assignment-{x['id']}@zhidu"]
        start, end = e["DTSTART"].dt, e["DTEND"].dt
        assert e["DTSTART"].params["TZID"] == "Asia/Shanghai" and "DTSTAMP" in e
        assert start.utcoffset() == dt.timedelta(hours=8)
        assert start == parse(x["starts_at"]) and end == parse(x["ends_at"])
        assert "消防控制室值班岗" in str(e["SUMMARY"])
    assert anon.get("/ical/" + "0" * 48 + ".ics").status == 404
    ok(accounts["cl"].request("DELETE", f"/api/v1/people/{colleague}/ical-token"))
    assert anon.get(tok["url"]).status == 404

    # Bad input is a 4xx naming the field, nothing written.
    r = admin.post("/api/v1/rosters", {"site_id": fire.site, "post_id": fire.post, "pattern": "nope",
                                       "team_ids": fire.teams, "first_day": "2026-12-01", "last_day": "2026-12-02"})
    assert r.status == 400 and r.json()["error"]["field"] == "pattern"
    r = fire.generate("r09-four-team-three-shift", first, week_end, cycle_start="2026-13-01")
    assert r.status == 400 and r.json()["error"]["field"] == "cycle_start"
    r = admin.post("/api/v1/rosters", {"site_id": fire.site, "post_id": fire.post, "pattern": "r09-four-team-three-shift",
                                       "team_ids": fire.teams[:3], "first_day": "2026-12-01", "last_day": "2026-12-02"})
    assert r.status == 400 and r.json()["error"]["field"] == "team_ids"
    assert accounts["rq"].post("/api/v1/rosters", {"site_id": fire.site}).status in (400, 403)
    assert server.verify().returncode == 0
