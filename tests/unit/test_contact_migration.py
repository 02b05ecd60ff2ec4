"""The migration that lets a contact have no e-mail address: the contacts table is rebuilt
with every row, id, column and index it had, the tickets keep pointing at their contacts, the
foreign keys are checked before it commits and are on again afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from console.core import schema
from console.core.check import check
from console.core.errors import StoreError
from console.core.sla import SlaPolicy
from tests.support import FrozenClock, open_store

BEFORE = schema.MIGRATIONS.index(schema._CONTACT_WITHOUT_ADDRESS)
"""The version of a file made before a contact could lack an address."""

CONTACTS = [
    (3, "olga@acme.test", "Olga Petrenko", "2026-01-02T09:00:00Z", "uk", "Acme Corp",
     "+380441234567", "gold", "Calls before 10"),
    (7, "bob@shop.test", None, "2026-01-03T09:00:00Z", None, None, None, None, None),
]  # fmt: skip
INDEXES = {"contacts_by_phone", "contacts_by_name", "contacts_by_organisation"}


def _old_file(path: Path, *, dangling: bool = False) -> None:
    """A file as the previous console left it: two contacts with everything an agent can
    fill in, three tickets pointing at them and one that points at no contact."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, target=BEFORE)
    conn.executemany(
        "INSERT INTO contacts (id, email, name, created_at, lang, organisation, phone, plan,"
        " notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        CONTACTS,
    )
    tickets = [(1, "olga@acme.test", 3), (2, "bob@shop.test", 7), (3, "olga@acme.test", 3)]
    tickets.append((4, "ghost@x.test", 99 if dangling else None))
    conn.executemany(
        "INSERT INTO tickets (id, subject, requester, contact_id, line, priority, status, court,"
        " created_at, updated_at, updated_by) VALUES (?, 'Payroll', ?, ?, 'L1', 'P3', 'open',"
        " 'us', '2026-01-04T09:00:00Z', '2026-01-04T09:00:00Z', 'kim')",
        tickets,
    )
    conn.close()


def _contacts(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT id, email, name, created_at, lang, organisation, phone, plan, notes"
        " FROM contacts ORDER BY id"
    ).fetchall()


def test_contacts_keep_their_ids_fields_indexes_and_tickets(
    db_path: Path, clock: FrozenClock
) -> None:
    _old_file(db_path)
    with open_store(db_path, clock) as store, store.transaction() as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert _contacts(conn) == CONTACTS
        links = conn.execute("SELECT id, contact_id FROM tickets ORDER BY id").fetchall()
        assert links == [(1, 3), (2, 7), (3, 3), (4, None)]
        indexes = conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'contacts'"
        ).fetchall()
        assert INDEXES <= {name for (name,) in indexes}
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE phone = '+380441234567'"
        ).fetchall()
        assert "contacts_by_phone" in str(plan)
        # What the migration is for: a caller with no address, as many as there are.
        conn.execute("INSERT INTO contacts (phone, created_at) VALUES ('+3805', 'now')")
        conn.execute("INSERT INTO contacts (name, created_at) VALUES ('Ann Lee', 'now')")
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # still one per address
            conn.execute("INSERT INTO contacts (email, created_at) VALUES ('OLGA@acme.test', 'x')")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # but named somehow
            conn.execute("INSERT INTO contacts (created_at) VALUES ('now')")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute("UPDATE tickets SET contact_id = 42 WHERE id = 1")
    with open_store(db_path, clock) as store:
        assert check(store, SlaPolicy()).sound


def test_a_file_whose_tickets_point_at_nothing_is_left_as_it_was(
    db_path: Path, clock: FrozenClock
) -> None:
    _old_file(db_path, dangling=True)
    with pytest.raises(StoreError, match="1 row.* would point at nothing .*tickets row 4"):
        open_store(db_path, clock)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == BEFORE
    assert _contacts(conn) == CONTACTS
    table = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'contacts'").fetchone()[0]
    assert "email TEXT NOT NULL" in table
    conn.close()


@pytest.mark.parametrize("enforced", [0, 1])
def test_the_foreign_keys_are_as_they_were_after_migrating(tmp_path: Path, enforced: int) -> None:
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute(f"PRAGMA foreign_keys = {enforced}")
    schema.migrate(conn, target=BEFORE)
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == enforced
    schema.migrate(conn)
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == enforced
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    conn.close()
