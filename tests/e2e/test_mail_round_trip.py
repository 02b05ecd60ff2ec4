"""A customer's mail and the agent's answer, end to end through a real SMTP server on loopback
(aiosmtpd, standing in for the team's mail server): the customer's mail comes in by SMTP and
the server pipes it into the installed `console mail receive`; the agent answers from the TUI
in tmux; the answer leaves by SMTP within seconds of `ctrl+s`, threaded to the customer's
mail; the customer's reply to it comes back to the same ticket. The acknowledgement with the
ticket's number goes out first.

Skipped where tmux is missing."""

from __future__ import annotations

import json
import shutil
import smtplib
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal, console_command, shell_command
from tests.mailserver import MailServer, smtp_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

CONSOLE = [console_command()]
DESK = "support@desk.example.com"


@pytest.fixture
def desk_files(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "desk.db", tmp_path / "console.toml"


@pytest.fixture
def server(desk_files: tuple[Path, Path]) -> Iterator[MailServer]:
    db, config = desk_files

    def pipe(data: bytes) -> int:
        done = subprocess.run(
            [*CONSOLE, "--db", str(db), "--config", str(config), "mail", "receive"],
            input=data,
            capture_output=True,
        )
        return done.returncode

    with smtp_server() as running:
        running.pipes[DESK] = pipe
        config.write_text(
            f'[mail]\naddress = "{DESK}"\nname = "Example Support"\n'
            f'smtp = "{running.host}:{running.port}"\nsecurity = "none"\n'
        )
        yield running


def customer_writes(server: MailServer, subject: str, body: str, **headers: str) -> None:
    message = EmailMessage()
    message["From"] = "Ann Lee <ann@example.com>"
    message["To"] = DESK
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    with smtplib.SMTP(server.host, server.port) as smtp:
        smtp.send_message(message)


def shown(db: Path, ticket: int) -> dict:
    done = subprocess.run(
        [*CONSOLE, "--db", str(db), "show", str(ticket), "--json"],
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_mail_in_answer_out_and_the_reply_back(
    server: MailServer, desk_files: tuple[Path, Path]
) -> None:
    db, config = desk_files
    customer_writes(server, "Printer jams", "It jams on every page.", Message_ID="<m1@example.com>")
    assert shown(db, 1)["subject"] == "Printer jams"

    command = shell_command(*CONSOLE, "--db", db, "--config", config, "--as", "alice")
    terminal = Terminal(command, width=120, height=30)
    try:
        terminal.wait_for("Printer jams")
        terminal.wait_for("1 of 1")
        terminal.keys("Enter")
        terminal.wait_for("Thread (")
        terminal.keys("r")
        terminal.wait_for("PUBLIC")
        terminal.type("Please try the other tray.")
        terminal.keys("C-s")
        terminal.wait_until(lambda: len(server.accepted) == 2, "the answer at the server", 10)
        terminal.wait_for("sent today")
    finally:
        terminal.close()

    acknowledged, answer = server.accepted  # the acknowledgement went out at the TUI's start
    assert acknowledged.message["Auto-Submitted"] == "auto-replied"
    assert "registered as ticket #1" in acknowledged.message.get_content()
    sent = answer.message
    assert answer.recipients == ["ann@example.com"]
    assert sent["Subject"] == "Re: Printer jams [#1]"
    assert sent["In-Reply-To"] == "<m1@example.com>"
    assert sent["Message-ID"].endswith("@desk.example.com>")
    assert "Please try the other tray." in sent.get_content()

    customer_writes(
        server,
        "Re: Printer jams",
        "That worked, thanks.",
        Message_ID="<m2@example.com>",
        In_Reply_To=sent["Message-ID"],
    )
    thread = shown(db, 1)["messages"]
    assert [(m["kind"], m["body"].strip()) for m in thread][-1] == (
        "customer",
        "That worked, thanks.",
    )
