"""`console mail import`: a Maildir or an mbox taken in as history (each message at its own
date, nobody acknowledged), threaded like live mail, and safe to run again, even after the
import was killed half-way."""

from __future__ import annotations

import json
import mailbox
import signal
import subprocess
import sys
import time
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from console.cli import main
from console.core.desk import Desk
from console.core.mail.importer import import_mail
from console.core.store import Store
from tests.support import wait_until

DESK_CONFIG = '[mail]\naddress = "support@desk.example.com"\nsmtp = "127.0.0.1:9"\n'


def letter(n: int, *, replies_to: int | None = None, with_id: bool = True) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Customer {n % 3} <c{n % 3}@example.com>"
    message["To"] = "support@desk.example.com"
    message["Subject"] = f"Re: Problem {replies_to}" if replies_to else f"Problem {n}"
    message["Date"] = f"Mon, 0{1 + n % 9} Jun 2026 10:{n % 60:02d}:00 +0300"
    if with_id:
        message["Message-ID"] = f"<old-{n}@example.com>"
    if replies_to:
        message["In-Reply-To"] = f"<old-{replies_to}@example.com>"
    message.set_content(f"Message number {n}.")
    return message


LETTERS = [letter(1), letter(2, replies_to=1), letter(3), letter(4, with_id=False)]


def maildir(path: Path, letters: list[EmailMessage]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for message in letters:
        box.add(message.as_bytes())
    return path


def run(capsys, db: Path, config: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "console.toml"
    path.write_text(DESK_CONFIG)
    return path


@pytest.mark.parametrize("kind", ["maildir", "mbox"])
def test_an_import_is_history_threaded_and_safe_to_repeat(
    capsys, db_path: Path, config: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "maildir":
        source = maildir(tmp_path / "Maildir", LETTERS)
    else:
        source = tmp_path / "old.mbox"
        box = mailbox.mbox(source)
        for message in LETTERS:
            box.add(message.as_bytes())
        box.flush()
    code, out, _ = run(capsys, db_path, config, "mail", "import", str(source))
    assert (code, out.strip()) == (0, "4 messages: 4 taken, 0 taken before, 0 not taken")
    with Store.open(db_path) as store:
        rows = store.query("SELECT id, subject, created_at FROM tickets ORDER BY id")
        assert [r[1] for r in rows] == ["Problem 1", "Problem 3", "Problem 4"]
        assert rows[0][2] == "2026-06-02T07:01:00Z"  # its own Date, in UTC
        [reply] = store.messages(rows[0][0])
        assert reply.body.strip() == "Message number 2." and reply.created_at.startswith(
            "2026-06-03"
        )
        assert store.query("SELECT count(*) FROM outbox") == [(0,)], "nobody is acknowledged"
    code, out, _ = run(capsys, db_path, config, "mail", "import", str(source), "--json")
    assert json.loads(out) == {"seen": 4, "taken": 0, "already": 4, "failed": []}


def test_parsing_ahead_in_a_second_process_takes_the_same(desk: Desk, tmp_path: Path) -> None:
    letters = [letter(1), letter(2, replies_to=1), letter(3), letter(4, with_id=False)]
    letters += [letter(n, replies_to=n - 1 if n % 2 else None) for n in range(5, 120)]
    letters.append(letter(3))  # the same message twice in one mailbox
    source = maildir(tmp_path / "Maildir", letters)
    results = []
    for ahead in (False, True):
        path = tmp_path / f"ahead-{ahead}.db"
        with Store.open(path) as store:
            report = import_mail(replace(desk, store=store), str(source), parse_ahead=ahead)
            assert (report.seen, report.taken, report.already) == (len(letters), 119, 1)
            results.append(
                (
                    store.query("SELECT id, subject, requester, created_at FROM tickets"),
                    store.query("SELECT ticket_id, body, created_at FROM messages ORDER BY id"),
                    store.query("SELECT mail_id, outcome, ticket_id, raw FROM mail_in"),
                )
            )
    assert results[0] == results[1]


def test_what_is_not_a_mailbox_is_refused_by_name(
    capsys, db_path: Path, config: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, db_path, config, "mail", "import", str(tmp_path / "nothing"))
    assert code == 2 and "no such Maildir or mbox file" in err
    code, _, err = run(capsys, db_path, config, "mail", "import", str(tmp_path))
    assert code == 2 and "no Maildir (it has no cur/ or new/)" in err
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    code, _, err = run(capsys, db_path, config, "mail", "import", str(text))
    assert code == 2 and "not an mbox file" in err


def importing(db_path: Path) -> bool:
    """Whether a process of an import into `db_path` runs (read from /proc)."""
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = status.read_bytes()
        except OSError:
            continue
        if b"import" in line and str(db_path).encode() in line:
            return True
    return False


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_an_import_killed_half_way_loses_nothing_and_takes_nothing_twice(
    db_path: Path, config: Path, tmp_path: Path
) -> None:
    count = 400
    source = maildir(tmp_path / "Maildir", [letter(n) for n in range(1, count + 1)])
    command = [
        sys.executable, "-m", "console", "--db", str(db_path), "--config", str(config),
        "mail", "import", str(source),
    ]  # fmt: skip
    started = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    taken = 0
    while taken < 20 and started.poll() is None and time.monotonic() < deadline:
        try:  # a pause that ends at once if the import finishes
            started.wait(timeout=0.02)
        except subprocess.TimeoutExpired:
            pass
        if db_path.exists():
            with Store.open(db_path, create=False) as store:
                taken = store.query("SELECT count(*) FROM mail_in")[0][0]
    started.send_signal(signal.SIGKILL)
    started.wait()
    assert 0 < taken, "the import had begun"
    # Its parsing process ends with it, rather than waiting for work for ever.
    wait_until(lambda: not importing(db_path), "the killed import's parsing process to end")
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    assert f"{count} messages" in finished.stdout
    with Store.open(db_path, create=False) as store:
        assert store.query("SELECT count(*), count(DISTINCT mail_id) FROM mail_in") == [
            (count, count)
        ]
        assert store.query("SELECT count(*) FROM tickets") == [(count,)]
