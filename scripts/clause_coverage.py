#!/usr/bin/python3
"""Which executable clauses the API tests exercise.

Usage: scripts/clause_coverage.py LOG OUT.md [R02 R05 …]

LOG is what tests/api/zhidu_harness.py wrote with ZHIDU_CLAUSE_LOG set (`make clause-coverage`):
every short string and every clause-citing string the tests received, with the tests that received
it. A clause counts as exercised when a test received, outside the endpoints that list the pack,
either the clause itself (a duty, violation, procedure, refusal or journal record citing it) or
the id of one of its executable rules (a duty instance of r12-video-patrol, a request of type
r16-footage-view, a procedure r20-fire-alarm …). The clauses and their rules come from the real
binary's /api/v1/policy/regulations/{code}. A role, post or place name seen in a response does not
count (those names appear whether or not the rule ran): such clauses are listed as "named only". Exit status 1 when an executable clause is not
exercised, so the list can be enforced; the markdown table is written either way."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "api"))
from zhidu_harness import Actor, Server  # noqa: E402

CLAUSE_REF = re.compile(r"R\d\d §")
# Names that appear in many responses whether or not their clause's rule ran: seeing one is
# reported ("named only"), not counted as exercising the clause.
WEAK_KINDS = {"role", "post", "place"}
# Why a clause runs only where a site opens a post the demo company lacks (the demo does not invent
# the post; the tests open it): written under the table's headline.
NOTES = [
    "R01 §一, R01 §七 (and R18 §三7/§三8's r18-leaving): duties of the post 休息室值日 (R04 §二1 排出值日表), "
    "which the demo company does not open; a site that opens it gets the daily cleaning planned and "
    "最后一人离开's checks on it (test_event_duties.py). R01 §一 says 每天自觉打扫 of everyone and names no "
    "one to clean: the post is the site's choice.",
    "R08 §二1/§二5 (r08-on-post, r08-on-post-orders, r08-on-post-complaints): R19 §二4)'s 订单组, 投诉组 "
    "and 客服组 are teams of the demo's 客服部, not posts; the staffing rules run where a site opens the "
    "posts (test_control_room_clauses.py opens all three).",
    "R14 §1.1.1, R14 §1.1.3 (r14-daily-stats, r14-periodic-report): the post 客服管理岗 (R14 §1.1) is not "
    "the demo's; a site that opens it gets both (test_event_duties.py). R14 §1.1.3 runs at the demo "
    "site through r14-escalation.",
]


def load_log(path):
    seen = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            value, tests = json.loads(line)
            seen.setdefault(value, set()).update(tests)
    return seen


def cited(seen, clause_ids):
    """clause id -> tests whose responses cite it (longest match at each 'Rnn §', so R16 §一1 is
    not counted for R16 §一10)."""
    ordered = sorted(clause_ids, key=len, reverse=True)
    out = {}
    for value, tests in seen.items():
        if "§" not in value:
            continue
        for m in CLAUSE_REF.finditer(value):
            rest = value[m.start():]
            hit = next((c for c in ordered if rest.startswith(c)), None)
            if hit:
                out.setdefault(hit, set()).update(tests)
    return out


def main():
    log, out_md = sys.argv[1], sys.argv[2]
    codes = sys.argv[3:] or ["R02", "R05", "R09", "R12", "R16", "R20"]
    seen = load_log(log)
    server = Server("sqlite").start()
    try:
        admin = Actor(server, "admin")
        regs = {c: admin.get(f"/api/v1/policy/regulations/{c}").json() for c in codes}
    finally:
        server.kill()
    all_ids = [c["id"] for r in regs.values() for c in r["clauses"]]
    by_citation = cited(seen, all_ids)
    rows, missing, total = [], [], 0
    for code in codes:
        for clause in regs[code]["clauses"]:
            rules = [r for r in clause["rules"] if r["executable"]]
            # Leaves only, as `zhidu policy coverage` counts them: a heading's rules are its
            # items' (R17 §二's routing is §二(1)-(6)'s), so it is not a clause of its own.
            if not rules or not clause["leaf"]:
                continue
            total += 1
            tests = set(by_citation.get(clause["id"], set()))
            via = ["cited"] if tests else []
            named = set()
            for r in rules:
                if r["id"] in seen:
                    if r["kind"] in WEAK_KINDS:
                        named |= seen[r["id"]]
                        via.append(f"named only: {r['id']}")
                    else:
                        tests |= seen[r["id"]]
                        via.append(r["id"])
            if not tests:
                missing.append(clause["id"] + (" (named only)" if named else ""))
            names = sorted({t.split("::")[0].split("/")[-1] + "::" + t.split("::")[-1].split("[")[0]
                            for t in tests})
            rows.append((clause["id"], ", ".join(f"{r['kind']} {r['id']}" for r in rules),
                         ", ".join(via) or "—", "<br>".join(names[:4]) +
                         (f" (+{len(names) - 4})" if len(names) > 4 else "") or "**not exercised**"))
    with open(out_md, "w", encoding="utf-8") as f:
        f.write("# Clause coverage of the API tests\n\n")
        f.write("Generated by `make clause-coverage` (scripts/clause_coverage.py; how a clause counts "
                "as exercised is in its docstring). Regulations: " + ", ".join(codes) + ".\n\n")
        f.write(f"**{total - len(missing)} of {total} executable clauses exercised.**")
        f.write(f" Not exercised: {', '.join(missing)}.\n\n" if missing else "\n\n")
        f.write("Notes — clauses whose post the demo company lacks:\n\n")
        f.write("".join(f"* {n}\n" for n in NOTES) + "\n")
        f.write("| clause | executable rules | seen as | tests |\n|---|---|---|---|\n")
        for row in rows:
            f.write("| " + " | ".join(x.replace("|", "\\|") for x in row) + " |\n")
    print(f"{total - len(missing)}/{total} executable clauses exercised; missing: {missing}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
