"""The SQLite ticket store: opening a file safely, the one way to write, and the reads.

The store's contract is narrow on purpose, so that another backend (PostgreSQL) can keep it:

- `transaction()` is the only way to write: one IMMEDIATE transaction on the one write
  connection, all of it or none of it. Only `workflow` (the funnel every change takes) and a
  few bookkeeping modules (drafts, presence, the demo loader) call it.
- `read()` gives the calling thread a read connection of its own for the length of the block:
  WAL lets readers run beside the writer and beside each other, so a slow count in one worker
  never delays a page of the queue in another. Inside a transaction, reads on the writing
  thread see the transaction's own changes.
- `data_version()` says whether another connection has committed, for the screens' poll.

Reads are paged and run on indexes: a queue asks for one page of rows and a count, never for
the whole table, so a store of a million tickets costs no more memory than one of a hundred."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from console.core import dbfile, schema, stemming
from console.core.clock import Clock, to_text, utc_now
from console.core.dbfile import FileKind
from console.core.errors import StoreError, TicketNotFound
from console.core.model import (
    OPEN_STATUSES,
    Channel,
    Court,
    Event,
    EventAction,
    Impact,
    Line,
    Message,
    MessageKind,
    Order,
    Priority,
    QueueCounts,
    QueueFilter,
    Status,
    Ticket,
    TicketSummary,
    Urgency,
)
from console.core.requester import contact_where
from console.core.terms import fts_query

BUSY_TIMEOUT_MS = 5000
SUBJECT_PREVIEW = 300
"""Queue rows carry at most this many characters of a subject: a stranger's 5 MB subject must
not be copied into every page."""
IDLE_READERS = 4
"""Read connections kept open between reads; more are opened when more threads read at once."""

DUE_KEY = "ifnull(sla_due_at, '~')"
"""The breach sort key, spelled as the indexes spell it (no deadline sorts last)."""

_SUMMARY_COLUMNS = (
    f"id, substr(subject, 1, {SUBJECT_PREVIEW}) AS subject, requester, line, priority, status,"
    " court, assignee, created_at, updated_at, updated_by, version"
)


def _connect(path: str, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to `path`; with `read_only`, one SQLite itself forbids to write.

    A reader needs the -shm file beside a WAL database, and makes it when it is missing; in
    a folder it may not write, with no write-ahead log to read either, the file alone is the
    whole database and is read as it is (`immutable`)."""
    immutable = (
        read_only
        and not os.access(os.path.dirname(os.path.abspath(path)), os.W_OK)
        and not os.path.exists(path + "-wal")
    )
    try:
        conn = sqlite3.connect(
            dbfile.uri(path, read_only=read_only, immutable=immutable),
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # The full-text index's triggers stem what they index (see schema._STEMMED_SEARCH).
        conn.create_function("console_index_text", 1, stemming.index_text, deterministic=True)
    except sqlite3.Error as error:
        raise _unusable(path, error) from None
    return conn


def _unusable(path: str, error: sqlite3.Error) -> StoreError:
    """Why the file at `path` cannot be opened, in one line."""
    found = dbfile.failure(path, error)
    if isinstance(found, StoreError):
        return found
    return StoreError(f"{dbfile.shown(path)}: not a usable console database ({error})")


class Store:
    """An open ticket database. Use `Store.open(path)`; close it with `close()`."""

    def __init__(
        self, writer: sqlite3.Connection | None, path: str, clock: Clock, *, read_only: bool = False
    ) -> None:
        self.path = path
        self.clock = clock
        self.read_only = read_only  # SQLite refuses every write; nothing was migrated
        self._writer = writer
        self._write_lock = threading.RLock()
        self._writing_thread: int | None = None
        self._batching = False
        self._idle: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._reading = threading.local()
        self._watch: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        clock: Clock = utc_now,
        read_only: bool = False,
    ) -> Store:
        """Open (and when `create`, make) a store, bringing its schema up to date.

        A file that is not a console database is refused before anything touches it. With
        `read_only`, nothing is ever written: no migration, no journal switch, and SQLite
        itself refuses writes. Raises StoreError naming the file for anything that makes it
        unusable."""
        path = os.fspath(path)
        shown = dbfile.shown(path)
        if os.path.isdir(path):
            raise StoreError(f"{shown}: is a directory, not a database file")
        identity = dbfile.identify(path)
        kind = identity.kind
        if kind == FileKind.FOREIGN:
            raise dbfile.refuse_foreign(path)
        missing = kind == FileKind.ABSENT or (kind == FileKind.EMPTY and read_only)
        if missing and (read_only or not create):
            raise StoreError(
                f"{shown}: no such database (create one with `console demo` or `console new`)"
            )
        # Checked before anything else touches the file: a newer file is left as it was.
        if identity.schema_version > schema.LATEST:
            raise StoreError(
                f"{shown}: database schema version {identity.schema_version} is newer than "
                f"this console understands ({schema.LATEST}); upgrade the console"
            )
        if read_only:
            if identity.schema_version < schema.LATEST:
                raise StoreError(
                    f"{shown}: the database was made by an older console; a command that "
                    "writes (`console tick`, say) brings it up to date, then try again"
                )
            return cls(None, path, clock, read_only=True)
        if kind == FileKind.ABSENT:
            try:
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            except OSError as error:
                raise StoreError(f"{shown}: cannot create the database: {error.strerror}") from None
        else:
            dbfile.check_writable(path)
        conn = _connect(path)
        try:
            _configure(conn)
            schema.migrate(conn)
            if kind == FileKind.ABSENT:
                _share_like_directory(path)
        except sqlite3.Error as error:
            conn.close()
            raise _unusable(path, error) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, clock)

    def close(self) -> None:
        with self._write_lock, self._pool_lock:
            self._closed = True
            for conn in self._idle:
                conn.close()
            self._idle.clear()
            if self._watch is not None:
                self._watch.close()
            if self._writer is not None:
                self._writer.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> str:
        return to_text(self.clock())

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE write transaction: all of it commits, or none of it. Inside `batch()`,
        a savepoint of the batch's transaction: all of it is kept, or none of it.

        A fault of the file (read-only, damaged, busy, full) is raised as a StoreError that
        says so; every other error as itself."""
        with self._write_lock:
            if self._batching and self._writing_thread == threading.get_ident():
                with self._savepoint():
                    yield self._writable()
                return
            if self._writing_thread is not None:
                raise RuntimeError("a transaction is already open on this store")
            with self._immediate():
                yield self._writable()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many transactions committed as one, for work in bulk (an import): each costs a
        commit of its own otherwise, most of its time. Keep a batch short (a fraction of a
        second): every other writer waits for it."""
        with self._write_lock:
            if self._writing_thread is not None:
                raise RuntimeError("a transaction is already open on this store")
            with self._immediate():
                self._batching = True
                try:
                    yield
                finally:
                    self._batching = False

    def _writable(self) -> sqlite3.Connection:
        if self._writer is None:
            raise RuntimeError(f"{self.path}: opened read-only; a write needs Store.open()")
        return self._writer

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        writer = self._writable()
        writer.execute("SAVEPOINT change")
        try:
            yield
        except BaseException:
            if writer.in_transaction:
                writer.execute("ROLLBACK TO change")
                writer.execute("RELEASE change")
            raise
        else:
            writer.execute("RELEASE change")

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        """The write transaction itself; the caller holds the write lock."""
        writer = self._writable()
        try:
            writer.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise self._fault(error) from None
        self._writing_thread = threading.get_ident()
        try:
            yield
            writer.execute("COMMIT")
        except BaseException as error:
            # SQLite may have ended the transaction itself (a damaged file, a full disk):
            # a ROLLBACK then would fail and hide the error that says what went wrong.
            if writer.in_transaction:
                writer.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise self._fault(error) from None
            raise
        finally:
            self._writing_thread = None

    def holding(self, what: str) -> contextlib.AbstractContextManager[None]:
        """Say, while a long piece of work runs, what it is (see `dbfile.holding`)."""
        return dbfile.holding(self.path, what)

    def _fault(self, error: sqlite3.Error) -> Exception:
        """`error` as one line when it is a fault of the file, else `error` itself."""
        return dbfile.failure(self.path, error)

    # -- reading -------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection to read from, for this thread alone, in one consistent snapshot.

        On the thread inside `transaction()`, the transaction's own connection (its changes
        are visible); nested `read()` blocks share the outer block's connection."""
        if self._writing_thread == threading.get_ident() and self._writer is not None:
            yield self._writer
            return
        outer = getattr(self._reading, "conn", None)
        if outer is not None:
            yield outer
            return
        conn = self._checkout()
        self._reading.conn = conn
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as error:
            raise self._fault(error) from None
        finally:
            self._reading.conn = None
            self._checkin(conn)

    def _checkout(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._closed:
                raise StoreError(f"{self.path}: the database is closed")
            if self._idle:
                return self._idle.pop()
        # Not query_only: the duplicate finder keeps scratch tables in the temp schema.
        return _connect(self.path, read_only=self.read_only)

    def _checkin(self, conn: sqlite3.Connection) -> None:
        with self._pool_lock:
            if not self._closed and len(self._idle) < IDLE_READERS:
                self._idle.append(conn)
                return
        conn.close()

    def data_version(self) -> int:
        """Changes when another connection commits: a cheap "did anything change?" poll.

        Read on a connection kept for this alone: the number only means something compared
        with an earlier reading on the same connection."""
        with self._pool_lock:
            if self._closed:
                raise StoreError(f"{self.path}: the database is closed")
            if self._watch is None:
                self._watch = _connect(self.path, read_only=self.read_only)
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def last_event_id(self) -> int:
        """The newest event's number. Every change to a ticket logs an event, so a commit that
        leaves it alone changed no ticket (presence, say): the screens need not read again."""
        with self.read() as conn:
            return int(conn.execute("SELECT ifnull(max(id), 0) FROM events").fetchone()[0])

    def query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Every row of one query, as tuples."""
        with self.read() as conn:
            return conn.execute(sql, params).fetchall()

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row of one query, as dicts by column name."""
        with self.read() as conn:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def ticket(self, ticket_id: int) -> Ticket:
        rows = self.rows("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        if not rows:
            raise TicketNotFound(ticket_id)
        return ticket_from_row(rows[0])

    def ticket_exists(self, ticket_id: int) -> bool:
        return bool(self.rows("SELECT 1 AS x FROM tickets WHERE id = ?", (ticket_id,)))

    def tickets(
        self,
        queue: QueueFilter = QueueFilter(),
        *,
        limit: int = 100,
        offset: int = 0,
        order: Order = Order.PRIORITY,
    ) -> list[TicketSummary]:
        """One page of a queue, most urgent first, then oldest first.

        With `Order.BREACH` the nearest SLA deadline comes first (breached ones at the top),
        then the tickets whose clocks are stopped, by priority and age."""
        order = Order(order)
        where, params = _where(queue, self.clock())
        by = "priority, created_at, id"
        if order == Order.BREACH:
            by = f"{DUE_KEY}, {by}"
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM {_source(queue, order)} WHERE {where} "
            f"ORDER BY {by} LIMIT ? OFFSET ?"
        )
        return [_summary(r) for r in self.rows(sql, [*params, limit, offset])]

    def summaries(self, sql: str, params: Any = ()) -> list[TicketSummary]:
        """Queue rows from `sql`, which names what follows `SELECT <row columns>`."""
        return [_summary(r) for r in self.rows(f"SELECT {_SUMMARY_COLUMNS} {sql}", params)]

    def count(self, queue: QueueFilter = QueueFilter()) -> int:
        where, params = _where(queue, self.clock())
        sql = f"SELECT count(*) AS n FROM {_source(queue)} WHERE {where}"
        return int(self.rows(sql, params)[0]["n"])

    def queue_counts(self, agent: str | None = None) -> QueueCounts:
        """Open tickets per line and priority, plus the agent's own and the total."""
        by_line: dict[Line, dict[Priority, int]] = {line: {p: 0 for p in Priority} for line in Line}
        rows = self.rows(
            f"SELECT line, priority, count(*) AS n FROM tickets INDEXED BY "
            f"tickets_open_by_line WHERE {schema.OPEN_SQL} GROUP BY line, priority"
        )
        for row in rows:
            by_line[Line(row["line"])][Priority(row["priority"])] = row["n"]
        mine = self.count(QueueFilter(assignee=agent)) if agent else 0
        return QueueCounts(
            by_line=by_line, mine=mine, all_open=sum(sum(c.values()) for c in by_line.values())
        )

    def messages(self, ticket_id: int) -> list[Message]:
        rows = self.rows("SELECT * FROM messages WHERE ticket_id = ? ORDER BY id", (ticket_id,))
        return [
            Message(
                id=r["id"],
                ticket_id=r["ticket_id"],
                kind=MessageKind(r["kind"]),
                author=r["author"],
                body=r["body"],
                created_at=r["created_at"],
                body_raw=r["body_raw"],
                channel=Channel(r["channel"]) if r["channel"] else None,
            )
            for r in rows
        ]

    def events(self, ticket_id: int) -> list[Event]:
        rows = self.rows("SELECT * FROM events WHERE ticket_id = ? ORDER BY id", (ticket_id,))
        return [Event(**{**r, "action": EventAction(r["action"])}) for r in rows]

    def contact_name(self, requester: str) -> str | None:
        """The name of the contact a ticket's requester names (see `requester`)."""
        where, params = contact_where(requester)
        rows = self.rows(f"SELECT name FROM contacts WHERE {where} LIMIT 1", params)
        return rows[0]["name"] if rows else None


def _share_like_directory(path: str) -> None:
    """Let a new database be written by whoever may write its folder.

    A team shares one file in a group-writable folder; the file SQLite creates follows the
    creator's umask, which would lock the others out. SQLite gives the -wal and -shm files the
    database file's mode, so fixing the one file fixes all three."""
    folder_mode = os.stat(os.path.dirname(os.path.abspath(path))).st_mode
    if folder_mode & stat.S_ISVTX:  # a public scratch folder such as /tmp, not a team's
        return
    extra = 0
    if folder_mode & stat.S_IWGRP:
        extra |= stat.S_IRGRP | stat.S_IWGRP
    if folder_mode & stat.S_IWOTH:
        extra |= stat.S_IROTH | stat.S_IWOTH
    if extra:
        os.chmod(path, os.stat(path).st_mode | extra)


def _configure(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":
        raise StoreError(f"cannot switch the database to WAL mode (got {mode})")
    # NORMAL is durable against a killed process in WAL mode; only power loss may drop the
    # last commits, and the file stays consistent either way.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _is_open_queue(queue: QueueFilter) -> bool:
    if queue.query is not None and queue.query.any_status:
        return False
    return tuple(queue.statuses) == OPEN_STATUSES


def _source(queue: QueueFilter, order: Order = Order.PRIORITY) -> str:
    """The table with the index an open queue must use.

    The planner, seeing `status IN (...)`, would rather walk the status index and sort every
    open ticket for each page; the partial indexes are already in queue order."""
    if not _is_open_queue(queue):
        return "tickets"
    if (queue.needs_customer_contact or queue.undelivered) and not (queue.text or queue.query):
        # A handful of open questions: look their tickets up by number rather than walk
        # every open ticket (NOT INDEXED still allows the primary key).
        return "tickets NOT INDEXED"
    suffix = "_due" if order == Order.BREACH else ""
    query = queue.query
    if queue.assignee is not None or (query is not None and query.one_assignee):
        return f"tickets INDEXED BY tickets_open_by_assignee{suffix}"
    if queue.line is not None or (query is not None and query.one_line):
        return f"tickets INDEXED BY tickets_open_by_line{suffix}"
    return "tickets INDEXED BY tickets_open_all" + ("_by_due" if suffix else "")


def _where(queue: QueueFilter, now: datetime) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if _is_open_queue(queue):
        clauses.append(schema.OPEN_SQL)
    elif queue.statuses and not (queue.query and queue.query.any_status):
        clauses.append(f"status IN ({', '.join('?' for _ in queue.statuses)})")
        params.extend(s.value for s in queue.statuses)
    for column, value in (
        ("line", queue.line),
        ("priority", queue.priority),
        ("court", queue.court),
        ("assignee", queue.assignee),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(str(value))
    if queue.needs_customer_contact:
        clauses.append("id IN (SELECT ticket_id FROM clarifications WHERE answered_at IS NULL)")
    if queue.undelivered:
        clauses.append(
            "id IN (SELECT m.ticket_id FROM outbox o INDEXED BY outbox_failed JOIN messages m"
            " ON m.id = o.message_id WHERE o.failed_at IS NOT NULL AND o.dismissed_at IS NULL)"
        )
    text_clause = _text_clause(queue.text or "", params)
    if text_clause:
        clauses.append(text_clause)
    if queue.query is not None:
        from console.core.query_sql import conditions

        clauses += conditions(queue.query, now, params, prefix_last=queue.prefix_last)
    return " AND ".join(clauses) or "1", params


def _text_clause(text: str, params: list[Any]) -> str | None:
    """Tickets whose number is given ("#42"), or whose subject, body or thread has the words.

    None (no filtering) when the text holds nothing to search for, such as only punctuation."""
    parts: list[str] = []
    number = re.fullmatch(r"\s*#?([0-9]{1,18})\s*", text)  # a ticket number SQLite can hold
    if number:
        parts.append("id = ?")
        params.append(int(number.group(1)))
    query = fts_query(text, prefix_last=True)
    if query:
        parts.append(
            "id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? "
            "UNION SELECT m.ticket_id FROM messages_fts JOIN messages m "
            "ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?)"
        )
        params.extend([query, query])
    return "(" + " OR ".join(parts) + ")" if parts else None


def _summary_fields(r: dict[str, Any]) -> dict[str, Any]:
    return dict(
        id=r["id"],
        subject=r["subject"],
        requester=r["requester"],
        line=Line(r["line"]),
        priority=Priority(r["priority"]),
        status=Status(r["status"]),
        court=Court(r["court"]),
        assignee=r["assignee"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        updated_by=r["updated_by"],
        version=r["version"],
    )


def _summary(r: dict[str, Any]) -> TicketSummary:
    return TicketSummary(**_summary_fields(r))


def ticket_from_row(r: dict[str, Any]) -> Ticket:
    """The ticket a row of the `tickets` table holds."""
    channel = r.get("channel")
    return Ticket(
        **_summary_fields(r),
        body=r["body"],
        body_raw=r["body_raw"],
        channel=Channel(channel) if channel else None,
        impact=Impact(r["impact"]) if r.get("impact") else None,
        urgency=Urgency(r["urgency"]) if r.get("urgency") else None,
        ticket_type=r.get("ticket_type"),
    )
