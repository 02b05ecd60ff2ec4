"""Benchmark: crash safety of mail. `console mail import` and `console mail send` are killed
with SIGKILL at random moments, again and again, then let finish; what must hold: no message
lost, none imported twice, none sent twice except in the window the README names (the server
accepted it, the process died before marking it sent).

    python bench/mail_crash.py [--kills 50] [--messages 20000]

Runs on a fresh store in a temporary folder, against a real SMTP server on loopback.
"""

from __future__ import annotations

import argparse
import collections
import mailbox
import random
import signal
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.mailserver

from console.core import operations  # noqa: E402
from console.core.desk import Desk  # noqa: E402
from console.core.store import Store  # noqa: E402
from console.core.team import Team  # noqa: E402
from tests.mailserver import smtp_server  # noqa: E402
from tests.unit.test_mail_import import letter  # noqa: E402


def killed_runs(command: list[str], kills: int, seed: int) -> int:
    """Start `command` and kill it at a random moment, `kills` times; returns how many runs
    finished on their own before the kill came."""
    chance = random.Random(seed)
    finished = 0
    for _ in range(kills):
        started = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.15, 1.2))  # start-up is ~0.2 s: some die before any work
        if started.poll() is None:
            started.send_signal(signal.SIGKILL)
        else:
            finished += 1
        started.wait()
    return finished


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="console-crash-"))
    db, config = folder / "desk.db", folder / "console.toml"
    box = mailbox.Maildir(folder / "Maildir", create=True)
    for n in range(args.messages):
        box.add(letter(n).as_bytes())
    console = [sys.executable, "-m", "console", "--db", str(db), "--config", str(config)]
    with smtp_server() as server:
        config.write_text(
            '[mail]\naddress = "support@desk.example.com"\nacknowledge = false\n'
            f'smtp = "{server.host}:{server.port}"\nsecurity = "none"\n'
        )
        # Import, killed again and again, then finished.
        config_import = [*console, "mail", "import", str(folder / "Maildir")]
        done_early = killed_runs(config_import, args.kills, seed=1)
        subprocess.run(config_import, check=True, capture_output=True)
        with Store.open(db, create=False) as store:
            taken, distinct = store.query("SELECT count(*), count(DISTINCT mail_id) FROM mail_in")[
                0
            ]
            tickets = store.query("SELECT count(*) FROM tickets")[0][0]
        print(
            f"import killed {args.kills - done_early} times ({done_early} runs finished first):"
            f" {taken} of {args.messages} messages taken, {distinct} distinct,"
            f" {tickets} tickets"
        )
        # Replies to every ticket, then the sender killed again and again, then finished.
        with Store.open(db, create=False) as store:
            alice = Desk(store, Team().agent("alice"))
            for ticket in range(1, tickets + 1):
                operations.reply(alice, ticket, f"Answer {ticket}")
        sending = [*console, "mail", "send"]
        done_early = killed_runs(sending, args.kills, seed=2)
        with Store.open(db, create=False) as store, store.transaction() as conn:
            # What a killed sender had claimed waits for its claim to run out (CLAIM_SECONDS);
            # here the clock is not waited for: the claims are let go as if it had.
            conn.execute("UPDATE outbox SET claimed_until = NULL WHERE sent_at IS NULL")
        subprocess.run(sending, capture_output=True)
        accepted = collections.Counter(
            message_from_bytes(mail.data)["Message-ID"] for mail in server.accepted
        )
        with Store.open(db, create=False) as store:
            unsent = store.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]
        twice = sum(1 for n in accepted.values() if n > 1)
        print(
            f"sender killed {args.kills - done_early} times ({done_early} runs finished first):"
            f" {len(accepted)} of {tickets} replies accepted by the server, {unsent} unsent,"
            f" {twice} accepted twice (each with the same Message-ID)"
        )


if __name__ == "__main__":
    main()
