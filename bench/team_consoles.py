"""Benchmark: a team on one host. N consoles open on one store (in tmux), untouched: the CPU
each uses while idle, and how long a new ticket (made as `console new` makes it, timed from
its commit) takes to show on every one of their screens.

Each console shows the first line's queue; the new ticket is a first-line ticket, so every
status line's "1 of N" becomes "1 of N+1" once that console has read the change. An idle
console writes nothing to its terminal, so the first output of each console after the commit
is that repaint: a tmux control-mode client reports every pane's output as it happens, and
`capture-pane` then checks that every screen shows the new count. (The commit is made away
from a minute's turn, when the Age and Left cells would repaint by themselves.)

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
import threading
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
    """N consoles, one tmux window each, in one session; a control-mode client notes when
    each window's console writes to its terminal."""

    def __init__(self, db: Path, count: int) -> None:
        self.socket = f"console-team-{uuid.uuid4().hex[:8]}"
        self.names = [f"agent{n:02d}" for n in range(count)]
        console = console_command()
        commands = [shlex.join([console, "--db", str(db), "--as", name]) for name in self.names]
        self.tmux(
            "new-session",
            "-d",
            "-s",
            "team",
            "-n",
            self.names[0],
            "-x",
            "120",
            "-y",
            "36",
            commands[0],
        )
        for name, command in zip(self.names[1:], commands[1:], strict=True):
            self.tmux("new-window", "-d", "-t", "team:", "-n", name, command)
        self.pane_of = {
            name: self.tmux("display-message", "-p", "-t", f"team:{name}", "#{pane_id}").strip()
            for name in self.names
        }
        self.outputs: dict[str, list[float]] = {pane: [] for pane in self.pane_of.values()}
        self._control = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach", "-t", "team"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        threading.Thread(target=self._note_outputs, daemon=True).start()

    def _note_outputs(self) -> None:
        assert self._control.stdout is not None
        for line in self._control.stdout:
            if line.startswith("%output "):
                pane = line.split(" ", 2)[1]
                if pane in self.outputs:
                    self.outputs[pane].append(time.monotonic())

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def total(self, name: str) -> int | None:
        found = TOTAL.search(self.tmux("capture-pane", "-p", "-t", f"team:{name}"))
        return int(found.group(1).replace(",", "")) if found else None

    def first_output_after(self, name: str, moment: float) -> float | None:
        return next((t for t in self.outputs[self.pane_of[name]] if t > moment), None)

    def pid(self, name: str) -> int:
        return int(self.tmux("display-message", "-p", "-t", f"team:{name}", "#{pane_pid}"))

    def close(self) -> None:
        self._control.kill()
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
        # What each screen says now: a timer run since the first paint may have closed
        # tickets of the queue.
        totals = {name: team.total(name) or 0 for name in team.names}
        while not 5 <= time.localtime().tm_sec <= 50:
            time.sleep(0.5)
        with Store.open(args.db) as store:  # as `console new` does, timed from its commit
            operations.create_ticket(
                Desk(store, SYSTEM),
                subject=f"Team benchmark {uuid.uuid4().hex[:6]}",
                requester="bench@example.com",
                priority=Priority.P2,
            )
            made = time.monotonic()
        showing: set[str] = set()
        while len(showing) < len(team.names) and time.monotonic() - made < 30:
            for name in team.names:
                if name not in showing and (team.total(name) or 0) > totals[name]:
                    showing.add(name)
        latencies = sorted(
            moment - made
            for name in showing
            if (moment := team.first_output_after(name, made)) is not None
        ) or [float("nan")]
        print(
            f"a new ticket shows on {len(showing)} of {len(team.names)} screens: median "
            f"{statistics.median(latencies):.2f} s, last {latencies[-1]:.2f} s after its commit"
        )
    finally:
        team.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
