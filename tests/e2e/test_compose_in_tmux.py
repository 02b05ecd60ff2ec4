"""The composer in a real terminal (tmux): ctrl+e hands the screen to $EDITOR (a tiny script
that appends a line) and takes the text back; a session killed mid-sentence leaves the draft.

Skipped where tmux is missing."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.terminal import console_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

CONSOLE = [console_command()]  # the installed `console` script, as a user runs it


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pane = _tmux("capture-pane", "-p", "-t", session)
        if text in pane:
            return pane
        time.sleep(0.1)
    raise AssertionError(
        f"{text!r} did not appear in the terminal:\n{_tmux('capture-pane', '-p', '-t', session)}"
    )


def _start(db: Path, tmp_path: Path, editor: Path) -> str:
    session = f"compose-e2e-{uuid.uuid4().hex[:8]}"
    command = (
        f"EDITOR={shlex.quote(str(editor))} "
        f"{shlex.join([*CONSOLE, '--db', str(db), '--as', 'alice'])}"
    )
    _tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    return session


def _console_json(db: Path, *args: str) -> object:
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


def test_ctrl_e_edits_in_the_external_editor(db: Path, tmp_path: Path, editor: Path) -> None:
    session = _start(db, tmp_path, editor)
    try:
        _wait_for(session, "Printer offline")
        _wait_for(session, "1 of ")  # the list is painted and has the focus
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "Thread (")
        _tmux("send-keys", "-t", session, "n")
        _wait_for(session, "INTERNAL note")
        _tmux("send-keys", "-t", session, "-l", "typed here")
        _tmux("send-keys", "-t", session, "C-e")
        _wait_for(session, "appended by the editor")
        _tmux("send-keys", "-t", session, "C-s")
        _wait_for(session, "Note added")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    shown = _console_json(db, "show", "1")
    assert isinstance(shown, dict)
    bodies = [m["body"] for m in shown["messages"]]
    assert bodies[-1] == "typed here\nappended by the editor"


def test_a_killed_session_leaves_the_draft(db: Path, tmp_path: Path, editor: Path) -> None:
    session = _start(db, tmp_path, editor)
    try:
        _wait_for(session, "Printer offline")
        _wait_for(session, "1 of ")  # the list is painted and has the focus
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "Thread (")
        _tmux("send-keys", "-t", session, "r")
        _wait_for(session, "PUBLIC")
        _tmux("send-keys", "-t", session, "-l", "Dear Ann, the driver")
        time.sleep(2.5)  # the composer saves about once a second
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    [draft] = _console_json(db, "drafts")  # type: ignore[misc]
    assert (draft["ticket"], draft["kind"], draft["body"]) == (1, "reply", "Dear Ann, the driver")
