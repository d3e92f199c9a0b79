"""Orders (issue 18 §6, R06 §四(二)4/5/6, §四(一)5/9, R14 §1.1.1) over HTTP against the real binary,
on both backends, on the test clock from Wednesday 2026-09-30 09:00 in Shanghai, on the pack's
business calendar (policies/cn-default/calendars = ../shared/calendars: 国庆 10-01 … 10-07 off,
Saturday 10-10 调休上班): a retail order under 5 pieces with no special requirement gets its
shipping notice at once; a bulk or special one goes through the pack's five parallel reviews and
gets it when the last approves; the ship date is the pack's 17:30 cut-off on the business calendar
(before/after 17:30, across the holiday); shipping on time or late; the on-time rate as the
`shipments` source of R06's assessment; 成交订单数 in the daily statistics; a stock-out's agreed
date kept and breached like an SLA; returns and exchanges linked to the order; every bad input a
4xx with its reason and nothing written."""
import datetime as dt

import pytest

from test_service_sla_api import advance_days
from zhidu_harness import Actor, all_items, clock_server, ok, refused

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 9, 30, 9, 0, tzinfo=TZ)
PASSWORD = "correct horse 1"
REVIEWERS = ["销售部门领导", "生产部", "技术部", "研发部", "物控部"]  # the pack's five review steps' roles


@pytest.fixture
def clock(require_backend):
    s = clock_server(require_backend, START)
    yield s
    s.kill()


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def local(month, day, hour=0, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def journal(admin, kind):
    return [r for r in all_items(admin, "/api/v1/journal?limit=500") if r["kind"] == kind]


def site_and_customer(clock):
    admin = Actor(clock, "admin")  # signs in again when the clock ends the session
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    customer = ok(admin.post("/api/v1/service/customers", {
        "site_id": site, "kind": "company", "name": "订单测试·华东贸易", "phones": ["021-5555-0101"]}),
        201)["id"]
    return admin, site, customer


def order(agent, site, customer, pieces, kind="retail", **extra):
    body = {"site_id": site, "customer_id": customer, "kind": kind,
            "items": [{"name": "工业传感器", "sku": "TS-100", "quantity": pieces}], **extra}
    return ok(agent.post("/api/v1/service/orders", body), 201)


def reviewers(admin, clock, site):
    """One signed-in account per review role of the pack."""
    out = []
    for i, role in enumerate(REVIEWERS):
        person = ok(admin.post("/api/v1/people", {"site_id": site, "name": f"评审·{role}"}), 201)["id"]
        ok(admin.post("/api/v1/accounts", {"username": f"review{i}", "password": PASSWORD,
                                           "person_id": person,
                                           "roles": [{"role": role, "scope_kind": "site",
                                                      "scope_id": site}]}), 201)
        c = clock.client()
        assert c.login(f"review{i}", PASSWORD).status == 200
        out.append(c)
    return out


def ship(agent, o):
    return ok(agent.post(f"/api/v1/service/orders/{o['id']}/ship", {}))


def test_retail_bulk_reviews_cut_off_shipping_and_the_on_time_rate(clock):
    admin, site, customer = site_and_customer(clock)
    cs1 = Actor(clock, "cs1")
    me = ok(cs1.get("/api/v1/me"))["account"]["person_id"]
    board = reviewers(admin, clock, site)

    # A retail order of 3 pieces, no special requirement, at 09:00: the notice at once, ship today.
    retail = order(cs1, site, customer, 3, remarks="周五前到货更好")
    assert retail["state"] == "notice" and retail["review_request_id"] is None, retail
    assert retail["notice_record"] == "r06-shipping-notice" and retail["notice_at"], retail
    assert retail["pieces"] == 3 and retail["agent"] == me and retail["no"].startswith("SO20260930-")
    assert at(retail["ship_by"]) == local(10, 1), retail  # the end of 09-30
    [cut] = retail["deadlines"]
    assert cut["service_level"] == "r06-ship-cutoff" and cut["state"] == "open", cut
    notice = journal(admin, "service.order.notice")
    assert [n["subject"] for n in notice] == [f"order/{retail['id']}"], notice
    assert "R06 §四(二)5" in notice[0]["payload"]["clauses"], notice
    # The remarks travel on the notice, citing R14 §1.2.11 (备注…避免发错货).
    assert notice[0]["payload"]["remarks"] == "周五前到货更好", notice
    assert "R14 §1.2.11" in notice[0]["payload"]["clauses"], notice

    # Bulk, and a retail order with a special requirement: the pack's five parallel reviews.
    bulk = order(cs1, site, customer, 2, kind="bulk")
    special = order(cs1, site, customer, 2, special_requirements="外包装印客户标志")
    big = order(cs1, site, customer, 5)  # retail but not under 5 pieces
    for o in (bulk, special, big):
        assert o["state"] == "reviewing" and o["review_state"] == "pending", o
        assert [r["step"] for r in o["reviews"]] == ["leader", "production", "technology", "rnd",
                                                     "materials"], o
        assert all(r["decision"] is None for r in o["reviews"]) and o["ship_by"] is None, o
        assert o["deadlines"] == [], o  # no cut-off before the notice
    request = ok(admin.get(f"/api/v1/requests/{bulk['review_request_id']}"))
    assert request["type"] == "r06-order-review" and bulk["no"] in request["reason"], request
    refused(cs1.post(f"/api/v1/service/orders/{bulk['id']}/ship", {}), 409, "order.not_confirmed")

    # The reviews are decided at 18:00, after the cut-off: the notice comes with the last one,
    # and the order ships the next working day — 10-08, after 国庆.
    advance_days(admin, local(9, 30, 18))
    for i, reviewer in enumerate(board):
        ok(reviewer.post(f"/api/v1/requests/{bulk['review_request_id']}/decisions",
                         {"approve": True}), 201)
        o = ok(cs1.get(f"/api/v1/service/orders/{bulk['id']}"))
        if i < 4:
            assert o["state"] == "reviewing" and o["notice_at"] is None, o
    assert o["state"] == "notice" and o["review_state"] == "approved", o
    assert all(r["decision"] == "approved" for r in o["reviews"]), o
    assert at(o["ship_by"]) == local(10, 9), o  # the end of 10-08
    # A rejected review: no notice.
    ok(board[1].post(f"/api/v1/requests/{special['review_request_id']}/decisions",
                     {"approve": False, "note": "工艺无法满足"}), 201)
    o = ok(cs1.get(f"/api/v1/service/orders/{special['id']}"))
    assert o["state"] == "reviewing" and o["review_state"] == "rejected", o
    assert [r["decision"] for r in o["reviews"]][:2] == [None, "rejected"], o

    # A retail order after 17:30 on the eve of the holiday and one on 10-03: both ship by 10-08.
    late = order(cs1, site, customer, 1)
    assert at(late["ship_by"]) == local(10, 9), late
    advance_days(admin, local(10, 3, 10))
    holiday = order(cs1, site, customer, 1)
    assert at(holiday["ship_by"]) == local(10, 9), holiday

    # Shipping: the first retail order was not shipped on 09-30 (breached); the others on 10-08.
    advance_days(admin, local(10, 8, 10))
    assert ship(cs1, late)["shipped_on_time"] is True
    assert ship(cs1, holiday)["shipped_on_time"] is True
    o = ship(cs1, retail)
    assert o["state"] == "shipped" and o["shipped_on_time"] is False, o
    assert o["deadlines"][0]["state"] == "met_late", o
    refused(cs1.post(f"/api/v1/service/orders/{retail['id']}/ship", {}), 409, "order.shipped")
    advance_days(admin, local(10, 9, 10))
    assert ship(cs1, bulk)["shipped_on_time"] is False  # due by the end of 10-08

    # R06's assessment runs from the shipments: October 2 of 4 on time for 吴客服 (percent).
    run = ok(admin.post("/api/v1/assessment-runs", {"site_id": site, "assessment": "r06-on-time-shipping",
                                                    "period": "2026-10"}), 201)
    [score] = [s for s in run["scores"] if s["person_id"] == me]
    [value] = score["values"]
    assert value["indicator"] == "on_time_rate" and value["value"] == 50, value
    assert sorted(value["records"]) == sorted([late["id"], holiday["id"], retail["id"], bulk["id"]])
    assert value["record_kind"] == "order" and "R06 §四(二)5" in value["clauses"], value
    assert score["computed"] is True and score["score"] == 50, score
    # September: nothing shipped — not computed, never a zero.
    run = ok(admin.post("/api/v1/assessment-runs", {"site_id": site, "assessment": "r06-on-time-shipping",
                                                    "period": "2026-09"}), 201)
    [score] = [s for s in run["scores"] if s["person_id"] == me]
    assert score["values"][0]["computed"] is False and score["score"] is None, score

    # R14's 成交订单数 of 09-30 from the orders themselves: the five orders 吴客服 took that day.
    stats = ok(cs1.get(f"/api/v1/service/daily-stats?site_id={site}&day=2026-09-30"))
    [row] = [r for r in stats["items"] if r["person_id"] == me]
    assert row["orders"] == 5 and sorted(row["order_ids"]) == sorted(
        [retail["id"], bulk["id"], special["id"], big["id"], late["id"]]), row

    # The list, newest first, with filters.
    listed = ok(cs1.get(f"/api/v1/service/orders?site_id={site}"))["items"]
    assert [o["id"] for o in listed] == sorted([o["id"] for o in listed], reverse=True)
    assert len(listed) == 6
    shipped = ok(cs1.get(f"/api/v1/service/orders?site_id={site}&state=shipped"))["items"]
    assert {o["id"] for o in shipped} == {late["id"], holiday["id"], retail["id"], bulk["id"]}
    bulks = ok(cs1.get(f"/api/v1/service/orders?site_id={site}&kind=bulk"))["items"]
    assert [o["id"] for o in bulks] == [bulk["id"]]
    # The 调休 Saturday 10-10 is a working day: an order before 17:30 ships the same day.
    advance_days(admin, local(10, 10, 9))
    assert at(order(cs1, site, customer, 1)["ship_by"]) == local(10, 11)
    clock.stop()
    v = clock.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_a_stock_out_keeps_the_agreed_date_and_a_return_follows_the_order(clock):
    admin, site, customer = site_and_customer(clock)
    cs1 = Actor(clock, "cs1")
    o = order(cs1, site, customer, 2)
    # Out of stock: the customer accepts delivery by Friday 10-09 12:00 (R06 §四(二)6).
    agreed = local(10, 9, 12).isoformat()
    o = ok(cs1.post(f"/api/v1/service/orders/{o['id']}/stock-out",
                    {"agreed_at": agreed, "note": "仓库缺货，生产排期后发货"}))
    assert at(o["agreed_at"]) == local(10, 9, 12) and o["stock_out_at"], o
    levels = {d["service_level"]: d for d in o["deadlines"]}
    assert at(levels["r06-agreed-delivery"]["due_at"]) == local(10, 9, 12), levels
    assert levels["r06-agreed-delivery"]["state"] == "open", levels
    [proc] = [p for p in o["procedures"] if p["procedure"] == "r06-stock-out"]
    assert proc["state"] == "agreed", proc  # contacted, time agreed
    refused(cs1.post(f"/api/v1/service/orders/{o['id']}/stock-out", {"agreed_at": agreed}), 409,
            "order.stock_out_recorded")

    # Not shipped by the agreed time: breached, alerted.
    advance_days(admin, local(10, 9, 12, 5))
    o = ok(cs1.get(f"/api/v1/service/orders/{o['id']}"))
    levels = {d["service_level"]: d for d in o["deadlines"]}
    assert levels["r06-agreed-delivery"]["state"] == "breached", levels
    breached = {j["payload"]["service_level"] for j in journal(admin, "deadline.breached")
                if j["payload"].get("ref") == f"order/{o['id']}"}
    assert breached == {"r06-ship-cutoff", "r06-agreed-delivery"}, breached

    refused(cs1.post(f"/api/v1/service/orders/{o['id']}/returns",
                     {"kind": "return", "reason": "未收到货"}), 409, "order.not_shipped")
    o = ship(cs1, o)
    levels = {d["service_level"]: d for d in o["deadlines"]}
    assert levels["r06-agreed-delivery"]["state"] == "met_late", levels
    refused(cs1.post(f"/api/v1/service/orders/{o['id']}/stock-out",
                     {"agreed_at": local(10, 20, 12).isoformat()}), 409, "order.shipped")

    # A return and an exchange linked to the order; the first starts the pack's 退货处理 on it
    # (R06 §四(一)9), the second while that runs joins it (the kernel's repeat of an open ref).
    o = ok(cs1.post(f"/api/v1/service/orders/{o['id']}/returns",
                    {"kind": "exchange", "reason": "型号不符"}), 201)
    o = ok(cs1.post(f"/api/v1/service/orders/{o['id']}/returns",
                    {"kind": "return", "reason": "外壳破损"}), 201)
    assert [(r["kind"], r["reason"]) for r in o["returns"]] == [("exchange", "型号不符"),
                                                                ("return", "外壳破损")], o
    [proc] = [p for p in o["procedures"] if p["procedure"] == "r06-return-exchange"]
    assert proc["state"] == "open" and proc["open"] is True, proc
    assert len(journal(admin, "service.order.return")) == 2
    refused(cs1.post(f"/api/v1/service/orders/{o['id']}/returns", {"kind": "refund", "reason": "x"}),
            400, "invalid", "kind")
    refused(cs1.post(f"/api/v1/service/orders/{o['id']}/returns", {"kind": "return", "reason": ""}),
            400, "required", "reason")


def test_bad_orders_are_refused_and_write_nothing(clock):
    admin, site, customer = site_and_customer(clock)
    cs1 = Actor(clock, "cs1")
    created = len(journal(admin, "service.order.created"))

    def bad(body, status, reason, field=None):
        full = {"site_id": site, "customer_id": customer, "kind": "retail",
                "items": [{"name": "工业传感器", "quantity": 1}], **body}
        full = {k: v for k, v in full.items() if v is not None}
        return refused(cs1.post("/api/v1/service/orders", full), status, reason, field)

    bad({"customer_id": 999999}, 404, "order.unknown_customer", "customer_id")
    for quantity in [0, -2, 2.5, "3"]:
        bad({"items": [{"name": "传感器", "quantity": quantity}]}, 400, "order.quantity_invalid",
            "items[0].quantity")
    bad({"items": [{"name": "传感器", "quantity": 1}, {"name": "支架", "quantity": 0}]}, 400,
        "order.quantity_invalid", "items[1].quantity")
    bad({"items": []}, 400, "order.items_required", "items")
    bad({"items": None}, 400, "order.items_required", "items")
    bad({"items": [{"name": "", "quantity": 1}]}, 400, "required", "items[0].name")
    bad({"items": [{"name": "传感器"}]}, 400, "required", "items[0].quantity")
    bad({"kind": "wholesale"}, 400, "invalid", "kind")
    bad({"kind": None}, 400, "required", "kind")
    # A promised date on a holiday or a weekend of the business calendar; a year it has no data for.
    e = bad({"promised_date": "2026-10-01"}, 409, "order.promised_date_not_working", "promised_date")
    assert "国庆" in e["message"], e
    bad({"promised_date": "2026-10-11"}, 409, "order.promised_date_not_working", "promised_date")
    bad({"promised_date": "2099-10-12"}, 409, "order.calendar_year_unknown", "promised_date")
    bad({"promised_date": "2026-02-30"}, 400, "invalid", "promised_date")
    # The order review is filed with its order, never alone; the order events are the module's.
    r = admin.post("/api/v1/requests", {"site_id": site, "type": "r06-order-review", "reason": "手工评审",
                                        "inputs": {"order.pieces": 9, "order.special_requirements": False,
                                                   "order.bulk": True}})
    refused(r, 409, "order.review_by_order")
    for event in ["order_received", "shipped", "stock_out", "return_requested",
                  "delivery_date_agreed", "urgent_order"]:
        refused(admin.post(f"/api/v1/sites/{site}/events", {"event": event, "ref": "order/1"}), 409,
                "event.raised_by_module")
    assert ok(cs1.get(f"/api/v1/service/orders?site_id={site}"))["items"] == []
    assert len(journal(admin, "service.order.created")) == created == 0
    assert journal(admin, "request.created") == []
    assert cs1.get("/api/v1/service/orders/1").status == 404

    # The 调休 Saturday 10-10 is a working day: promised then, and an urgent order starts the
    # pack's coordination (R06 §四(一)6).
    o = order(cs1, site, customer, 1, promised_date="2026-10-10", urgent=True)
    assert o["promised_date"] == "2026-10-10" and o["urgent"] is True, o
    assert [p["procedure"] for p in o["procedures"]] == ["r06-urgent-order"], o
    o = ship(cs1, o)
    [p] = o["procedures"]
    assert p["state"] == "shipped" and p["open"] is False, p
    # An order that does not exist.
    assert cs1.post("/api/v1/service/orders/999999/ship", {}).status == 404
