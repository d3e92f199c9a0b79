"""`zhidu verify` catches a record altered, deleted, inserted, or two swapped directly in the
database — on SQLite (the file) and on PostgreSQL (SQL against the server)."""
import os
import re
import shutil
import sqlite3
import subprocess

import pytest

from zhidu_harness import BIN, Server, fresh_pg_database, run_sql

TAMPERS = {
    "altered": [
        "UPDATE journal SET payload = replace(payload, '}', ',\"note\":\"篡改\"}') WHERE seq = 5",
    ],
    "deleted": ["DELETE FROM journal WHERE seq = 6"],
    "inserted": [
        "INSERT INTO journal(seq, at, kind, actor, subject, payload, prev_hash, hash) "
        "SELECT (SELECT max(seq) FROM journal) + 1, at, kind, actor, subject, payload, hash, hash "
        "FROM journal WHERE seq = (SELECT max(seq) FROM journal)",
    ],
    "swapped": [
        # Exchange the contents of records 7 and 8 while the sequence numbers stay in place.
        "UPDATE journal SET seq = 1000000007 WHERE seq = 7",
        "UPDATE journal SET seq = 7 WHERE seq = 8",
        "UPDATE journal SET seq = 8 WHERE seq = 1000000007",
    ],
}


def populated(backend):
    s = Server(backend).start()
    admin = s.admin()
    for i in range(3):
        assert admin.post("/api/v1/sites", {"name": f"校验站点{i}"}).status == 201
    admin.close()
    assert s.stop() == 0
    return s


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_verify_catches_tampering(require_backend, tamper):
    s = populated(require_backend)
    ok = s.verify()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout
    run_sql(s, TAMPERS[tamper])
    bad = s.verify()
    assert bad.returncode == 1, (tamper, bad.stdout, bad.stderr)
    assert "BROKEN at record" in bad.stdout
    expected_seq = {"altered": "5", "deleted": "7", "swapped": "7"}.get(tamper)
    if expected_seq:
        assert f"record {expected_seq}:" in bad.stdout, bad.stdout


def test_verify_without_database_is_a_usage_error(tmp_path):
    r = subprocess.run([BIN, "verify", "--data", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "no zhidu database" in r.stderr


# ---- issue 15 §2: what the chain alone did not show


def verify(server, *args):
    a = [BIN, "verify", "--data", server.data_dir, *args]
    if server.database_url:
        a += ["--database", server.database_url]
    return subprocess.run(a, capture_output=True, text=True, timeout=300)


def zero_hash(server):
    return "decode(repeat('00', 32), 'hex')" if server.database_url else "zeroblob(32)"


COPY_OF_RECORD_1_AT_SEQ_0 = (
    "INSERT INTO journal(seq, at, kind, actor, subject, payload, prev_hash, hash) "
    "SELECT 0, at, kind, actor, subject, payload, prev_hash, hash FROM journal WHERE seq = 1")


def test_the_database_refuses_a_row_at_seq_zero(require_backend):
    s = populated(require_backend)
    try:
        run_sql(s, [COPY_OF_RECORD_1_AT_SEQ_0])
    except (subprocess.CalledProcessError, sqlite3.IntegrityError):
        pass
    else:
        raise AssertionError("a journal row at seq 0 was accepted")
    assert s.verify().returncode == 0


def test_a_row_at_seq_zero_does_not_switch_verify_off(require_backend):
    s = populated(require_backend)
    # Someone with the file (or a superuser) first removes what refuses the row.
    drop = ("ALTER TABLE journal DROP CONSTRAINT journal_seq_check" if s.database_url
            else "DROP TRIGGER journal_seq_positive_insert")
    run_sql(s, [drop, COPY_OF_RECORD_1_AT_SEQ_0] + TAMPERS["altered"] + TAMPERS["deleted"])
    bad = s.verify()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "sequence number 0" in bad.stdout, bad.stdout


def test_the_last_records_deleted_are_caught(require_backend):
    s = populated(require_backend)
    run_sql(s, ["DELETE FROM journal WHERE seq > (SELECT max(seq) - 3 FROM journal)"])
    bad = s.verify()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "missing at the end" in bad.stdout, bad.stdout
    run_sql(s, ["DELETE FROM journal_head"])
    bad = s.verify()
    assert bad.returncode == 1 and "recorded head is missing" in bad.stdout, bad.stdout


def test_an_empty_journal_beside_accounts_and_sites_is_broken(require_backend):
    s = populated(require_backend)
    run_sql(s, ["DELETE FROM journal", f"UPDATE journal_head SET seq = 0, hash = {zero_hash(s)}"])
    bad = s.verify()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "journal is empty" in bad.stdout, bad.stdout


def test_an_anchor_proves_the_head_was_not_rewritten_since(require_backend):
    s = populated(require_backend)
    ok = s.verify()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    head = re.search(r"head (\d+:[0-9a-f]{64})", ok.stdout).group(1)
    assert "anchor" not in ok.stdout, ok.stdout
    seq = head.split(":")[0]
    same = verify(s, "--anchor", head)
    assert same.returncode == 0 and f"the anchor is record {seq}" in same.stdout, same.stdout
    # The last record deleted and the recorded head moved to match: only the anchor shows it.
    run_sql(s, ["DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal)",
                "UPDATE journal_head SET seq = (SELECT max(seq) FROM journal), "
                "hash = (SELECT hash FROM journal ORDER BY seq DESC LIMIT 1)"])
    assert s.verify().returncode == 0
    for anchor in (head, head.split(":")[1]):
        bad = verify(s, "--anchor", anchor)
        assert bad.returncode == 1, (anchor, bad.stdout, bad.stderr)
        assert "the anchor" in bad.stdout, bad.stdout
    malformed = verify(s, "--anchor", "12:nothex")
    assert malformed.returncode == 2 and "--anchor" in malformed.stderr


def test_a_damaged_sqlite_page_is_broken_not_an_error():
    s = populated("sqlite")
    path = os.path.join(s.data_dir, "zhidu.db")
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'journal'").fetchone()[0]
    db.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * 16)  # the page header: no valid b-tree page type
    bad = s.verify()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "BROKEN" in bad.stdout and "damaged" in bad.stdout, bad.stdout
