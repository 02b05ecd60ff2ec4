"""`console mail fetch` against a real IMAP server (Dovecot on loopback, a real Maildir): the
unread mail is taken and marked read, or moved; a second fetch finds nothing; a wrong password
is said plainly and changes nothing; `console tick` fetches too.

Skipped where Dovecot is not installed (`.ci/run` installs Debian's dovecot-imapd)."""

from __future__ import annotations

import imaplib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli import main
from console.core.store import Store
from tests.imapserver import PASSWORD, USER, ImapServer, available, imap_server
from tests.unit.test_mail_import import letter

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not available(), reason="Dovecot (dovecot-imapd) is not installed"),
]


@pytest.fixture
def server() -> Iterator[ImapServer]:
    with imap_server() as running:
        yield running


def letter_bytes(n: int) -> bytes:
    return letter(n).as_bytes()


def configure(path: Path, server: ImapServer, **more: str) -> Path:
    extra = "".join(f'{key} = "{value}"\n' for key, value in more.items())
    path.write_text(
        '[mail]\naddress = "support@desk.example.com"\n\n[mail.imap]\n'
        f'host = "{server.host}"\nport = {server.port}\nsecurity = "none"\n'
        f'user = "{USER}"\npassword_env = "TEST_IMAP_PASSWORD"\n{extra}'
    )
    return path


def run(capsys, db: Path, config: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, out, err


def unread(server: ImapServer, folder: str = "INBOX") -> int:
    with imaplib.IMAP4(server.host, server.port) as imap:
        imap.login(USER, PASSWORD)
        imap.select(f'"{folder}"')
        _, found = imap.uid("SEARCH", "UNSEEN")
        return len(found[0].split())


def count(server: ImapServer, folder: str) -> int:
    with imaplib.IMAP4(server.host, server.port) as imap:
        imap.login(USER, PASSWORD)
        _, data = imap.select(f'"{folder}"')
        return int(data[0] or 0)


def test_unread_mail_is_taken_once_and_marked_read(
    capsys, monkeypatch, server: ImapServer, db_path: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    config = configure(tmp_path / "console.toml", server)
    server.deliver(letter_bytes(1), "1.msg")
    server.deliver(letter_bytes(2), "2.msg")
    code, out, _ = run(capsys, db_path, config, "mail", "fetch")
    assert (code, out.strip()) == (0, "2 unread: 2 taken, 0 taken before, 0 not taken")
    assert unread(server) == 0
    with Store.open(db_path) as store:
        assert [r[0] for r in store.query("SELECT subject FROM tickets ORDER BY id")] == [
            "Problem 1",
            "Problem 2",
        ]
    server.deliver(letter_bytes(3), "3.msg")
    code, out, _ = run(capsys, db_path, config, "tick", "--json")
    assert json.loads(out)["fetched"] == {"seen": 1, "taken": 1, "already": 0, "failed": []}


def test_taken_mail_can_be_moved_to_a_folder(
    capsys, monkeypatch, server: ImapServer, db_path: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    config = configure(tmp_path / "console.toml", server, move_to="Taken by the desk")
    server.deliver(letter_bytes(1), "1.msg")
    code, out, _ = run(capsys, db_path, config, "mail", "fetch", "--json")
    assert code == 0 and json.loads(out)["taken"] == 1
    assert (count(server, "INBOX"), count(server, "Taken by the desk")) == (0, 1)


def test_a_wrong_password_is_said_and_changes_nothing(
    capsys, monkeypatch, server: ImapServer, db_path: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "wrong")
    config = configure(tmp_path / "console.toml", server)
    server.deliver(letter_bytes(1), "1.msg")
    code, out, err = run(capsys, db_path, config, "mail", "fetch")
    assert code == 1 and out == "" and "Authentication failed" in err
    assert unread(server) == 1
    monkeypatch.delenv("TEST_IMAP_PASSWORD")
    code, _, err = run(capsys, db_path, config, "mail", "fetch")
    assert code == 2 and "$TEST_IMAP_PASSWORD is not set" in err
