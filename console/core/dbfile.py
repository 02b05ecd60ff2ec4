"""What a file on disk is before the console touches it, and what SQLite's failures mean.

A console database carries a mark (SQLite's `application_id`, `schema.APPLICATION_ID`), so the
console can tell its own files from another program's. `identify` reads a file without
changing it: no journal switch, no schema, no -wal or -shm beside another program's file. A
file is one of five kinds: absent, empty (safe to make a database of), a console database,
one made by a console older than the mark (recognised by its tables and marked on its next
write), or something else, which the console refuses to touch.

`failure` turns SQLite's errors about the file itself (read-only, damaged, busy, full) into
one line that says what happened and what to do; other errors are left as they are."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from console.core import schema
from console.core.errors import ConsoleError, StoreBusy, StoreError
from console.core.text import one_line

_MAGIC = b"SQLite format 3\x00"
_CONSOLE_TABLES = frozenset({"tickets", "messages", "events"})
"""Tables every console database has had since its first version..."""
_TICKET_COLUMNS = frozenset({"subject", "requester", "line", "priority", "status", "court"})
"""...and columns its tickets have had."""


class FileKind(Enum):
    ABSENT = "absent"
    EMPTY = "empty"
    CONSOLE = "console"
    UNMARKED = "unmarked"
    """A console database made before the mark existed."""
    FOREIGN = "foreign"


class Identity:
    """What a file is. (A plain class: every command asks, and making a dataclass or a named
    tuple costs a command's start more than this one does.)"""

    __slots__ = ("kind", "schema_version")

    def __init__(self, kind: FileKind, schema_version: int = 0) -> None:
        self.kind = kind
        self.schema_version = schema_version  # its `user_version`: the migrations it has had


class NotConsoleDatabase(StoreError):
    """The file is another program's, or no database at all: refused and left as it was."""


def shown(path: str) -> str:
    """A path as it may be printed: control characters made visible, on one line."""
    return one_line(path)


def uri(path: str, *, read_only: bool = False, immutable: bool = False) -> str:
    """An SQLite URI for `path` (the characters URIs reserve escaped)."""
    escaped = os.path.abspath(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    options = [("mode", "ro")] if read_only else []
    if immutable:
        options.append(("immutable", "1"))
    query = "&".join(f"{k}={v}" for k, v in options)
    return f"file:{escaped}" + (f"?{query}" if query else "")


def identify(path: str) -> Identity:
    """What the file at `path` is, read without writing anything beside or into it."""
    try:
        refuse_special(path)
        with open(path, "rb") as file:
            header = file.read(100)
    except FileNotFoundError:
        return Identity(FileKind.ABSENT)
    except OSError as error:
        raise StoreError(f"{shown(path)}: cannot read it: {error.strerror}") from None
    if not header:
        return Identity(FileKind.EMPTY)
    if len(header) < 100 or not header.startswith(_MAGIC):
        return Identity(FileKind.FOREIGN)
    # The header on disk is current unless a write-ahead log holds newer pages; without one,
    # an immutable read takes no lock and creates no -wal or -shm file beside the file. Should
    # a console write and checkpoint in the moment between, the locking read is the judge.
    try:
        wal_size = os.path.getsize(path + "-wal")
    except OSError:
        wal_size = 0
    try:
        found = _header(path, immutable=not wal_size)
    except sqlite3.Error as error:
        if wal_size:
            raise failure(path, error) from None
        try:
            found = _header(path, immutable=False)
        except sqlite3.Error:
            raise failure(path, error) from None
    mark, version, tables, columns = found
    if mark == schema.APPLICATION_ID:
        return Identity(FileKind.CONSOLE, version)
    if mark == 0 and version == 0 and not tables:
        return Identity(FileKind.EMPTY)
    if mark == 0 and version > 0 and _CONSOLE_TABLES <= tables and _TICKET_COLUMNS <= columns:
        return Identity(FileKind.UNMARKED, version)
    return Identity(FileKind.FOREIGN)


def _header(path: str, *, immutable: bool) -> tuple[int, int, set[str], set[str]]:
    """The file's mark, schema version, tables and ticket columns, read without writing."""
    conn = sqlite3.connect(uri(path, read_only=True, immutable=immutable), uri=True)
    try:
        mark = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = {r[1] for r in conn.execute("PRAGMA table_info(tickets)")}
    finally:
        conn.close()
    return mark, version, tables, columns


def refuse_foreign(path: str) -> NotConsoleDatabase:
    return NotConsoleDatabase(
        f"{shown(path)}: not a console database (another program's file, or no database at "
        "all); nothing was changed"
    )


def refuse_special(path: str) -> None:
    """Refuse a device, pipe or socket where the console reads or writes a file of its own:
    `/dev/null` read as an empty database, or replaced by a backup, would break the machine.
    (A path that cannot be looked at, missing or too long, is left to the caller.)"""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISDIR(mode):
        raise ConsoleError(f"{shown(path)}: is a folder; give the name of a file")
    if not stat.S_ISREG(mode):
        raise ConsoleError(
            f"{shown(path)}: is a device or a pipe, not a file; give the name of a file"
        )


def refuse_to_replace(target: str, force: bool) -> None:
    """Refuse to write a file at `target` over anything but a file, or over a file unless
    `force`."""
    refuse_special(target)
    if os.path.exists(target) and not force:
        raise ConsoleError(f"{shown(target)}: already exists; give --force to replace it")


def check_writable(path: str) -> None:
    """Refuse, before anything is written, a file (or a folder for its journal) the console
    may not write. The check SQLite makes itself comes later, at the first write."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise not_writable(path)
    if not os.access(folder, os.W_OK | os.X_OK) and not os.path.exists(path + "-wal"):
        raise not_writable(path, "its folder is read-only")


def not_writable(path: str, why: str = "the file is read-only") -> StoreError:
    return StoreError(
        f"{shown(path)}: cannot write the database: {why}; nothing was changed "
        "(ask whoever owns it for write access)"
    )


class DamagedDatabase(StoreError):
    """SQLite found the file damaged: `console check` says how badly; a backup mends it."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(
            f"{shown(path)}: the database is damaged ({what}); nothing was changed. Run "
            "`console check` to see what is wrong, or restore it from a backup"
        )
        self.path = path
        self.what = what


def failure(path: str, error: sqlite3.Error) -> StoreError | sqlite3.Error:
    """The error to raise for `error`: one line a person can act on when it is about the
    database file, else `error` itself (a bug, a constraint the code should have checked)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return not_writable(path)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or text in (
        "database disk image is malformed",
        "file is not a database",
    ):
        return DamagedDatabase(path, text)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return StoreBusy(
            f"{shown(path)}: the database is busy: {_holder(path)} has been writing to it for"
            " more than five seconds. Nothing was changed; try again in a moment."
        )
    if name.startswith("SQLITE_FULL"):
        return StoreError(f"{shown(path)}: the disk is full; nothing was changed")
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM")):
        return StoreError(f"{shown(path)}: cannot open or read the database ({text})")
    return error


@contextmanager
def holding(path: str, what: str) -> Iterator[None]:
    """Say, while a long piece of work on the database at `path` runs, what it is: a writer
    kept waiting beyond the busy timeout names it ("a mail import, process 4242") instead of
    "someone". The note is a file beside the database, best effort: a folder it cannot be
    written to only makes the message vaguer."""
    note = f"{path}-holder"
    try:
        with open(note, "w", encoding="utf-8") as file:
            file.write(f"{what}, process {os.getpid()}")
    except OSError:
        note = ""
    try:
        yield
    finally:
        if note:
            with contextlib.suppress(OSError):
                os.unlink(note)


def _holder(path: str) -> str:
    """Who is likely holding the database: the console's own long work names itself."""
    with contextlib.suppress(OSError, ValueError):
        with open(f"{path}-holder", encoding="utf-8") as file:
            said = file.read(200)
        os.kill(int(said.rpartition(" ")[2]), 0)  # running: not the note of a killed one
        return one_line(said)
    return "another program (a console that stopped answering, or another tool)"
