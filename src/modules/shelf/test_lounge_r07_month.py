"""Four weeks of the customer lounge (客户休息室, R07) at an accelerated clock, over HTTP, on both
backends (issue 19's done-when, §2's part): Monday 2026-11-30 to Sunday 2026-12-27, four whole
weeks, so every weekly duty's week ends inside the run (January 2027 is not run: the calendar file
has no 2027 yet, and the planner does not guess a year). No day of these weeks is a holiday or a
调休 day in the calendar file, so the working days are the weekdays. The attendant holds
客户休息室岗 throughout and

* cleans before work every working day (R07 §一2), tidies the magazine rack three times a day
  (§一3) and washes the ashtrays three times a day (§一6), checks the room against the rules every
  day (§卫生罚则), wipes the plants and windows Monday, Wednesday and Friday (§一4) —
  except one magazine round on Thursday Dec 17: the day's instance is missed at midnight and R07's
  20-元 R07-HYGIENE is charged to the attendant who held the post (上述情形…处以20元/次罚款);
* counts the shelf before and after work every working day and sells from it (R07 §二3); the
  closing count is done at 17:05 — 下班后 is due when the working day ends (17:00) and open until
  the next one starts (`on: after_work`, docs/runtime.md);
* reconciles each Friday: takings equal to the week's sales, stock as counted. In the second week a
  bottle of water goes missing on Wednesday: every count from that evening shows it, the week's
  reconciliation has a stock variance of one bottle, approved through r07-shelf-variance by the
  厅经理 (the attendant's superior), who records the loss — R07-LOSS, 20 元 and the bottle's price
  in compensation (责任人自行负责赔偿并处以20元/次罚款).

The other posts of the demo are marked not staffed (不设岗) so their duties do not fall due (not this
scenario's subject). Every expectation — instances by duty and state, the violations and fines,
stocktake variances, reconciliations, the request, stock, journal records — is computed here from
the plan and R07, never read back from the server."""
import datetime as dt

import pytest

from zhidu_harness import Actor, all_items, clock_server, ok, staff_only

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 30, 7, 0, tzinfo=TZ)  # a Monday
DAYS = 28
END = START.replace(hour=0) + dt.timedelta(days=DAYS)  # Monday Dec 28 00:00
MISSED_ROUND = dt.date(2026, 12, 17)  # a Thursday: two magazine rounds, not three
LOSS_DAY = dt.date(2026, 12, 9)  # a Wednesday: a bottle of water goes missing
FINE_HYGIENE = FINE_LOSS = 20  # R07 §一 20元/次; R07 §二3 处以20元/次罚款
GOODS = {"矿泉水": (300, 100), "咖啡": (1500, 40)}  # unit price (fen), received at the start
SOLD_A_DAY = {"矿泉水": 3, "咖啡": 1}
ANSWERS = {
    "r07-pre-work-cleaning": {"floor": "pass", "tea-tables": "pass", "desks": "pass", "shelves": "pass",
                              "appliances": "pass", "cups": True, "bar": True, "water": True, "air": True,
                              "personal": True},
    "r07-magazine-rack": {"tidy": True, "updated": True},
    "r07-ashtrays": {"butts": 0, "washed": True},
    "r07-plants-windows": {"plants": True, "glass": True},
    "r07-daily-self-check": {"all-ok": "pass"},
}


def days():
    return [START.date() + dt.timedelta(days=i) for i in range(DAYS)]


def working(day):
    return day.weekday() < 5  # no holiday or 调休 in these weeks (calendars/cn-public-holidays.yaml)


def at(day, hh, mm=0):
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ)


def plan():
    """(time, order, what, day) for the four weeks."""
    out = []
    for day in days():
        rounds = [at(day, 9), at(day, 12), at(day, 16)]
        if day == MISSED_ROUND:
            rounds = rounds[:2]
        out += [(t, 2, "r07-magazine-rack", day) for t in rounds]
        out += [(at(day, h, 30), 2, "r07-ashtrays", day) for h in (9, 12, 16)]
        out.append((at(day, 16, 40), 2, "r07-daily-self-check", day))
        if day.weekday() in (0, 2, 4):
            out.append((at(day, 10), 2, "r07-plants-windows", day))
        if working(day):
            out += [(at(day, 8), 0, "r07-pre-work-cleaning", day), (at(day, 8), 1, "open", day),
                    (at(day, 11), 2, "sell", day), (at(day, 17, 5), 3, "close", day)]
            if day == LOSS_DAY:
                out.append((at(day, 15), 2, "vanish", day))
            if day.weekday() == 4:
                out += [(at(day, 16, 58), 4, "reconcile", day), (at(day, 17, 30), 5, "approve", day),
                        (at(day, 17, 40), 6, "loss", day)]
    return sorted(out)


@pytest.fixture
def lounge(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def test_four_weeks_of_the_customer_lounge(lounge):
    srv = lounge
    admin, att, mgr = Actor(srv, "admin"), Actor(srv, "lounge_att"), Actor(srv, "lounge_mgr")
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    me = att.me()["person_id"]
    post = staff_only(admin, site, "客户休息室岗", "本月仅客户休息室")
    ok(att.post(f"/api/v1/posts/{post}/attendance"), 201)
    goods = {}
    for name, (price, received) in GOODS.items():
        goods[name] = ok(mgr.post("/api/v1/shelf/goods", {"post_id": post, "name": name,
                                                          "unit_price_fen": price}), 201)["id"]
        ok(mgr.post(f"/api/v1/shelf/goods/{goods[name]}/receipts", {"quantity": received}), 201)

    book = {name: received for name, (_, received) in GOODS.items()}  # what the book says
    shelf = dict(book)  # what is on the shelf
    week_sales = 0
    expected_stocktakes, reconciliations, loss = [], [], None
    now = START
    for t, _, what, day in plan():
        if t != now:
            ok(admin.post("/api/v1/test/clock", {"to": t.isoformat()}))
            now = t
        if what in ANSWERS:
            [d] = [d for state in ("due", "in_progress")
                   for d in all_items(att, f"/api/v1/duties?post_id={post}&state={state}&limit=200")
                   if d["duty"] == what]
            ok(att.post(f"/api/v1/duties/{d['id']}/complete", {"answers": ANSWERS[what]}))
        elif what in ("open", "close"):
            counts = [{"goods_id": goods[n], "counted": shelf[n]} for n in GOODS]
            s = ok(att.post("/api/v1/shelf/stocktakes", {"post_id": post, "slot": what, "counts": counts}), 201)
            variance = sum(book[n] - shelf[n] for n in GOODS)  # expected − counted (R07 §二3 盘点)
            assert (s["day"], s["variance"]) == (day.isoformat(), variance), s
            assert s["duty_id"], s  # the record completed the planner's 上班前/下班后 count
            expected_stocktakes.append((day.isoformat(), what, variance))
        elif what == "sell":
            for n, q in SOLD_A_DAY.items():
                sale = ok(att.post(f"/api/v1/shelf/goods/{goods[n]}/sales", {"quantity": q}), 201)
                assert sale["amount_fen"] == GOODS[n][0] * q
                book[n] -= q
                shelf[n] -= q
                week_sales += GOODS[n][0] * q
        elif what == "vanish":
            shelf["矿泉水"] -= 1
        elif what == "reconcile":
            counts = [{"goods_id": goods[n], "counted": shelf[n]} for n in GOODS]
            r = ok(att.post("/api/v1/shelf/reconciliations", {"post_id": post, "cash_fen": week_sales,
                                                               "counts": counts}), 201)
            stock_variance = sum((book[n] - shelf[n]) * GOODS[n][0] for n in GOODS)
            monday = day - dt.timedelta(days=day.weekday())
            assert (r["week"], r["sales_fen"], r["takings_variance_fen"], r["stock_variance_fen"]) == (
                monday.isoformat(), week_sales, 0, stock_variance), r
            assert r["state"] == ("pending" if stock_variance else "balanced"), r
            assert r["duty_id"], r  # the week's 每周盘点 duty
            reconciliations.append((r, stock_variance))
            book = dict(shelf)  # the book follows the count from here on
            week_sales = 0
        elif what == "approve":
            r, variance = reconciliations[-1]
            if variance:
                ok(mgr.post(f"/api/v1/requests/{r['request_id']}/decisions", {"approve": True, "note": "同意"}), 201)
        elif what == "loss":
            r, variance = reconciliations[-1]
            if variance:
                loss = ok(mgr.post("/api/v1/shelf/losses", {
                    "post_id": post, "person_id": me, "compensation_fen": variance,
                    "reconciliation_id": r["id"], "note": "监管不严，少一瓶矿泉水"}), 201)
    ok(admin.post("/api/v1/test/clock", {"to": (END + dt.timedelta(minutes=5)).isoformat()}))

    # The duties R07 plans on the post, by duty and state, over the four weeks.
    working_days = [d for d in days() if working(d)]
    mondays = [d for d in days() if d.weekday() == 0]
    want = {
        "r07-pre-work-cleaning": ["done"] * len(working_days),
        "r07-stocktake-open": ["done"] * len(working_days),
        "r07-stocktake-close": ["done"] * len(working_days),
        "r07-magazine-rack": sorted(["done"] * (DAYS - 1) + ["missed"]),
        "r07-ashtrays": ["done"] * DAYS,
        "r07-daily-self-check": ["done"] * DAYS,
        "r07-plants-windows": ["done"] * len(mondays),
        "r07-weekly-reconciliation": ["done"] * len(mondays),
    }
    got, missed, ours = {}, [], set()
    for d in all_items(admin, f"/api/v1/duties?post_id={post}&limit=500"):
        ours.add(f"duty/{d['id']}")
        if dt.datetime.fromisoformat(d["due_at"]) >= END:
            continue
        got.setdefault(d["duty"], []).append(d["state"])
        if d["state"] == "missed":
            missed.append(d)
    assert {k: sorted(v) for k, v in got.items()} == want
    [rack] = missed
    assert dt.datetime.fromisoformat(rack["due_at"]) == at(MISSED_ROUND, 0) and rack["completions"] == 2, rack

    # The fines: the missed round on whoever held the post, the loss on the person answerable.
    viol = [v for v in all_items(admin, f"/api/v1/violations?site_id={site}&limit=200") if v["code"].startswith("R07-")]
    assert sorted((v["code"], v["person_id"], v["fine_yuan"]) for v in viol) == [
        ("R07-HYGIENE", me, FINE_HYGIENE), ("R07-LOSS", me, FINE_LOSS)]
    hygiene = next(v for v in viol if v["code"] == "R07-HYGIENE")
    assert dt.datetime.fromisoformat(hygiene["occurred_at"]) == at(MISSED_ROUND + dt.timedelta(days=1), 0)
    assert hygiene["subject"] == f"duty/{rack['id']}" and "R07 §一3" in hygiene["clauses"], hygiene
    lost = next(v for v in viol if v["code"] == "R07-LOSS")
    assert lost["id"] == loss["violation_id"] and lost["consequence"]["compensation_at_cost"] is True, lost
    assert loss["compensation_fen"] == GOODS["矿泉水"][0]

    # The shelf's records.
    takes = all_items(att, f"/api/v1/shelf/stocktakes?post_id={post}&limit=200")
    assert sorted((s["day"], s["slot"], s["variance"]) for s in takes) == sorted(expected_stocktakes)
    assert len(expected_stocktakes) == 2 * len(working_days)
    recs = all_items(att, f"/api/v1/shelf/reconciliations?post_id={post}&limit=200")
    variances = [v for _, v in reconciliations]
    assert variances == [0, GOODS["矿泉水"][0], 0, 0]  # the bottle, in the week of LOSS_DAY
    assert sorted(r["state"] for r in recs) == sorted("approved" if v else "balanced" for v in variances)
    reqs = [r for r in all_items(admin, f"/api/v1/requests?site_id={site}&limit=200") if r["type"] == "r07-shelf-variance"]
    assert [(r["state"], r["applicant_person_id"]) for r in reqs] == [("approved", me)]
    stock = {g["name"]: g["stock"] for g in ok(att.get(f"/api/v1/shelf/goods?post_id={post}"))["items"]}
    sold = {n: q * len(working_days) for n, q in SOLD_A_DAY.items()}
    assert stock == {n: GOODS[n][1] - sold[n] - (1 if n == "矿泉水" else 0) for n in GOODS}, stock

    kinds, alerts = {}, []
    for j in all_items(admin, "/api/v1/journal?limit=500"):
        kinds[j["kind"]] = kinds.get(j["kind"], 0) + 1
        if j["kind"] == "duty.missed" and j["subject"] in ours:
            alerts.append(j)
    assert kinds["shelf.stocktake.recorded"] == 2 * len(working_days)
    assert kinds["shelf.goods.sold"] == len(SOLD_A_DAY) * len(working_days)
    assert kinds["shelf.reconciliation.recorded"] == len(mondays) and kinds["shelf.loss.recorded"] == 1
    assert kinds["shelf.goods.added"] == kinds["shelf.goods.received"] == len(GOODS)
    # The one alert of the four weeks (on_miss: alert), naming the attendant on the post.
    assert [(j["subject"], j["payload"]["on_post"]) for j in alerts] == [(f"duty/{rack['id']}", [me])]
    srv.stop()
    v = srv.verify()
    assert v.returncode == 0, v.stdout + v.stderr
