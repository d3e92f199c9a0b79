"""`zhidu verify` catches a record altered, deleted, inserted, or two swapped directly in the
database — on SQLite (the file) and on PostgreSQL (SQL against the server)."""
import os
import shutil
import sqlite3
import subprocess

import pytest

from zhidu_harness import BIN, Server, fresh_pg_database

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


def run_sql(server, statements):
    if server.database_url:
        for sql in statements:
            subprocess.run(["psql", server.database_url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           check=True, capture_output=True)
    else:
        db = sqlite3.connect(os.path.join(server.data_dir, "zhidu.db"))
        for sql in statements:
            db.execute(sql)
        db.commit()
        db.close()


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
