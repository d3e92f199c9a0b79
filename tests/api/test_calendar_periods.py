"""Duties counted per calendar period (docs/policy_format.md §10) are planned for every period
the language accepts — month, quarter, half year, year, and `every: Nmo` — so nothing passes
`zhidu policy check` and then never falls due. The shipped pack's R19 annual plan (per: year),
R20's monthly pump test and its half-yearly test are planned on the demo at a test clock;
a site copy of the pack adds a quarterly and a three-monthly duty."""
import datetime as dt

import pytest

from test_runtime_week import post_id
from zhidu_harness import all_items, clock_server, pack_with

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)

EXTRA = """
  - id: site-quarterly-review
    title: 每季度客服工作回顾（站点自定）
    clause: "R19 §三2.1)"
    post: 客服主管岗
    schedule: {times: 2, per: quarter}
  - id: site-three-monthly-check
    title: 每三个月检查一次（站点自定）
    clause: "R19 §三2.1)"
    post: 客服主管岗
    schedule: {every: 3mo}
"""


@pytest.fixture
def srv(require_backend, tmp_path):
    # A site's own duties, in a file of their own citing R19.
    pack = pack_with(tmp_path, "R19.yaml", "")
    with open(f"{pack}/S19.yaml", "w", encoding="utf-8") as f:
        f.write("regulation: R19\nduties:" + EXTRA)
    s = clock_server(require_backend, NOW, pack)
    yield s
    s.kill()


def test_month_quarter_half_year_year_and_every_three_months_are_planned(srv):
    admin = srv.admin()
    # Plan now rather than race the planner's first pass after start (idempotent: the background
    # pass and this one create each instance once). Under load on PostgreSQL the read used to come
    # first and found nothing planned.
    assert admin.post("/api/v1/duties:plan").status == 200
    lead, fire = post_id(admin, "客服主管岗"), post_id(admin, "消防控制室值班岗")
    planned = all_items(admin, f"/api/v1/duties?post_id={lead}&limit=500")
    planned += all_items(admin, f"/api/v1/duties?post_id={fire}&limit=500")
    by_duty = {}
    for d in planned:
        by_duty.setdefault(d["duty"], []).append(d)

    def period(duty):
        items = by_duty.get(duty)
        assert items, f"{duty} was never planned; planned: {sorted(by_duty)}"
        current = [d for d in items if d["due_at"] <= NOW.isoformat() < d["window_end"]]
        assert len(current) == 1, items
        return current[0]["due_at"], current[0]["window_end"], current[0]["required"]

    assert period("r19-annual-plan") == ("2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", 1)
    assert period("r20-pump-monthly") == ("2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", 1)
    assert period("r20-semiannual") == ("2026-07-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", 1)
    assert period("site-quarterly-review") == ("2026-10-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", 2)
    # Months since January 1970 that are multiples of three: January, April, July, October.
    assert period("site-three-monthly-check") == ("2026-10-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", 1)
