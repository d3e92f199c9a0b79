"""The lounge shelf (休息室货架, R07 §二3) over HTTP against the real binary, on both backends, on the
test clock: goods with a unit price in fen, receipts, sales (amount = price × quantity), the
stocktake before and after work (variance = expected − counted, computed by the server; the record
completes the planner's stocktake duty), the weekly reconciliation of takings and stock whose
variance is approved through the pack's request chain (the attendant's 厅经理), and a loss charged
to the attendant: the pack's R07-LOSS (20 元/次) through the ledger plus compensation in fen. Bad
input is a 4xx with a stable reason and writes nothing."""
import datetime as dt

import pytest

from zhidu_harness import all_items, clock_server, login

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # an ordinary working Monday


@pytest.fixture
def srv(require_backend):
    s = clock_server(require_backend, MONDAY)
    yield s
    s.kill()


def refused(r, status, reason=None, field=None):
    assert r.status == status, r
    err = r.json()["error"]
    if reason:
        assert err.get("reason") == reason, err
    if field:
        assert err.get("field") == field, err


def ids(admin):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    posts = {p["name"]: p["id"] for p in all_items(admin, "/api/v1/posts?limit=200")}
    return site, posts["客户休息室岗"], posts["中控岗"]


def journal(admin, prefix):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"].startswith(prefix)]


def test_goods_sales_stocktakes_reconciliation_and_a_loss(srv):
    admin = srv.admin()
    site, lounge, control = ids(admin)
    att = login(srv, "lounge_att")  # 休息室工作人员: shelf.sell
    mgr = login(srv, "lounge_mgr")  # 厅经理: shelf.manage, the attendant's superior
    att_person = att.get("/api/v1/me").json()["account"]["person_id"]

    shelves = att.get(f"/api/v1/shelf/posts?site_id={site}").json()
    assert [p["id"] for p in shelves["items"]] == [lounge], shelves
    assert shelves["clauses"] == ["R07 §二3"]

    # Goods: shelf.manage only; price in whole fen; the name once per shelf; a shelf is a post
    # with a stocktake duty.
    refused(att.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "矿泉水",
                                              "unit_price_fen": 300}), 403, "shelf.manage_denied")
    refused(mgr.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "矿泉水",
                                              "unit_price_fen": -1}), 400, "shelf.bad_price",
            "unit_price_fen")
    refused(mgr.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "矿泉水",
                                              "unit_price_fen": 2.5}), 400, None, "unit_price_fen")
    refused(mgr.post("/api/v1/shelf/goods", {"post_id": control, "name": "矿泉水",
                                              "unit_price_fen": 300}), 404, "shelf.unknown_shelf")
    water = mgr.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "矿泉水",
                                             "unit_price_fen": 300})
    assert water.status == 201, water
    water = water.json()
    coffee = mgr.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "咖啡",
                                              "unit_price_fen": 1500}).json()
    refused(mgr.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "咖啡",
                                              "unit_price_fen": 1}), 409, "shelf.goods_exists")

    # Receipts (shelf.manage) and sales (shelf.sell): whole quantities > 0, never beyond the book.
    refused(mgr.post(f"/api/v1/shelf/goods/{water['id']}/receipts", {"quantity": -5}), 400,
            "shelf.bad_quantity", "quantity")
    refused(att.post(f"/api/v1/shelf/goods/{water['id']}/receipts", {"quantity": 5}), 403,
            "shelf.manage_denied")
    refused(mgr.post("/api/v1/shelf/goods/999999/receipts", {"quantity": 5}), 404,
            "shelf.unknown_goods")
    assert mgr.post(f"/api/v1/shelf/goods/{water['id']}/receipts",
                    {"quantity": 20, "note": "入库"}).status == 201
    assert mgr.post(f"/api/v1/shelf/goods/{coffee['id']}/receipts", {"quantity": 10}).status == 201
    sale = att.post(f"/api/v1/shelf/goods/{water['id']}/sales", {"quantity": 3})
    assert sale.status == 201, sale
    assert sale.json()["amount_fen"] == 900 and sale.json()["quantity"] == -3
    refused(att.post(f"/api/v1/shelf/goods/{water['id']}/sales", {"quantity": 18}), 409,
            "shelf.insufficient_stock")
    refused(att.post(f"/api/v1/shelf/goods/{water['id']}/sales", {"quantity": 0}), 400,
            "shelf.bad_quantity")
    stock = {g["name"]: g["stock"] for g in
             att.get(f"/api/v1/shelf/goods?post_id={lounge}").json()["items"]}
    assert stock == {"矿泉水": 17, "咖啡": 10}, stock

    # The attendant takes the post: the stocktake record completes the planner's duty.
    assert att.post(f"/api/v1/posts/{lounge}/attendance").status == 201
    bad = [
        ({"post_id": lounge, "slot": "noon", "counts": []}, 400, "shelf.bad_slot"),
        ({"post_id": lounge, "slot": "open",
          "counts": [{"goods_id": water["id"], "counted": 17}]}, 400, "shelf.goods_not_counted"),
        ({"post_id": lounge, "slot": "open",
          "counts": [{"goods_id": water["id"], "counted": -1},
                     {"goods_id": coffee["id"], "counted": 10}]}, 400, "shelf.bad_quantity"),
        ({"post_id": lounge, "slot": "open",
          "counts": [{"goods_id": 999999, "counted": 1}]}, 400, "shelf.unknown_goods"),
        ({"post_id": lounge, "slot": "open",
          "counts": [{"goods_id": water["id"], "counted": 1},
                     {"goods_id": water["id"], "counted": 1}]}, 400, "shelf.goods_counted_twice"),
        ({"post_id": lounge, "slot": "open", "day": "2026-12-08",
          "counts": [{"goods_id": water["id"], "counted": 17},
                     {"goods_id": coffee["id"], "counted": 10}]}, 400, "shelf.day_in_future"),
    ]
    for body, status, reason in bad:
        refused(att.post("/api/v1/shelf/stocktakes", body), status, reason)
    assert all_items(att, f"/api/v1/shelf/stocktakes?post_id={lounge}") == []

    opening = att.post("/api/v1/shelf/stocktakes", {
        "post_id": lounge, "slot": "open",
        "counts": [{"goods_id": water["id"], "counted": 17}, {"goods_id": coffee["id"], "counted": 10}]})
    assert opening.status == 201, opening
    opening = opening.json()
    assert opening["day"] == "2026-12-07" and opening["variance"] == 0
    assert opening["duty_id"], opening
    duty = admin.get(f"/api/v1/duties/{opening['duty_id']}").json()
    assert duty["duty"] == "r07-stocktake-open" and duty["state"] in ("done", "late"), duty
    # A second stocktake of the same slot: refused, nothing written.
    refused(att.post("/api/v1/shelf/stocktakes", {
        "post_id": lounge, "slot": "open",
        "counts": [{"goods_id": water["id"], "counted": 1}, {"goods_id": coffee["id"], "counted": 1}]}),
        409, "shelf.stocktake_done")

    # After work (下班后: the planner's closing count is due from 17:00) one bottle is gone:
    # variance = expected − counted, by the server.
    assert admin.post("/api/v1/test/clock", {"to": "2026-12-07T17:05:00+08:00"}).status == 200
    closing = att.post("/api/v1/shelf/stocktakes", {
        "post_id": lounge, "slot": "close",
        "counts": [{"goods_id": water["id"], "counted": 16}, {"goods_id": coffee["id"], "counted": 10}]})
    assert closing.status == 201, closing
    closing = closing.json()
    lines = {l["name"]: l for l in closing["lines"]}
    assert lines["矿泉水"] == {"goods_id": water["id"], "name": "矿泉水", "expected": 17,
                             "counted": 16, "variance": 1, "variance_fen": 300}
    assert closing["variance"] == 1 and closing["duty_id"], closing
    assert len(all_items(att, f"/api/v1/shelf/stocktakes?post_id={lounge}")) == 2

    # The weekly reconciliation: takings 9.00 元 on the book, 8.00 元 in cash; one bottle short.
    refused(att.post("/api/v1/shelf/reconciliations", {
        "post_id": lounge, "cash_fen": -1, "counts": []}), 400, "shelf.bad_amount", "cash_fen")
    rec = att.post("/api/v1/shelf/reconciliations", {
        "post_id": lounge, "cash_fen": 800, "note": "少一瓶水",
        "counts": [{"goods_id": water["id"], "counted": 16}, {"goods_id": coffee["id"], "counted": 10}]})
    assert rec.status == 201, rec
    rec = rec.json()
    assert rec["week"] == "2026-12-07" and rec["sales_fen"] == 900 and rec["cash_fen"] == 800
    assert rec["takings_variance_fen"] == 100 and rec["stock_variance_fen"] == 300
    assert rec["state"] == "pending" and rec["request_id"], rec
    # The record completes the planner's weekly duty (R07 §二3 每周…盘点), 帐款相符 flagged.
    weekly = admin.get(f"/api/v1/duties/{rec['duty_id']}").json()
    assert weekly["duty"] == "r07-weekly-reconciliation" and weekly["state"] in ("done", "late")
    assert weekly["answers"] == {"sales": 9.0, "balance": 26.0, "matches": "flag"}, weekly
    refused(att.post("/api/v1/shelf/reconciliations", {
        "post_id": lounge, "cash_fen": 800,
        "counts": [{"goods_id": water["id"], "counted": 16}, {"goods_id": coffee["id"], "counted": 10}]}),
        409, "shelf.reconciliation_done")
    # The book follows the shelf from here on.
    stock = {g["name"]: g["stock"] for g in
             att.get(f"/api/v1/shelf/goods?post_id={lounge}").json()["items"]}
    assert stock == {"矿泉水": 16, "咖啡": 10}, stock

    # The variance is approved through the pack's request chain: the attendant's superior.
    req = mgr.get(f"/api/v1/requests/{rec['request_id']}").json()
    assert req["type"] == "r07-shelf-variance" and req["clauses"] == ["R07 §二3"], req
    assert att.post(f"/api/v1/requests/{rec['request_id']}/decisions",
                    {"approve": True}).status in (403, 409)
    r = mgr.post(f"/api/v1/requests/{rec['request_id']}/decisions", {"approve": True, "note": "同意"})
    assert r.status == 201, r
    assert att.get(f"/api/v1/shelf/reconciliations/{rec['id']}").json()["state"] == "approved"

    # The loss: the attendant's poor supervision → R07-LOSS (20 元) and compensation 3.00 元.
    loss_body = {"post_id": lounge, "person_id": att_person, "compensation_fen": 300,
                 "reconciliation_id": rec["id"], "note": "少一瓶矿泉水"}
    refused(att.post("/api/v1/shelf/losses", loss_body), 403, "shelf.manage_denied")
    refused(mgr.post("/api/v1/shelf/losses", {**loss_body, "compensation_fen": 0}), 400,
            "shelf.bad_amount", "compensation_fen")
    refused(mgr.post("/api/v1/shelf/losses", {**loss_body, "person_id": 999999}), 400,
            "shelf.unknown_person", "person_id")
    assert [v for v in all_items(admin, "/api/v1/violations?limit=200")
            if v["code"] == "R07-LOSS"] == []
    loss = mgr.post("/api/v1/shelf/losses", loss_body)
    assert loss.status == 201, loss
    loss = loss.json()
    assert loss["compensation_fen"] == 300 and loss["violation_id"], loss
    v = admin.get(f"/api/v1/violations/{loss['violation_id']}").json()
    assert v["code"] == "R07-LOSS" and v["person_id"] == att_person, v
    assert v["fine_yuan"] == 20 and "R07 §二3" in v["clauses"], v
    assert v["consequence"]["compensation_at_cost"] is True, v
    assert [l["id"] for l in all_items(mgr, f"/api/v1/shelf/losses?post_id={lounge}")] == [loss["id"]]

    kinds = [j["kind"] for j in journal(admin, "shelf.")]
    assert kinds.count("shelf.stocktake.recorded") == 2 and kinds.count("shelf.loss.recorded") == 1
    srv.stop()
    out = srv.verify()
    assert out.returncode == 0, out.stdout + out.stderr


def test_other_sites_people_see_no_shelf(srv):
    admin = srv.admin()
    site, lounge, _ = ids(admin)
    op = login(srv, "op1")  # 中控员: a role at the site, no shelf permission
    g = admin.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "茶", "unit_price_fen": 800})
    assert g.status == 201, g
    refused(op.post(f"/api/v1/shelf/goods/{g.json()['id']}/sales", {"quantity": 1}), 403,
            "shelf.sell_denied")
    other = admin.post("/api/v1/sites", {"name": "另一园区", "time_zone": "Asia/Shanghai"}).json()
    refused(login(srv, "lounge_att").get(f"/api/v1/shelf/posts?site_id={other['id']}"), 403)


def test_a_variance_nobody_can_approve_is_refused_and_a_balanced_week_needs_no_approval(srv):
    admin = srv.admin()
    _, lounge, _ = ids(admin)
    mgr = login(srv, "lounge_mgr")  # 厅经理: reports to no role in the pack
    g = mgr.post("/api/v1/shelf/goods", {"post_id": lounge, "name": "茶", "unit_price_fen": 800}).json()
    assert mgr.post(f"/api/v1/shelf/goods/{g['id']}/receipts", {"quantity": 5}).status == 201
    # The pack's chain is the applicant's superior: with none, the variance cannot be approved and
    # nothing is written (no reconciliation, no request, the book unchanged).
    refused(mgr.post("/api/v1/shelf/reconciliations", {
        "post_id": lounge, "cash_fen": 0, "counts": [{"goods_id": g["id"], "counted": 4}]}),
        409, "request.no_superior")
    assert all_items(mgr, f"/api/v1/shelf/reconciliations?post_id={lounge}") == []
    assert [r for r in all_items(admin, "/api/v1/requests?limit=200")
            if r["type"] == "r07-shelf-variance"] == []
    assert mgr.get(f"/api/v1/shelf/goods?post_id={lounge}").json()["items"][0]["stock"] == 5
    # 帐款相符: no variance, no request.
    r = mgr.post("/api/v1/shelf/reconciliations", {
        "post_id": lounge, "cash_fen": 0, "counts": [{"goods_id": g["id"], "counted": 5}]})
    assert r.status == 201, r
    assert r.json()["state"] == "balanced" and r.json()["request_id"] is None, r


def test_the_routes_are_documented(srv):
    doc = srv.client().get("/api/v1/openapi.json").json()
    for path in ["/api/v1/shelf/posts", "/api/v1/shelf/goods", "/api/v1/shelf/goods/{id}/receipts",
                 "/api/v1/shelf/goods/{id}/sales", "/api/v1/shelf/stocktakes",
                 "/api/v1/shelf/reconciliations", "/api/v1/shelf/reconciliations/{id}",
                 "/api/v1/shelf/losses", "/api/v1/shelf/moves"]:
        assert path in doc["paths"], path
