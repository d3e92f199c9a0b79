"""Requests and approvals (申请与审批) over HTTP, on both backends, against the real binary with the
demo company: prohibitions refused with 403 citing the clause (and journaled), preconditions,
approval by role and by the applicant's superior, signatures that re-confirm the password, and
the guards against self-approval and double decisions."""
import threading

import pytest

from zhidu_harness import DemoUsers as Demo, backend_server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request):
    """One demo server per backend for the module: every test files its own requests."""
    s = backend_server(request.param)
    yield s
    s.kill()


@pytest.fixture(scope="module")
def demo(srv):
    d = Demo(srv)
    yield d
    d.close()


VIEW = "r16-footage-view"


def test_copying_footage_is_refused_with_403_citing_r16_1_6_and_journaled(demo):
    before = len(demo.journal("request.refused"))
    r = demo.file("fire1", VIEW, {"applicant.company_staff": True, "request.copy": True},
                  reason="拷贝给外单位")
    assert r.status == 403, r
    err = r.json()["error"]
    assert "R16 §一6" in err["message"] and "任何人员无权拷贝中控室录像" in err["message"]
    assert err["clause"] == "R16 §一6"
    assert "R16 §二11" in err["clauses"]
    refused = demo.journal("request.refused")
    assert len(refused) == before + 1
    rec = refused[-1]
    assert rec["payload"]["clause"] == "R16 §一6"
    assert rec["payload"]["account_id"] == demo["fire1"].account_id
    assert rec["payload"]["inputs"] == {"applicant.company_staff": True, "request.copy": True}
    assert rec["actor"] == demo["fire1"].account_id
    # Refused means not filed: no approver sees anything.
    waiting = demo["lead1"].get("/api/v1/requests?waiting_for_me=true").json()["items"]
    assert all(i["reason"] != "拷贝给外单位" for i in waiting)


def test_viewing_footage_as_a_non_company_person_is_refused_citing_r16_1_7(demo):
    r = demo.file("fire1", VIEW, {"applicant.company_staff": False, "request.copy": False})
    assert 400 <= r.status < 500, r
    assert r.status == 409, r
    err = r.json()["error"]
    assert "R16 §一7" in err["message"] and "非本公司人员不得查看中控室录像" in err["message"]
    assert err["clause"] == "R16 §一7"


def view_request(demo, user="fire1"):
    r = demo.file(user, VIEW, {"applicant.company_staff": True, "request.copy": False})
    assert r.status == 201, r
    return r.json()


def test_superior_approves_a_footage_view_with_a_password_signature(demo):
    req = view_request(demo)
    assert req["state"] == "pending"
    # fire1 is 消防控制室值班员, who reports to 值班长 (R20): "$superior" resolves to 值班长.
    assert req["steps"][0]["roles"] == ["值班长"]
    assert req["steps"][0]["state"] == "open"
    created = [j for j in demo.journal("request.created") if j["payload"]["request_id"] == req["id"]]
    assert len(created) == 1
    p = created[0]["payload"]
    assert p["notify_roles"] == ["值班长"]
    assert p["account_id"] == demo["fire1"].account_id
    assert p["site_id"] == demo.site

    lead = demo["lead1"]
    waiting = lead.get("/api/v1/requests?waiting_for_me=true&limit=500").json()["items"]
    assert req["id"] in [i["id"] for i in waiting]
    assert lead.get(f"/api/v1/requests/{req['id']}").json()["steps"][0]["you_may_decide"] is True

    r = lead.post(f"/api/v1/requests/{req['id']}/decisions",
                  {"approve": True, "password": lead.password, "note": "同意查看"})
    assert r.status == 201, r
    done = r.json()
    assert done["state"] == "approved"
    assert done["decisions"][0]["signature"] is True
    assert done["decisions"][0]["account_id"] == lead.account_id
    step = [j for j in demo.journal("request.approved_step")
            if j["payload"]["request_id"] == req["id"]]
    assert len(step) == 1
    assert step[0]["payload"]["signature"] is True
    assert step[0]["payload"]["signer"] == lead.account_id
    assert step[0]["payload"]["at"]
    approved = [j for j in demo.journal("request.approved")
                if j["payload"]["request_id"] == req["id"]]
    assert len(approved) == 1
    assert approved[0]["payload"]["account_id"] == demo["fire1"].account_id
    # The applicant sees the outcome.
    assert demo["fire1"].get(f"/api/v1/requests/{req['id']}").json()["state"] == "approved"


def test_wrong_password_signature_is_403_and_the_request_stays_pending(demo):
    req = view_request(demo)
    lead = demo["lead1"]
    r = lead.post(f"/api/v1/requests/{req['id']}/decisions",
                  {"approve": True, "password": lead.password + "x"})
    assert r.status == 403, r
    assert "签名失败" in r.json()["error"]["message"]
    after = lead.get(f"/api/v1/requests/{req['id']}").json()
    assert after["state"] == "pending"
    assert after["decisions"] == []
    failed = [j for j in demo.journal("request.signature_failed")
              if j["payload"]["request_id"] == req["id"]]
    assert len(failed) == 1 and failed[0]["payload"]["signer"] == lead.account_id


def test_repeated_wrong_signatures_are_throttled(demo):
    # cs1 (客服专员) reports to 客服主管: cs_lead decides. Nobody else in this module signs as cs_lead.
    req = view_request(demo, "cs1")
    lead = demo["cs_lead"]
    for _ in range(5):
        r = lead.post(f"/api/v1/requests/{req['id']}/decisions",
                      {"approve": True, "password": "not-the-password"})
        assert r.status == 403, r
    # The sixth attempt is refused before the password is checked, even a correct one.
    r = lead.post(f"/api/v1/requests/{req['id']}/decisions",
                  {"approve": True, "password": lead.password})
    assert r.status == 429, r
    assert lead.get(f"/api/v1/requests/{req['id']}").json()["state"] == "pending"
    failed = [j for j in demo.journal("request.signature_failed")
              if j["payload"]["request_id"] == req["id"]]
    assert len(failed) == 5


def test_the_applicant_cannot_approve_their_own_request(demo):
    # lead1 is 值班长, one of the roles that approves an outsider's entry — but not their own.
    r = demo.file("lead1", "r16-outsider-entry")
    assert r.status == 201, r
    req = r.json()
    assert req["steps"][0]["you_may_decide"] is False
    r = demo["lead1"].post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True})
    assert r.status == 403, r
    assert "申请人不得审批自己的申请" in r.json()["error"]["message"]
    assert demo["lead1"].get(f"/api/v1/requests/{req['id']}").json()["state"] == "pending"


def test_a_second_decision_on_a_decided_step_is_refused(demo):
    req = view_request(demo)
    lead = demo["lead1"]
    r = lead.post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True})
    assert r.status == 201, r
    assert r.json()["decisions"][0]["signature"] is False
    for body in ({"approve": False}, {"approve": True, "step": "$superior"}):
        again = lead.post(f"/api/v1/requests/{req['id']}/decisions", body)
        assert again.status in (409, 412), again
    assert lead.get(f"/api/v1/requests/{req['id']}").json()["state"] == "approved"


def test_concurrent_decisions_on_one_step_do_not_both_win(demo):
    r = demo.file("op1", "r16-outsider-entry")
    assert r.status == 201, r
    rid = r.json()["id"]
    deciders = [demo["lead1"], demo["head"]]  # 值班长 and 部长 may both decide the one step
    statuses = [None, None]

    def decide(i):
        statuses[i] = deciders[i].post(f"/api/v1/requests/{rid}/decisions",
                                       {"approve": i == 0}).status

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409], statuses
    final = demo["op1"].get(f"/api/v1/requests/{rid}").json()
    assert len(final["decisions"]) == 1
    assert final["state"] == ("approved" if final["decisions"][0]["approve"] else "rejected")


def test_visitor_entry_is_approved_by_the_duty_lead(demo):
    r = demo.file("op1", "r16-outsider-entry", reason="外单位维保人员进入中控室")
    assert r.status == 201, r
    req = r.json()
    assert set(req["steps"][0]["roles"]) == {"值班长", "部长", "副总"}
    # op2 (中控员) holds none of the step's roles.
    r = demo["op2"].post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True})
    assert r.status in (403, 404), r
    r = demo["lead1"].post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True})
    assert r.status == 201, r
    assert r.json()["state"] == "approved"
    mine = demo["op1"].get("/api/v1/requests?mine=true&state=approved&limit=500").json()["items"]
    assert req["id"] in [i["id"] for i in mine]


def test_a_rejection_ends_the_request(demo):
    req = view_request(demo)
    r = demo["lead1"].post(f"/api/v1/requests/{req['id']}/decisions",
                           {"approve": False, "note": "无正当理由"})
    assert r.status == 201, r
    assert r.json()["state"] == "rejected"
    assert r.json()["steps"][0]["state"] == "rejected"
    rejected = [j for j in demo.journal("request.rejected")
                if j["payload"]["request_id"] == req["id"]]
    assert len(rejected) == 1 and rejected[0]["payload"]["account_id"] == demo["fire1"].account_id


def test_a_signature_step_needs_the_password(demo):
    r = demo.file("op1", "r12-footage-access")
    assert r.status == 201, r
    rid = r.json()["id"]
    head = demo["head"]  # 部长
    r = head.post(f"/api/v1/requests/{rid}/decisions", {"approve": True})
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "password"
    r = head.post(f"/api/v1/requests/{rid}/decisions", {"approve": True, "password": head.password})
    assert r.status == 201, r
    assert r.json()["state"] == "approved" and r.json()["decisions"][0]["signature"] is True


def test_an_escort_step_names_an_existing_person_of_the_site(demo):
    # R12 §四(二之2)4: 秩序维护主管 or 部长 approves and names who accompanies the visitor.
    r = demo.file("op1", "r12-control-room-entry", reason="外来参观")
    assert r.status == 201, r
    rid = r.json()["id"]
    chief = demo["guard_chief"]
    r = chief.post(f"/api/v1/requests/{rid}/decisions", {"approve": True})
    assert r.status == 400 and r.json()["error"]["field"] == "escort_person_id", r
    r = chief.post(f"/api/v1/requests/{rid}/decisions",
                   {"approve": True, "escort_person_id": 999999})
    assert r.status == 400 and r.json()["error"]["field"] == "escort_person_id", r
    people = demo.admin.get(f"/api/v1/people?site_id={demo.site}&limit=500").json()["items"]
    escort = next(p for p in people if p["name"] == "演示·刘主管")
    r = chief.post(f"/api/v1/requests/{rid}/decisions",
                   {"approve": True, "escort_person_id": escort["id"]})
    assert r.status == 201, r
    assert r.json()["state"] == "approved"
    assert r.json()["decisions"][0]["escort_person_id"] == escort["id"]
    step = [j for j in demo.journal("request.approved_step") if j["payload"]["request_id"] == rid]
    assert step[0]["payload"]["escort_person_id"] == escort["id"]


def test_the_applicant_withdraws_a_pending_request(demo):
    req = view_request(demo)
    assert demo["op2"].post(f"/api/v1/requests/{req['id']}/withdraw").status in (403, 404)
    r = demo["lead1"].post(f"/api/v1/requests/{req['id']}/withdraw")
    assert r.status == 403, r
    r = demo["fire1"].post(f"/api/v1/requests/{req['id']}/withdraw", {"note": "不需要了"})
    assert r.status == 200, r
    assert r.json()["state"] == "withdrawn"
    assert demo["fire1"].post(f"/api/v1/requests/{req['id']}/withdraw").status == 409
    r = demo["lead1"].post(f"/api/v1/requests/{req['id']}/decisions", {"approve": True})
    assert r.status == 409, r


def test_requests_are_private_to_the_applicant_and_the_approvers(demo):
    req = view_request(demo)
    r = demo["op2"].get(f"/api/v1/requests/{req['id']}")
    assert r.status == 404, r
    ids = [i["id"] for i in demo["op2"].get("/api/v1/requests?limit=500").json()["items"]]
    assert req["id"] not in ids
    assert demo.admin.get(f"/api/v1/requests/{req['id']}").status == 200


def test_unknown_types_and_ids_are_clear_errors(demo):
    r = demo.file("fire1", "no-such-request")
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "type"
    assert "no-such-request" in r.json()["error"]["message"]
    fire = demo["fire1"]
    r = fire.get("/api/v1/requests/999999")
    assert r.status == 404 and "999999" in r.json()["error"]["message"], r
    assert fire.get("/api/v1/requests/abc").status == 404
    assert fire.post("/api/v1/requests/999999/decisions", {"approve": True}).status == 404
    r = fire.post("/api/v1/requests", {"site_id": 999999, "type": VIEW,
                                       "inputs": {"applicant.company_staff": True,
                                                  "request.copy": False}})
    assert r.status == 400 and r.json()["error"]["field"] == "site_id", r
    req = view_request(demo)
    r = demo["lead1"].post(f"/api/v1/requests/{req['id']}/decisions",
                           {"approve": True, "step": "nope"})
    assert r.status == 400 and r.json()["error"]["field"] == "step", r


def test_malformed_bodies_and_wrong_input_types_name_the_field(demo):
    fire = demo["fire1"]
    r = fire.post("/api/v1/requests", raw=b'{"site_id": 1, "type": ')
    assert r.status == 400, r
    r = demo.file("fire1", VIEW, {"applicant.company_staff": True, "request.copy": "yes"})
    assert r.status == 400, r
    assert r.json()["error"]["field"] == "inputs.request.copy"
    r = demo.file("fire1", VIEW, {"applicant.company_staff": True, "request.copy": False,
                                  "extra": 1})
    assert r.status == 400 and r.json()["error"]["field"] == "inputs.extra", r
    r = demo.file("fire1", VIEW, {"applicant.company_staff": True})
    assert r.status == 400 and r.json()["error"]["field"] == "inputs.request.copy", r
    r = demo.file("fire1", VIEW, [True])
    assert r.status == 400 and r.json()["error"]["field"] == "inputs", r
    r = fire.post("/api/v1/requests", {"site_id": demo.site, "type": VIEW, "colour": "red"})
    assert r.status == 400 and r.json()["error"]["field"] == "colour", r
    req = view_request(demo)
    lead = demo["lead1"]
    r = lead.post(f"/api/v1/requests/{req['id']}/decisions", {"approve": "yes"})
    assert r.status == 400 and r.json()["error"]["field"] == "approve", r
    r = lead.post(f"/api/v1/requests/{req['id']}/decisions", {})
    assert r.status == 400 and r.json()["error"]["field"] == "approve", r
    r = lead.get("/api/v1/requests?state=maybe")
    assert r.status == 400 and r.json()["error"]["field"] == "state", r


def test_request_types_list_steps_inputs_and_clauses(demo):
    r = demo["fire1"].get("/api/v1/request-types")
    assert r.status == 200, r
    types = {t["id"]: t for t in r.json()["items"]}
    view = types[VIEW]
    assert view["inputs"] == {"applicant.company_staff": "bool", "request.copy": "bool"}
    assert view["steps"][0]["roles"] == ["$superior"]
    assert ["R16 §一6"] in [p["clauses"] for p in view["prohibitions"]]
    assert view["preconditions"][0]["clauses"] == ["R16 §一7"]
    assert types["r12-footage-access"]["steps"][0]["signature"] is True
    # Entry requests name the place whose access rule asks for them (the console registers the
    # visit there); other requests name none.
    entry = types["r12-control-room-entry"]["entry_places"]
    assert [(p["place"], p["register"], p["escort"]) for p in entry] == [("中控室", True, True)], entry
    assert "R12 §三(三)" in entry[0]["clauses"]
    assert [p["place"] for p in types["r16-outsider-entry"]["entry_places"]] == ["厂区中控室"]
    assert view["entry_places"] == []
