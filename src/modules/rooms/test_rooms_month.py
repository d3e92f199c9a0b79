"""A month of the rest building and the dormitory (休息室/宿舍, R04 with R01 and R18's rooms) at an
accelerated clock, over HTTP, on both backends (issue 19's done-when, §1's part). December 2026 —
a month the business calendar gives no 调休 or holiday (policies/cn-default/calendars), so its
working days are its weekdays:

* six staff apply, eligibility read from the facts the office recorded from their files (R04 §一1-3
  for a rest room, R04 §住宿·1 for the dormitory), never stated by them: the four eligible are
  filed and the office approves them (R04 §二1), the two ineligible are refused by the pack;
* allocation under the approved applications, one refused because its room is full; a 舍长 per
  room who keeps the room's key (R04 §二1); a spare key issued, returned, and returned twice refused;
* check-ins in the rest building, flagged inside 工作时间 (R04 §二12 8:00-11:30, 1:30-5:00 on
  working days) unless the 部长 approved a late stay, never on a Saturday;
* the office inspects: a flag rectified in time (met), and a hygiene flag whose re-inspection
  still fails, so the 限期 breaches and R04-VIOLATION charges the room's 舍长 (舍长负责本房间卫生)
  the fine of this site's `r04_fine_yuan` (R04 gives no amount: 50 元 is this test site's);
* damage reported in a room of each place: only R01's procedure starts in the 员工休息室, only R18's
  in the 实验室休息室, none in the 职工休息楼, where the office settles it (repair, 照价赔偿);
* a resident leaves employment: the one-week move-out (R04 §二13) is met when the bed is released
  and the key is back; the leaver is not housed again.

Every other post of the demo is marked not staffed (不设岗) so its duties do not fall due (not this
scenario's subject, as in test_lounge_month). Every expectation — requests by state, occupants,
keys, check-ins flagged, deadlines by state, the violation and its fine, procedures, notices and
journal records by kind — is computed here from the plan and the regulation, never read back."""
import datetime as dt

import pytest

from zhidu_harness import Actor, all_items, clock_server, ok, staff_only

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 1, 8, 30, tzinfo=TZ)  # a Tuesday
END = dt.datetime(2026, 12, 31, 23, 0, tzinfo=TZ)
FINE = 50  # this site's r04_fine_yuan (R04 §检查 处以罚款 gives no amount)
PASSWORD = "rooms-month-1"
ITEMS = ["belongings", "walls", "hygiene", "electrics", "pets", "litter"]  # cn-default r04-inspection
WINDOWS = [(dt.time(8, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))]  # R04 §二12

# The staff: name, the application they file, the facts the office records from their files.
STAFF = {
    "A": ("赵一", "r04-rest-room", {"manual_worker": True, "has_office": True, "special_need": False}),
    "B": ("钱二", "r04-rest-room", {"manual_worker": False, "has_office": False, "special_need": False}),
    "C": ("孙三", "r04-rest-room", {"manual_worker": False, "has_office": True, "special_need": True}),
    "D": ("李四", "r04-rest-room", {"manual_worker": False, "has_office": True, "special_need": False}),
    "E": ("周五", "r04-dormitory", {"young": True, "married": False}),
    "F": ("吴六", "r04-dormitory", {"young": True, "married": True}),
}
ELIGIBLE = {  # the regulation's conditions, as the pack's preconditions state them
    "r04-rest-room": lambda f: f["manual_worker"] or not f["has_office"] or f["special_need"],  # R04 §一
    "r04-dormitory": lambda f: f["young"] and not f["married"],  # R04 §住宿·1 未婚青年职工
}
ROOMS = {  # name: (place, beds)
    "101": ("职工休息楼", 2), "102": ("职工休息楼", 1), "宿舍201": ("职工宿舍", 2),
    "员工休息室1": ("员工休息室", 1), "实验室休息室1": ("实验室休息室", 1),
}
KEYS = {"K101-1": "101", "K101-2": "101", "K102-1": "102", "K201-1": "宿舍201"}
# Allocations in order: (who, room); A fills 102, so C's try there is refused (room full).
ALLOCATIONS = [("A", "102"), ("C", "102"), ("C", "101"), ("B", "101"), ("E", "宿舍201")]
LEADERS = {"101": "B", "102": "A", "宿舍201": "E"}  # 每个休息室选出一名舍长
# The 舍长 keeps the room's key (房间钥匙由舍长保管); a spare goes to C and comes back.
ISSUED = [("K101-1", "B"), ("K102-1", "A"), ("K201-1", "E"), ("K101-2", "C")]
PROCEDURE_OF_PLACE = {"员工休息室": ["r01-damage"], "实验室休息室": ["r18-damage"], "职工休息楼": []}


def at(day, hh, mm=0):
    return dt.datetime(2026, 12, day, hh, mm, tzinfo=TZ)


# Check-ins in the rest building (R04 §二12): (time, who, room).
PRESENCE = [
    (at(4, 12, 10), "C", "101"),  # Friday lunch break
    (at(4, 14, 0), "B", "101"),  # Friday afternoon: in 工作时间
    (at(5, 10, 0), "C", "101"),  # Saturday: no 工作时间
    (at(8, 9, 15), "A", "102"),  # Tuesday morning, before the late stay is approved
    (at(9, 9, 15), "A", "102"),  # approved since Dec 8 10:00 by the 部长
    (at(9, 17, 30), "B", "101"),  # after work
    (at(10, 7, 50), "C", "101"),  # before work
    (at(11, 11, 29), "C", "101"),  # the last minute of the morning window
]
LATE_STAY = ("A", at(8, 9, 20), at(8, 10, 0))  # who, filed, approved (需由部长批准)
# Inspections: (time, room, flagged items, deadline). 102's flag is rectified by Dec 9; 101's
# hygiene is still dirty at the re-inspection, so its 限期 (Dec 16 10:00) breaches.
INSPECTIONS = [
    (at(7, 10, 0), "101", {}, None),
    (at(7, 10, 30), "102", {"belongings": "flag"}, "3d"),
    (at(9, 10, 30), "102", {}, None),
    (at(14, 10, 0), "101", {"hygiene": "flag"}, "2d"),
    (at(16, 9, 0), "101", {"hygiene": "fail"}, None),
    (at(21, 10, 0), "101", {}, None),  # rectified at last, after the fine: the deadline is met late
]
DAMAGE = [(at(17, 10, 0), "101", "墙面粘钩", "C"), (at(17, 10, 5), "员工休息室1", "储物柜门", None),
          (at(17, 10, 10), "实验室休息室1", "微波炉", None)]
SETTLE = {"101": {"repair": True, "compensation_fen": 3000, "note": "照价赔偿：粘钩损坏墙面"}}
LEAVER = ("A", at(21, 9, 0))  # 离职: one week to move out (R04 §二13)
RELEASE = at(23, 10, 0)
KEY_BACK = at(24, 10, 0)


def is_working_day(t):
    return t.weekday() < 5  # December 2026: no holiday, no 调休 in the calendar file


def flagged(t, who):
    in_window = is_working_day(t) and any(a <= t.time() < b for a, b in WINDOWS)
    excused = who == LATE_STAY[0] and t >= LATE_STAY[2]
    return in_window and not excused


class Member(Actor):
    """A signed-in account this test created (signs in again when the session ends)."""

    def __init__(self, server, username):
        super().__init__(server, username)

    def _login(self):
        r = self.client.login(self.username, PASSWORD)
        assert r.status == 200, r


@pytest.fixture
def month(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def test_a_month_of_the_rest_building(month):
    srv = month
    admin, office, head = Actor(srv, "admin"), Actor(srv, "office"), Actor(srv, "head")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    now = [START]

    def clock(t):
        """Moves the test clock to `t` a day at most per step (a longer jump can outrun the client's
        30 s on PostgreSQL under load)."""
        assert t >= now[0], (t, now[0])
        while t > now[0]:
            step = min(t, now[0] + dt.timedelta(days=1))
            ok(admin.post("/api/v1/test/clock", {"to": step.isoformat()}))
            now[0] = step

    staff_only(admin, site, None, "本月仅宿舍")
    ok(admin.call("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan", {"value": str(FINE)}))

    # The staff and their accounts (全体员工), the office's records of them (住宿资格信息).
    person, member = {}, {}
    for key, (name, _, facts) in STAFF.items():
        pid = ok(admin.post("/api/v1/people", {"site_id": site, "name": name}), 201)["id"]
        ok(admin.post("/api/v1/accounts", {
            "username": f"dorm{key.lower()}", "password": PASSWORD, "person_id": pid,
            "roles": [{"role": "员工", "scope_kind": "site", "scope_id": site}]}), 201)
        person[key], member[key] = pid, Member(srv, f"dorm{key.lower()}")
        body = {"facts": {f"applicant.{k}": v for k, v in facts.items()}}
        ok(office.call("PUT", f"/api/v1/room-facts/{pid}", body))
    name_of = {pid: STAFF[k][0] for k, pid in person.items()}
    rooms = {}
    for name, (place, beds) in ROOMS.items():
        rooms[name] = ok(office.post("/api/v1/rooms", {"site_id": site, "name": name, "place": place,
                                                      "beds": beds}), 201)["id"]
    keys = {label: ok(office.post(f"/api/v1/rooms/{rooms[room]}/keys", {"label": label}), 201)["id"]
            for label, room in KEYS.items()}

    # Dec 1 10:00: the applications; the pack refuses the ineligible from the recorded facts.
    clock(at(1, 10))
    applications = {}
    for key, (_, type_, facts) in STAFF.items():
        r = member[key].post("/api/v1/room-applications", {"site_id": site, "type": type_})
        if ELIGIBLE[type_](facts):
            applications[key] = ok(r, 201)["id"]
            assert r.json()["state"] == "pending"
        else:
            assert r.status == 409 and r.json()["error"]["reason"] == "request.precondition_unmet", r
    assert sorted(applications) == ["A", "B", "C", "E"]
    # Dec 2: the office decides (R04 §二1 服从办公室统一安排).
    clock(at(2, 9, 30))
    for rid in applications.values():
        assert ok(office.post(f"/api/v1/requests/{rid}/decisions", {"approve": True}), 201)["state"] == "approved"

    # Dec 3: allocations under the applications, one to a full room refused; the 舍长; the keys.
    clock(at(3, 9))
    occupants = {name: [] for name in ROOMS}
    allocated = 0
    for key, room in ALLOCATIONS:
        r = office.post(f"/api/v1/rooms/{rooms[room]}/allocations",
                        {"person_id": person[key], "request_id": applications[key]})
        if len(occupants[room]) == ROOMS[room][1]:
            assert r.status == 409 and r.json()["error"]["reason"] == "rooms.room_full", r
        else:
            ok(r, 201)
            occupants[room].append(person[key])
            allocated += 1
    clock(at(3, 9, 30))
    for room, key in LEADERS.items():
        assert ok(office.call("PUT", f"/api/v1/rooms/{rooms[room]}/leader",
                              {"person_id": person[key]}))["leader_person_id"] == person[key]
    for label, key in ISSUED:
        assert ok(office.post(f"/api/v1/room-keys/{keys[label]}/issue", {"person_id": person[key]}))["state"] == "issued"
    clock(at(4, 12))
    assert ok(office.post(f"/api/v1/room-keys/{keys['K101-2']}/return", {"note": "备用钥匙交回"}))["state"] == "kept"
    twice = office.post(f"/api/v1/room-keys/{keys['K101-2']}/return", {"note": "再次交回"})
    assert twice.status == 409 and twice.json()["error"]["reason"] == "rooms.key_not_issued", twice

    # The rest of the month, in time order.
    events = [(t, 0, "presence", (who, room)) for t, who, room in PRESENCE]
    events += [(LATE_STAY[1], 1, "late_stay_filed", None), (LATE_STAY[2], 1, "late_stay_approved", None)]
    events += [(t, 2, "inspect", (room, bad, deadline)) for t, room, bad, deadline in INSPECTIONS]
    events += [(t, 3, "damage", (room, item, who)) for t, room, item, who in DAMAGE]
    events += [(LEAVER[1], 4, "leaver", LEAVER[0]), (at(22, 9), 4, "rehouse", LEAVER[0]),
               (RELEASE, 4, "release", LEAVER[0]), (KEY_BACK, 4, "key_back", LEAVER[0])]
    events.sort(key=lambda e: (e[0], e[1]))
    late_stay = None
    inspections, damage = [], {}
    leader_of = {room: person[key] for room, key in LEADERS.items()}
    for t, _, what, arg in events:
        clock(t)
        if what == "presence":
            who, room = arg
            v = ok(member[who].post(f"/api/v1/rooms/{rooms[room]}/presence", {}), 201)
            assert v["flagged"] is flagged(t, who), (t, who, v)
            assert (v["late_stay_request"] is not None) == (who == LATE_STAY[0] and t >= LATE_STAY[2]), v
        elif what == "late_stay_filed":
            late_stay = ok(member[LATE_STAY[0]].post("/api/v1/requests", {
                "site_id": site, "type": "r04-late-stay", "reason": "设备检修，午前延后"}), 201)["id"]
        elif what == "late_stay_approved":
            ok(head.post(f"/api/v1/requests/{late_stay}/decisions", {"approve": True}), 201)
        elif what == "inspect":
            room, bad, deadline = arg
            body = {"answers": {i: bad.get(i, "pass") for i in ITEMS}}
            if deadline:
                body["deadline"] = deadline
            v = ok(office.post(f"/api/v1/rooms/{rooms[room]}/inspections", body), 201)
            assert v["person_id"] == leader_of[room], v  # 舍长负责本房间卫生等方面管理
            inspections.append((t, room, bad, deadline, v))
        elif what == "damage":
            room, item, who = arg
            body = {"item": item, **({"person_id": person[who]} if who else {})}
            d = ok(office.post(f"/api/v1/rooms/{rooms[room]}/damage", body), 201)
            damage[room] = d
            if room in SETTLE:
                s = ok(office.post(f"/api/v1/room-damage/{d['id']}/settle", SETTLE[room]))
                assert s["repair_id"] and s["compensation_fen"] == SETTLE[room]["compensation_fen"], s
        elif what == "leaver":
            ok(office.post("/api/v1/room-leavers", {"person_id": person[arg], "note": "合同到期离职"}), 201)
        elif what == "rehouse":
            r = office.post(f"/api/v1/rooms/{rooms['宿舍201']}/allocations", {"person_id": person[arg]})
            assert r.status == 409 and r.json()["error"]["reason"] == "rooms.person_left", r
        elif what == "release":
            room = next(n for n, o in occupants.items() if person[arg] in o)
            v = ok(office.post(f"/api/v1/rooms/{rooms[room]}/release", {"person_id": person[arg]}))
            occupants[room].remove(person[arg])
            assert v["leader_person_id"] is None  # the leaver was the room's 舍长
            leader_of[room] = None
        elif what == "key_back":
            label = next(lb for lb, k in ISSUED if k == arg)
            ok(office.post(f"/api/v1/room-keys/{keys[label]}/return", {"note": "离职收回"}))
    clock(END)

    # What the regulations imply, recomputed from the plan.
    # Requests: the eligible applications and the late stay approved; nothing filed for the others.
    reqs = [r for r in all_items(admin, f"/api/v1/requests?site_id={site}&limit=200")
            if r["type"].startswith("r04-")]
    assert sorted((r["type"], r["applicant_person_id"], r["state"]) for r in reqs) == sorted(
        [(STAFF[k][1], person[k], "approved") for k in applications] + [("r04-late-stay", person["A"], "approved")])

    # Occupants, leaders and keys at the month's end.
    leaver = person[LEAVER[0]]
    for name, rid in rooms.items():
        room = ok(office.get(f"/api/v1/rooms/{rid}"))
        assert [b["person_id"] for b in room["beds"] if b["person_id"]] == occupants[name], (name, room)
        assert room["leader_person_id"] == leader_of.get(name), (name, room)
    holders = {}
    for label, key in ISSUED:
        holders[label] = None if key in ("C", LEAVER[0]) else person[key]
    for label, kid in keys.items():
        k = next(k for k in ok(office.get(f"/api/v1/rooms/{rooms[KEYS[label]]}"))["keys"] if k["id"] == kid)
        assert (k["state"], k["holder_person_id"]) == (("issued", holders[label]) if holders[label] else ("kept", None)), k
        assert "R04 §二8" in k["copy_rule_clauses"], k  # 房间钥匙不得私配

    # Check-ins: each day's flagged as R04 §二12 implies.
    for day in sorted({t.day for t, _, _ in PRESENCE}):
        want = sorted((who, flagged(t, who)) for t, who, room in PRESENCE if t.day == day and room == "101")
        got = ok(office.get(f"/api/v1/rooms/{rooms['101']}/presence?date=2026-12-{day:02d}"))["items"]
        assert sorted((next(k for k, p in person.items() if p == g["person_id"]), g["flagged"]) for g in got) == want

    # Deadlines: one rectification met (102), one breached and then met late (101); the move-out met.
    by_level = {}
    for d in all_items(admin, f"/api/v1/deadlines?site_id={site}&limit=200"):
        by_level.setdefault(d["service_level"], []).append((d["ref"], d["state"], d["person_id"]))
    opened = [(room, v) for _, room, bad, dl, v in inspections if dl]
    rectify_state = {"102": "met", "101": "met_late"}
    assert sorted(by_level["r04-rectify"]) == sorted(
        (f"room-inspection/{v['id']}", rectify_state[room], person[LEADERS[room]]) for room, v in opened)
    assert by_level["r04-move-out"] == [(f"room-leaver/{leaver}", "met", leaver)]
    [rect101] = [d for d in all_items(admin, f"/api/v1/deadlines?site_id={site}&ref=room-inspection/{opened[1][1]['id']}")]
    assert dt.datetime.fromisoformat(rect101["due_at"]) == at(14, 10) + dt.timedelta(days=2)

    # The fine: one R04-VIOLATION, on the 101 舍长, this site's amount; nothing else of R01/R04/R18.
    viol = [v for v in all_items(admin, f"/api/v1/violations?site_id={site}&limit=200")
            if v["code"].split("-")[0] in ("R01", "R04", "R18")]
    assert [(v["code"], v["person_id"], v["fine_yuan"]) for v in viol] == [("R04-VIOLATION", person["B"], FINE)]
    assert dt.datetime.fromisoformat(viol[0]["occurred_at"]) == at(16, 10), viol[0]

    # Procedures by place (issue 19 §4): only the place's own.
    procedure_ids = {}
    for room, d in damage.items():
        procs = all_items(admin, f"/api/v1/procedures?site_id={site}&ref={d['ref']}")
        assert sorted(p["procedure"] for p in procs) == PROCEDURE_OF_PLACE[ROOMS[room][0]], (room, procs)
        procedure_ids.update({p["id"]: p["procedure"] for p in procs})

    # The journal, by kind.
    kinds = {}
    for j in all_items(admin, "/api/v1/journal?limit=500"):
        kinds.setdefault(j["kind"], []).append(j)
    n = lambda kind: len(kinds.get(kind, []))  # noqa: E731
    assert n("rooms.room.created") == len(ROOMS) and n("rooms.key.added") == len(KEYS)
    assert n("rooms.facts.recorded") == len(STAFF)
    assert n("rooms.bed.allocated") == allocated == len(ALLOCATIONS) - 1  # one refused: room full
    assert n("rooms.bed.released") == 1 and n("rooms.leader.set") == len(LEADERS)
    assert n("rooms.key.issued") == len(ISSUED) and n("rooms.key.returned") == 2 and n("rooms.key.lost") == 0
    assert n("rooms.presence.recorded") == len(PRESENCE)
    flagged_titles = [j for j in kinds["rooms.presence.recorded"] if j["payload"]["flagged"]]
    assert len(flagged_titles) == sum(flagged(t, w) for t, w, _ in PRESENCE)
    assert all(j["payload"]["title"] and j["payload"]["clauses"] == ["R04 §二12"] for j in flagged_titles)
    assert n("rooms.inspection.recorded") == len(INSPECTIONS)
    assert n("rooms.damage.reported") == len(DAMAGE) and n("rooms.damage.settled") == len(SETTLE)
    assert n("rooms.leaver.recorded") == 1 and n("rooms.leaver.moved_out") == 1
    moved = kinds["rooms.leaver.moved_out"][0]
    assert dt.datetime.fromisoformat(moved["at"]) == KEY_BACK, moved
    breached = [j for j in kinds.get("deadline.breached", []) if j["payload"].get("ref", "").startswith("room-")]
    assert [j["payload"]["ref"] for j in breached] == [f"room-inspection/{opened[1][1]['id']}"]
    # Notices: R01's procedure tells the office (R01 §二 及时上报), R18's the lab's head (R18 §三3
    # 第一时间通知实验室负责人), once each.
    notices = sorted((procedure_ids[j["payload"]["id"]], tuple(j["payload"]["notify_roles"]))
                     for j in kinds.get("procedure.notified", []) if j["payload"]["id"] in procedure_ids)
    assert notices == [("r01-damage", ("办公室",)), ("r18-damage", ("实验室负责人",))], notices

    leavers = ok(office.get(f"/api/v1/room-leavers?site_id={site}"))["items"]
    assert [(v["person_id"], v["has_bed"], v["keys_held"], dt.datetime.fromisoformat(v["moved_out_at"]))
            for v in leavers] == [(leaver, False, 0, KEY_BACK)]
    assert name_of[leaver] == leavers[0]["person_name"]
    srv.stop()
    v = srv.verify()
    assert v.returncode == 0, v.stdout + v.stderr
