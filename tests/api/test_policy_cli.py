"""`zhidu policy check|coverage|explain` against the real binary.

ZHIDU_BIN points at the binary (default build/debug/src/app/zhidu); run from the repository root.
"""
import json
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("ZHIDU_BIN", str(ROOT / "build/debug/src/app/zhidu"))
DEFAULT_PACK = ROOT / "policies/cn-default"
BAD_PACK = ROOT / "tests/api/fixtures/policy/bad-pack"


def zhidu(*args, env=None):
    if not pathlib.Path(BIN).exists():
        pytest.skip(f"zhidu binary not built at {BIN}")
    return subprocess.run([BIN, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_check_default_pack_exits_0():
    r = zhidu("policy", "check", str(DEFAULT_PACK))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "ok: cn-default" in r.stdout


def test_check_bad_pack_exits_1_with_every_error_positioned():
    r = zhidu("policy", "check", str(BAD_PACK))
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    positioned = [l for l in lines if re.match(r"^.+\.yaml:\d+:\d+: ", l)]
    assert positioned == lines, r.stderr
    f = str(BAD_PACK / "T01.yaml")
    expected = [
        f"{f}:4:",  # the column counts the bytes of the Chinese before it
        f"{f}:7:13: clause 'T01 §九' does not exist in T01",
        f"{f}:8:11: duty post refers to undefined post '保安岗'",
        f"{f}:9:23: bad duration \"15x\"",
        f"{f}:10:5: duplicate key 'id' (first at line 6)",
    ]
    for e in expected:
        assert any(l.startswith(e) for l in lines), f"missing {e!r} in:\n{r.stderr}"
    assert len(lines) == len(expected), r.stderr
    assert any(l.startswith(f"{f}:4:") and "unknown permission 'ledger.recrod'" in l
               for l in lines), r.stderr


def test_permissions_table_is_the_one_in_the_docs():
    """docs/policy_format.md §3 holds the catalogue between markers; the CLI prints it."""
    r = zhidu("policy", "permissions")
    assert r.returncode == 0, r.stderr
    docs = (ROOT / "docs/policy_format.md").read_text(encoding="utf-8")
    block = docs.split("<!-- permissions:begin -->\n")[1].split("<!-- permissions:end -->")[0]
    assert block == r.stdout
    ids = re.findall(r"^\| `([^`]+)` ", r.stdout, re.M)
    assert len(ids) == len(set(ids)), "a permission id appears twice in the catalogue"
    # the kernel's and the modules' (repairs, roster, visits, alarms, service)
    for p in ("*", "ledger.record", "duty.manage", "repair.manage", "roster.manage",
              "visits.manage", "alarms.ingest", "service.customer_data"):
        assert p in ids


def test_permissions_of_a_pack_name_its_roles():
    r = zhidu("policy", "permissions", "--policies", str(DEFAULT_PACK))
    assert r.returncode == 0, r.stderr
    row = next(l for l in r.stdout.splitlines() if l.startswith("| `ledger.decide` |"))
    assert "部长" in row and "客服经理" in row and "中控员" not in row
    row = next(l for l in r.stdout.splitlines() if l.startswith("| `*` |"))
    assert row.rstrip().endswith("管理员 |")


def test_coverage_json_shows_zero_missing_for_all_twenty():
    r = zhidu("policy", "coverage", str(DEFAULT_PACK), "--json")
    assert r.returncode == 0, r.stderr
    cov = json.loads(r.stdout)
    codes = [reg["code"] for reg in cov["regulations"]]
    assert codes == [f"R{i:02d}" for i in range(1, 21)]
    for reg in cov["regulations"]:
        assert reg["missing"] == 0, reg
        assert reg["total"] == reg["executable"] + reg["recorded"] + reg["citable_only"], reg
        assert len(reg["recorded_clauses"]) == reg["recorded"], reg
    assert cov["missing"] == 0
    assert cov["total"] == sum(reg["total"] for reg in cov["regulations"])
    assert cov["recorded"] == sum(reg["recorded"] for reg in cov["regulations"])


# "cn-default: 425 clauses, 253 executable, …" as README and the docs quote it.
FIGURES = re.compile(r"(\d+) clauses:? (\d+) executable, (\d+) recorded(?:,| but) not enforced, "
                     r"(\d+) citable(?:-only)?, (\d+) missing")


def test_readme_and_docs_quote_the_coverage_the_binary_computes():
    """Issue 16 §7: README, the docs and `zhidu policy coverage` give the same numbers."""
    r = zhidu("policy", "coverage", str(DEFAULT_PACK), "--json")
    assert r.returncode == 0, r.stderr
    cov = json.loads(r.stdout)
    want = (cov["total"], cov["executable"], cov["recorded"], cov["citable_only"], cov["missing"])
    for doc in ("README.md", "docs/policy_format.md", "docs/coverage.md"):
        text = re.sub(r"\s+", " ", (ROOT / doc).read_text(encoding="utf-8"))
        quoted = [tuple(int(n) for n in m) for m in FIGURES.findall(text)]
        assert quoted, f"{doc} quotes no coverage figures"
        assert all(q == want for q in quoted), f"{doc} quotes {quoted}, the binary says {want}"


def test_coverage_lists_recorded_clauses_and_explain_marks_them():
    r = zhidu("policy", "coverage", str(DEFAULT_PACK), "--json")
    cov = json.loads(r.stdout)
    recorded = [c for reg in cov["regulations"] for c in reg["recorded_clauses"]]
    assert len(recorded) == cov["recorded"] > 0
    table = zhidu("policy", "coverage", str(DEFAULT_PACK)).stdout
    assert f"recorded, not enforced: {recorded[0]}" in table
    r = zhidu("policy", "explain", recorded[0], "--policies", str(DEFAULT_PACK))
    assert r.returncode == 0, r.stderr
    assert "[recorded, not enforced]" in r.stdout and "[executed]" not in r.stdout, r.stdout
    # An assessment is executed only when every indicator names a source the people module
    # computes (issue 20): R15's lateness from the roster is, and R11's tickets, surveys and quality
    # reviews and R06's shipments (the service module's, issue 18 §6).
    r = zhidu("policy", "explain", "R15 第三条", "--policies", str(DEFAULT_PACK))
    assert "[executed]  assessment r15-attendance" in r.stdout, r.stdout
    assert "[executed]  penalty" in r.stdout, r.stdout
    r = zhidu("policy", "explain", "R11 §3.1", "--policies", str(DEFAULT_PACK))
    assert "[executed]  assessment r11-performance" in r.stdout, r.stdout
    r = zhidu("policy", "explain", "R06 §四(一)5", "--policies", str(DEFAULT_PACK))
    assert "[executed]  assessment r06-on-time-shipping" in r.stdout, r.stdout


def test_coverage_table():
    r = zhidu("policy", "coverage", str(DEFAULT_PACK))
    assert r.returncode == 0, r.stderr
    assert "R12" in r.stdout and "中控室工作管理制度" in r.stdout


def test_explain_prints_clause_text_and_rules():
    r = zhidu("policy", "explain", "R12 §四(二)2", "--policies", str(DEFAULT_PACK))
    assert r.returncode == 0, r.stderr
    assert "五不接" in r.stdout
    assert "工具不全不接" in r.stdout
    assert "r12-handover" in r.stdout


def test_explain_article_and_default_dir_from_env():
    r = zhidu("policy", "explain", "R15 第十四条", env={"ZHIDU_POLICIES": str(DEFAULT_PACK)})
    assert r.returncode == 0, r.stderr
    assert "提前15分钟提醒客户上车" in r.stdout
    assert "r15-boarding-reminder" in r.stdout


def test_explain_unknown_clause_exits_1():
    r = zhidu("policy", "explain", "R12 §九", "--policies", str(DEFAULT_PACK))
    assert r.returncode == 1
    assert "no clause" in r.stderr
