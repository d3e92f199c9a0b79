"""What the console's 考核结算 and pay slip read (issue 20 §6), over HTTP against the real binary on
both backends: the pack's schemes with their indicators, weights, clauses, formulas and re-open
request; a month's state before and after its close; the pay formula and inputs beside the pay;
bad input refused."""
import pytest

from zhidu_harness import login, ok


def test_schemes_month_state_and_pay_formula(server, admin):
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    schemes = {s["id"]: s for s in ok(admin.get("/api/v1/assessment-schemes"))["items"]}
    r15 = schemes["r15-attendance"]
    assert (r15["title"], r15["clauses"], r15["reopen"]) == ("礼宾员绩效（迟到影响绩效考核及工资）", ["R15 第三条"], "r11-month-reopen"), r15
    [late] = r15["indicators"]
    assert (late["id"], late["source"], late["weight"], late["weight_param"], late["clauses"]) == \
        ("late_count", "roster.late", None, "weight_lateness", ["R15 第三条"]), late
    assert r15["formula"].strip() == "-(w.late_count * late_count)" and r15["pay_formula"] is None, r15
    r11 = schemes["r11-performance"]
    assert r11["inputs"] == ["base_pay", "performance_pay"] and "score" in r11["pay_formula"], r11

    # Anyone signed in reads a month's state; it follows the close.
    concierge = login(server, "concierge")
    q = f"/api/v1/assessment-periods?site_id={site}&assessment=r15-attendance&period=2026-11"
    state = ok(concierge.get(q))
    assert (state["closed"], state["close"]) == (False, None), state
    ok(admin.request("PUT", f"/api/v1/sites/{site}/parameters/weight_lateness", body={"value": "0.5"}))
    close = ok(admin.post("/api/v1/assessment-periods:close",
                          {"site_id": site, "assessment": "r15-attendance", "period": "2026-11"}), 201)
    state = ok(concierge.get(q))
    assert state["closed"] is True and state["close"]["id"] == close["id"], state

    # The pay slip's formula and inputs come with the pay (one's own line without assessment.manage).
    pay = ok(concierge.get(f"/api/v1/assessment-pay?site_id={site}&assessment=r11-performance&period=2026-11"))
    assert (pay["pay_formula"], pay["inputs"]) == (r11["pay_formula"], ["base_pay", "performance_pay"]), pay

    # Bad input.
    e = ok(concierge.get(f"/api/v1/assessment-periods?site_id={site}&assessment=nope&period=2026-11"), 400)["error"]
    assert (e["reason"], e["field"]) == ("assessment.unknown_scheme", "assessment"), e
    assert ok(concierge.get(f"/api/v1/assessment-periods?site_id={site}&assessment=r15-attendance&period=11-2026"), 400)["error"]["field"] == "period"
    assert ok(concierge.get("/api/v1/assessment-periods?assessment=r15-attendance&period=2026-11"), 400)["error"]["field"] == "site_id"
