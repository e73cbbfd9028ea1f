"""The tamper-evident journal: a hash chain of sales, refunds and shift closes, signed Ed25519."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import Session, col, select

from hub.models import JournalEntry
from hub.models.base import utcnow
from hub.services.sql import raw, stamp

GENESIS = "0" * 64
KEY_FILE = "hub_ed25519.pem"
PUBLIC_KEY_FILE = "hub_ed25519.pub.pem"


def canonical(payload: dict[str, Any]) -> str:
    """The one JSON text of a payload that is hashed and stored."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """The hub's signing key, made on first start and kept (mode 0600) in the data directory."""
    path = data_dir / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 key")
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (data_dir / PUBLIC_KEY_FILE).write_bytes(public)
    return key


def load_public_key(data_dir: Path) -> Ed25519PublicKey:
    """The hub's public key, for verifying the journal."""
    key = serialization.load_pem_public_key((data_dir / PUBLIC_KEY_FILE).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the hub public key is not Ed25519")
    return key


_LAST = "SELECT seq, hash FROM journalentry ORDER BY seq DESC LIMIT 1"
_INSERT = ("INSERT INTO journalentry (seq, kind, ref, at, payload, prev_hash, hash, signature)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


class Link(NamedTuple):
    """Where an appended entry sits in the chain."""

    seq: int
    hash: str


def _entry_hash(seq: int, kind: str, ref: str, payload: str, prev_hash: str) -> str:
    text = "\n".join([str(seq), kind, ref, prev_hash, payload])
    return hashlib.sha256(text.encode()).hexdigest()


def append(
    session: Session, key: Ed25519PrivateKey, kind: str, ref: str, payload: dict[str, Any]
) -> Link:
    """Add an entry after the last one, in the caller's (write-locked) transaction.

    Entries are written straight to the table (never through the session), so the last one
    written, in this transaction or before, is always the one the query finds.
    """
    con = raw(session)
    last = con.execute(_LAST).fetchone()
    seq = 1 if last is None else last[0] + 1
    prev_hash = GENESIS if last is None else last[1]
    text = canonical(payload)
    digest = _entry_hash(seq, kind, ref, text, prev_hash)
    con.execute(_INSERT, (seq, kind, ref, stamp(utcnow()), text, prev_hash, digest,
                          key.sign(bytes.fromhex(digest)).hex()))
    return Link(seq, digest)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking the whole chain."""

    entries: int
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True when every entry is intact."""
        return self.first_bad_seq is None


def verify(session: Session, public_key: Ed25519PublicKey) -> VerifyResult:
    """Check every entry: sequence without gaps, hash links, content hashes and signatures."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for entry in session.exec(select(JournalEntry).order_by(col(JournalEntry.seq))):
        count += 1
        if entry.seq != expected_seq:
            return VerifyResult(count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return VerifyResult(count, entry.seq, "does not link to the entry before it")
        digest = _entry_hash(entry.seq, entry.kind, entry.ref, entry.payload, entry.prev_hash)
        if digest != entry.hash:
            return VerifyResult(count, entry.seq, "its content was changed after it was written")
        try:
            public_key.verify(bytes.fromhex(entry.signature), bytes.fromhex(entry.hash))
        except (InvalidSignature, ValueError):
            return VerifyResult(count, entry.seq, "its signature is not the hub's")
        prev_hash = entry.hash
        expected_seq += 1
    return VerifyResult(count)
