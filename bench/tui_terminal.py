"""Benchmark of the TUI at scale: cold start, key-to-repaint, resident memory.

Runs the installed `console` in a real terminal (tmux, 120x36) on a large store and reads the
screen the way a person sees it:

- cold start: from starting the process to the first queue row painted on the terminal
  (for the trivial app, to its first line);
- key-to-repaint: from sending `j` (next ticket) or `]` (next queue) to the status line
  showing the new position or queue;
- resident memory (VmRSS and its peak VmHWM) after start and after moving around;
- the same keys on `trivial_app.py` (one `Static` updated per key), measured the same way in
  the same run: the console's figures are read as a ratio to it.

The screen is read with `tmux capture-pane` in a tight loop, so each figure includes a few
milliseconds of polling. Compare figures within one run: the machine is shared and noisy.

    python bench/tui_terminal.py --db big.db [--build 1000000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

POSITION = re.compile(r"(\d[\d,]*) of (\d[\d,]*)")


def console_command() -> str:
    beside = Path(sys.executable).with_name("console")
    return str(beside) if beside.exists() else (shutil.which("console") or "console")


class Pane:
    def __init__(self, command: str) -> None:
        self.socket = f"console-bench-{uuid.uuid4().hex[:8]}"
        self.tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "36", command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b")

    def status_line(self) -> str:
        lines = [line for line in self.screen().splitlines() if POSITION.search(line)]
        return lines[-1].strip() if lines else ""

    def painted(self) -> bool:
        """Whether the queue's status line says the cursor is on a row ("1 of N"; "0 of 0"
        is the status line before the rows have come)."""
        found = POSITION.search(self.status_line())
        return found is not None and found.group(1) != "0"

    def wait(self, predicate, timeout: float = 30.0) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if predicate():
                return time.perf_counter() - start
        raise TimeoutError(f"the screen did not change in {timeout}s:\n{self.screen()}")

    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}"))

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def memory_mb(pid: int) -> dict[str, float]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name:<28} median {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f}"
        f" ms   max {max(ms):7.1f} ms   (n={len(ms)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument(
        "--build",
        type=int,
        metavar="N",
        help="build a demo store of N tickets first, if the file is absent",
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--starts", type=int, default=3, help="cold starts to time")
    args = parser.parse_args()
    console = console_command()
    if not args.db.exists():
        if not args.build:
            parser.error(f"{args.db} does not exist; pass --build N to make it")
        print(f"building {args.build:,} tickets in {args.db} ...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [console, "--db", str(args.db), "demo", "--tickets", str(args.build)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"built in {time.perf_counter() - started:.0f} s")
    tickets = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
                "'SELECT count(*) FROM tickets').fetchone()[0])"
            ),
            str(args.db),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"store: {args.db.name}, {int(tickets):,} tickets")
    command = shlex.join([console, "--db", str(args.db), "--as", "bench"])

    trivial = shlex.join([sys.executable, str(Path(__file__).with_name("trivial_app.py"))])
    for app, app_command in (("console", command), ("trivial app", trivial)):
        starts = []
        for _ in range(args.starts):
            began = time.perf_counter()
            pane = Pane(app_command)
            try:
                pane.wait(pane.painted)
                starts.append(time.perf_counter() - began)
            finally:
                pane.close()
        print(summary(f"{app}, cold start to first queue", starts))

    figures: dict[tuple[str, str], list[float]] = {}
    for app, app_command in (("console", command), ("trivial app", trivial)):
        pane = Pane(app_command)
        try:
            pane.wait(pane.painted)
            time.sleep(3.0)  # the first reads and the first timer run are done
            at_start = memory_mb(pane.pid())
            for key, name in (("j", "j (next ticket)"), ("]", "] (next queue)")):
                first, settled = [], []
                for _ in range(args.repeat):
                    before_screen, before_status = pane.screen(), pane.status_line()
                    began = time.perf_counter()
                    pane.tmux("send-keys", "-t", "b", key)
                    first.append(pane.wait(lambda s=before_screen, p=pane: p.screen() != s))
                    pane.wait(lambda s=before_status, p=pane: p.status_line() != s)
                    settled.append(time.perf_counter() - began)
                    # The next key once this one's reads are done (a person's pace at most).
                    time.sleep(0.05)
                figures[app, name] = first
                print(summary(f"{app}, {name}: first repaint", first))
                print(summary(f"{app}, {name}: status line", settled))
            if app == "console":
                pane.tmux("send-keys", "-t", "b", "G")
                time.sleep(1.0)
                after = memory_mb(pane.pid())
                print(
                    f"resident memory: {at_start['VmRSS']:.0f} MB after start, "
                    f"{after['VmRSS']:.0f} MB after moving around (peak {after['VmHWM']:.0f} MB)"
                )
        finally:
            pane.close()
    for name in ("j (next ticket)", "] (next queue)"):
        ours = percentile(figures["console", name], 0.95)
        theirs = percentile(figures["trivial app", name], 0.95)
        print(
            f"{name}: p95 {ours * 1000:.1f} ms against {theirs * 1000:.1f} ms, "
            f"{ours / theirs:.1f} times the trivial app"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
