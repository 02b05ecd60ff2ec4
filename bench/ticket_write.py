"""Benchmark: what one new ticket costs the store, in process (`operations.create_ticket`: the
row, its events and clocks, and its full-text entries), on a copy of a big store; English and
Cyrillic text, and the first Cyrillic ticket of a process (which loads the Ukrainian dictionary
the index's stemmer needs) apart.

    python bench/ticket_write.py --db big.db [--tickets 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.*

from bench.scratch import store_copy  # noqa: E402
from console.core import operations  # noqa: E402
from console.core.desk import Desk  # noqa: E402
from console.core.sla import SlaPolicy  # noqa: E402
from console.core.store import Store  # noqa: E402
from console.core.team import Team  # noqa: E402

TEXTS = {
    "English": ("Disk full on db{n}", "/var is at 100% since the nightly backup, please check"),
    "Cyrillic": (
        "Не можу увійти в кабінет {n}",
        "Не работает вход: пишет неверный пароль, хотя я его только что сменил",
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()
    with store_copy(args.db, "write") as copy, Store.open(copy) as store:
        team = Team()
        desk = Desk(store, team.agent("bench"), SlaPolicy(), team)
        first = time.perf_counter()
        subject, body = TEXTS["Cyrillic"]
        operations.create_ticket(
            desk, subject=subject.format(n=0), requester="first@example.com", body=body
        )
        print(f"{'first Cyrillic ticket':<22} {(time.perf_counter() - first) * 1000:7.2f} ms")
        for language, (subject, body) in TEXTS.items():
            took = []
            for n in range(args.tickets):
                began = time.perf_counter()
                operations.create_ticket(
                    desk, subject=subject.format(n=n), requester=f"r{n}@example.com", body=body
                )
                took.append((time.perf_counter() - began) * 1000)
            took.sort()
            print(
                f"{language + ' ticket':<22} median {statistics.median(took):6.2f} ms   "
                f"p95 {took[int(0.95 * (len(took) - 1))]:6.2f} ms   (n={len(took)})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
