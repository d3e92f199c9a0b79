"""What the fire control room's operators should be (R20 §二1: 应具有高中以上的文化程度…年龄宜在18至45
周岁之间), over HTTP on both backends:

* a person's birth date and education are recorded (POST /people, PATCH /people/{id}), validated,
  journaled, and a refused change writes nothing;
* a roster of the 消防控制室值班岗 checks them: education below the post's 高中以上 (应, shall) is a
  warning that blocks publishing, in the site's own order of levels (site parameter
  education_levels — the regulations give none); an age outside 18-45 (宜, should) is advice that
  never blocks; what cannot be checked (no birth date, no education, no order) is advice too.
Every finding cites R20 §二1."""
import datetime as dt

from test_rosters import Org, next_month, ok
from zhidu_harness import Actor, all_items

CERT = "消防设施操作员证"
LEVELS = "初中,高中/中专/技校,大专,本科"


def call(client, method, path, body):
    return client.request(method, path, body=body)


def journal(admin, kind):
    return [i for i in all_items(admin, "/api/v1/journal?limit=500") if i["kind"] == kind]


def years_before(day, years):
    """The date `years` calendar years before `day` (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def test_birth_date_and_education_are_recorded_validated_and_journaled(server, admin):
    site = ok(admin.post("/api/v1/sites", {"name": "资质站-记录"}), 201)["id"]
    # Bad input on create: a clear 400 naming the field, and no person written.
    people_before = len(ok(admin.get(f"/api/v1/people?site_id={site}&limit=200"))["items"])
    tomorrow_plus = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    for body, field, words in (
            ({"birth_date": "1990-02-30"}, "birth_date", "YYYY-MM-DD"),
            ({"birth_date": "19900101"}, "birth_date", "YYYY-MM-DD"),
            ({"birth_date": tomorrow_plus}, "birth_date", "future"),
            ({"birth_date": "1850-01-01"}, "birth_date", "1900"),
            ({"birth_date": 1990}, "birth_date", "string"),
            ({"education": "高" * 21}, "education", "20")):
        r = admin.post("/api/v1/people", {"site_id": site, "name": "资质·错", **body})
        assert r.status == 400, (body, r)
        err = r.json()["error"]
        assert err["field"] == field and words in err["message"], (body, err)
    assert len(ok(admin.get(f"/api/v1/people?site_id={site}&limit=200"))["items"]) == people_before

    p = ok(admin.post("/api/v1/people", {"site_id": site, "name": "资质·甲", "birth_date": "1990-05-01",
                                         "education": "高中"}), 201)
    assert (p["birth_date"], p["education"]) == ("1990-05-01", "高中")
    created = [j for j in journal(admin, "org.person.created") if j["subject"] == f"person/{p['id']}"]
    assert len(created) == 1 and created[0]["payload"]["birth_date"] == "1990-05-01", created

    # PATCH changes what it is given and keeps the rest; null clears.
    changed = ok(call(admin, "PATCH", f"/api/v1/people/{p['id']}", {"education": "大专"}))
    assert (changed["birth_date"], changed["education"]) == ("1990-05-01", "大专")
    cleared = ok(call(admin, "PATCH", f"/api/v1/people/{p['id']}", {"birth_date": None}))
    assert (cleared["birth_date"], cleared["education"]) == (None, "大专")
    assert ok(admin.get(f"/api/v1/people/{p['id']}"))["birth_date"] is None
    profile = [j for j in journal(admin, "org.person.profile_changed")
               if j["subject"] == f"person/{p['id']}"]
    assert len(profile) == 2, profile
    assert profile[0]["payload"] == {"birth_date": "1990-05-01", "education": "大专"}, profile
    assert profile[1]["payload"] == {"birth_date": "", "education": "大专"}, profile

    # Refused changes write nothing.
    for body, status, field in (({}, 400, None), ({"birth_date": "2001-13-01"}, 400, "birth_date"),
                                ({"education": 3}, 400, "education"),
                                ({"education": "本科", "name": "改名"}, 400, "name")):
        r = call(admin, "PATCH", f"/api/v1/people/{p['id']}", body)
        assert r.status == status, (body, r)
        if field:
            assert r.json()["error"]["field"] == field, (body, r.json())
    assert ok(call(admin, "PATCH", "/api/v1/people/987654321", {"education": "本科"}), 404)
    assert Actor(server, "cs1").call("PATCH", f"/api/v1/people/{p['id']}",
                                     {"education": "本科"}).status == 403
    after = ok(admin.get(f"/api/v1/people/{p['id']}"))
    assert (after["birth_date"], after["education"]) == (None, "大专")
    assert len([j for j in journal(admin, "org.person.profile_changed")
                if j["subject"] == f"person/{p['id']}"]) == 2


def test_fire_operators_education_blocks_and_age_advises_citing_r20_2_1(server, admin):
    first, _ = next_month()
    last = first + dt.timedelta(days=2)
    cert = (CERT, (first + dt.timedelta(days=400)).isoformat())
    fire = Org(admin, "消防控制室值班岗", "甲乙丙丁", 2, cert)
    people = [p for team in fire.teams for p in fire.people[team]]

    # Nothing recorded and no order of levels: everything is advice, and the roster publishes
    # only if its staffing is right — which it is (two certified on every shift).
    draft = ok(fire.generate("r09-four-team-three-shift", first, last), 201)
    assert draft["warnings"] == [], draft["warnings"]
    kinds = sorted(a["kind"] for a in draft["advice"])
    assert kinds == ["age_unknown"] * len(people) + ["education_levels_unset"], kinds
    assert all(a["clauses"] == ["R20 §二1"] for a in draft["advice"]), draft["advice"]
    assert {a["person_id"] for a in draft["advice"] if a["kind"] == "age_unknown"} == set(people)

    # The site's order of levels; everyone recorded, within range, at or above 高中 ...
    r = call(admin, "PUT", f"/api/v1/sites/{fire.site}/parameters/education_levels", {"value": LEVELS})
    assert r.status == 200, r
    born_ok = years_before(first, 30).isoformat()
    for p in people:
        ok(call(admin, "PATCH", f"/api/v1/people/{p}", {"birth_date": born_ok, "education": "中专"}))
    clean = ok(admin.get(f"/api/v1/rosters/{draft['id']}"))
    assert (clean["warnings"], clean["advice"]) == ([], []), (clean["warnings"], clean["advice"])

    # ... except: one below 高中 (应: blocks), one 46 and one 17 throughout (宜: advice only), and
    # one whose level is not in the site's order.
    low, old, young, odd = people[0], people[2], people[4], people[6]
    ok(call(admin, "PATCH", f"/api/v1/people/{low}", {"education": "初中"}))
    ok(call(admin, "PATCH", f"/api/v1/people/{old}",
                  {"birth_date": (years_before(first, 46) - dt.timedelta(days=1)).isoformat()}))
    # 18 the day after the roster ends: 17 on every shift of it.
    ok(call(admin, "PATCH", f"/api/v1/people/{young}",
                  {"birth_date": years_before(last + dt.timedelta(days=1), 18).isoformat()}))
    ok(call(admin, "PATCH", f"/api/v1/people/{odd}", {"education": "私塾"}))
    view = ok(admin.get(f"/api/v1/rosters/{draft['id']}"))
    assert [(w["kind"], w["person_id"]) for w in view["warnings"]] == [("education", low)], view["warnings"]
    assert view["warnings"][0]["clauses"] == ["R20 §二1"] and "初中" in view["warnings"][0]["message"]
    advice = {(a["kind"], a["person_id"]): a for a in view["advice"]}
    assert set(advice) == {("age", old), ("age", young), ("education_unknown", odd)}, view["advice"]
    assert "46周岁" in advice[("age", old)]["message"]
    assert "17周岁" in advice[("age", young)]["message"]
    assert all(a["clauses"] == ["R20 §二1"] for a in view["advice"])

    refused = admin.post(f"/api/v1/rosters/{draft['id']}/publish")
    assert refused.status == 409, refused
    problems = refused.json()["error"]["problems"]
    assert [(p["kind"], p["person_id"]) for p in problems] == [("education", low)], problems
    assert ok(admin.get(f"/api/v1/rosters/{draft['id']}"))["state"] == "draft"

    # 高中以上 includes 高中 and its equivalents in the site's order: the roster publishes, and the
    # age advice stays on it (宜 never blocks).
    ok(call(admin, "PATCH", f"/api/v1/people/{low}", {"education": "技校"}))
    published = ok(admin.post(f"/api/v1/rosters/{draft['id']}/publish"))
    assert published["state"] == "published" and published["warnings"] == []
    assert {(a["kind"], a["person_id"]) for a in published["advice"]} == set(advice)


def test_a_29_february_birthday_is_reached_on_1_march(server, admin):
    # 2030 is not a leap year: someone born 2012-02-29 is 17 on 2030-02-28 and 18 on 2030-03-01.
    cert = (CERT, "2031-12-31")
    fire = Org(admin, "消防控制室值班岗", "甲乙丙丁", 2, cert)
    r = call(admin, "PUT", f"/api/v1/sites/{fire.site}/parameters/education_levels", {"value": LEVELS})
    assert r.status == 200, r
    people = [p for team in fire.teams for p in fire.people[team]]
    for p in people:
        ok(call(admin, "PATCH", f"/api/v1/people/{p}", {"birth_date": "1990-01-01", "education": "本科"}))
    leap = people[0]
    ok(call(admin, "PATCH", f"/api/v1/people/{leap}", {"birth_date": "2012-02-29"}))
    # Three days each: every team of the eight-day cycle works on at least one of them.
    for first, expect in ((dt.date(2030, 2, 26), ["17周岁"]), (dt.date(2030, 3, 1), [])):
        view = ok(fire.generate("r09-four-team-three-shift", first, first + dt.timedelta(days=2)), 201)
        ages = [a for a in view["advice"] if a["kind"] == "age"]
        if expect:
            assert len(ages) == 1 and ages[0]["person_id"] == leap, view["advice"]
            assert expect[0] in ages[0]["message"] and "2030-02-2" in ages[0]["message"], ages[0]
        else:
            assert ages == [], ages
