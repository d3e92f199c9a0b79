"""The policy pack in force, over HTTP: browse, explain, reload (validated first), and roles."""
import os
import shutil
import signal
import time
import urllib.parse

from zhidu_harness import ROOT, Server

PACK = os.path.join(ROOT, "policies", "cn-default")


def test_policy_browser_api(server, admin):
    info = admin.get("/api/v1/policy")
    assert info.status == 200, info
    body = info.json()
    assert len(body["content_hash"]) == 64
    assert body["coverage"]["missing"] == 0
    cov = body["coverage"]
    assert cov["clauses"] == cov["executable"] + cov["recorded"] + cov["citable_only"]
    assert cov["recorded"] > 0  # e.g. R06's assessment, whose shipments nothing records (issue 20)
    regs = admin.get("/api/v1/policy/regulations").json()["items"]
    assert [r["code"] for r in regs] == [f"R{i:02d}" for i in range(1, 21)]
    # The same figures as `zhidu policy coverage` (issue 16 §7), per regulation and in total.
    assert sum(r["recorded"] for r in regs) == cov["recorded"]
    assert sum(r["executable"] for r in regs) == cov["executable"]
    for r in regs:
        assert r["clauses"] == r["executable"] + r["recorded"] + r["citable_only"] + r["missing"], r
        assert len(r["recorded_clauses"]) == r["recorded"], r
    recorded = next(c for r in regs for c in r["recorded_clauses"])
    explained = admin.get("/api/v1/policy/clauses/" + urllib.parse.quote(recorded)).json()
    assert {x["status"] for x in explained["rules"]} <= {"recorded", "citable"}, explained
    assert any(x["status"] == "recorded" and not x["executable"] for x in explained["rules"])
    r15 = admin.get("/api/v1/policy/clauses/" + urllib.parse.quote("R15 第三条")).json()
    status = {(x["kind"], x["id"]): x["status"] for x in r15["rules"]}
    # R15's lateness is counted from the roster (issue 20: the people module computes its source).
    assert status[("assessment", "r15-attendance")] == "executed", status
    r11 = admin.get("/api/v1/policy/clauses/" + urllib.parse.quote("R11 §3.1")).json()
    status = {(x["kind"], x["id"]): x["status"] for x in r11["rules"]}
    # R11's sources are the service module's and the manager's score (issue 20): executed.
    assert status[("assessment", "r11-performance")] == "executed", status
    r06 = admin.get("/api/v1/policy/clauses/" + urllib.parse.quote("R06 §四(一)5")).json()
    status = {(x["kind"], x["id"]): x["status"] for x in r06["rules"]}
    # R06's on-time rate is the service module's shipments (issue 18 §6): executed.
    assert status[("assessment", "r06-on-time-shipping")] == "executed", status
    r12 = admin.get("/api/v1/policy/regulations/R12").json()
    assert any("五不接" in c["text"] for c in r12["clauses"])
    cited = [c for c in r12["clauses"] if c["rules"]]
    assert cited, "no clause of R12 names the rules implementing it"
    clause = admin.get("/api/v1/policy/clauses/" + urllib.parse.quote("R12 §四(二)2"))
    assert clause.status == 200, clause
    assert "五不接" in clause.json()["text"]
    assert clause.json()["rules"]
    assert admin.get("/api/v1/policy/clauses/" + urllib.parse.quote("R12 §九十九")).status == 404
    assert admin.get("/api/v1/policy/regulations/R99").status == 404


def test_pack_load_is_journaled_and_roles_come_from_the_pack(server, admin):
    kinds = [r for r in admin.get("/api/v1/journal?limit=500").json()["items"] if r["kind"] == "policy.pack.loaded"]
    assert kinds and len(kinds[0]["payload"]["content_hash"]) == 64
    sid = admin.get("/api/v1/sites").json()["items"][0]["id"]
    # 消防中控员 is a role only the pack (R16) names.
    r = admin.post("/api/v1/accounts", {"username": "pack_role", "password": "long-enough-pw",
                                        "roles": [{"role": "消防中控员", "scope_kind": "site", "scope_id": sid}]})
    assert r.status == 201, r


def test_reload_validates_first_and_keeps_the_good_pack(tmp_path):
    pack_dir = tmp_path / "pack"
    shutil.copytree(PACK, pack_dir)
    s = Server("sqlite", extra=["--policies", str(pack_dir)]).start()
    try:
        admin = s.admin()
        good_hash = admin.get("/api/v1/policy").json()["content_hash"]
        op = s.client()
        assert op.login("op1", s.credentials()["op1"][0]).status == 200
        assert op.post("/api/v1/policy/reload").status == 403

        r12 = pack_dir / "R12.yaml"
        original = r12.read_text(encoding="utf-8")
        r12.write_text(original + "\nthis_is_not_a_field: 1\n", encoding="utf-8")
        bad = admin.post("/api/v1/policy/reload")
        assert bad.status == 400, bad
        assert any("R12.yaml" in d for d in bad.json()["error"]["diagnostics"])
        assert admin.get("/api/v1/policy").json()["content_hash"] == good_hash

        # SIGHUP with the bad pack: refused, still serving the good one.
        s.proc.send_signal(signal.SIGHUP)
        # The reload runs on the server's own time: wait for its verdict (bounded), not 1 s.
        deadline = time.time() + 20
        while "reload refused" not in s.log() and time.time() < deadline:
            time.sleep(0.2)
        assert "reload refused" in s.log()
        assert admin.get("/api/v1/policy").json()["content_hash"] == good_hash

        r12.write_text(original.replace("中控室工作管理制度", "中控室工作管理制度", 1) + "\n# revised\n", encoding="utf-8")
        ok = admin.post("/api/v1/policy/reload")
        assert ok.status == 200, ok
        assert ok.json()["content_hash"] != good_hash
        loaded = [r for r in admin.get("/api/v1/journal?limit=500").json()["items"] if r["kind"] == "policy.pack.loaded"]
        assert len(loaded) == 2 and loaded[1]["actor"] != 0
    finally:
        assert s.stop() == 0


def test_server_refuses_to_start_on_a_bad_pack(tmp_path):
    pack_dir = tmp_path / "pack"
    shutil.copytree(PACK, pack_dir)
    (pack_dir / "R01.yaml").write_text("rules: [unclosed\n", encoding="utf-8")
    s = Server("sqlite", extra=["--policies", str(pack_dir)])
    try:
        s.start(timeout=30)
        assert False, "the server started on a broken pack"
    except RuntimeError as e:
        assert "R01.yaml" in str(e)
