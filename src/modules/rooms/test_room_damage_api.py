"""Procedures scoped by place (issue 19 §4) against the real binary, on both backends: damage found
in a room raises damage_found with the room's place, and only the pack's procedure of that place
starts — R01's in a 员工休息室, R18's in the 实验室休息室, never both; a dormitory room (职工休息楼),
which neither procedure names, starts neither."""
from zhidu_harness import all_items, login


def started(c, site, ref):
    return sorted(p["procedure"] for p in all_items(c, f"/api/v1/procedures?site_id={site}&ref={ref}"))


def test_damage_starts_only_the_procedure_of_the_rooms_place(server, admin):
    site = admin.get("/api/v1/sites").json()["items"][0]["id"]
    office = login(server, "office")
    refs = {}
    for name, place in [("员工休息室A", "员工休息室"), ("实验室休息室B", "实验室休息室"),
                        ("休息楼C", "职工休息楼")]:
        room = office.post("/api/v1/rooms", {"site_id": site, "name": name, "place": place,
                                             "beds": 1}).json()
        r = office.post(f"/api/v1/rooms/{room['id']}/damage", {"item": "储物柜门", "note": "门轴断"})
        assert r.status == 201, r
        refs[place] = r.json()["ref"]
    assert started(admin, site, refs["员工休息室"]) == ["r01-damage"]
    assert started(admin, site, refs["实验室休息室"]) == ["r18-damage"]
    assert started(admin, site, refs["职工休息楼"]) == []
    bad = office.post("/api/v1/rooms/999999/damage", {"item": "x"})
    assert bad.status == 404
    assert office.post(f"/api/v1/rooms/{1}/damage", {}).status in (400, 404)


def test_a_procedure_scoped_to_an_unknown_place_is_a_load_error(tmp_path):
    """The loader checks a procedure's `place` against the pack's places, at its file:line:col."""
    import os
    import shutil
    import subprocess

    from zhidu_harness import BIN, ROOT

    pack = tmp_path / "pack"
    shutil.copytree(os.path.join(ROOT, "policies", "cn-default"), pack)
    text = (pack / "R18.yaml").read_text(encoding="utf-8")
    (pack / "R18.yaml").write_text(text.replace("place: 实验室休息室", "place: 不存在的休息室"),
                                   encoding="utf-8")
    r = subprocess.run([BIN, "policy", "check", str(pack)], capture_output=True, text=True)
    assert r.returncode != 0, r.stdout
    assert "不存在的休息室" in r.stderr and "R18.yaml" in r.stderr, r.stderr
