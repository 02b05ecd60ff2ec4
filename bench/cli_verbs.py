"""Benchmark: the verbs scripts call most, timed as a script sees them (the whole process, wall
clock): `console new`, `console show N --json`, `console note N`, one at a time and with
eight scripts writing notes at once.

    python bench/cli_verbs.py --db big.db [--repeat 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def console_command() -> str:
    beside = Path(sys.executable).with_name("console")
    return str(beside) if beside.exists() else (shutil.which("console") or "console")


def timed(args: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name:<34} median {statistics.median(ms):6.0f} ms   p95 {percentile(ms, 0.95):6.0f} ms"
        f"   (n={len(ms)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()
    console = [console_command(), "--db", str(args.db), "--as", "bench"]
    python = [sys.executable, "-c", "pass"]
    print(line("python -c pass (the floor)", [timed(python) for _ in range(args.repeat)]))
    made, made_ids = [], []
    for n in range(args.repeat):
        command = [
            *console,
            "new",
            "--subject",
            f"Disk full on db{n}",
            "--from",
            "nagios@example.com",
            "--priority",
            "P1",
            "--body",
            "/var is at 100%",
        ]
        began = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        made.append(time.perf_counter() - began)
        made_ids.append(done.stdout.strip())
    print(line("console new", made))
    # Cyrillic text makes the process load the Ukrainian dictionary the index's stemmer uses
    # (see console.core.stemming): English text never does.
    cyrillic = [
        timed(
            [
                *console,
                "new",
                "--subject",
                f"Не можу увійти в кабінет {n}",
                "--from",
                "olena@example.com",
                "--body",
                "Не работает вход, пишет неверный пароль",
            ]
        )
        for n in range(args.repeat)
    ]
    print(line("console new, Cyrillic text", cyrillic))
    # A demo ticket with a usual thread, away from the top of the queue (where earlier runs'
    # notes would pile up); the notes go to this run's new tickets.
    ticket = (
        subprocess.run(
            [*console, "list", "--limit", "1", "--offset", "1000", "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.split('"id": ', 1)[1]
        .split(",", 1)[0]
    )
    print(
        line(
            "console show N --json",
            [timed([*console, "show", ticket, "--json"]) for _ in range(args.repeat)],
        )
    )
    print(
        line(
            "console note N",
            [timed([*console, "note", made_ids[0], "--body", "checked"]) for _ in made_ids],
        )
    )
    with ThreadPoolExecutor(args.writers) as pool:
        together = list(
            pool.map(
                lambda n: timed(
                    [*console, "note", made_ids[n % len(made_ids)], "--body", "at once"]
                ),
                range(args.writers * args.repeat),
            )
        )
    print(line(f"console note, {args.writers} scripts at once", together))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
