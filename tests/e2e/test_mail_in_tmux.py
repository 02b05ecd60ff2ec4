"""Mail in, as a mail server and an agent meet it: a KOI8-R message with a file is piped into
the installed `console mail receive`, and the agent finds it in the TUI (tmux) as readable
text, with how it came and its file; the same message delivered again is not a second ticket.

Skipped where tmux is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal, console_command, shell_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

CONSOLE = [console_command()]

MESSAGE = (
    b"From: =?koi8-r?b?6dfBzg==?= <ivan@example.org>\r\n"
    b"To: support@desk.example.com\r\n"
    b"Subject: =?koi8-r?b?8NLJztTF0iDOxSDQxd7B1MHF1A==?= \x1b]0;pwned\x07\r\n"
    b"Message-ID: <koi8-1@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="B"\r\n'
    b"\r\n"
    b"--B\r\n"
    b"Content-Type: text/plain; charset=koi8-r\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n" + "С утра не печатает, лоток пустой.".encode("koi8-r") + b"\r\n"
    b"--B\r\n"
    b'Content-Type: application/pdf; name="scan.pdf"\r\n'
    b'Content-Disposition: attachment; filename="../scan.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"JVBERi0xLjQK\r\n"
    b"--B--\r\n"
)


def _receive(db: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*CONSOLE, "--db", str(db), "mail", "receive"], input=MESSAGE, capture_output=True
    )


def test_a_piped_message_is_a_ticket_the_agent_can_read(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    first, again = _receive(db), _receive(db)
    assert (first.returncode, first.stdout.strip()) == (0, b"<koi8-1@example.org>: new ticket #1")
    assert again.returncode == 0 and b"already taken" in again.stdout
    listed = subprocess.run(
        [*CONSOLE, "--db", str(db), "list", "--json"], capture_output=True, check=True
    )
    assert len(json.loads(listed.stdout)) == 1
    terminal = Terminal(shell_command(*CONSOLE, "--db", db, "--as", "alice"), width=120, height=30)
    try:
        terminal.wait_for("Принтер не печатает")
        terminal.wait_for("1 of 1")
        terminal.keys("Enter")
        screen = terminal.wait_for("Thread (")
        terminal.wait_for("С утра не печатает, лоток пустой.")
        screen = terminal.wait_for("by e-mail")
        assert "1 scan.pdf (9 bytes)" in screen
        assert "\x1b" not in screen
    finally:
        terminal.close()
