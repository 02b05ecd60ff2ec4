"""The store: opening files safely, schema versions and migrations, paged queues, search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from console.core import operations, schema
from console.core.desk import Desk
from console.core.errors import StoreError
from console.core.model import Court, Line, Priority, QueueFilter, Status
from console.core.store import Store, fts_query
from tests.support import make_desk


def test_new_store_is_wal_with_foreign_keys_and_latest_schema(store: Store) -> None:
    with store.read() as reader:
        _check_connection(reader)
    with store.transaction() as writer:
        _check_connection(writer)


def _check_connection(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST


def test_older_file_is_migrated_forward_and_keeps_its_data(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    schema.migrate(conn, target=1)
    conn.execute(
        "INSERT INTO tickets (subject, body, requester, line, priority, status, court,"
        " created_at, updated_at, updated_by) VALUES ('Printer on fire', 'smoke', "
        "'a@b.c', 'L1', 'P1', 'new', 'us', '2026-01-01T00:00:00Z', "
        "'2026-01-01T00:00:00Z', 'x')"
    )
    conn.close()

    with Store.open(db_path) as store:
        assert store.query("PRAGMA user_version") == [(schema.LATEST,)]
        found = store.tickets(QueueFilter(text="printer"))
        assert [t.subject for t in found] == ["Printer on fire"]


def test_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 5}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer than this console understands"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello, not a database" * 100)
    with pytest.raises(StoreError, match="not a console database"):
        Store.open(junk)
    assert junk.read_text() == "hello, not a database" * 100


def test_missing_file_is_not_created_when_reading(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        Store.open(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path)


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "ann")


def _ticket(desk: Desk, subject: str, **kw) -> int:
    return operations.create_ticket(
        desk, subject=subject, requester=kw.pop("requester", "c@example.com"), **kw
    ).id


def test_a_full_disk_is_reported_as_such_and_nothing_is_half_written(
    desk: Desk, store: Store
) -> None:
    with store.transaction() as conn:  # the disk holds what the file has now, no more
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    # SQLite ends the transaction itself; the error that says why is what the agent reads.
    with pytest.raises(StoreError, match="the disk is full; nothing was changed"):
        operations.create_ticket(desk, subject="Big", requester="a@example.com", body="y" * 200_000)
    assert store.count(QueueFilter()) == 0


def test_the_error_that_ended_a_transaction_is_the_one_raised(store: Store) -> None:
    # Some errors (a damaged file, an interrupt) make SQLite roll back by itself; the store's
    # own ROLLBACK must not then replace the error with "no transaction is active".
    with pytest.raises(StoreError, match="damaged .database disk image is malformed"):
        with store.transaction() as conn:
            conn.execute("ROLLBACK")  # what SQLite did
            raise sqlite3.DatabaseError("database disk image is malformed")
    with store.transaction() as conn:  # and the store writes again afterwards
        conn.execute("SELECT 1")


def test_a_batch_commits_its_changes_once_and_a_failed_one_alone_is_undone(
    desk: Desk, store: Store, tmp_path: Path
) -> None:
    with store.batch():
        operations.create_ticket(desk, subject="Kept", requester="a@example.com", body="x")
        with pytest.raises(RuntimeError), store.transaction() as conn:
            conn.execute("UPDATE tickets SET subject = 'Lost' WHERE id = 1")
            raise RuntimeError("this change fails")
        operations.create_ticket(desk, subject="Kept too", requester="b@example.com", body="y")
        with Store.open(store.path, create=False) as other:  # nothing is visible before the end
            assert other.query("SELECT count(*) FROM tickets") == [(0,)]
    assert store.query("SELECT subject FROM tickets ORDER BY id") == [("Kept",), ("Kept too",)]
    with pytest.raises(RuntimeError, match="already open"), store.transaction():
        with store.batch():
            pass


def test_queue_is_sorted_by_priority_then_age_and_paged(desk: Desk, store: Store, clock) -> None:
    ids = []
    for priority in ("P3", "P1", "P3", "P2"):
        ids.append(_ticket(desk, f"t {priority}", priority=Priority(priority)))
        clock.advance(minutes=1)
    order = [t.id for t in store.tickets(QueueFilter())]
    assert order == [ids[1], ids[3], ids[0], ids[2]]
    assert [t.id for t in store.tickets(QueueFilter(), limit=2, offset=1)] == order[1:3]
    assert store.count(QueueFilter()) == 4


def test_filters_by_line_court_assignee_and_status(desk: Desk, store: Store) -> None:
    a = _ticket(desk, "alpha", line=Line.L2)
    b = _ticket(desk, "beta")
    operations.move_court(desk, b, Court.CUSTOMER, "they will test it")
    operations.assign(desk, a, "bob")
    operations.close(desk, b)
    assert [t.id for t in store.tickets(QueueFilter(line=Line.L2))] == [a]
    assert [t.id for t in store.tickets(QueueFilter(assignee="bob"))] == [a]
    assert store.tickets(QueueFilter(court=Court.CUSTOMER)) == []  # closed is not open
    closed = store.tickets(QueueFilter(statuses=(Status.CLOSED,)))
    assert [t.id for t in closed] == [b]


def test_queue_counts_per_line_and_priority(desk: Desk, store: Store) -> None:
    _ticket(desk, "a", line=Line.L1, priority=Priority.P1)
    _ticket(desk, "b", line=Line.L1, priority=Priority.P1)
    c = _ticket(desk, "c", line=Line.L3, priority=Priority.P4)
    operations.assign(desk, c, "ann")
    counts = store.queue_counts("ann")
    assert counts.by_line[Line.L1][Priority.P1] == 2
    assert counts.by_line[Line.L3][Priority.P4] == 1
    assert counts.by_line[Line.L2][Priority.P2] == 0
    assert (counts.mine, counts.all_open) == (1, 3)


def test_search_finds_subject_body_thread_and_number(desk: Desk, store: Store) -> None:
    a = _ticket(desk, "Invoice wrong", body="The VAT number is missing")
    b = _ticket(desk, "Login fails")
    operations.note(desk, b, "customer uses a proxy server")
    assert [t.id for t in store.tickets(QueueFilter(text="vat"))] == [a]
    assert [t.id for t in store.tickets(QueueFilter(text="proxy"))] == [b]
    assert [t.id for t in store.tickets(QueueFilter(text="prox"))] == [b]  # prefix while typing
    assert [t.id for t in store.tickets(QueueFilter(text=f"#{b}"))] == [b]


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "AND OR NOT",
        "NEAR(a b)",
        "*",
        "^start",
        "subject:x",
        "'; DROP TABLE tickets; --",
        "\x00",
        'ключ* "x',
        "",
    ],
)
def test_search_input_never_breaks_the_query(desk: Desk, store: Store, hostile: str) -> None:
    _ticket(desk, "subject x start ключ")
    store.tickets(QueueFilter(text=hostile))  # must not raise
    store.count(QueueFilter(text=hostile))


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('a AND "b" NEAR c*') == '"a" "and" "b" "near" "c"'
    assert fts_query("x y", prefix_last=True) == '"x" "y"*'
    assert fts_query("x y", any_word=True) == '"x" OR "y"'
    assert fts_query("!!!") is None


def test_open_queues_use_their_partial_index(store: Store) -> None:
    from console.core.store import _source, _where

    for queue, index in (
        (QueueFilter(), "tickets_open_all"),
        (QueueFilter(line=Line.L1), "tickets_open_by_line"),
        (QueueFilter(assignee="x"), "tickets_open_by_assignee"),
    ):
        where, params = _where(queue, store.clock())
        plan = store.query(
            f"EXPLAIN QUERY PLAN SELECT id FROM {_source(queue)} WHERE {where} "
            "ORDER BY priority, created_at, id LIMIT 50",
            params,
        )
        text = " ".join(str(row[-1]) for row in plan)
        assert index in text and "TEMP B-TREE" not in text, text


def test_new_database_in_a_shared_folder_is_writable_by_the_team(tmp_path: Path) -> None:
    shared = tmp_path / "team"
    shared.mkdir()
    shared.chmod(0o2775)
    with Store.open(shared / "desk.db"):
        pass
    assert (shared / "desk.db").stat().st_mode & 0o060 == 0o060
    private = tmp_path / "mine"
    private.mkdir(mode=0o700)
    with Store.open(private / "desk.db"):
        pass
    assert (private / "desk.db").stat().st_mode & 0o022 == 0
