"""Access-control (门禁) and CCTV recorder (录像机) gateways posting HMAC-signed events, on both
backends, against the real binary with the demo company. A local simulator signs each event as a
gateway would (hmac, hashlib): door events move a visit (entry, exit, and visitors_left when the
last visitor leaves, R02 §一4), recorder events register footage (R16 §二3 retention); bad or
missing signatures, stale timestamps, unknown sources, doors and cameras, and malformed JSON are
refused with nothing written; a repeated event id gets the first answer and writes nothing.
A person's card at a door the source maps to a room is a check-in there through the rooms module
(R04 §二12, on a test clock): flagged in the pack's working hours, excused by an approved
r04-late-stay, not flagged outside them; a replay writes nothing; bad doors and people are
refused with nothing written."""
import datetime as dt
import hashlib
import hmac
import http.client
import json
import time

import pytest

from zhidu_harness import DemoUsers, all_items, backend_server, clock_server

CST = dt.timezone(dt.timedelta(hours=8))
R12_ENTRY = "r12-control-room-entry"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request):
    s = backend_server(request.param)
    yield s
    s.kill()


class Demo(DemoUsers):
    def __init__(self, server):
        super().__init__(server)
        people = all_items(self.admin, "/api/v1/people?limit=200")
        self.person = {p["name"]: p["id"] for p in people}

    def visit(self, name="周来宾"):
        """A registered visit to 中控室 under an approved R12 entry request."""
        r = self.file("op1", R12_ENTRY)
        assert r.status == 201, r
        rid = r.json()["id"]
        r = self["guard_chief"].post(f"/api/v1/requests/{rid}/decisions",
                                     {"approve": True, "escort_person_id": self.person["演示·赵中控"]})
        assert r.status == 201 and r.json()["state"] == "approved", r
        r = self["op1"].post("/api/v1/visits", {"site_id": self.site, "place": "中控室",
                                                "request_id": rid, "name": name, "reason": "设备检修",
                                                "visitor_signed": True})
        assert r.status == 201, r
        return r.json()["id"]


@pytest.fixture(scope="module")
def demo(srv):
    d = Demo(srv)
    yield d
    d.close()


class Gateway:
    """The simulator: posts events to /api/v1/integrations/{kind}/{name}/events, signed with
    HMAC-SHA256(secret, timestamp + "." + body) as docs/operations.md says."""

    def __init__(self, server, kind, name, secret):
        self.server, self.kind, self.name, self.secret = server, kind, name, secret

    def raw(self, body, headers=None, path=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.request("POST", path or f"/api/v1/integrations/{self.kind}/{self.name}/events",
                         body=body, headers={"Content-Type": "application/json", **(headers or {})})
            r = conn.getresponse()
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
        finally:
            conn.close()

    def sign(self, body, ts=None, secret=None):
        ts = str(int(time.time()) if ts is None else ts)
        mac = hmac.new((secret or self.secret).encode(), ts.encode() + b"." + body, hashlib.sha256)
        return {"X-Zhidu-Timestamp": ts, "X-Zhidu-Signature": "sha256=" + mac.hexdigest()}

    def send(self, event, **sign):
        body = json.dumps(event, ensure_ascii=False).encode()
        return self.raw(body, self.sign(body, **sign))


def source(demo, name, kind, points, account="op1", tolerance_s=300):
    r = demo.admin.post("/api/v1/integrations/sources",
                        {"name": name, "kind": kind, "site_id": demo.site,
                         "account_id": demo[account].account_id, "points": points,
                         "tolerance_s": tolerance_s})
    assert r.status == 201, r
    created = r.json()
    assert len(created["secret"]) == 64
    return created


def refused(answer, status, reason):
    got_status, body = answer
    assert got_status == status, answer
    assert body["error"].get("reason") == reason, answer


def test_door_events_move_the_visit_and_the_last_exit_raises_visitors_left(demo, srv):
    src = source(demo, "lobby-doors", "doors", {"D-01": "中控室"})
    gw = Gateway(srv, "doors", "lobby-doors", src["secret"])
    vid = demo.visit()

    entry = {"event_id": "door-1001", "door": "D-01", "direction": "in", "visit_id": vid}
    body = json.dumps(entry).encode()
    headers = gw.sign(body)
    status, got = gw.raw(body, headers)
    assert status == 200, got
    assert got["visit"] == {"id": vid, "place": "中控室", "state": "entered"}
    assert got["duplicate"] is False and got["event_id"] == "door-1001"
    v = demo["op1"].get(f"/api/v1/visits/{vid}").json()
    assert v["state"] == "entered" and v["entered_by"] == demo["op1"].account_id

    # The same request again (a gateway retrying, or someone replaying it inside the window):
    # the first answer, nothing written.
    status, again = gw.raw(body, headers)
    assert status == 200 and again["duplicate"] is True and again["visit"] == got["visit"], again
    assert len(demo.journal("visit.entered", f"visit/{vid}")) == 1

    status, out = gw.send({"event_id": "door-1002", "door": "D-01", "direction": "out",
                           "visit_id": vid})
    assert status == 200 and out["visit"]["state"] == "exited", out
    recs = demo.journal("visit.exited", f"visit/{vid}")
    assert len(recs) == 1 and recs[0]["actor"] == demo["op1"].account_id
    # The place is empty: the visits module raised visitors_left (R02 §一4 参观人员走后立即清扫).
    left = [r for r in demo.journal("site.event")
            if r["payload"]["event"] == "visitors_left" and r["payload"]["ref"] == f"visit/{vid}"]
    assert len(left) == 1 and left[0]["payload"]["data"]["place"] == "中控室", left

    # A second exit is the visits module's refusal (409), and the event id stays free.
    refused(gw.send({"event_id": "door-1003", "door": "D-01", "direction": "out",
                     "visit_id": vid}), 409, "visit.already_exited")
    # The source's creation is journaled without its secret.
    created = demo.journal("devices.source.created", f"device_source/{src['id']}")
    assert len(created) == 1 and src["secret"] not in json.dumps(created)


def test_signatures_timestamps_and_unknown_things_are_refused_and_write_nothing(demo, srv):
    src = source(demo, "side-doors", "doors", {"D-02": "中控室", "D-09": "消防控制室"},
                 tolerance_s=120)
    gw = Gateway(srv, "doors", "side-doors", src["secret"])
    vid = demo.visit("吴来宾")
    event = {"event_id": "e-1", "door": "D-02", "direction": "in", "visit_id": vid}
    body = json.dumps(event).encode()

    refused(gw.raw(body), 401, "device.signature_missing")
    refused(gw.raw(body, gw.sign(body, secret="0" * 64)), 401, "device.bad_signature")
    tampered = json.dumps({**event, "visit_id": vid + 1}).encode()
    refused(gw.raw(tampered, gw.sign(body)), 401, "device.bad_signature")
    refused(gw.raw(body, {**gw.sign(body), "X-Zhidu-Timestamp": "soon"}), 401,
            "device.bad_timestamp")
    # A minute beyond the 120-s tolerance either way: int() floors the time and the server reads
    # its clock later, so "+121" could land within the tolerance on a loaded machine (it did once,
    # session 22: the event was then accepted and written).
    refused(gw.send(event, ts=int(time.time()) - 180), 401, "device.stale_timestamp")
    refused(gw.send(event, ts=int(time.time()) + 180), 401, "device.stale_timestamp")
    refused(gw.raw(body, gw.sign(body), path="/api/v1/integrations/doors/no-such/events"), 404,
            "device.unknown_source")
    # A doors source is not a recorders source.
    refused(gw.raw(body, gw.sign(body), path="/api/v1/integrations/recorders/side-doors/events"),
            404, "device.unknown_source")
    bad_json = b'{"event_id": "e-1", "door": '
    status, got = gw.raw(bad_json, gw.sign(bad_json))
    assert status == 400, got
    status, got = gw.send({**event, "direction": "sideways"})
    assert status == 400 and got["error"]["field"] == "direction", got
    status, got = gw.send({**event, "colour": "red"})
    assert status == 400, got
    refused(gw.send({**event, "door": "D-77"}), 422, "device.unknown_door")
    refused(gw.send({**event, "door": "D-09"}), 422, "device.visit_elsewhere")
    status, got = gw.send({**event, "visit_id": 999999})
    assert status == 404, got
    assert demo["op1"].get(f"/api/v1/visits/{vid}").json()["state"] == "registered"
    assert demo.journal("visit.entered", f"visit/{vid}") == []

    # Refused events left their id free: the corrected event is accepted under it.
    status, got = gw.send(event)
    assert status == 200 and got["duplicate"] is False, got

    # Rotation: the old secret stops at once, the new one (shown once) works.
    r = demo.admin.post(f"/api/v1/integrations/sources/{src['id']}/rotate")
    assert r.status == 200, r
    new_secret = r.json()["secret"]
    assert new_secret != src["secret"] and r.json()["rotated_at"]
    out = {"event_id": "e-2", "door": "D-02", "direction": "out", "visit_id": vid}
    refused(gw.send(out), 401, "device.bad_signature")
    status, got = gw.send(out, secret=new_secret)
    assert status == 200 and got["visit"]["state"] == "exited", got
    # Secrets are never shown again; only devices.manage sees sources.
    listed = demo.admin.get("/api/v1/integrations/sources").json()["items"]
    assert listed and all("secret" not in s for s in listed)
    assert "secret" not in demo.admin.get(f"/api/v1/integrations/sources/{src['id']}").json()
    assert new_secret not in json.dumps(demo.journal("devices.source.rotated"))
    assert demo["op1"].get("/api/v1/integrations/sources").status == 403
    assert demo["op1"].post(f"/api/v1/integrations/sources/{src['id']}/rotate").status == 403
    # A deleted source is unknown to the inbound route.
    assert demo.admin.request("DELETE", f"/api/v1/integrations/sources/{src['id']}").status == 204
    refused(gw.send({**out, "event_id": "e-3"}, secret=new_secret), 404, "device.unknown_source")


def test_source_administration_is_validated(demo):
    good = {"name": "gate", "kind": "doors", "site_id": demo.site,
            "account_id": demo["op1"].account_id, "points": {"D-1": "中控室"}, "tolerance_s": 60}
    for bad, field in [({"name": "Gate A"}, "name"), ({"kind": "lifts"}, "kind"),
                       ({"site_id": 999999}, "site_id"), ({"account_id": 999999}, "account_id"),
                       ({"points": {}}, "points"), ({"points": {"D-1": 7}}, "points"),
                       ({"tolerance_s": 0}, "tolerance_s"), ({"tolerance_s": 3601}, "tolerance_s")]:
        r = demo.admin.post("/api/v1/integrations/sources", {**good, **bad})
        assert r.status == 400 and r.json()["error"]["field"] == field, (bad, r)
    r = demo.admin.post("/api/v1/integrations/sources", {k: v for k, v in good.items()
                                                          if k != "tolerance_s"})
    assert r.status == 400 and r.json()["error"]["field"] == "tolerance_s", r
    assert demo.admin.post("/api/v1/integrations/sources", good).status == 201
    r = demo.admin.post("/api/v1/integrations/sources", good)
    assert r.status == 409 and r.json()["error"]["reason"] == "device.source_exists", r


def test_recorder_events_register_footage_once(demo, srv):
    src = source(demo, "nvr-1", "recorders", {"ch-07": "中控室 7 号摄像机"})
    gw = Gateway(srv, "recorders", "nvr-1", src["secret"])
    now = dt.datetime.now(CST).replace(microsecond=0)
    seg = {"event_id": "seg-1", "camera": "ch-07",
           "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
           "ends_at": (now - dt.timedelta(minutes=1)).isoformat(),
           "storage_ref": "nvr-1://ch07/0001.mp4", "tape": "T-0001"}
    status, got = gw.send(seg)
    assert status == 200 and got["duplicate"] is False, got
    fid = got["footage"]["id"]
    assert got["footage"]["camera"] == "中控室 7 号摄像机" and got["footage"]["keep_until"]
    f = demo["op1"].get(f"/api/v1/footage/{fid}").json()
    assert f["camera"] == "中控室 7 号摄像机" and f["storage_ref"] == "nvr-1://ch07/0001.mp4"
    assert f["registered_by"] == demo["op1"].account_id
    status, again = gw.send(seg)
    assert status == 200 and again["duplicate"] is True and again["footage"]["id"] == fid
    assert len(demo.journal("footage.registered", f"footage/{fid}")) == 1

    before = len(demo.journal("footage.registered"))
    refused(gw.send({**seg, "event_id": "seg-2", "camera": "ch-99"}), 422, "device.unknown_camera")
    status, got = gw.send({**seg, "event_id": "seg-3", "ends_at": "yesterday"})
    assert status == 400 and got["error"]["field"] == "ends_at", got
    later = (now + dt.timedelta(hours=1)).isoformat()
    refused(gw.send({**seg, "event_id": "seg-4", "ends_at": later}), 400, "footage.in_future")
    assert len(demo.journal("footage.registered")) == before


def test_the_same_event_sent_at_once_by_several_connections_acts_once(demo, srv):
    import concurrent.futures

    src = source(demo, "race-doors", "doors", {"D-05": "中控室"})
    gw = Gateway(srv, "doors", "race-doors", src["secret"])
    vid = demo.visit("郑来宾")
    body = json.dumps({"event_id": "race-1", "door": "D-05", "direction": "in",
                       "visit_id": vid}).encode()
    headers = gw.sign(body)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: gw.raw(body, headers), range(8)))
    first = [a for a in answers if a[0] == 200 and a[1]["duplicate"] is False]
    assert len(first) == 1, answers
    for status, got in answers:
        assert (status == 200 and got["visit"]["state"] == "entered") or \
            (status == 409 and got["error"]["reason"] == "device.event_in_progress"), (status, got)
    assert len(demo.journal("visit.entered", f"visit/{vid}")) == 1


# Presence (R04 §二12) from door events, on the test clock: a Monday, 09:00 in Shanghai.
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=CST)


@pytest.fixture
def dorm(require_backend):
    """A demo server on the test clock with a 职工休息楼 room and a doors source (acting as the
    office, which holds rooms.manage) whose door B-01 opens it; B-02 and L-01 open no room."""
    server = clock_server(require_backend, MONDAY)
    d = Demo(server)
    room = d["office"].post("/api/v1/rooms", {"site_id": d.site, "name": "701",
                                              "place": "职工休息楼", "beds": 2})
    assert room.status == 201, room
    d.room = room.json()["id"]
    r = d.admin.post("/api/v1/integrations/sources",
                     {"name": "dorm-doors", "kind": "doors", "site_id": d.site,
                      "account_id": d["office"].account_id,
                      "points": {"B-01": "职工休息楼", "B-02": "职工休息楼", "L-01": "中控室"},
                      "rooms": {"B-01": d.room}, "tolerance_s": 300})
    assert r.status == 201, r
    assert r.json()["rooms"] == {"B-01": d.room}
    d.gw = Gateway(server, "doors", "dorm-doors", r.json()["secret"])
    d.now = MONDAY
    yield d
    d.close()
    server.kill()


def at(d, hour, minute=0):
    d.now = MONDAY.replace(hour=hour, minute=minute)
    r = d.admin.post("/api/v1/test/clock", {"to": d.now.isoformat()})
    assert r.status == 200, r


def door(d, event):
    return d.gw.send(event, ts=int(d.now.timestamp()))


def day_presence(d):
    r = d["office"].get(f"/api/v1/rooms/{d.room}/presence?date=2026-12-07")
    assert r.status == 200, r
    return r.json()["items"]


def test_a_door_event_checks_the_person_in_flagged_in_working_hours_unless_a_late_stay(dorm):
    d = dorm
    me = d["cs1"].get("/api/v1/me").json()["account"]["person_id"]
    entry = {"event_id": "b-1", "door": "B-01", "direction": "in", "person_id": me}

    # 09:00, inside 08:00-11:30: flagged, citing the deny rule's clause.
    body = json.dumps(entry).encode()
    headers = d.gw.sign(body, ts=int(d.now.timestamp()))
    status, got = d.gw.raw(body, headers)
    assert status == 200 and got["duplicate"] is False and got["event_id"] == "b-1", got
    p = got["presence"]
    assert p["flagged"] is True and p["window"] == "08:00-11:30" and "R04 §二12" in p["clauses"], p
    assert p["room_id"] == d.room and p["person_id"] == me and p["late_stay_request"] is None
    recs = d.journal("rooms.presence.recorded", f"room/{d.room}")
    assert len(recs) == 1 and recs[0]["actor"] == d["office"].account_id
    assert recs[0]["payload"]["flagged"] is True and recs[0]["payload"]["title"]

    # The gateway retries (or someone replays inside the window): the first answer, nothing new.
    status, again = d.gw.raw(body, headers)
    assert status == 200 and again["duplicate"] is True and again["presence"] == p, again
    assert len(day_presence(d)) == 1
    assert len(d.journal("rooms.presence.recorded", f"room/{d.room}")) == 1

    # 12:00, the lunch break: recorded, not flagged.
    at(d, 12)
    status, got = door(d, {**entry, "event_id": "b-2"})
    assert status == 200 and got["presence"]["flagged"] is False, got
    assert got["presence"]["window"] == "", got

    # 部长 approves a late stay (需由部长批准): 14:00 is excused, on the same code path as the
    # console's check-in.
    rid = d["cs1"].post("/api/v1/requests", {"site_id": d.site, "type": "r04-late-stay",
                                             "reason": "夜班后补休"})
    assert rid.status == 201, rid
    rid = rid.json()["id"]
    assert d["head"].post(f"/api/v1/requests/{rid}/decisions", {"approve": True}).status == 201
    at(d, 14)
    status, got = door(d, {**entry, "event_id": "b-3"})
    assert status == 200, got
    p = got["presence"]
    assert p["flagged"] is False and p["window"] == "13:30-17:00" and p["late_stay_request"] == rid
    console = d["office"].post(f"/api/v1/rooms/{d.room}/presence", {"person_id": me}).json()
    assert (console["flagged"], console["window"], console["late_stay_request"]) == \
        (p["flagged"], p["window"], p["late_stay_request"])

    # An exit records nothing (presence is the entry) and is answered once.
    status, got = door(d, {**entry, "event_id": "b-4", "direction": "out"})
    assert status == 200 and got["presence"] is None and got["duplicate"] is False, got
    assert [(i["flagged"], i["window"]) for i in day_presence(d)] == [
        (True, "08:00-11:30"), (False, ""), (False, "13:30-17:00"), (False, "13:30-17:00")]


def test_bad_door_events_and_room_mappings_are_refused_and_write_nothing(dorm):
    d = dorm
    me = d["cs1"].get("/api/v1/me").json()["account"]["person_id"]
    entry = {"event_id": "x-1", "door": "B-01", "direction": "in", "person_id": me}
    for bad, status, reason in [({"door": "Z-9"}, 422, "device.unknown_door"),
                                ({"door": "B-02"}, 422, "device.door_not_room"),
                                ({"door": "L-01"}, 422, "device.door_not_room"),
                                ({"person_id": 999999}, 422, "rooms.unknown_person")]:
        refused(door(d, {**entry, **bad}), status, reason)
    status, got = door(d, {**entry, "visit_id": 5})
    assert status == 400 and got["error"]["field"] == "visit_id", got
    status, got = door(d, {k: v for k, v in entry.items() if k != "person_id"})
    assert status == 400 and got["error"]["field"] == "visit_id", got
    assert day_presence(d) == []
    assert d.journal("rooms.presence.recorded") == []
    # The refused events left their id free: the corrected event is recorded under it.
    status, got = door(d, entry)
    assert status == 200 and got["duplicate"] is False and got["presence"]["flagged"] is True, got

    # A source whose account may not record others' presence (no rooms.manage): 403, nothing
    # written, the id still free.
    r = d.admin.post("/api/v1/integrations/sources",
                     {"name": "op-doors", "kind": "doors", "site_id": d.site,
                      "account_id": d["op1"].account_id, "points": {"B-01": "职工休息楼"},
                      "rooms": {"B-01": d.room}, "tolerance_s": 300})
    assert r.status == 201, r
    op = Gateway(d.server, "doors", "op-doors", r.json()["secret"])
    refused(op.send({**entry, "event_id": "o-1"}, ts=int(d.now.timestamp())), 403,
            "rooms.manage_denied")
    assert len(day_presence(d)) == 1

    # A source's rooms are validated when it is created.
    good = {"name": "more-doors", "kind": "doors", "site_id": d.site,
            "account_id": d["office"].account_id,
            "points": {"B-01": "职工休息楼", "L-01": "中控室"}, "tolerance_s": 60}
    for bad, reason in [({"rooms": {"B-09": d.room}}, None), ({"rooms": {"B-01": "701"}}, None),
                        ({"rooms": {"B-01": 999999}}, "device.unknown_room"),
                        ({"rooms": {"L-01": d.room}}, "device.room_elsewhere"),
                        ({"kind": "recorders", "rooms": {"B-01": d.room}}, None)]:
        r = d.admin.post("/api/v1/integrations/sources", {**good, **bad})
        assert r.status == 400 and r.json()["error"]["field"] == "rooms", (bad, r)
        assert r.json()["error"].get("reason") == reason or reason is None, (bad, r)
    assert all(s["name"] != "more-doors"
               for s in d.admin.get("/api/v1/integrations/sources").json()["items"])


def test_the_same_person_event_sent_at_once_checks_in_once(dorm):
    import concurrent.futures

    d = dorm
    me = d["cs1"].get("/api/v1/me").json()["account"]["person_id"]
    body = json.dumps({"event_id": "race-p", "door": "B-01", "direction": "in",
                       "person_id": me}).encode()
    headers = d.gw.sign(body, ts=int(d.now.timestamp()))
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: d.gw.raw(body, headers), range(8)))
    # Claim, check-in and answer commit together: no request sees the event half-handled.
    assert all(status == 200 for status, _ in answers), answers
    assert [got["duplicate"] for _, got in answers].count(False) == 1, answers
    assert len({got["presence"]["id"] for _, got in answers}) == 1, answers
    assert len(day_presence(d)) == 1


def test_a_card_of_the_register_names_the_person_and_an_unknown_card_writes_nothing(dorm):
    """The card register (门禁卡): readers send the card number; the register names the person,
    through the same check-in as a person_id; a card not in it is refused with nothing written."""
    d = dorm
    me = d["cs1"].get("/api/v1/me").json()["account"]["person_id"]
    cards = "/api/v1/integrations/cards"

    # Administration: devices.manage only, validated, journaled, idempotent for the holder.
    r = d["cs1"].post(cards, {"site_id": d.site, "card_no": "0012345678", "person_id": me})
    assert r.status == 403, r
    for bad, field, reason in [({"card_no": "12 34"}, "card_no", "device.bad_card"),
                               ({"card_no": ""}, "card_no", "device.bad_card"),
                               ({"person_id": 999999}, "person_id", "device.unknown_person"),
                               ({"site_id": 999999}, "site_id", None)]:
        r = d.admin.post(cards, {"site_id": d.site, "card_no": "0012345678", "person_id": me, **bad})
        assert r.status == 400 and r.json()["error"]["field"] == field, (bad, r)
        assert reason is None or r.json()["error"]["reason"] == reason, (bad, r)
    assert d.admin.get(f"{cards}?site_id={d.site}").json()["items"] == []
    r = d.admin.post(cards, {"site_id": d.site, "card_no": "0012345678", "person_id": me})
    assert r.status == 201 and r.json()["person_id"] == me, r
    again = d.admin.post(cards, {"site_id": d.site, "card_no": "0012345678", "person_id": me})
    assert again.status == 200, again
    other = d["op1"].get("/api/v1/me").json()["account"]["person_id"]
    taken = d.admin.post(cards, {"site_id": d.site, "card_no": "0012345678", "person_id": other})
    assert taken.status == 409 and taken.json()["error"]["reason"] == "device.card_taken", taken
    issued = d.journal("devices.card.issued")
    assert len(issued) == 1 and issued[0]["payload"]["card_no"] == "0012345678", issued

    # A door event with the card: the register's person is checked in (09:00: flagged).
    status, got = door(d, {"event_id": "c-1", "door": "B-01", "direction": "in",
                           "card_no": "0012345678"})
    assert status == 200 and got["presence"]["person_id"] == me, got
    assert got["presence"]["flagged"] is True, got
    # A card and a person together, or an unknown card: refused, nothing written, id still free.
    status, got = door(d, {"event_id": "c-2", "door": "B-01", "direction": "in",
                           "card_no": "0012345678", "person_id": me})
    assert status == 400 and got["error"]["field"] == "card_no", got
    refused(door(d, {"event_id": "c-2", "door": "B-01", "direction": "in", "card_no": "99"}),
            422, "device.unknown_card")
    assert len(day_presence(d)) == 1

    # Revoked, the card opens nothing any more; revoking it twice is 404.
    r = d.admin.request("DELETE", f"{cards}?site_id={d.site}&card_no=0012345678")
    assert r.status == 204, r
    r = d.admin.request("DELETE", f"{cards}?site_id={d.site}&card_no=0012345678")
    assert r.status == 404 and r.json()["error"]["reason"] == "device.unknown_card", r
    refused(door(d, {"event_id": "c-3", "door": "B-01", "direction": "in", "card_no": "0012345678"}),
            422, "device.unknown_card")
    assert len(day_presence(d)) == 1
    assert len(d.journal("devices.card.revoked")) == 1
    # The corrected event under the refused id is recorded.
    assert d.admin.post(cards, {"site_id": d.site, "card_no": "0012345678", "person_id": me}).status == 201
    status, got = door(d, {"event_id": "c-2", "door": "B-01", "direction": "in", "card_no": "0012345678"})
    assert status == 200 and got["duplicate"] is False, got
    assert len(day_presence(d)) == 2
