"""Duties that fall due when someone reports an event (docs/runtime.md "Event duties"): every
event the pack declares for people to report (GET /api/v1/policy/events) that starts a duty is
raised at the demo site, and each duty it names must fall due on every post of that name at the
site — due at once, its window the event's `deadline`, citing its clause, naming its post. These
are the pack's 定期 duties without a period (R01 §七 最后离开, R06 §四(一)3 办公室卫生,
R06 §四(一)11 and R10's and R14's reports, R10/R19 training plans, R15 第十七条 plants …): nothing
plans them ahead, so unless a test raises their events they never run."""
import datetime as dt
import glob
import os

import yaml

from zhidu_harness import ROOT, all_items


def pack_duties():
    """The shipped pack's duties by id (the demo runs it): post and clause as written there."""
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "policies/cn-default", "R*.yaml"))):
        with open(path, encoding="utf-8") as f:
            for d in (yaml.safe_load(f) or {}).get("duties") or []:
                out[d["id"]] = d
    return out


def test_every_reported_event_makes_its_duties_fall_due_on_their_posts(server, admin):
    posts = {}  # (site, post name) -> post ids
    for p in all_items(admin, "/api/v1/posts?limit=200"):
        posts.setdefault((p["site_id"], p["name"]), []).append(p["id"])
    sites = sorted({site for site, _ in posts})
    duties = pack_duties()
    fell_due = set()
    for event in admin.get("/api/v1/policy/events").json()["items"]:
        named = [s["id"] for s in event["starts"] if s["kind"] == "duty"]
        for site in sites if named else []:
            # Each duty on every post of its name at the site (none of the demo's is 不设岗).
            want = sorted((d, post) for d in named for post in posts.get((site, duties[d]["post"]), []))
            r = admin.post(f"/api/v1/sites/{site}/events", {"event": event["id"], "ref": f"test/{event['id']}",
                                                            "data": {"deadline": "2h"}})
            assert r.status == 201, (event["id"], r)
            started = [admin.get(f"/api/v1/duties/{i}").json() for i in r.json()["duties_started"]]
            assert sorted((d["duty"], d["post_id"]) for d in started) == want, (event["id"], started)
            for d in started:
                rule = duties[d["duty"]]
                cited = rule["clause"] if isinstance(rule["clause"], list) else [rule["clause"]]
                assert d["clauses"] == cited, d
                assert d["state"] in ("due", "scheduled"), d
                due = dt.datetime.fromisoformat(d["due_at"])
                assert dt.datetime.fromisoformat(d["window_end"]) - due == dt.timedelta(hours=2), d
                fell_due.add(d["duty"])
    # The demo company has a post for these (not R01's 休息室值日, R14's 客服管理岗 or R16's 厂区中控岗).
    assert {"r04-periodic-inspection", "r06-satisfaction-survey", "r06-sales-report", "r10-reports",
            "r06-office-cleaning", "r06-requirement-feedback", "r10-training-plan",
            "r19-training-plan", "r15-plants", "r19-roster"} <= fell_due, fell_due
