"""The lost-and-found register (失物招领, R07 §三10) over HTTP against the real binary, on both
backends: register → hand in → return, 上缴 before 认领, bad input refused with nothing written,
other sites' people see nothing, every step journaled and the chain verified, the routes documented."""
from zhidu_harness import all_items, login


def site_id(admin):
    return admin.get("/api/v1/sites").json()["items"][0]["id"]


def journal_kinds(admin):
    return [r["kind"] for r in all_items(admin, "/api/v1/journal?limit=500")
            if r["kind"].startswith("lostfound.")]


def test_an_item_is_handed_in_then_returned(server, admin):
    site = site_id(admin)
    attendant = login(server, "lounge_mgr")
    r = attendant.post("/api/v1/lost-items", {"site_id": site, "place": "客户休息室 3 号沙发",
                                              "description": "黑色雨伞", "found_by": "保洁员"})
    assert r.status == 201, r
    item = r.json()
    assert item["state"] == "found" and item["open"] is True
    assert item["clauses"] == ["R07 §三10"]

    early = attendant.post(f"/api/v1/lost-items/{item['id']}/return",
                           {"owner_name": "李先生", "owner_phone": "13800000000"})
    assert early.status == 409, early
    assert early.json()["error"]["code"] == "failed_precondition"
    assert "上缴" in early.json()["error"]["message"]

    r = attendant.post(f"/api/v1/lost-items/{item['id']}/hand-in", {"to": "厅经理 冯某"})
    assert r.status == 200, r
    assert r.json()["state"] == "handed_in" and r.json()["handed_to"] == "厅经理 冯某"
    r = attendant.post(f"/api/v1/lost-items/{item['id']}/return",
                       {"owner_name": "李先生", "owner_phone": "13800000000", "note": "核对车票"})
    assert r.status == 200, r
    done = attendant.get(f"/api/v1/lost-items/{item['id']}").json()
    assert done["state"] == "returned" and done["open"] is False
    assert done["owner_name"] == "李先生" and done["closed_at"]

    listed = all_items(attendant, f"/api/v1/lost-items?site_id={site}&state=returned")
    assert [i["id"] for i in listed] == [item["id"]]
    assert journal_kinds(admin) == ["lostfound.item.registered", "lostfound.item.handed_in",
                                    "lostfound.item.returned"]
    server.stop()
    v = server.verify()
    assert v.returncode == 0, v.stdout + v.stderr


def test_bad_input_is_refused_and_writes_nothing(server, admin):
    site = site_id(admin)
    c = login(server, "lounge_mgr")
    cases = [
        ({"site_id": site, "description": "伞"}, "place"),
        ({"site_id": site, "place": "沙发", "description": "x" * 501}, "description"),
        ({"site_id": site, "place": "沙发", "description": "伞", "photo": "a" * 64}, "photo"),
        ({"site_id": site, "place": "沙发", "description": "伞", "found_at": "yesterday"}, "found_at"),
        ({"site_id": site, "place": "沙发", "description": "伞", "colour": "黑"}, "colour"),
        ({"site_id": "one", "place": "沙发", "description": "伞"}, "site_id"),
    ]
    for body, field in cases:
        r = c.post("/api/v1/lost-items", body)
        assert r.status == 400, (body, r)
        assert r.json()["error"]["field"] == field, (body, r)
    assert c.request("POST", "/api/v1/lost-items", raw=b"{not json").status == 400
    assert c.get("/api/v1/lost-items/999999").status == 404
    assert c.post("/api/v1/lost-items/999999/hand-in", {"to": "办公室"}).status == 404
    assert c.get(f"/api/v1/lost-items?site_id={site}&state=lost").status == 400
    assert all_items(c, f"/api/v1/lost-items?site_id={site}") == []
    assert journal_kinds(admin) == []


def test_another_sites_people_neither_register_nor_see(server, admin):
    site = site_id(admin)
    other = admin.post("/api/v1/sites", {"name": "另一园区", "time_zone": "Asia/Shanghai"})
    assert other.status == 201, other
    c = login(server, "lounge_mgr")
    r = c.post("/api/v1/lost-items", {"site_id": other.json()["id"], "place": "门口",
                                      "description": "钥匙"})
    assert r.status == 403, r
    mine = admin.post("/api/v1/lost-items", {"site_id": other.json()["id"], "place": "门口",
                                             "description": "钥匙"}).json()
    assert c.get(f"/api/v1/lost-items/{mine['id']}").status == 404
    assert c.post(f"/api/v1/lost-items/{mine['id']}/hand-in", {"to": "我"}).status == 404
    assert all_items(c, f"/api/v1/lost-items?site_id={site}") == []


def test_the_routes_are_documented(server):
    doc = server.client().get("/api/v1/openapi.json").json()
    for path in ["/api/v1/lost-items", "/api/v1/lost-items/{id}", "/api/v1/lost-items/{id}/hand-in",
                 "/api/v1/lost-items/{id}/return", "/api/v1/lost-items/{id}/dispose"]:
        assert path in doc["paths"], path
