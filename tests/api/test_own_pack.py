"""A company's own pack runs without C++ (issue 16; docs/policy_format.md §3, §24): the warehouse
example (policies/examples/warehouse, written from scratch, sharing no role or post name with
cn-default) is served with --demo on both backends. Its people — accounts the server derives from
the pack's roles — work a duty, are refused by a prohibition, record a violation by the pack's own
supervisor, register a visitor into the hazmat store, and hand over at the 07:00 shift change of
the pack's own shift pattern; the administrator tools take the pack too."""
import datetime as dt
import os
import subprocess
import tempfile

import pytest

from zhidu_harness import BIN, ROOT, DemoUsers, all_items, clock_server

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 6, 0, tzinfo=TZ)  # a Monday, an hour before the 07:00 change
WAREHOUSE = os.path.join(ROOT, "policies", "examples", "warehouse")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def wh(request):
    if request.param == "postgresql" and not os.environ.get("ZHIDU_TEST_PG_URL"):
        if os.environ.get("CI"):
            pytest.fail("ZHIDU_TEST_PG_URL is not set in CI")
        pytest.skip("ZHIDU_TEST_PG_URL not set (run under scripts/with-postgres)")
    s = clock_server(request.param, START, WAREHOUSE)
    users = DemoUsers(s)
    yield users
    for c in users.clients.values():
        c.close()
    s.kill()


def by_role(wh):
    """The derived demo's username of each role (the pack names roles, the server numbers users)."""
    return {role: user for user, (_, role) in wh.creds.items()}


def advance(wh, to):
    r = wh.admin.post("/api/v1/test/clock", {"to": to.isoformat()})
    assert r.status == 200, r


def post_of(wh, name):
    return next(p["id"] for p in all_items(wh.admin, "/api/v1/posts?limit=200") if p["name"] == name)


def test_the_demo_is_derived_from_the_packs_posts_and_roles(wh):
    roles = by_role(wh)
    # One account per role a regulation names; the pack's 管理员 is the seeded admin.
    assert set(roles) == {"admin", "仓管员", "叉车司机", "仓库主管", "部门经理", "财务"}
    sites = wh.admin.get("/api/v1/sites").json()["items"]
    assert [s["name"] for s in sites] == ["example-warehouse（演示）"]
    posts = {p["name"] for p in all_items(wh.admin, "/api/v1/posts?limit=200")}
    assert posts == {"仓管岗", "叉车岗", "主管岗"}
    # The forklift driver holds the certification his post asks for (W01 §一2), with no invented
    # expiry date.
    driver = wh[roles["叉车司机"]].get("/api/v1/me").json()["account"]
    certs = wh.admin.get(f"/api/v1/people/{driver['person_id']}").json()["certifications"]
    assert [(c["kind"], c["expires_on"]) for c in certs] == [("叉车操作证", None)]


def test_kinds_and_permissions_come_from_the_pack(wh):
    roles = by_role(wh)
    keeper = wh[roles["仓管员"]].get("/api/v1/me").json()["account"]
    assert keeper["kinds"] == ["operator"]  # on 仓管岗
    assert set(keeper["permissions"]) == {"org.read", "visits.manage"}
    manager = wh[roles["部门经理"]].get("/api/v1/me").json()["account"]
    assert manager["kinds"] == ["head"] and "ledger.decide" in manager["permissions"]
    finance = wh[roles["财务"]].get("/api/v1/me").json()["account"]
    assert finance["kinds"] == ["employee"] and finance["permissions"] == ["org.read"]


def test_a_duty_of_the_pack_falls_due_and_is_done_by_the_keeper(wh):
    roles = by_role(wh)
    keeper = wh[roles["仓管员"]]
    post = post_of(wh, "仓管岗")
    assert keeper.post(f"/api/v1/posts/{post}/attendance").status == 201
    advance(wh, START + dt.timedelta(minutes=1))
    duties = keeper.get(f"/api/v1/duties?post_id={post}&limit=200").json()["items"]
    rounds = [d for d in duties if d["duty"] == "w01-climate-round" and d["state"] == "due"]
    assert rounds, duties
    r = keeper.post(f"/api/v1/duties/{rounds[0]['id']}/complete",
                    {"answers": {"temperature": 18, "humidity": 45}})
    assert r.status == 200, r
    assert r.json()["state"] == "done"


def test_the_prohibition_refuses_approving_ones_own_issue(wh):
    roles = by_role(wh)
    r = wh.file(roles["仓管员"], "w01-large-issue",
                {"issue.amount_yuan": 25000, "issue.handled_by_approver": True})
    assert r.status == 403, r
    assert "不得为自己经手的出库单审批" in r.json()["error"]["message"]
    assert "W01 §四2" in r.json()["error"]["clauses"]
    r = wh.file(roles["仓管员"], "w01-large-issue",
                {"issue.amount_yuan": 25000, "issue.handled_by_approver": False})
    assert r.status == 201, r


def test_the_packs_supervisor_records_a_violation_and_the_keeper_cannot(wh):
    roles = by_role(wh)
    keeper = wh[roles["仓管员"]].get("/api/v1/me").json()["account"]
    body = {"site_id": wh.site, "person_id": keeper["person_id"], "code": "W01-MISMATCH",
            "note": "A区账实不符", "occurred_at": (START - dt.timedelta(hours=1)).isoformat()}
    assert wh[roles["仓管员"]].post("/api/v1/violations", body).status == 403
    r = wh[roles["仓库主管"]].post("/api/v1/violations", body)
    assert r.status == 201, r
    assert r.json()["fine_yuan"] == 50 and r.json()["occurrence"] == 1  # W01 §五1


def test_a_visitor_enters_the_hazmat_store_under_an_approved_request(wh):
    roles = by_role(wh)
    chief = wh[roles["仓库主管"]].get("/api/v1/me").json()["account"]
    r = wh.file(roles["仓管员"], "w01-hazmat-entry")
    assert r.status == 201, r
    rid = r.json()["id"]
    r = wh[roles["仓库主管"]].post(f"/api/v1/requests/{rid}/decisions",
                                 {"approve": True, "escort_person_id": chief["person_id"]})
    assert r.status == 201 and r.json()["state"] == "approved", r
    body = {"site_id": wh.site, "place": "危险品库", "request_id": rid, "name": "周来宾",
            "reason": "取样", "visitor_signed": True,
            # the pack's own register (w01-hazmat-log, W01 §四3) asks who; the escort is the
            # approver's
            "fields": {"who": "周来宾"}}
    assert wh[roles["财务"]].post("/api/v1/visits", body).status == 403  # no visits.manage
    r = wh[roles["仓管员"]].post("/api/v1/visits", body)
    assert r.status == 201, r


def test_the_keepers_hand_over_at_the_packs_own_shift_change(wh):
    roles = by_role(wh)
    admin, post = wh.admin, post_of(wh, "仓管岗")
    outgoing = wh[roles["仓管员"]]
    # A second keeper, made by the administrator as any company would.
    dept = admin.get(f"/api/v1/departments?site_id={wh.site}").json()["items"][0]["id"]
    p = admin.post("/api/v1/people", {"site_id": wh.site, "department_id": dept,
                                      "name": "演示·接班仓管", "employee_no": "WH-2"})
    assert p.status == 201, p
    a = admin.post("/api/v1/accounts", {"username": "keeper2", "password": "keeper2-password",
                                        "person_id": p.json()["id"],
                                        "roles": [{"role": "仓管员", "scope_kind": "site",
                                                   "scope_id": wh.site}]})
    assert a.status == 201, a
    incoming = wh.server.client()
    assert incoming.login("keeper2", "keeper2-password").status == 200
    if outgoing.get(f"/api/v1/posts/{post}/attendance").json()["items"] == []:
        assert outgoing.post(f"/api/v1/posts/{post}/attendance").status == 201
    # The pack gives no arrival time before the change: the incoming opens at 07:00 itself.
    advance(wh, START.replace(hour=7))
    r = incoming.post("/api/v1/handovers", {"post_id": post})
    assert r.status == 201, r
    h = r.json()
    assert h["checklists"] == ["w01-handover"]
    hid = h["id"]
    answers = {"keys": True, "documents": True}
    assert outgoing.post(f"/api/v1/handovers/{hid}/answers", {"answers": answers}).status == 200
    r = outgoing.post(f"/api/v1/handovers/{hid}/sign", {"password": wh.creds[roles["仓管员"]][0]})
    assert r.status == 200, r
    if h["unacknowledged"]:
        r = incoming.post(f"/api/v1/handovers/{hid}/acknowledge", {"items": h["unacknowledged"]})
        assert r.status == 200, r
    r = incoming.post(f"/api/v1/handovers/{hid}/sign", {"password": "keeper2-password"})
    assert r.status == 200, r
    assert r.json()["state"] == "completed", r
    incoming.close()


def test_create_user_takes_the_pack_and_refuses_a_role_it_does_not_define(tmp_path):
    data = tempfile.mkdtemp(prefix="zhidu-own-pack-")

    def create(username, role, policies):
        args = [BIN, "admin", "create-user", "--data", data, "--username", username, "--role",
                role, "--password-stdin"] + (["--policies", policies] if policies else [])
        return subprocess.run(args, input="a-long-password\n", capture_output=True, text=True,
                              timeout=60, cwd=ROOT)

    r = create("keeper", "仓管员", WAREHOUSE)
    assert r.returncode == 0, r.stderr
    assert "仓管员" in r.stdout
    r = create("lead", "值班长", WAREHOUSE)  # a cn-default role, not the warehouse's
    assert r.returncode == 2 and "值班长" in r.stderr, (r.stdout, r.stderr)
    r = create("lead", "值班长", None)  # the default pack defines it
    assert r.returncode == 0, r.stderr
