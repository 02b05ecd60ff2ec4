"""Two agents, two consoles, one database, through a real sshd on loopback: what one does
shows on the other's screen within two seconds, and so does where they are (presence). Also
one console inside GNU screen at 80x24: it paints and quits cleanly.

Each console runs in its own tmux pane of 80x24 as `ssh -tt agent@127.0.0.1 console --db
SHARED`; the agents are real OS users, so identity is theirs, as on a team's host. Skipped
without root or OpenSSH (`.ci/run` installs openssh-server, openssh-client and screen)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import sshd
from tests.e2e.terminal import Terminal, console_command, shell_command

pytestmark = pytest.mark.e2e

ALICE, BOB = "console-alice", "console-bob"
LIVE_SECONDS = 2.0
"""The promise: another agent's change is on screen within this long."""


@pytest.fixture(scope="module")
def server() -> Iterator[sshd.SshServer]:
    reason = sshd.unavailable_reason()
    if reason:
        pytest.skip(reason)
    yield from sshd.start_server((ALICE, BOB))


@pytest.fixture
def shared_db(server: sshd.SshServer) -> Iterator[Path]:
    """A team folder anyone may write, with a demo database alice created over SSH."""
    folder = server.folder / "team"
    folder.mkdir(exist_ok=True)
    folder.chmod(0o777)
    db = folder / "desk.db"
    result = subprocess.run(
        server.command(ALICE, str(server.launcher), "--db", str(db), "demo", "--tickets", "200"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Ticked as cron would: the consoles' own first timer run then changes no row mid-test.
    result = subprocess.run(
        server.command(ALICE, str(server.launcher), "--db", str(db), "tick"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    yield db
    for path in folder.iterdir():
        path.unlink()


def _console_over_ssh(server: sshd.SshServer, user: str, db: Path) -> Terminal:
    ssh = server.command(user)  # no remote command yet: `-tt`, a terminal for the console
    return Terminal(shell_command(*ssh, str(server.launcher), "--db", str(db)))


def _quit(terminal: Terminal) -> None:
    if "Thread (" in terminal.screen():  # on a ticket: back to the queues, where q quits
        terminal.keys("Escape")
        terminal.wait_until_gone("Thread (")
    terminal.keys("q")
    terminal.wait_until(terminal.pane_dead, "the console's exit", timeout=10)


def _wait_for(terminal: Terminal, predicate, timeout: float) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    screen = terminal.screen()
    while not predicate(screen) and time.monotonic() < deadline:
        time.sleep(0.05)
        screen = terminal.screen()
    assert predicate(screen), f"not within {timeout}s; screen:\n{screen}"
    return screen


def test_two_agents_over_ssh_see_each_others_changes_and_presence(
    server: sshd.SshServer, shared_db: Path
) -> None:
    alice = _console_over_ssh(server, ALICE, shared_db)
    bob = _console_over_ssh(server, BOB, shared_db)
    try:
        alice.wait_for("L1 first line", timeout=30)
        bob.wait_for("L1 first line", timeout=30)
        alice.wait_for(" of ", timeout=10)

        # Bob files a ticket from a shell on the host (ssh joins the words of a remote
        # command with spaces, so the subject is quoted): alice's queue shows it.
        result = subprocess.run(
            server.command(
                BOB,
                str(server.launcher),
                "--db",
                str(shared_db),
                "new",
                "--subject",
                shlex.quote("Printer on fire"),
                "--from",
                "ops@example.com",
                "--priority",
                "P1",
                "--body",
                "smoke",
            ),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        written = time.monotonic()
        alice.wait_for("Printer on fire", timeout=LIVE_SECONDS)
        assert time.monotonic() - written <= LIVE_SECONDS

        # Bob opens a ticket in his console: alice's list marks the row with his name.
        bob.keys("Enter")
        opened = bob.wait_for("Thread (", timeout=10)
        ticket_id = re.search(r"#(\d+)", opened)
        assert ticket_id, opened
        number = ticket_id.group(1)

        def marked(screen: str) -> bool:
            # The row's number follows the sidebar's edge; the mark leads its subject.
            return any(
                re.search(rf"\u2595\s*{number}\s", line) and BOB in line
                for line in screen.splitlines()
            )

        seen = time.monotonic()
        _wait_for(alice, marked, timeout=LIVE_SECONDS)  # a heartbeat, then a poll
        assert time.monotonic() - seen <= LIVE_SECONDS

        # Bob quits: his mark goes at once, not after the presence TTL.
        _quit(bob)
        _wait_for(alice, lambda screen: BOB not in screen, timeout=LIVE_SECONDS)

        # Bob's SSH connection drops: his console ends with it rather than lingering on the
        # shared database (its presence then fades after the TTL; see the UI tests).
        bob.close()
        bob = _console_over_ssh(server, BOB, shared_db)
        bob.wait_for("L1 first line", timeout=30)
        assert _consoles_of(BOB)
        bob.close()
        deadline = time.monotonic() + 10
        while _consoles_of(BOB) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _consoles_of(BOB)
        _quit(alice)
    finally:
        alice.close()
        bob.close()


def _consoles_of(user: str) -> list[str]:
    """The console processes `user` runs on this host."""
    listing = subprocess.run(
        ["ps", "-u", user, "-o", "args="], capture_output=True, text=True
    ).stdout
    return [line for line in listing.splitlines() if "-m console" in line]


@pytest.mark.skipif(shutil.which("screen") is None, reason="GNU screen is not installed")
def test_console_inside_gnu_screen_paints_and_quits(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    subprocess.run(
        [console_command(), "--db", str(db), "demo", "--tickets", "100"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    done = tmp_path / "exit-code"
    inner = f"{shell_command(console_command(), '--db', db, '--as', 'alice')}; echo $? > {done}"
    (tmp_path / "screens").mkdir(mode=0o700)
    terminal = Terminal(
        shell_command("screen", "-q", "-S", "console-e2e", "sh", "-c", inner),
        env={"SCREENDIR": str(tmp_path / "screens")},
    )
    try:
        terminal.wait_for("1 of ", timeout=30)  # the status line comes with the first page
        screen = terminal.wait_for("Breach", timeout=10)  # screen may still be mid-paint
        assert "Left" in screen and "L1 first line" in screen
        assert len(screen.splitlines()[0]) <= 80
        terminal.keys("q")
        deadline = time.monotonic() + 10
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        terminal.close()
