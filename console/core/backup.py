"""`console backup PATH`: a consistent copy of a live desk, taken while agents write.

A plain copy of the database file is not a backup: in WAL mode the latest acknowledged
changes may still be in the -wal file beside it, and a copy taken while a transaction commits
can be torn. SQLite's online backup copies the pages as one reader sees them: the copy is the
database at one moment, with every change committed before it.

The copy holds one read snapshot from its first page to its last and copies `STEP` pages at a
time. In WAL mode a reader never blocks a writer, so agents write on while it runs (their
changes go to the log and into the next backup); stepping lets the copy report progress, and
the snapshot keeps a busy desk from restarting the copy at every commit. The copy is written
beside its destination under another name, checked, and only then put in place, so a backup
that fails or is interrupted never leaves a half-written file under the name asked for."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from console.core import dbfile
from console.core.errors import ConsoleError, StoreError
from console.core.store import Store

STEP = 1024
"""Pages copied per step (4 MB with the default page size)."""


def backup(
    store: Store,
    target: str,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Copy `store` to the file `target`; returns the copy's size in bytes. `progress` is told
    (pages copied, pages in all) after each step. An existing `target` is replaced only when
    `force`."""
    shown = dbfile.shown(target)
    dbfile.refuse_to_replace(target, force)
    if os.path.abspath(target) == os.path.abspath(store.path):
        raise ConsoleError(f"{shown}: is the database itself; back it up to another file")
    if os.path.exists(target):
        # Only an earlier backup is replaced: never another program's file, nor a database
        # in use, whose -wal holds changes its users were told were saved.
        if dbfile.identify(target).kind == dbfile.FileKind.FOREIGN:
            raise dbfile.refuse_foreign(target)
        if os.path.exists(f"{target}-wal") and os.path.getsize(f"{target}-wal"):
            raise ConsoleError(f"{shown}: is a database in use; back up to another file")
    partial = f"{target}.partial-{os.getpid()}"
    try:
        _copy(store.path, partial, progress)
        for leftover in (f"{target}-wal", f"{target}-shm"):
            # An old database's journal beside the new file would be read as the copy's own.
            if os.path.exists(leftover):
                os.remove(leftover)
        os.replace(partial, target)
    except OSError as error:
        raise StoreError(f"{shown}: cannot write the backup: {error.strerror}") from None
    finally:
        for name in (partial, f"{partial}-wal", f"{partial}-shm", f"{partial}-journal"):
            if os.path.exists(name):
                os.remove(name)
    return os.path.getsize(target)


def _copy(source: str, partial: str, progress: Callable[[int, int], None] | None) -> None:
    reader = sqlite3.connect(dbfile.uri(source, read_only=True), uri=True, isolation_level=None)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)
    except sqlite3.Error as error:  # no such folder, or one the agent may not write
        reader.close()
        raise StoreError(
            f"{dbfile.shown(os.path.dirname(partial) or '.')}: cannot write the backup there"
            f" ({error})"
        ) from None
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts

        def report(status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        reader.backup(copy, pages=STEP, progress=report)
        reader.execute("COMMIT")
        said = [r[0] for r in copy.execute("PRAGMA quick_check")]
        if said != ["ok"]:
            raise StoreError(f"the copy does not pass SQLite's check ({said[0]}); try again")
    except sqlite3.Error as error:
        raise StoreError(
            f"the backup failed ({error}); nothing was written under the name asked for"
        ) from None
    finally:
        copy.close()  # the last connection to the copy: what it wrote is now in its one file
        reader.close()
