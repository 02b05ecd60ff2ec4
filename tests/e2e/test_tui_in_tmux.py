"""The installed `console` in a real terminal (tmux): it paints the queue, opens a ticket, shows
another process's new ticket without a key press, and quits with q.

Skipped where tmux is missing (`.ci/run` installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal, console_command, shell_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

CONSOLE = [console_command()]  # the installed `console` script, as a user runs it


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
    done = tmp_path / "exit-code"
    command = (
        f"{shell_command(*CONSOLE, '--db', desk, '--as', 'alice')}; echo $? > {shell_command(done)}"
    )
    terminal = Terminal(command, width=100, height=30)
    try:
        # The status line's "1 of N" means the list is painted and has the focus; keys typed
        # while the terminal is still being set up may be dropped, as in any full-screen app.
        terminal.wait_for("1 of ")
        terminal.keys("j")
        terminal.wait_for("2 of ")
        terminal.keys("Enter")
        terminal.wait_for("Thread (")  # the ticket is read and painted
        terminal.keys("Escape")
        terminal.wait_for("2 of ")
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
        terminal.wait_for("Payments are down", timeout=3)
        terminal.keys("q")
        terminal.wait_until(done.exists, "the console's exit", timeout=10)
        assert done.read_text().strip() == "0"
    finally:
        terminal.close()
