"""Benchmark: from `ctrl+s` on a reply in the TUI to the mail accepted by the SMTP server.

The installed `console` runs in tmux (as an agent would use it) against a fresh store, with
its outbox going to a real SMTP server on loopback (aiosmtpd). Each round opens the next
ticket of the queue, writes a reply, presses `ctrl+s` and waits for the server to accept the
mail; the time is from sending the key to the server's acceptance.

    python bench/mail_tui_send.py [--replies 20]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.*

from console.core import operations  # noqa: E402
from console.core.desk import Desk  # noqa: E402
from console.core.store import Store  # noqa: E402
from console.core.team import Team  # noqa: E402
from tests.e2e.terminal import Terminal, console_command, shell_command  # noqa: E402
from tests.mailserver import smtp_server  # noqa: E402


def queued(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="console-send-"))
    db, config = folder / "desk.db", folder / "console.toml"
    with Store.open(db) as store:
        desk = Desk(store, Team().agent("alice"), team=Team())
        for n in range(args.replies):
            operations.create_ticket(
                desk,
                subject=f"Printer {n} does not print",
                requester=f"customer{n}@example.com",
                body="It stopped this morning.",
            )
    took: list[float] = []
    stored: list[float] = []
    with smtp_server() as server:
        config.write_text(
            '[mail]\naddress = "support@desk.example.com"\n'
            f'smtp = "{server.host}:{server.port}"\nsecurity = "none"\n'
        )
        command = shell_command(console_command(), "--db", db, "--config", config, "--as", "alice")
        terminal = Terminal(command, width=120, height=36)
        try:
            terminal.wait_for(f"1 of {args.replies}")
            for n in range(args.replies):
                if n:
                    terminal.keys("j")
                terminal.wait_for(f"{n + 1} of {args.replies}")
                terminal.keys("Enter")
                terminal.wait_for("Thread (")
                terminal.keys("r")
                terminal.wait_for("PUBLIC")
                terminal.type(f"Please try the other tray ({n}).")
                pressed = time.monotonic()
                terminal.keys("C-s")
                terminal.wait_until(lambda n=n: queued(db) > n, "the reply stored")
                stored.append((time.monotonic() - pressed) * 1000)
                terminal.wait_until(lambda n=n: len(server.accepted) > n, "the reply at the server")
                took.append((server.accepted[n].at - pressed) * 1000)
                terminal.keys("Escape")
                terminal.wait_for(f"{n + 1} of {args.replies}")
        finally:
            terminal.close()
    ordered = sorted(took)
    p95 = ordered[round(0.95 * (len(ordered) - 1))]
    print(
        f"ctrl+s to accepted by the SMTP server, {len(took)} replies from the TUI:"
        f" median {statistics.median(took):.0f} ms, p95 {p95:.0f} ms,"
        f" max {ordered[-1]:.0f} ms (stored: median {statistics.median(stored):.0f} ms)"
    )


if __name__ == "__main__":
    main()
