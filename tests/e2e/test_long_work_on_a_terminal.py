"""Long work on the command line, as an agent at a terminal sees it: solving an outage with
many children says how far it got, on one line, and ends with the count of all of them. The
installed command runs on a real terminal (a pseudo-terminal made by `script`); piped, it says
nothing of its progress.

Skipped where `script` is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.terminal import console_command, shell_command
from tests.support import outage

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("script") is None, reason="script is not installed"),
]


def test_solving_an_outage_shows_its_progress(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    children = 300
    parent = outage(db, children)
    command = [
        console_command(), "--db", str(db), "--as", "alice", "solve-problem", str(parent),
        "--reply", "The outage is over.",
    ]  # fmt: skip
    on_a_terminal = subprocess.run(
        ["script", "-qec", shell_command(*command), "/dev/null"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    shown = on_a_terminal.stdout.decode()  # as bytes: text mode would turn each \r into \n
    # What stays on the screen of each line: the text after its last carriage return.
    lines = [line.rstrip("\r").split("\r")[-1] for line in shown.split("\n")]
    assert lines[0] == f"solving the tickets of parent problem #{parent}: 300 of 300 "
    assert (
        lines[1].startswith(f"solved {children + 1:,} tickets: #1 #2")
        and "and 291 more" in lines[1]
    )
    assert "Traceback" not in shown
