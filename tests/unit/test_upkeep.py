"""Keeping a desk safe: `console check` finds what is wrong and says it in words, `console
backup` copies a desk that agents are writing to, `console export` and `console import` move
a whole desk and give back the same export byte for byte."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from console.cli import main
from console.core import backup as backup_module
from console.core import links, operations, stemming, transfer
from console.core.check import check
from console.core.desk import Desk
from console.core.model import Court, Priority, QueueFilter
from console.core.sla import SlaPolicy
from console.core.store import Store
from tests.support import FrozenClock, make_desk, wait_until


def _run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--as", "ann", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _busy_desk(desk: Desk, clock: FrozenClock) -> list[int]:
    """A few tickets that went through most of what happens to tickets."""
    ids = [
        operations.create_ticket(desk, subject=f"ticket {n}", requester=f"c{n}@example.com").id
        for n in range(6)
    ]
    clock.advance(hours=2)
    operations.reply(desk, ids[0], "We are on it.")
    operations.set_priority(desk, ids[1], Priority.P1)
    clock.advance(hours=30)
    operations.move_court(desk, ids[2], Court.CUSTOMER, reason="asked them to restart")
    links.merge(desk, ids[3], ids[4])
    links.link_parent(desk, ids[5], ids[4])
    operations.note(desk, ids[4], "one problem")
    return ids


def _problems(db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = _run(capsys, db, "check")
    assert code == 1 and err == "", (out, err)
    return out


def _plain_words(text: str) -> None:
    """No machine forms in the text output: ISO moments, snake_case names."""
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", text), text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text


# -- console check -----------------------------------------------------------------------------


def test_a_desk_that_went_through_its_paces_is_sound(
    capsys, desk: Desk, clock: FrozenClock, db_path: Path
) -> None:
    _busy_desk(desk, clock)
    found = check(desk.store, desk.policy)
    assert found.sound and found.tickets == 6, found.as_dict()
    code, out, _ = _run(capsys, db_path, "check")
    assert code == 0 and out == "sound: 6 tickets checked, no problem found\n"


@pytest.mark.parametrize(
    "damage, area, words",
    [
        (
            "UPDATE tickets SET sla_due_at = '2030-01-01T00:00:00Z' WHERE id = 2",
            "stored deadlines and the SLA policy",
            "#2: its next deadline (first response) is not the one the SLA policy gives",
        ),
        (
            "UPDATE tickets SET sla_check_at = NULL WHERE id = 2",
            "stored deadlines and the SLA policy",
            "#2: the timers would look for its next missed deadline at the wrong time",
        ),
        (
            "UPDATE tickets SET status = 'waiting' WHERE id = 6",
            "status and whose move it is",
            "#6 is waiting while it is our move",
        ),
        (
            "UPDATE tickets SET first_response_at = NULL WHERE id = 1",
            "SLA clocks and the event log",
            "#1: its first response is not the first public reply in its log",
        ),
        (
            "UPDATE tickets SET ours_seconds = ours_seconds + 86400 WHERE id = 3",
            "SLA clocks and the event log",
            "#3: the time counted on its clocks is not what its log allows",
        ),
        (
            "UPDATE tickets SET priority = 'P4' WHERE id = 2",
            "SLA clocks and the event log",
            "#2: its priority is P4, its log says P1",
        ),
        (
            "DELETE FROM links WHERE kind = 'parent'",
            "links between tickets",
            "#6's log says #6 hangs on #5, but no such link is kept",
        ),
        (
            "INSERT INTO links (ticket_id, other_id, kind, created_at, created_by) "
            "VALUES (2, 1, 'split', '2026-11-02T09:00:00Z', 'x')",
            "links between tickets",
            "#2 was split off #1, but #1's log does not say so",
        ),
        (
            "INSERT INTO outbox (message_id, queued_at) SELECT id, created_at FROM messages "
            "WHERE kind = 'note'",
            "mail and files",
            "is not a public reply",
        ),
        (
            "INSERT INTO messages (id, ticket_id, kind, author, body, created_at) VALUES "
            "(77, 99, 'note', 'x', 'lost', '2026-11-02T09:00:00Z')",
            "rows that point at nothing",
            "message 77 points at a ticket that does not exist",
        ),
    ],
)
def test_check_finds_what_is_wrong_and_says_it_in_words(
    capsys, desk: Desk, clock: FrozenClock, db_path: Path, damage: str, area: str, words: str
) -> None:
    _busy_desk(desk, clock)
    conn = sqlite3.connect(db_path)  # behind the console's back, as a bug or a person might
    stemming.register(conn)  # a message's text is indexed stemmed: SQLite alone cannot
    conn.execute(damage)
    conn.commit()
    conn.close()
    out = _problems(db_path, capsys)
    assert out.startswith(f"{area}: ") and words in out, out
    _plain_words(out)
    code, data, _ = _run(capsys, db_path, "check", "--json")
    found = json.loads(data)
    assert code == 1 and not found["sound"] and sum(p["count"] for p in found["problems"].values())


def test_check_names_the_first_problems_and_counts_the_rest(
    capsys, desk: Desk, db_path: Path
) -> None:
    for n in range(30):
        operations.create_ticket(desk, subject=f"t{n}", requester="a@example.com")
    with desk.store.transaction() as conn:
        conn.execute("UPDATE tickets SET status = 'waiting'")
    out = _problems(db_path, capsys)
    assert "status and whose move it is: 30 problems" in out and "... and 10 more" in out


def test_check_reads_the_tickets_in_batches(monkeypatch, desk: Desk) -> None:
    from console.core import check as check_module

    for n in range(7):
        operations.create_ticket(desk, subject=f"t{n}", requester="a@example.com")
    monkeypatch.setattr(check_module, "BATCH", 3)
    seen: list[int] = []
    assert check(desk.store, SlaPolicy(), progress=seen.append).sound
    assert seen == [3, 6, 7]


def test_check_on_a_damaged_file_says_so(capsys, db_path: Path) -> None:
    assert _run(capsys, db_path, "demo", "--tickets", "300")[0] == 0
    size = db_path.stat().st_size
    with open(db_path, "r+b") as file:
        for offset in range(4096 * 3, size, 4096 * 5):
            file.seek(offset + 200)
            file.write(b"\x00\xff" * 300)
    code, out, err = _run(capsys, db_path, "check")
    assert code == 1 and "Traceback" not in err
    assert "the file itself: " in out or "restore it from a backup" in err


# -- console backup ----------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from console.core import operations
    from console.core.desk import Desk
    from console.core.store import Store
    from console.core.team import Team

    store = Store.open(sys.argv[1])
    desk = Desk(store, Team().agent("monitor"))
    n = 0
    while True:
        n += 1
        operations.create_ticket(desk, subject=f"alert {n}", requester="nagios@example.com",
                                 body="disk " * 200)
""")


def _count(db: Path) -> int:
    with Store.open(db, read_only=True) as store:
        return store.count(QueueFilter())


def test_a_backup_taken_while_an_agent_writes_is_whole_and_sound(
    capsys, monkeypatch, db_path: Path, tmp_path: Path
) -> None:
    Store.open(db_path).close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)])
    try:
        wait_until(lambda: _count(db_path) >= 300, "the writer's first tickets")
        at_start: list[int] = []
        steps: list[tuple[int, int]] = []

        def step(copied: int, total: int) -> None:
            # While the copy holds its snapshot, the agent goes on writing: wait to see it.
            steps.append((copied, total))
            if not at_start:
                at_start.append(_count(db_path))
                wait_until(lambda: _count(db_path) > at_start[0] + 5, "a write during the backup")

        monkeypatch.setattr(backup_module, "STEP", 4)
        copy = tmp_path / "copy.db"
        with Store.open(db_path, read_only=True) as store:
            backup_module.backup(store, str(copy), progress=step)
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert len(steps) > 1 and steps[0][0] < steps[0][1], "the backup took a single step"
    with Store.open(copy, read_only=True) as store:
        found = check(store, SlaPolicy())
        numbers = [r[0] for r in store.query("SELECT id FROM tickets ORDER BY id")]
    assert found.sound, found.as_dict()
    # The copy is the desk at one moment: every ticket up to then, none missing in between.
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 300
    assert _count(db_path) > len(numbers)
    assert _run(capsys, copy, "check")[0] == 0


def test_backup_refuses_to_overwrite_unless_forced(capsys, db_path: Path, tmp_path: Path) -> None:
    with Store.open(db_path) as store:
        operations.create_ticket(make_desk(store), subject="first", requester="a@example.com")
    target = tmp_path / "desk.bak"
    assert _run(capsys, db_path, "backup", str(target))[0] == 0
    before = target.read_bytes()
    with Store.open(db_path) as store:
        operations.create_ticket(make_desk(store), subject="second", requester="a@example.com")
    code, _, err = _run(capsys, db_path, "backup", str(target))
    assert code == 1 and "already exists; give --force" in err
    assert target.read_bytes() == before
    code, out, _ = _run(capsys, db_path, "backup", str(target), "--force")
    assert code == 0 and out.startswith(f"backed up to {target}")
    assert _run(capsys, target, "check")[0] == 0
    with Store.open(target, read_only=True) as store:
        assert store.count() == 2
    assert not list(tmp_path.glob("*.partial-*"))


def test_no_verb_reads_or_replaces_a_device_or_a_pipe(
    capsys, db_path: Path, tmp_path: Path
) -> None:
    """`console backup /dev/null --force`, run as root, once replaced the machine's /dev/null
    with a file (a pipe stands in for the device here)."""
    with Store.open(db_path) as store:
        operations.create_ticket(make_desk(store), subject="first", requester="a@example.com")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for args in (
        ("backup", str(pipe), "--force"),
        ("export", "--output", str(pipe), "--force"),
    ):
        code, _, err = _run(capsys, db_path, *args)
        assert code == 1 and "is a device or a pipe, not a file" in err, args
    for args in (("list",), ("new", "--subject", "x", "--from", "a@example.com", "--body", "b")):
        code, _, err = _run(capsys, pipe, *args)
        assert code == 1 and "is a device or a pipe, not a file" in err, args
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert [p.name for p in tmp_path.glob("pipe*")] == ["pipe"]  # no journal, no partial copy


# -- console export / import -------------------------------------------------------------------


def _round_trip(capsys, db: Path, tmp_path: Path) -> bytes:
    code, exported, _ = _run_bytes(db, "export")
    assert code == 0
    dump = tmp_path / "desk.jsonl"
    dump.write_bytes(exported)
    copy = tmp_path / "copy.db"
    code, out, err = _run(capsys, copy, "import", str(dump))
    assert code == 0 and out.startswith("imported "), err
    again = _run_bytes(copy, "export")[1]
    assert again == exported
    assert _run(capsys, copy, "check")[0] == 0
    return exported


def _run_bytes(db: Path, *args: str) -> tuple[int, bytes, str]:
    done = subprocess.run(
        [sys.executable, "-m", "console", "--db", str(db), *args],
        capture_output=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr.decode()


def test_the_demo_desk_goes_out_and_comes_back_the_same(capsys, db_path: Path, tmp_path) -> None:
    assert _run(capsys, db_path, "demo", "--tickets", "400")[0] == 0
    assert _run(capsys, db_path, "tick")[0] == 0
    assert _run(capsys, db_path, "merge", "3", "--into", "4")[0] == 0
    exported = _round_trip(capsys, db_path, tmp_path)
    tables = {next(iter(json.loads(line))) for line in exported.splitlines()[1:-1]}
    assert {"tickets", "messages", "events", "contacts", "links"} <= tables
    assert "presence" not in tables and not any("fts" in t for t in tables)


def test_hostile_text_and_bytes_come_back_exactly(
    capsys, desk: Desk, db_path: Path, tmp_path: Path
) -> None:
    hostile = "\x1b]52;c;cHduZWQ=\x07\x00\r\n\u202e[bold]x[/]\ud7ff\U0010ffff" * 10
    first = operations.create_ticket(
        desk,
        subject=hostile,
        requester="a@example.com",
        body="x" * 3_000_000,
        body_raw=b"\xff\xfe\x00raw",
    )
    operations.note(desk, first.id, hostile)
    with desk.store.transaction() as conn:  # what the mail intake keeps: files and raw mail
        message = conn.execute("SELECT max(id) FROM messages").fetchone()[0]
        conn.execute(
            "INSERT INTO attachments (ticket_id, message_id, filename, content_type, size, data,"
            " created_at) VALUES (?, ?, 'a.bin', 'application/octet-stream', 256, ?, 'now')",
            (first.id, message, bytes(range(256))),
        )
        # Text SQLite holds that is not UTF-8 (a lone surrogate's bytes, a stray byte).
        conn.execute(
            "UPDATE messages SET author = CAST(x'eda080ff41' AS TEXT) WHERE id = ?", (message,)
        )
    exported = _round_trip(capsys, db_path, tmp_path)
    with Store.open(tmp_path / "copy.db", read_only=True) as store:
        ticket = store.ticket(first.id)
        assert (ticket.subject, ticket.body_raw) == (hostile, b"\xff\xfe\x00raw")
        assert len(ticket.body) == 3_000_000
        assert store.query("SELECT data FROM attachments") == [(bytes(range(256)),)]
        assert store.query(
            "SELECT CAST(author AS BLOB), typeof(author) FROM messages WHERE id = ?", (message,)
        ) == [(b"\xed\xa0\x80\xffA", "text")]
        assert store.count(QueueFilter(text="bold"))
    assert b'"text_base64"' in exported and b'"base64"' in exported


def test_callers_with_no_address_come_back_before_their_tickets(
    capsys, desk: Desk, db_path: Path, tmp_path: Path
) -> None:
    # The migration that let a contact lack an address made the contacts table again, after
    # the tickets that point at it: the export still puts each table after those it points at.
    by_phone = operations.create_ticket(desk, subject="Payroll", requester="+380441234567")
    operations.reply(desk, by_phone.id, "Restart it")
    operations.create_ticket(desk, subject="VPN", requester="Ann Lee")
    exported = _round_trip(capsys, db_path, tmp_path)
    order = [next(iter(json.loads(line))) for line in exported.splitlines()[1:-1]]
    assert order.index("contacts") < order.index("tickets") < order.index("messages")
    with Store.open(tmp_path / "copy.db", read_only=True) as store:
        assert store.query("SELECT email, phone, name FROM contacts ORDER BY id") == [
            (None, "+380441234567", None),
            (None, None, "Ann Lee"),
        ]
        assert store.ticket(by_phone.id).requester == "+380441234567"


def test_import_goes_into_a_new_database_only(capsys, desk: Desk, db_path: Path, tmp_path) -> None:
    operations.create_ticket(desk, subject="mine", requester="a@example.com")
    code, exported, _ = _run_bytes(db_path, "export")
    dump = tmp_path / "desk.jsonl"
    dump.write_bytes(exported)
    before = db_path.read_bytes()
    code, _, err = _run(capsys, db_path, "import", str(dump))
    assert code == 1 and "holds a desk already" in err
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    "cut, message",
    [
        (lambda lines: lines[:-1], "cut short"),
        (lambda lines: [*lines[:2], b"{not json\n", *lines[2:]], "line 3: not a line of JSON"),
        (lambda lines: [*lines[:2], b'{"nope":{}}\n', *lines[2:]], "line 3: no table 'nope'"),
        (
            lambda lines: [lines[0].replace(b'"schema":', b'"schema":9'), *lines[1:]],
            "line 1: exported by another version",
        ),
        (lambda lines: [b'{"hello":1}\n', *lines[1:]], "line 1: not a desk exported"),
    ],
)
def test_a_broken_export_imports_nothing(
    capsys, desk: Desk, db_path: Path, tmp_path: Path, cut, message: str
) -> None:
    operations.create_ticket(desk, subject="mine", requester="a@example.com")
    exported = _run_bytes(db_path, "export")[1]
    dump = tmp_path / "broken.jsonl"
    dump.write_bytes(b"".join(cut(exported.splitlines(keepends=True))))
    target = tmp_path / "new.db"
    code, _, err = _run(capsys, target, "import", str(dump))
    assert code == 2 and message in err and len(err.splitlines()) == 1, err
    assert not target.exists()


def test_export_to_a_file_refuses_to_overwrite(capsys, desk: Desk, db_path: Path, tmp_path) -> None:
    operations.create_ticket(desk, subject="mine", requester="a@example.com")
    out = tmp_path / "desk.jsonl"
    out.write_text("keep")
    code, _, err = _run(capsys, db_path, "export", "--output", str(out))
    assert code == 1 and "--force" in err and out.read_text() == "keep"
    code, _, err = _run(capsys, db_path, "export", "--output", str(out), "--force")
    assert code == 0 and "exported 3 rows" in err
    assert out.read_bytes() == _run_bytes(db_path, "export")[1]


def test_export_streams(desk: Desk) -> None:
    """The export is a generator over a cursor: the first line comes before the last row is
    read."""
    for n in range(3):
        operations.create_ticket(desk, subject=f"t{n}", requester="a@example.com")
    lines = transfer.export_lines(desk.store)
    assert json.loads(next(lines))["format"] == transfer.FORMAT
    assert next(iter(json.loads(next(lines)))) == "contacts"
    lines.close()


def test_backup_never_replaces_another_programs_file_nor_a_database_in_use(
    capsys, db_path: Path, tmp_path: Path
) -> None:
    Store.open(db_path).close()
    other = tmp_path / "bookmarks.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    code, _, err = _run(capsys, db_path, "backup", str(other), "--force")
    assert code == 1 and "not a console database" in err and other.read_bytes() == before
    live = tmp_path / "live.db"
    with Store.open(live) as store:  # another desk, open and written
        with store.transaction() as conn:
            conn.execute("INSERT INTO timer_runs (name, at) VALUES ('x', 'now')")
        code, _, err = _run(capsys, db_path, "backup", str(live), "--force")
        assert code == 1 and "is a database in use" in err
        assert store.query("SELECT name FROM timer_runs") == [("x",)]
