"""Which files the console touches: its own databases (marked), older ones (marked on their
next write), and nothing else; verbs that only read never write; a read-only or damaged file
is one clear line, not a traceback."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli import main
from console.core import schema
from console.core.dbfile import FileKind, identify
from console.core.errors import StoreError
from console.core.store import Store

WRITING = (["new", "--subject", "s", "--from", "a@example.com", "--body", "b"], ["tick"])
READING = (["list"], ["show", "1"], ["queue", "breach"], ["list", "--search", "printer"])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_untouched(path: Path, digest: str) -> None:
    assert _digest(path) == digest
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


def _bookmarks(path: Path, *, wal: bool = False) -> Path:
    """Another application's SQLite file."""
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO bookmarks (url) VALUES ('https://example.com')")
    conn.commit()
    conn.close()
    return path


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1, err
    return err


def _console(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--as", "ann", *args])


def test_a_new_database_is_marked(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    conn.close()
    assert identify(str(db_path)).kind == FileKind.CONSOLE


def test_a_file_half_way_through_its_migrations_is_already_the_consoles(db_path: Path) -> None:
    """Another console opening it then (two starting at once on a new path) must not take it
    for a stranger's file."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    schema.migrate(conn, target=1)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    conn.close()
    found = identify(str(db_path))
    assert (found.kind, found.schema_version) == (FileKind.CONSOLE, 1)
    Store.open(db_path, create=False).close()  # and it takes the rest of its migrations


@pytest.mark.parametrize("wal", [False, True])
@pytest.mark.parametrize("verb", [*WRITING, *READING], ids=lambda v: " ".join(v[:2]))
def test_another_programs_sqlite_file_is_refused_unchanged(
    capsys, tmp_path: Path, verb: list[str], wal: bool
) -> None:
    db = _bookmarks(tmp_path / "bookmarks.db", wal=wal)
    digest = _digest(db)
    assert _console(db, *verb) == 1
    assert "not a console database" in _one_line(capsys)
    _assert_untouched(db, digest)


@pytest.mark.parametrize("content", [b"hello, not a database\n" * 200, b"SQLite format 3\x00"])
def test_a_file_that_is_no_database_is_refused_unchanged(
    capsys, tmp_path: Path, content: bytes
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(content)
    for verb in (*WRITING, *READING):
        assert _console(notes, *verb) == 1
        assert "not a console database" in _one_line(capsys)
        _assert_untouched(notes, hashlib.sha256(content).hexdigest())


def test_an_empty_file_becomes_a_database_on_a_write_only(capsys, db_path: Path) -> None:
    db_path.write_bytes(b"")
    assert _console(db_path, "list") == 1
    assert "no such database" in _one_line(capsys)
    assert db_path.read_bytes() == b""
    assert _console(db_path, *WRITING[0]) == 0
    assert identify(str(db_path)).kind == FileKind.CONSOLE


def _unmarked(path: Path, version: int = schema.LATEST) -> Path:
    """A console database as consoles made them before the mark."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, version)
    conn.execute("PRAGMA application_id = 0")
    conn.execute(
        "INSERT INTO tickets (subject, requester, line, priority, status, court, created_at,"
        " updated_at, updated_by) VALUES ('Printer on fire', 'a@example.com', 'L1', 'P2', 'new',"
        " 'us', '2026-11-02T09:00:00Z', '2026-11-02T09:00:00Z', 'intake')"
    )
    conn.close()
    return path


def test_an_older_console_database_is_read_as_it_is_and_marked_on_its_next_write(
    capsys, db_path: Path
) -> None:
    _unmarked(db_path)
    assert identify(str(db_path)).kind == FileKind.UNMARKED
    digest = _digest(db_path)
    for verb in READING:
        assert _console(db_path, *verb) == 0, capsys.readouterr().err
    assert _digest(db_path) == digest  # a reader wrote nothing, not even the mark
    assert "Printer on fire" in capsys.readouterr().out
    assert _console(db_path, "note", "1", "--body", "checked") == 0
    assert identify(str(db_path)).kind == FileKind.CONSOLE


def test_a_reader_meeting_an_old_schema_says_what_to_do_and_writes_nothing(
    capsys, db_path: Path
) -> None:
    _unmarked(db_path, version=schema.LATEST - 1)
    digest = _digest(db_path)
    assert _console(db_path, "list") == 1
    assert "made by an older console" in _one_line(capsys)
    assert _digest(db_path) == digest
    assert _console(db_path, "tick") == 0  # a writer brings it up to date
    capsys.readouterr()
    assert _console(db_path, "list") == 0


def test_a_store_opened_read_only_refuses_every_write(db_path: Path) -> None:
    assert _console(db_path, *WRITING[0]) == 0
    with Store.open(db_path, read_only=True) as store:
        assert store.count() == 1
        with pytest.raises(StoreError, match="read-only"):  # SQLite itself refuses
            with store.read() as conn:
                conn.execute("UPDATE tickets SET subject = 'changed'")
        with pytest.raises(RuntimeError, match="read-only"):
            with store.transaction():
                pass


def test_the_tui_refuses_a_foreign_file_before_it_starts(
    capsys, monkeypatch, tmp_path: Path
) -> None:
    db = _bookmarks(tmp_path / "bookmarks.db")
    digest = _digest(db)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["--db", str(db)]) == 1
    assert "not a console database" in _one_line(capsys)
    _assert_untouched(db, digest)


def test_a_damaged_database_says_what_to_do(capsys, db_path: Path) -> None:
    assert _console(db_path, "demo", "--tickets", "300") == 0
    capsys.readouterr()
    size = db_path.stat().st_size
    with open(db_path, "r+b") as file:  # scribble over every seventh page
        for offset in range(4096 * 3, size, 4096 * 7):
            file.seek(offset + 100)
            file.write(b"\xde\xad\xbe\xef" * 200)
    codes = [_console(db_path, "show", str(n)) for n in range(1, 301, 7)]
    assert 1 in codes
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    damaged = [line for line in err.splitlines() if "damaged" in line]
    assert damaged and "console check" in damaged[0] and "backup" in damaged[0]


def test_a_sqlite_error_about_the_file_becomes_one_line(store: Store) -> None:
    with pytest.raises(StoreError, match="busy: .* try again") as caught:
        with store.transaction():
            raise sqlite3.OperationalError("database is locked")
    assert caught.value.exit_code == 75
    with pytest.raises(sqlite3.IntegrityError):  # a bug stays a bug
        with store.transaction() as conn:
            conn.execute("INSERT INTO tickets (id) VALUES (1)")


# -- a file the agent may not write ------------------------------------------------------------


@pytest.fixture
def read_only_folder() -> Iterator[Path]:
    """A folder another user can read but not write (the tests may run as root, whom
    permissions do not stop: then the commands run as `nobody`)."""
    folder = Path(tempfile.mkdtemp(prefix="console-ro-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def _as_other_user(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "console", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_a_read_only_file_refuses_writes_in_one_line_and_still_reads(
    read_only_folder: Path,
) -> None:
    db = read_only_folder / "desk.db"
    Store.open(db).close()
    assert _console(db, *WRITING[0]) == 0
    db.chmod(0o444)
    digest = _digest(db)
    for verb in WRITING:
        done = _as_other_user("--db", str(db), *verb)
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1 and "read-only; nothing was changed" in done.stderr
    shown = _as_other_user("--db", str(db), "list")
    assert shown.returncode == 0 and "#1" in shown.stdout, shown.stderr
    _assert_untouched(db, digest)


def test_a_database_locked_longer_than_the_wait_says_try_again_later(
    capsys, monkeypatch, db_path: Path
) -> None:
    from console.core import store as store_module

    assert _console(db_path, *WRITING[0]) == 0
    capsys.readouterr()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        assert _console(db_path, "note", "1", "--body", "later") == 75
        assert "busy" in _one_line(capsys)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _console(db_path, "note", "1", "--body", "now") == 0


def test_tables_that_only_share_the_consoles_names_are_not_taken_for_its_own(
    capsys, tmp_path: Path
) -> None:
    other = tmp_path / "tracker.db"
    conn = sqlite3.connect(other)
    for table in ("tickets", "messages", "events"):
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    digest = _digest(other)
    assert _console(other, "tick") == 1
    assert "not a console database" in _one_line(capsys)
    _assert_untouched(other, digest)


def test_the_demo_replaces_only_a_console_database(capsys, tmp_path: Path) -> None:
    db = _bookmarks(tmp_path / "bookmarks.db")
    digest = _digest(db)
    assert _console(db, "demo", "--tickets", "5", "--force") == 1
    assert "not a console database" in _one_line(capsys)
    _assert_untouched(db, digest)
    demo = tmp_path / "demo.db"
    assert _console(demo, "demo", "--tickets", "5") == 0
    assert _console(demo, "demo", "--tickets", "7", "--force") == 0
    capsys.readouterr()
    with Store.open(demo, read_only=True) as store:
        assert store.query("SELECT count(*) FROM tickets") == [(7,)]


@pytest.mark.parametrize(
    "verb",
    [
        ["list"],
        ["list", "--search", "printer"],
        ["show", "1"],
        ["sla", "1"],
        ["queue", "breach"],
        ["queue", "contact"],
        ["who", "1"],
        ["dupes", "1"],
        ["links", "1"],
        ["mail", "log"],
        ["attachment", "list", "1"],
        ["checklist", "show", "1"],
        ["drafts"],
        ["copy", "1"],
        ["check"],
        ["export"],
    ],
    ids=lambda v: " ".join(v),
)
def test_every_verb_that_only_reads_opens_the_database_read_only(
    capsys, monkeypatch, db_path: Path, verb: list[str]
) -> None:
    assert _console(db_path, *WRITING[0]) == 0
    opened: list[bool] = []
    real = Store.open.__func__  # type: ignore[attr-defined]

    def spy(cls, path, **options):  # type: ignore[no-untyped-def]
        opened.append(bool(options.get("read_only")))
        return real(cls, path, **options)

    monkeypatch.setattr(Store, "open", classmethod(spy))
    _console(db_path, *verb)
    capsys.readouterr()
    assert opened and all(opened), opened


def test_a_path_is_printed_with_its_control_characters_made_visible(capsys, tmp_path: Path) -> None:
    db = _bookmarks(tmp_path / "b\x1b]0;TITLE\x07\r\nok.db")
    assert _console(db, "list") == 1
    err = _one_line(capsys)
    assert "\x1b" not in err and "\r" not in err and "␛]0;TITLE␇" in err
