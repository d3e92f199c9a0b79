"""Customer search (客户档案检索, issue 18 §12) over HTTP against the real binary, on both backends:
the index of migration 14 (a name's Chinese terms, every four-digit window of the digits in a name
or a phone) answers exactly what the search has always answered — a customer whose name or one of
whose phones holds the query as a substring — for Chinese words of one to three characters, phone
digits anywhere in the number, digits inside a name, and the queries it leaves to the scan (Latin
letters inside a word, fewer than four digits, digits mixed with Chinese). Every answer is
compared with that rule computed here over what was written, page by page; a customer whose name
and phones change is found by the new ones only; customers written before the index existed are
indexed when the server starts again."""
import random
from urllib.parse import quote

import pytest

from zhidu_harness import all_items, backend_server, ok, run_sql

SURNAMES = "张王李赵刘陈杨黄周吴"
GIVEN = ["伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳"]
COMPANIES = ["华东物流", "宏远贸易", "58同城服务", "一二三4567店", "zhangsan商行", "顺丰·速运"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request):
    s = backend_server(request.param)
    yield s
    s.kill()


@pytest.fixture(scope="module")
def archive(srv):
    admin = srv.admin()
    site = ok(admin.get("/api/v1/sites"))["items"][0]["id"]
    rng = random.Random(22)
    written = []  # (id, name, phones) as stored
    used = set()

    def phone():
        while True:
            p = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
            if p not in used:
                used.add(p)
                return p

    names = [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(40)] + COMPANIES
    for i, name in enumerate(names):
        phones = [phone() for _ in range(1 + i % 2)]
        c = ok(admin.post("/api/v1/service/customers", {
            "site_id": site, "kind": "company" if name in COMPANIES else "person", "name": name,
            "phones": phones}), 201)
        written.append([c["id"], name, phones])
    return admin, site, written, rng


def search(admin, site, q, limit=5):
    """Every id the search answers for `q`, following the cursor in pages of `limit`."""
    return [c["id"] for c in all_items(
        admin, f"/api/v1/service/customers?site_id={site}&q={quote(q)}&limit={limit}")]


def expected(written, q):
    return [i for i, name, phones in written if q in name or any(q in p for p in phones)]


def queries(written, rng):
    qs = {"张", "王伟", "华东", "宏远贸易", "同城", "58", "4567", "zhang", "san商", "3号", "·",
          "顺丰", "速运", "不存在的名字", "0000"}
    for _, name, phones in rng.sample(written, 20):
        qs.add(name[:2] if len(name) > 1 else name)
        qs.add(name[-1])
        p = rng.choice(phones)
        k = rng.randrange(0, len(p) - 4)
        qs.update({p[k:k + 4], p[k:k + 3], p[k:k + 7], p[-4:], p})
    return sorted(qs)


def test_every_answer_is_the_substring_rule(archive):
    admin, site, written, rng = archive
    checked = 0
    for q in queries(written, rng):
        want = expected(written, q)
        assert search(admin, site, q) == want, q
        checked += 1
    assert checked > 60
    # Some of the queries find several customers (so the pages are walked), some none.
    assert any(len(expected(written, q)) > 5 for q in queries(written, rng))


def test_a_changed_customer_is_found_by_its_new_name_and_phones_only(archive):
    admin, site, written, rng = archive
    cid, name, phones = written[3]
    new_phone = "17712345098"
    ok(admin.request("PUT", f"/api/v1/service/customers/{cid}", body={
        "kind": "person", "name": "欧阳修", "phones": [new_phone]}))
    old_digits = phones[0][3:7]
    written[3] = [cid, "欧阳修", [new_phone]]
    assert cid in search(admin, site, "欧阳")
    assert cid in search(admin, site, "2345")
    assert cid not in search(admin, site, name)
    assert search(admin, site, old_digits) == expected(written, old_digits)


def test_customers_written_before_the_index_are_indexed_at_start(srv, archive):
    """Empty the index while the server is stopped (an archive from before migration 14): the next
    start indexes every customer again, with its phones, and the answers are the rule's."""
    admin, site, written, rng = archive
    srv.stop()
    if srv.database_url:
        run_sql(srv, ["UPDATE service_customers SET terms = '{}'"])
    else:
        run_sql(srv, ["DELETE FROM service_customers_fts"])
    srv.start()
    admin = srv.admin()
    for q in ["张", "同城", "4567", written[10][2][0][2:6], written[20][2][-1][-4:]]:
        assert search(admin, site, q) == expected(written, q), q
