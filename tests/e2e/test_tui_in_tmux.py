"""The installed `console` in a real terminal (tmux): it paints the queue, opens a ticket, shows
another process's new ticket without a key press, and quits with q.

Skipped where tmux is missing (`.ci/run` installs it)."""

from __future__ import annotations

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


def _pane(session: str) -> str:
    return _tmux("capture-pane", "-p", "-t", session)


def _wait_for(session: str, text: str, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pane = _pane(session)
        if text in pane:
            return pane
        time.sleep(0.1)
    raise AssertionError(f"{text!r} did not appear in the terminal:\n{_pane(session)}")


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    db = tmp_path / "desk.db"
    subprocess.run(
        [*CONSOLE, "--db", str(db), "demo", "--tickets", "300"], check=True, capture_output=True
    )
    # As cron leaves it: the console's own first timer run then closes no ticket under the
    # cursor while the test counts rows.
    subprocess.run([*CONSOLE, "--db", str(db), "tick"], check=True, capture_output=True)
    return db


def test_console_runs_in_a_real_terminal(desk: Path, tmp_path: Path) -> None:
    session = f"console-e2e-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "exit-code"
    command = (
        f"{shlex.join([*CONSOLE, '--db', str(desk), '--as', 'alice'])}; "
        f"echo $? > {shlex.quote(str(done))}"
    )
    _tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        # The status line's "1 of N" means the list is painted and has the focus; keys typed
        # while the terminal is still being set up may be dropped, as in any full-screen app.
        _wait_for(session, "1 of ")
        _tmux("send-keys", "-t", session, "j")
        _wait_for(session, "2 of ")
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "Thread (")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "Escape")
        _wait_for(session, "2 of ")
        subprocess.run(
            [
                *CONSOLE,
                "--db",
                str(desk),
                "new",
                "--subject",
                "Payments are down",
                "--from",
                "ops@example.com",
                "--priority",
                "P1",
                "--body",
                "all of them",
            ],
            check=True,
            capture_output=True,
        )
        _wait_for(session, "Payments are down", seconds=3)
        _tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
