"""A phone call taken in the installed `console`, in a real terminal (tmux): `N` opens the form,
the caller's address completes from the contacts, the call becomes a ticket judged for impact
and urgency; a second caller about the same problem is added to that ticket with `ctrl+a`.

Skipped where tmux is missing (`.ci/run` installs it)."""

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


def _console(db: Path, *args: str) -> str:
    return subprocess.run(
        [*CONSOLE, "--db", str(db), *args], check=True, capture_output=True, text=True
    ).stdout


def test_a_call_becomes_a_ticket_and_the_next_caller_joins_it(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    _console(db, "new", "--subject", "Old case", "--from", "Olga Petrenko <olga@acme.test>")
    terminal = Terminal(shell_command(*CONSOLE, "--db", db, "--as", "alice"), width=80, height=24)
    try:
        terminal.wait_for("1 of ")
        terminal.keys("N")
        terminal.wait_for("New ticket")
        terminal.type("olg")
        terminal.wait_for("olga@acme.test")  # the contact, offered as typed
        terminal.keys("Tab")
        terminal.wait_for("Olga Petrenko · 1 ticket, 1 open")  # taken: who it is
        terminal.keys("Tab")
        terminal.wait_for("the subject: likely duplicates")
        terminal.type("Payroll export fails with error 500")
        terminal.keys("Tab", "Tab", "Tab")  # channel (by phone), line: as they are
        terminal.keys("Enter")  # impact: open the choices
        terminal.wait_for("hits many")
        terminal.keys("Down", "Enter")
        terminal.wait_for("judge both the impact and the urgency")  # impact taken
        terminal.keys("Tab", "Enter")  # urgency
        terminal.wait_for("work stopped")
        terminal.keys("Down", "Enter")
        terminal.wait_for("priority P1")
        terminal.keys("C-s")
        terminal.wait_for("Payroll export fails")  # the new ticket, opened
        terminal.wait_for("Thread (")
        terminal.keys("Escape")
        terminal.wait_for(" of ")
        # A second caller about the same outage: added to the ticket, not a new one.
        terminal.keys("N")
        terminal.wait_for("New ticket")
        terminal.type("ivan@acme.test")
        terminal.wait_for("a new contact")
        terminal.keys("Tab")
        terminal.wait_for("the subject: likely duplicates")
        terminal.type("payroll export fails")
        terminal.wait_for("likely the same problem")
        terminal.keys("C-a")
        terminal.wait_for("the call was added to #2")
    finally:
        terminal.close()
    made = json.loads(_console(db, "show", "2", "--json"))
    assert (made["priority"], made["impact"], made["urgency"], made["channel"]) == (
        "P1",
        "high",
        "high",
        "phone",
    )
    assert made["requester"] == "olga@acme.test"
    said = [m for m in made["messages"] if m["kind"] == "customer"]
    assert said and said[-1]["author"] == "ivan@acme.test" and said[-1]["channel"] == "phone"
    assert json.loads(_console(db, "list", "--json", "--query", "status:any")).__len__() == 2
