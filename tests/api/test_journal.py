"""The journal chain verifies, and any alteration is found and named."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from fastapi.testclient import TestClient

from tests.conftest import Till


def _kassa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True,
                          timeout=60)


def _three_sales(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    paper = cashier.product("Dagstidning")["gtin"]
    for _ in range(3):
        cashier.scan("1", paper)
        cashier.pay_cash("1", 4000)


def test_journal_verify_command_finds_the_first_altered_entry(client: TestClient,
                                                              cashier: Till, settings) -> None:
    _three_sales(cashier)
    data_dir = str(settings.data_dir)
    ok = _kassa("journal", "verify", "--data-dir", data_dir)
    assert ok.returncode == 0 and "3 entries" in ok.stdout

    db = sqlite3.connect(settings.database_path)
    payload = db.execute("SELECT payload FROM journalentry WHERE seq = 2").fetchone()[0]
    db.execute("UPDATE journalentry SET payload = ? WHERE seq = 2",
               (payload.replace('"total":4000', '"total":400'),))
    db.commit()
    bad = _kassa("journal", "verify", "--data-dir", data_dir)
    assert bad.returncode != 0
    assert "journal entry 2 is bad" in bad.stderr and "changed" in bad.stderr
    db.execute("UPDATE journalentry SET payload = ? WHERE seq = 2", (payload,))
    db.commit()
    assert _kassa("journal", "verify", "--data-dir", data_dir).returncode == 0

    # Re-hashing a changed entry does not help: the signature no longer matches.
    import hashlib
    forged = payload.replace('"total":4000', '"total":400')
    seq, kind, ref, prev = db.execute(
        "SELECT seq, kind, ref, prev_hash FROM journalentry WHERE seq = 3").fetchone()
    digest = hashlib.sha256("\n".join([str(seq), kind, ref, prev, forged]).encode()).hexdigest()
    db.execute("UPDATE journalentry SET payload = ?, hash = ? WHERE seq = 3", (forged, digest))
    db.commit()
    bad = _kassa("journal", "verify", "--data-dir", data_dir)
    assert "journal entry 3 is bad" in bad.stderr and "signature" in bad.stderr

    # Deleting an entry breaks the sequence.
    db.execute("DELETE FROM journalentry WHERE seq = 1")
    db.commit()
    bad = _kassa("journal", "verify", "--data-dir", data_dir)
    assert "journal entry 1 is bad" in bad.stderr and "missing" in bad.stderr
    db.close()


def test_every_completed_sale_has_its_outbox_event_and_journal_entry(client: TestClient,
                                                                     cashier: Till,
                                                                     settings) -> None:
    _three_sales(cashier)
    db = sqlite3.connect(settings.database_path)
    sales = {row[0] for row in db.execute("SELECT id FROM sale WHERE status = 'completed'")}
    events = db.execute("SELECT seq, event_id, type, payload FROM outboxevent ORDER BY seq")
    rows = events.fetchall()
    sale_events = {json.loads(p)["id"] for _, _, t, p in rows if t == "sale.completed"}
    assert sale_events == sales and len(sales) == 3
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r[1][14] == "7" for r in rows)  # UUIDv7 event ids
    assert db.execute("SELECT count(*) FROM journalentry WHERE kind = 'sale'").fetchone()[0] == 3


def test_a_journal_cut_short_is_caught_with_central_s_anchor(client: TestClient, cashier: Till,
                                                            settings) -> None:
    _three_sales(cashier)
    db = sqlite3.connect(settings.database_path)
    events = [json.loads(p) for (p,) in db.execute(
        "SELECT payload FROM outboxevent WHERE type = 'sale.completed' ORDER BY seq")]
    anchor = events[-1]["journal"]  # what central received with the last sale
    assert anchor["seq"] == 3
    head = f"{anchor['seq']}:{anchor['hash']}"
    data_dir = str(settings.data_dir)
    assert _kassa("journal", "verify", "--data-dir", data_dir, "--head", head).returncode == 0
    db.execute("DELETE FROM journalentry WHERE seq = 3")  # cut off the end
    db.commit()
    assert _kassa("journal", "verify", "--data-dir", data_dir).returncode == 0  # alone: blind
    cut = _kassa("journal", "verify", "--data-dir", data_dir, "--head", head)
    assert cut.returncode == 1 and "entry 3 is missing" in cut.stderr

    # A key made by whoever can write the data directory does not fool a key kept elsewhere.
    elsewhere = settings.data_dir.parent / "registered.pub.pem"
    elsewhere.write_bytes((settings.data_dir / "hub_ed25519.pub.pem").read_bytes())
    from hub.services.journal import load_or_create_key

    (settings.data_dir / "hub_ed25519.pem").unlink()
    (settings.data_dir / "hub_ed25519.pub.pem").unlink()
    forger = load_or_create_key(settings.data_dir)  # a new key pair in the data directory
    row = db.execute("SELECT seq, hash FROM journalentry WHERE seq = 2").fetchone()
    db.execute("UPDATE journalentry SET signature = ? WHERE seq = 2",
               (forger.sign(bytes.fromhex(row[1])).hex(),))
    db.commit()
    checked = _kassa("journal", "verify", "--data-dir", data_dir, "--public-key", str(elsewhere))
    assert checked.returncode == 1 and "signature" in checked.stderr
    db.close()
