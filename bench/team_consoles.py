"""Benchmark: a team on one host. N consoles open on one store (in tmux), untouched: the CPU
each uses while idle, and how long a new ticket (made as `console new` makes it, timed from
its commit) takes to show on every one of their screens.

Each console shows the first line's queue; the new ticket is a first-line ticket, so every
status line's "1 of N" becomes "1 of N+1" once that console has read the change. Screens are
read with `tmux capture-pane`, one sweep over all of them at a time, so the latency includes
up to one sweep (printed).

    python bench/team_consoles.py --db big.db [--consoles 30] [--idle 30]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from console.core import operations
from console.core.desk import Desk
from console.core.model import Priority
from console.core.store import Store
from console.core.team import SYSTEM

TOTAL = re.compile(r"L1 first line\s+\d[\d,]* of (\d[\d,]*)")


def console_command() -> str:
    beside = Path(sys.executable).with_name("console")
    return str(beside) if beside.exists() else (shutil.which("console") or "console")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Team:
    def __init__(self, db: Path, count: int) -> None:
        self.socket = f"console-team-{uuid.uuid4().hex[:8]}"
        self.names = [f"agent{n:02d}" for n in range(count)]
        console = console_command()
        for name in self.names:
            command = shlex.join([console, "--db", str(db), "--as", name])
            self.tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "36", command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def total(self, name: str) -> int | None:
        found = TOTAL.search(self.tmux("capture-pane", "-p", "-t", name))
        return int(found.group(1).replace(",", "")) if found else None

    def pid(self, name: str) -> int:
        return int(self.tmux("display-message", "-p", "-t", name, "#{pane_pid}"))

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--consoles", type=int, default=30)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle to measure")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds after painting")
    args = parser.parse_args()
    team = Team(args.db, args.consoles)
    try:
        started = time.monotonic()
        totals: dict[str, int] = {}
        while len(totals) < len(team.names):
            for name in team.names:
                if name not in totals and (total := team.total(name)) is not None:
                    totals[name] = total
            if time.monotonic() - started > 300:
                raise TimeoutError(f"only {len(totals)} consoles painted in 300 s")
        print(f"{len(totals)} consoles painted in {time.monotonic() - started:.1f} s")
        time.sleep(args.settle)  # let every console's first timer run and reads finish
        pids = {name: team.pid(name) for name in team.names}
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        time.sleep(args.idle)
        shares = sorted(
            100 * (cpu_seconds(pids[name]) - before[name]) / args.idle for name in team.names
        )
        print(
            f"idle CPU per console over {args.idle:.0f} s: median {statistics.median(shares):.2f}"
            f" %, max {shares[-1]:.2f} % of a core (all {len(shares)}: {sum(shares):.1f} %)"
        )
        with Store.open(args.db) as store:  # as `console new` does, timed from its commit
            operations.create_ticket(
                Desk(store, SYSTEM),
                subject=f"Team benchmark {uuid.uuid4().hex[:6]}",
                requester="bench@example.com",
                priority=Priority.P2,
            )
            made = time.monotonic()
        seen: dict[str, float] = {}
        sweeps = []
        while len(seen) < len(team.names) and time.monotonic() - made < 30:
            sweep = time.monotonic()
            for name in team.names:
                if name not in seen and (team.total(name) or 0) > totals[name]:
                    seen[name] = time.monotonic() - made
            sweeps.append(time.monotonic() - sweep)
        latencies = sorted(seen.values())
        print(
            f"a new ticket seen on {len(seen)} of {len(team.names)} screens: median "
            f"{statistics.median(latencies):.2f} s, last {latencies[-1]:.2f} s (one sweep of "
            f"the screens takes {statistics.median(sweeps):.2f} s)"
        )
    finally:
        team.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
