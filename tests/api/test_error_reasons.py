"""Every refusal a person meets carries a stable reason beside its code (issue 17 §7, docs/api.md):
the console maps it to zh-CN text and never shows the server's English. On both backends, over
HTTP on the demo: sign-in, required/invalid/taken fields, a procedure's guard, a violation with
neither code nor clause, an unknown request type; a permission or a missing record is said by its
code alone. And GET /api/v1/policy/titles gives the pack's titles, so no screen shows a raw id."""
from zhidu_harness import login, site_and_post


def error_of(r, status):
    assert r.status == status, r
    return r.json()["error"]


def test_sign_in_reasons(server):
    c = server.client()
    e = error_of(c.login("admin", "not-the-password"), 401)
    assert (e["code"], e["reason"]) == ("unauthenticated", "auth.wrong_password"), e
    e = error_of(c.login("nobody-at-all", "not-the-password"), 401)
    assert e["reason"] == "auth.wrong_password", e  # an unknown user says the same
    e = error_of(server.client().get("/api/v1/sites"), 401)
    assert e["reason"] == "auth.sign_in_first", e


def test_field_reasons(server, admin):
    e = error_of(admin.post("/api/v1/sites", {"name": "  "}), 400)
    assert (e["reason"], e["field"]) == ("required", "name"), e
    e = error_of(admin.post("/api/v1/sites", {"name": 7}), 400)
    assert (e["code"], e["reason"], e["field"]) == ("invalid_argument", "invalid", "name"), e
    assert admin.post("/api/v1/sites", {"name": "原因测试站点"}).status == 201
    e = error_of(admin.post("/api/v1/sites", {"name": "原因测试站点"}), 409)
    assert (e["code"], e["reason"], e["field"]) == ("conflict", "taken", "name"), e
    e = error_of(admin.get("/api/v1/duty-log"), 400)
    assert (e["reason"], e["field"]) == ("required", "site_id"), e
    # Said by the code alone: no reason.
    e = error_of(admin.get("/api/v1/people/999999"), 404)
    assert e["code"] == "not_found" and "reason" not in e, e
    op = login(server, "op1")
    e = error_of(op.post("/api/v1/sites", {"name": "越权站点"}), 403)
    assert e["code"] == "permission_denied" and "reason" not in e, e
    op.close()


def test_domain_reasons(server, admin):
    site, _ = site_and_post(admin, "中控岗")
    # R20's fire-alarm procedure: false_alarm without the on-site confirmation is refused by its guard.
    raised = admin.post(f"/api/v1/sites/{site}/events",
                        {"event": "fire_alarm", "subject": "3F 烟感 #12", "ref": "alarm-reasons"})
    assert raised.status == 201, raised
    pid = raised.json()["procedures_started"][0]
    fire1 = login(server, "fire1")
    e = error_of(fire1.post(f"/api/v1/procedures/{pid}/events",
                            {"event": "false_alarm", "inputs": {"alarm.confirmed_on_site": False}}), 409)
    assert (e["code"], e["reason"]) == ("failed_precondition", "procedure.guard_refused"), e
    e = error_of(fire1.post(f"/api/v1/procedures/{pid}/events", {"event": "no_such_event"}), 409)
    assert e["reason"] == "procedure.event_not_allowed", e
    fire1.close()
    # A violation with neither a code nor a clause.
    person = admin.get("/api/v1/people?limit=1").json()["items"][0]["id"]
    e = error_of(admin.post("/api/v1/violations", {"person_id": person, "site_id": site,
                                                   "occurred_at": "2026-01-05T08:00:00+08:00",
                                                   "note": "原因测试"}), 400)
    assert e["reason"] == "violation.code_or_clause", e
    # A request of a type the pack does not have: a field error, reason invalid.
    e = error_of(admin.post("/api/v1/requests", {"type": "no-such-type", "site_id": site,
                                                 "reason": "测试"}), 400)
    assert (e["reason"], e["field"]) == ("invalid", "type"), e


def test_policy_titles(server, admin):
    r = admin.get("/api/v1/policy/titles")
    assert r.status == 200, r
    t = r.json()
    assert t["rules"]["r09-four-team-three-shift"], t["rules"]
    assert "录相带" in t["rules"]["r16-footage-one-month"]
    assert t["rules"]["r20-fire-alarm"] == "火灾报警处理程序"
    states = t["states"]["r20-fire-alarm"]
    assert states["false-alarm"].startswith("误报")
    assert t["events"]["r20-fire-alarm"]["false_alarm"] == states["false-alarm"]
    assert server.client().get("/api/v1/policy/titles").status == 401


def test_policy_record_form(server, admin):
    # The 报警处理记录's form (R20 §三4), as the console draws a procedure's record:ID step.
    r = admin.get("/api/v1/policy/records/r20-alarm-record")
    assert r.status == 200, r
    rec = r.json()
    assert rec["title"] == "报警处理记录" and rec["clauses"] == ["R20 §三4"], rec
    fields = {f["id"]: f for f in rec["fields"]}
    assert [f["id"] for f in rec["fields"]][:3] == ["location", "alarm-time", "confirmed-by"]
    assert fields["nature"]["label"].startswith("性质") and fields["nature"]["required"], fields
    assert fields["contact"]["required"] is False and fields["result"]["kind"] == "text", fields
    e = error_of(admin.get("/api/v1/policy/records/no-such-record"), 404)
    assert e["code"] == "not_found", e
    assert server.client().get("/api/v1/policy/records/r20-alarm-record").status == 401
