"""Site parameters (本单位参数): figures the regulations leave to the site. The pack declares them,
an administrator sets them, and the rules that need them use the site's value — nothing invented."""
import datetime as dt

TZ = dt.timezone(dt.timedelta(hours=8))


def login(server, username):
    c = server.client()
    assert c.login(username, server.credentials()[username][0]).status == 200
    return c


def test_parameters_are_declared_by_the_pack_and_set_per_site(server, admin):
    office = login(server, "office")     # 办公室: inspects the rest rooms (R04)
    dorm = login(server, "dorm_lead")
    dorm_person = dorm.get("/api/v1/me").json()["account"]["person_id"]
    people = admin.get("/api/v1/people?limit=200").json()["items"]
    site = next(p["site_id"] for p in people if p["id"] == dorm_person)

    params = {p["name"]: p for p in admin.get(f"/api/v1/sites/{site}/parameters").json()["items"]}
    fine = params["r04_fine_yuan"]
    assert (fine["kind"], fine["rule"], fine["value"]) == ("yuan", "penalty R04-VIOLATION", None)
    assert params["scada_fault_observe"]["kind"] == "duration"  # R02 §二4 gives no figure
    assert params["weight_business"]["kind"] == "weight"        # R11 gives no weights

    def record():
        r = office.post("/api/v1/violations", {
            "site_id": site, "person_id": dorm_person, "code": "R04-VIOLATION",
            "occurred_at": dt.datetime.now(TZ).replace(microsecond=0).isoformat()})
        assert r.status == 201, r
        return r.json()

    # Unset: the consequence names the parameter and carries no amount.
    first = record()
    assert first["fine_yuan"] == 0 and first["consequence"]["fine_param"] == "r04_fine_yuan"
    assert "尚未设置" in first["consequence"]["summary"], first

    # Refusals name the problem and change nothing.
    assert admin.request("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan",
                         body={"value": "五十"}).json()["error"]["field"] == "value"
    assert admin.request("PUT", f"/api/v1/sites/{site}/parameters/no_such",
                         body={"value": "1"}).status == 404
    assert admin.request("PUT", f"/api/v1/sites/{site}/parameters/scada_fault_observe",
                         body={"value": "1mo"}).status == 400
    assert admin.request("PUT", f"/api/v1/sites/{site}/parameters/weight_business",
                         body={"value": "1.5"}).status == 400
    # An amount in yuan is a number of fen: digits, at most two decimals ("inf" is no amount).
    for bad in ["12.345", "inf", "nan", "1e3", "-5", " 30"]:
        r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan",
                          body={"value": bad})
        assert r.status == 400 and r.json()["error"]["field"] == "value", (bad, r)
    assert dorm.request("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan",
                        body={"value": "10"}).status == 403
    assert admin.get(f"/api/v1/sites/{site}/parameters").json()["items"][0]["value"] is None

    r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan", body={"value": "30"})
    assert r.status == 200 and r.json()["value"] == "30", r
    assert admin.request("PUT", f"/api/v1/sites/{site}/parameters/scada_fault_observe",
                         body={"value": "10m"}).status == 200

    # Set: a violation recorded now carries the site's amount; the earlier one keeps its record.
    second = record()
    assert second["fine_yuan"] == 30 and second["consequence"]["fine_set_by_site"] is True, second
    assert admin.get(f"/api/v1/violations/{first['id']}").json()["fine_yuan"] == 0
    month = dt.datetime.now(TZ).strftime("%Y-%m")
    st = office.get(f"/api/v1/ledger/statements?site_id={site}&month={month}&person_id={dorm_person}").json()
    assert (st["counted"], st["fine_yuan"], st["unpriced"]) == (2, 30, 1), st

    journal = admin.get("/api/v1/journal?limit=500").json()["items"]
    sets = [j for j in journal if j["kind"] == "site.parameter.set"]
    assert [s["payload"]["name"] for s in sets] == ["r04_fine_yuan", "scada_fault_observe"], sets

    # Cleared (DELETE): the rule is again not set by the site — the next violation has no amount
    # and names the parameter; the earlier records keep theirs. An empty PUT is no way to clear.
    r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan", body={"value": ""})
    assert r.status == 400 and r.json()["error"]["reason"] == "site.parameter_empty", r
    assert dorm.request("DELETE", f"/api/v1/sites/{site}/parameters/r04_fine_yuan").status == 403
    assert admin.request("DELETE", f"/api/v1/sites/{site}/parameters/no_such").status == 404
    r = admin.request("DELETE", f"/api/v1/sites/{site}/parameters/r04_fine_yuan")
    assert r.status == 200 and r.json()["value"] is None, r
    listed = {p["name"]: p for p in admin.get(f"/api/v1/sites/{site}/parameters").json()["items"]}
    assert listed["r04_fine_yuan"]["value"] is None and listed["scada_fault_observe"]["value"] == "10m"
    third = record()
    assert third["fine_yuan"] == 0 and third["consequence"]["fine_param"] == "r04_fine_yuan", third
    assert admin.get(f"/api/v1/violations/{second['id']}").json()["fine_yuan"] == 30
    # Clearing what is not set changes nothing and journals nothing.
    assert admin.request("DELETE", f"/api/v1/sites/{site}/parameters/r04_fine_yuan").status == 200
    journal = admin.get("/api/v1/journal?limit=500").json()["items"]
    unsets = [j for j in journal if j["kind"] == "site.parameter.unset"]
    assert [(u["payload"]["name"], u["payload"]["previous"]) for u in unsets] == [
        ("r04_fine_yuan", "30")], unsets
    # And it can be set again.
    r = admin.request("PUT", f"/api/v1/sites/{site}/parameters/r04_fine_yuan", body={"value": "20"})
    assert r.status == 200 and r.json()["value"] == "20", r
