"""Benchmark: what an untouched console writes to its terminal, and the CPU it uses.

Starts the installed `console` on a pseudo-terminal (120x36), lets it paint and settle, then
counts the bytes it writes and the CPU time it takes while nobody presses a key and nothing
in the database changes. The target is nothing at all: a console left open all day should
cost no bandwidth over SSH and no CPU.

    python bench/idle_traffic.py --db big.db [--settle 10] [--seconds 60]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import struct
import sys
import termios
import time
from pathlib import Path


def console_command() -> str:
    beside = Path(sys.executable).with_name("console")
    return str(beside) if beside.exists() else (shutil.which("console") or "console")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its threads, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def read_for(fd: int, seconds: float) -> int:
    """Bytes the terminal received in `seconds`."""
    received = 0
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                received += len(os.read(fd, 65536))
            except OSError:
                break
    return received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to paint first")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds to watch")
    args = parser.parse_args()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console, on the new terminal
        os.environ["TERM"] = "xterm-256color"
        os.execv(console_command(), [console_command(), "--db", str(args.db), "--as", "bench"])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    try:
        painted = read_for(fd, args.settle)
        cpu_before = cpu_seconds(pid)
        idle = read_for(fd, args.seconds)
        cpu = cpu_seconds(pid) - cpu_before
    finally:
        os.write(fd, b"q")
        time.sleep(0.5)
        try:
            os.kill(pid, 15)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    print(f"painted {painted:,} bytes in the first {args.settle:.0f} s")
    print(
        f"idle for {args.seconds:.0f} s: {idle:,} bytes written "
        f"({idle / args.seconds:.1f} B/s), CPU {100 * cpu / args.seconds:.2f} % of a core"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
