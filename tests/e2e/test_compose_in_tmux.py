"""The composer in a real terminal (tmux): ctrl+e hands the screen to $EDITOR (a tiny script
that appends a line) and takes the text back; a session killed mid-sentence leaves the draft.

Skipped where tmux is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.terminal import Terminal, console_command, shell_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

CONSOLE = [console_command()]  # the installed `console` script, as a user runs it


def _start(db: Path, editor: Path) -> Terminal:
    command = (
        f"EDITOR={shell_command(editor)} {shell_command(*CONSOLE, '--db', db, '--as', 'alice')}"
    )
    return Terminal(command, width=100, height=30)


def _console_json(db: Path, *args: str) -> Any:
    done = subprocess.run(
        [*CONSOLE, "--db", str(db), "--as", "alice", *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    subprocess.run(
        [
            *CONSOLE,
            "--db",
            str(path),
            "new",
            "--subject",
            "Printer offline",
            "--from",
            "ann@example.com",
            "--priority",
            "P1",
            "--body",
            "help",
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def editor(tmp_path: Path) -> Path:
    script = tmp_path / "append-a-line"
    script.write_text(
        '#!/bin/sh\nprintf "\\nappended by the editor\\n" >> "$1"\n', encoding="utf-8"
    )
    script.chmod(0o755)
    return script


def _open_the_ticket(terminal: Terminal) -> None:
    terminal.wait_for("Printer offline")
    terminal.wait_for("1 of ")  # the list is painted and has the focus
    terminal.keys("Enter")
    terminal.wait_for("Thread (")


def test_ctrl_e_edits_in_the_external_editor(db: Path, editor: Path) -> None:
    terminal = _start(db, editor)
    try:
        _open_the_ticket(terminal)
        terminal.keys("n")
        terminal.wait_for("INTERNAL note")
        terminal.type("typed here")
        terminal.keys("C-e")
        terminal.wait_for("appended by the editor")
        terminal.keys("C-s")
        terminal.wait_for("note added")
    finally:
        terminal.close()
    shown = _console_json(db, "show", "1")
    bodies = [m["body"] for m in shown["messages"]]
    assert bodies[-1] == "typed here\nappended by the editor"


def test_a_killed_session_leaves_the_draft(db: Path, editor: Path) -> None:
    terminal = _start(db, editor)
    try:
        _open_the_ticket(terminal)
        terminal.keys("r")
        terminal.wait_for("PUBLIC")
        terminal.type("Dear Ann, the driver")

        def saved() -> bool:  # the composer saves about once a second
            return [d["body"] for d in _console_json(db, "drafts")] == ["Dear Ann, the driver"]

        terminal.wait_until(saved, "the draft saved")
    finally:
        terminal.close()  # the session dies with the console in it, mid-sentence
    [draft] = _console_json(db, "drafts")
    assert (draft["ticket"], draft["kind"], draft["body"]) == (1, "reply", "Dear Ann, the driver")
