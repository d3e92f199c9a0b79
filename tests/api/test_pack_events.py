"""Issue 16 §3: `zhidu policy check` refuses an event a rule waits for that nothing raises — not
the pack, not a module, not people (who report only the events a pack declares under `events:`,
docs/policy_format.md §11a) — at the name's file:line:col, and a declaration that is unheard or
names an event a module reserves. The shipped pack and the example pack pass (test_policy_cli)."""
import pathlib
import shutil

from test_policy_cli import DEFAULT_PACK, zhidu
from zhidu_harness import pack_with_file


def copy_pack(tmp_path):
    dst = tmp_path / "pack"
    shutil.copytree(DEFAULT_PACK, dst)
    return dst


def edit(path, old, new):
    """Replaces the first `old` (R20 has two service levels with the same stop)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def position(path, needle, offset=0, column=True):
    """1-based line and byte column of `needle` (+offset bytes) in the file, as check prints."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        at = line.find(needle)
        if at >= 0:
            if not column:
                return f"{path}:{n}:"
            return f"{path}:{n}:{len(line[:at].encode()) + 1 + offset}: "
    raise AssertionError(f"{needle!r} not in {path}")


def errors(pack):
    r = zhidu("policy", "check", str(pack))
    assert r.returncode == 1, r.stdout
    return [l for l in r.stderr.splitlines() if l.strip()]


def test_a_stop_naming_an_event_nothing_raises_is_refused_where_it_is_named(tmp_path):
    pack = copy_pack(tmp_path)
    r20 = pack / "R20.yaml"
    edit(r20, "stop: [fire_confirmed, false_alarm]", "stop: [fire_confirmd, false_alarm]")
    lines = errors(pack)
    at = position(r20, "fire_confirmd")
    assert [l for l in lines if l.startswith(at)] == [
        at + "stop 'fire_confirmd' is an event nothing raises: no procedure step, timer or "
        "follow-up of the pack and no module raises it; if people report it, declare it under "
        "events: (docs/policy_format.md §11a), else correct the name"], lines
    assert len(lines) == 1, lines


def test_an_undeclared_hand_event_is_refused_at_each_rule_once(tmp_path):
    pack = copy_pack(tmp_path)
    r16 = pack / "R16.yaml"
    edit(r16, "  - {id: suspicious_event, title: 发现可疑情况, clause: \"R16 §二3\"}\n", "")
    lines = errors(pack)
    at = position(r16, "trigger: suspicious_event", len("trigger: "))
    assert len(lines) == 1 and lines[0].startswith(at), lines
    assert "event 'suspicious_event' is an event nothing raises" in lines[0], lines


def test_declarations_must_be_heard_and_not_reserved_by_a_module(tmp_path):
    pack = copy_pack(tmp_path)
    r16 = pack / "R16.yaml"
    edit(r16, "  - {id: equipment_fault, title: 设备故障, clause: \"R16 §二10\"}\n",
         "  - {id: equipment_fault, title: 设备故障, clause: \"R16 §二10\"}\n"
         "  - {id: equipmnet_fault, title: 设备故障}\n"
         "  - {id: ticket_opened, title: 开单}\n")
    lines = errors(pack)
    unheard = position(r16, "{id: equipmnet_fault", column=False)
    reserved = position(r16, "{id: ticket_opened", column=False)
    assert any(l.startswith(unheard) and "declared but nothing listens to it" in l
               for l in lines), lines
    assert any(l.startswith(reserved) and "raised by a module from its records" in l
               for l in lines), lines
    assert len(lines) == 2, lines


def test_events_a_module_raises_need_no_declaration(tmp_path):
    """fire_alarm (the alarms module's K_alarm), damage_found (rooms), ticket_opened (service),
    vip_arrived (lounge) and visitors_left (visits) are raised from records: a pack waits for
    them without declaring them, and the shipped pack's check passes with them undeclared."""
    text = "".join(p.read_text(encoding="utf-8") for p in pathlib.Path(DEFAULT_PACK).glob("*.yaml"))
    for event in ["fire_alarm", "damage_found", "ticket_opened", "vip_arrived"]:
        assert event in text and f"{{id: {event}," not in text, event
    r = zhidu("policy", "check", str(DEFAULT_PACK))
    assert r.returncode == 0, r.stderr


SITE_RULES = """regulation: R16
# A site's own rule (test fixture): a matter reported about a person is told to that person.
procedures:
  - id: s16-tell-the-person
    title: 告知当事人
    clause: "R16 §二3"
    trigger: person_concerned
    initial: told
    states:
      - {id: told, title: 已告知, actions: ["notify:@person", "notify:值班长"]}
      - {id: closed, title: 完成, terminal: true}
    transitions:
      - {from: told, to: closed, on: person_acknowledged}
events:
  - {id: person_concerned, title: 涉及本人的情况, clause: "R16 §二3"}
"""


def test_notify_at_person_reaches_the_person_the_event_is_about(require_backend, tmp_path):
    """Issue 16 §6: `notify:@person` addresses the person named by the event (its data's
    person_id: a visitor's host, a parcel's recipient), not a role: that person's stream gets it,
    a colleague of the same roles does not, and the lead gets the role's notification."""
    from test_notifications import WebSocket
    from zhidu_harness import Server, login

    pack = pack_with_file(tmp_path, "S16.yaml", SITE_RULES)
    server = Server(require_backend, extra=["--policies", pack]).start()
    try:
        op1, op2, lead = (login(server, u) for u in ("op1", "op2", "lead1"))
        site = lead.get("/api/v1/sites").json()["items"][0]["id"]
        streams = {u: WebSocket(server.port, client=c)
                   for u, c in (("op1", op1), ("op2", op2), ("lead1", lead))}
        assert all(ws.status == 101 for ws in streams.values())
        person = op1.get("/api/v1/me").json()["account"]["person_id"]
        r = lead.post(f"/api/v1/sites/{site}/events",
                      {"event": "person_concerned", "subject": "访客到访", "data": {"person_id": person}})
        assert r.status == 201 and len(r.json()["procedures_started"]) == 1, r
        got = streams["op1"].recv_until(lambda m: m["kind"] == "procedure.notified", timeout=20)
        told = got[-1]["payload"]
        assert told["person_id"] == person and told["notify_roles"] == [], told
        got = streams["lead1"].recv_until(
            lambda m: m["kind"] == "procedure.notified" and m["payload"]["notify_roles"] == ["值班长"],
            timeout=20)
        assert got[-1]["payload"]["procedure"] == "s16-tell-the-person", got[-1]
        seen = streams["op2"].quiet_for(1.5)
        assert not [m for m in seen if m["kind"] == "procedure.notified"], seen
        # Without a person the step says nobody was told, and nothing is sent to anyone.
        r = lead.post(f"/api/v1/sites/{site}/events", {"event": "person_concerned"})
        assert r.status == 201, r
        proc = lead.get(f"/api/v1/procedures/{r.json()['procedures_started'][0]}").json()
        notes = {t["task"]: t["note"] for t in proc["tasks"]}
        assert notes["notify:@person"] == "未通知当事人：事件未给出 person_id", notes
        for ws in streams.values():
            ws.close()
    finally:
        server.kill()


def test_the_events_people_report_are_listed_with_what_they_start(server, admin):
    """GET /api/v1/policy/events: the pack's declared events with their titles, clauses and what
    each starts (the console's 上报事件); a module's events are not people's to report. Reporting a
    定期 duty's event makes the duty fall due — before `events:` nothing could."""
    items = admin.get("/api/v1/policy/events").json()["items"]
    by = {e["id"]: e for e in items}
    assert by["suspicious_event"]["title"] == "发现可疑情况", by["suspicious_event"]
    assert by["suspicious_event"]["clauses"] == ["R16 §二3"], by["suspicious_event"]
    assert {"kind": "procedure", "id": "r16-suspicious"} in [
        {k: s[k] for k in ("kind", "id")} for s in by["suspicious_event"]["starts"]]
    assert [s["id"] for s in by["maintenance_due"]["starts"]] == ["r16-maintenance"], by
    assert not {"fire_alarm", "ticket_opened", "vip_arrived"} & set(by), sorted(by)
    assert all(e["starts"] for e in items), [e["id"] for e in items if not e["starts"]]
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    assert [s["id"] for s in by["plant_care_due"]["starts"]] == ["r15-plants"], by
    r = admin.post(f"/api/v1/sites/{site}/events", {"event": "plant_care_due", "data": {"deadline": "2h"}})
    assert r.status == 201 and len(r.json()["duties_started"]) == 1, r
