"""Benchmark: the longest an agent waits to write while the console's big operations run on a
store of a million tickets. A colleague's process adds a note every 20 ms and times each
write; meanwhile this one runs, one after another: the timers (`console tick`) on the whole
store, solving a parent problem with `--children` children (with a reply to each), and
importing `--messages` mails. The longest wait during each is the longest write lock it held
(plus the note's own write).

    python bench/write_lock.py --db big.db [--children 25000] [--messages 5000]

Works on a copy of the store (made next to it and removed after).
"""

from __future__ import annotations

import argparse
import json
import mailbox
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.*

from bench.mail_import import letter  # noqa: E402
from bench.scratch import store_copy  # noqa: E402
from console.core import links  # noqa: E402
from console.core.desk import Desk  # noqa: E402
from console.core.store import Store  # noqa: E402
from console.core.team import Team  # noqa: E402

COLLEAGUE = """
import json, sys, time
from console.core import operations
from console.core.desk import Desk
from console.core.store import Store
from console.core.team import Team
store = Store.open(sys.argv[1], create=False)
desk = Desk(store, Team().agent("bob"), team=Team())
ticket, out = int(sys.argv[2]), open(sys.argv[3], "w")
while True:
    began = time.monotonic()
    while True:
        try:
            operations.note(desk, ticket, "still here")
            break
        except Exception:  # busy beyond the timeout: the wait goes on
            pass
    out.write(json.dumps([began, time.monotonic() - began]) + "\\n")
    out.flush()
    time.sleep(0.02)
"""


def longest_wait(log: Path, since: float, until: float) -> tuple[float, int]:
    """The longest note write that began between `since` and `until`, and how many began."""
    waits = [
        took
        for began, took in (json.loads(line) for line in log.read_text().splitlines() if line)
        if since <= began <= until
    ]
    return max(waits, default=0.0), len(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--children", type=int, default=25_000)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--skip-tick", action="store_true", help="not the timers (80 s)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="console-locks-"))
    try:
        with store_copy(args.db, "lockbench") as copy:
            measure(copy, folder, args.children, args.messages, skip_tick=args.skip_tick)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(copy: Path, folder: Path, children: int, messages: int, *, skip_tick: bool) -> None:
    """Set up an outage and a Maildir, start the colleague, run each big operation."""
    with Store.open(copy, create=False) as store:
        desk = Desk(store, Team().agent("alice"), team=Team())
        opened = [r[0] for r in store.query("SELECT id FROM tickets WHERE status = 'new'")]
        parent, kids = opened[0], opened[1 : children + 1]
        with store.batch():  # setting up, not measured
            for kid in kids:
                links.link_parent(desk, kid, parent)
    chance = random.Random(7)
    box = mailbox.Maildir(folder / "Maildir", create=True)
    for n in range(messages):
        box.add(letter(n, chance, False).as_bytes())
    operations = [
        *([] if skip_tick else [("console tick, the timers over the whole store", ["tick"])]),
        (
            f"console solve-problem, {len(kids):,} children, a reply to each",
            ["solve-problem", str(parent), "--reply", "The outage is over."],
        ),
        (
            f"console mail import, {messages:,} messages",
            ["mail", "import", str(folder / "Maildir")],
        ),
    ]
    log = folder / "waits.jsonl"
    console = [sys.executable, "-m", "console", "--db", str(copy)]
    colleague = subprocess.Popen(
        [sys.executable, "-c", COLLEAGUE, str(copy), str(opened[-1]), str(log)]
    )
    try:
        while not log.exists() or not log.read_text():
            time.sleep(0.05)  # the colleague is writing
        for what, command in operations:
            began = time.monotonic()
            subprocess.run([*console, *command], check=True, stdout=subprocess.DEVNULL)
            ended = time.monotonic()
            wait, writes = longest_wait(log, began, ended)
            print(
                f"{what}: {ended - began:.1f} s; the colleague's {writes} notes meanwhile"
                f" waited at most {wait * 1000:.0f} ms"
            )
    finally:
        colleague.kill()
        colleague.wait()


if __name__ == "__main__":
    main()
