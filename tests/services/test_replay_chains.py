"""Signed chains and witnesses: an insider with full SQL access but no workstation key can
neither forge, rewrite nor cut short the audit trail unnoticed."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.adapters.ledger import canonical, chained_hash, event_hash
from pos_app.adapters.signing import Keyring
from pos_app.domain.errors import Refused
from pos_app.services import workstations
from pos_app.services.check import run_check
from pos_app.services.receipts import verify_receipt
from pos_app.services.reports import close_day
from tests.conftest import make_app
from tests.helpers.books import Books
from tests.helpers.money import top_up
from tests.helpers.tamper import tamper


@pytest.fixture
def topped_up(books: Books) -> Books:
    for n in range(1, 5):
        top_up(books, books.patient(f"P{n}"), f"{n}00.00")
    assert run_check(books.app.uow(), actor=books.supervisor) == []
    return books


def events(books: Books, workstation: str = "WS01") -> list:
    with books.app.uow(write=False) as uow:
        return uow.execute(
            select(t.audit_events)
            .where(t.audit_events.c.workstation == workstation)
            .order_by(t.audit_events.c.seq)
        ).all()


def findings(books: Books, *, full: bool = True) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in run_check(books.app.uow(), actor=books.supervisor, full=full):
        found.setdefault(finding.rule, []).append(finding.detail)
    return found


def forge_event(
    books: Books,
    *,
    action: str,
    details: dict,
    receipt_no: str | None = None,
    signature: str = "ab" * 64,
    key_id: str | None = None,
) -> str:
    """Append an event as an insider would: plain hash and link recomputed, head moved."""
    last = events(books)[-1]
    at = last.at
    digest = event_hash(
        prev_hash=last.hash,
        workstation="WS01",
        seq=last.seq + 1,
        at=at,
        actor_id=last.actor_id,
        action=action,
        receipt_no=receipt_no,
        details=canonical(details),
    )
    tamper(
        books.app,
        "INSERT INTO audit_events (workstation, seq, at, actor_id, action, receipt_no, "
        "details, prev_hash, hash, key_id, signature) VALUES ('WS01', :seq, :at, :actor, "
        ":action, :receipt_no, :details, :prev, :hash, :key_id, :signature)",
        "UPDATE workstations SET audit_seq = :seq, audit_head = :hash WHERE id = 'WS01'",
        seq=last.seq + 1,
        at=at,
        actor=last.actor_id,
        action=action,
        receipt_no=receipt_no,
        details=canonical(details),
        prev=last.hash,
        hash=digest,
        key_id=key_id or last.key_id,
        signature=signature,
    )
    return digest


def test_the_first_money_command_enrols_the_workstation_key_naming_the_user(books, tmp_path):
    top_up(books, books.patient("P1"), "10.00")
    first, second = events(books)
    assert (first.action, first.actor_id) == ("workstation.enrolled", books.cashier.user_id)
    assert json.loads(first.details)["by"] == "cashier"
    assert second.key_id == first.key_id and second.signature
    key_file = tmp_path / "keys" / "WS01.ed25519"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_file.parent).st_mode) == 0o700
    listed = workstations.list_keys(books.app.uow(), actor=books.supervisor)
    assert [(k.workstation, k.enrolled_by) for k in listed] == [("WS01", "cashier")]


def test_a_forged_deposit_with_its_plain_hash_recomputed_is_a_finding(topped_up):
    books = topped_up
    seq = events(books)[-1].seq + 1
    forge_event(books, action="deposit", details={"amount": "50000.00", "mrn": "P1"})
    assert f"audit event {seq} of WS01 has a forged signature" in " ".join(
        findings(books)["audit_signatures_valid"]
    )


@pytest.mark.parametrize(
    "fields",
    [
        ("", "WS01", 1, "2026-01-01T00:00:00+00:00", None, "deposit", None, "{}"),
        (
            'a"b\\c',
            "W\u00e9\n",
            10**12,
            "\u2028\x00\x1f",
            7,
            "x\ty",
            "R-1",
            '{"a":"\\u0000 \u00e9 \U0001f600"}',
        ),
    ],
)
def test_check_hashes_each_event_as_the_ledger_wrote_it(fields):
    """`check` spells the hashed body out itself: it must be the ledger's canonical JSON."""
    body = canonical(list(fields)).encode("utf-8")
    assert chained_hash(*fields) == hashlib.sha256(body).hexdigest()


def test_an_event_rewritten_mid_chain_is_named_though_every_later_hash_was_recomputed(topped_up):
    books = topped_up
    chain = events(books)
    prev, rows = chain[1].prev_hash, []
    for event in chain[1:]:
        details = event.details.replace("100.00", "900.00")
        digest = event_hash(
            prev_hash=prev,
            workstation="WS01",
            seq=event.seq,
            at=event.at,
            actor_id=event.actor_id,
            action=event.action,
            receipt_no=event.receipt_no,
            details=details,
        )
        rows.append({"id": event.id, "details": details, "prev": prev, "hash": digest})
        prev = digest
    tamper(
        books.app,
        *[
            f"UPDATE audit_events SET details = :d{n}, prev_hash = :p{n}, "
            f"hash = :h{n} WHERE id = :i{n}"
            for n in range(len(rows))
        ],
        "UPDATE workstations SET audit_head = :head WHERE id = 'WS01'",
        "UPDATE receipts SET audit_hash = (SELECT hash FROM audit_events e WHERE "
        "e.receipt_no = receipts.receipt_no)",
        head=prev,
        **{
            f"{k}{n}": row[name]
            for n, row in enumerate(rows)
            for k, name in (("d", "details"), ("p", "prev"), ("h", "hash"), ("i", "id"))
        },
    )
    found = findings(books)
    assert any(
        f"audit event {chain[1].seq} of WS01 has a forged signature" in detail
        for detail in found["audit_signatures_valid"]
    )


def test_receipt_verify_refuses_a_forged_receipt(topped_up):
    books = topped_up
    digest = forge_event(
        books,
        action="deposit",
        receipt_no="WS01-000005",
        details={"amount": "50000.00", "mrn": "P1"},
    )
    tamper(
        books.app,
        "INSERT INTO receipts (receipt_no, workstation, seq, kind, patient_id, cashier_id, "
        "created_at, audit_hash) SELECT 'WS01-000005', 'WS01', 5, 'deposit', patient_id, "
        "cashier_id, created_at, :hash FROM receipts WHERE receipt_no = 'WS01-000004'",
        hash=digest,
    )
    forged = verify_receipt(
        books.app.uow(), actor=books.cashier, payload=f"CARETILL:1:WS01-000005:{digest}"
    )
    assert not forged.genuine
    genuine = events(books)[-2]
    assert verify_receipt(
        books.app.uow(),
        actor=books.cashier,
        payload=f"CARETILL:1:{genuine.receipt_no}:{genuine.hash}",
    ).genuine


def test_a_chain_cut_short_and_its_head_rewound_is_caught_by_the_workstation_witness(topped_up):
    books = topped_up
    keep = events(books)[2]
    tamper(
        books.app,
        "DELETE FROM audit_events WHERE workstation = 'WS01' AND seq > :seq",
        "UPDATE workstations SET audit_seq = :seq, audit_head = :hash WHERE id = 'WS01'",
        seq=keep.seq,
        hash=keep.hash,
    )
    assert "audit_chain_witnessed" in findings(books)
    with pytest.raises(Refused) as refused:
        top_up(books, "P1", "1.00")
    assert refused.value.code == "integrity_violation"


def test_a_rewound_chain_is_caught_by_the_day_close_heads_on_another_machine(topped_up, tmp_path):
    books = topped_up
    close_day(books.app.uow(), actor=books.supervisor, workstation="WS01")
    keep = events(books)[1]
    tamper(
        books.app,
        "DELETE FROM audit_events WHERE workstation = 'WS01' AND seq > :seq",
        "UPDATE workstations SET audit_seq = :seq, audit_head = :hash WHERE id = 'WS01'",
        seq=keep.seq,
        hash=keep.hash,
    )
    elsewhere = make_app(
        str(books.app.engine.url.render_as_string(hide_password=False)), tmp_path / "another-till"
    )
    try:
        found = run_check(elsewhere.uow(), actor=books.supervisor, full=True)
    finally:
        elsewhere.close()
    assert any(f.rule == "audit_chain_witnessed" and "Z close" in f.detail for f in found)


def test_events_signed_after_a_revocation_are_findings_and_the_workstation_stops(
    topped_up, tmp_path
):
    books = topped_up
    revoked = workstations.revoke(
        books.app.uow(), actor=books.admin, workstation="WS02", target="WS01"
    )
    assert revoked[0].revoked_by == "admin"
    with pytest.raises(Refused) as refused:
        top_up(books, "P1", "1.00")
    assert refused.value.code == "workstation_revoked"
    assert findings(books) == {}
    stolen = Keyring(tmp_path).key("WS01")  # whoever holds the old key file
    details = {"amount": "1.00", "mrn": "P1"}
    last = events(books)[-1]
    at = last.at.replace(year=last.at.year + 1)
    digest = event_hash(
        prev_hash=last.hash,
        workstation="WS01",
        seq=last.seq + 1,
        at=at,
        actor_id=last.actor_id,
        action="deposit",
        receipt_no=None,
        details=canonical(details),
    )
    tamper(
        books.app,
        "INSERT INTO audit_events (workstation, seq, at, actor_id, action, details, "
        "prev_hash, hash, key_id, signature) VALUES ('WS01', :seq, :at, :actor, 'deposit', "
        ":details, :prev, :hash, :key_id, :signature)",
        "UPDATE workstations SET audit_seq = :seq, audit_head = :hash WHERE id = 'WS01'",
        seq=last.seq + 1,
        at=at,
        actor=last.actor_id,
        details=canonical(details),
        prev=last.hash,
        hash=digest,
        key_id=stolen.key_id,
        signature=stolen.sign(digest),
    )
    assert "revoked" in " ".join(findings(books)["audit_signatures_valid"])


def test_an_administrator_enrols_a_new_key_after_a_revocation(topped_up):
    books = topped_up
    workstations.revoke(books.app.uow(), actor=books.admin, workstation="WS01", target="WS01")
    key, new = workstations.enroll(books.app.uow(), actor=books.admin, workstation="WS01")
    assert new
    top_up(books, "P1", "1.00")
    assert events(books)[-1].key_id == key.key_id
    assert findings(books) == {}


def test_check_starts_after_the_last_clean_check_and_full_starts_from_the_first_event(topped_up):
    books = topped_up
    seen: list[tuple[int, int]] = []
    top_up(books, "P1", "1.00")
    run_check(
        books.app.uow(),
        actor=books.supervisor,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (1, 1)
    run_check(
        books.app.uow(),
        actor=books.supervisor,
        full=True,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (len(events(books)), len(events(books)))


def test_an_event_changed_before_the_checkpoint_is_found_by_the_next_check(topped_up):
    books = topped_up
    tamper(
        books.app,
        "UPDATE audit_events SET hash = :hash WHERE workstation = 'WS01' "
        "AND seq = (SELECT MAX(seq) FROM audit_events)",
        hash="0" * 64,
    )
    assert "audit_chain_linked" in findings(books, full=False)


def test_a_training_database_and_the_live_one_keep_apart_heads(books, tmp_path: Path):
    top_up(books, books.patient("P1"), "1.00")
    heads = list((tmp_path / "heads").glob("*.heads"))
    assert len(heads) == 1
    with books.app.uow(write=False) as uow:
        database_id = uow.execute(
            select(t.settings.c.value).where(t.settings.c.key == "database_id")
        ).scalar_one()
    assert heads[0].stem == database_id
    assert json.loads(heads[0].read_text().splitlines()[-1])[1] == events(books)[-1].seq
