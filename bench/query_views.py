"""Benchmark: a page of a queue filtered by a query, as the `/` filter and saved views read it
(the first page of 100 rows and the count), in process, on a large desk.

    python bench/query_views.py --db big.db [--repeat 20]

Each query is run `--repeat` times; the median and p95 of the page and of the count are
printed. The queries are grouped by whether an index serves them (the README's "Finding
tickets" says which)."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from console.core.model import Line, QueueFilter
from console.core.query import parse
from console.core.store import Store

INDEXED = [
    ("L2, P1 and P2", Line.L2, "pri:P1,P2"),
    ("mine", None, "is:mine"),
    ("unassigned on L1", Line.L1, "is:unassigned"),
    ("a tag", None, "tag:outage"),
    ("a domain, any status", None, "from:@acme.test status:any"),
    ("an address prefix", None, "from:ann status:any"),
    ("words", None, "printer jams"),
    ("a phrase", None, '"cannot log in"'),
    ("words, not others", None, "login -password"),
    ("a number", None, "#4242"),
]
CHECKED_ON_ROWS = [
    ("customer's move on L1", Line.L1, "court:customer"),
    ("older than a week", None, "age:>7d"),
    ("idle two days, ours", None, "idle:>2d court:us"),
    ("has an attachment", None, "has:attachment"),
    ("phone calls", None, "channel:phone"),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(work: object, repeat: int) -> list[float]:
    spent = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()  # type: ignore[operator]
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def report(store: Store, name: str, line: Line | None, text: str, repeat: int) -> None:
    queue = QueueFilter(line=line, query=parse(text, me="tess"), prefix_last=True)
    pages = timed(lambda: store.tickets(queue, limit=100), repeat)
    counts = timed(lambda: store.count(queue), max(3, repeat // 4))
    found = store.count(queue)
    print(
        f"  {name:<26} {text:<28} page median {statistics.median(pages):6.1f} ms"
        f"  p95 {percentile(pages, 0.95):6.1f} ms   count {statistics.median(counts):7.1f} ms"
        f"   ({found:,} tickets)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with Store.open(args.db, read_only=True) as store:
        print(f"{store.count(QueueFilter(statuses=())):,} tickets")
        print("served by an index:")
        for name, line, text in INDEXED:
            report(store, name, line, text, args.repeat)
        print("checked on the rows a queue reads:")
        for name, line, text in CHECKED_ON_ROWS:
            report(store, name, line, text, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
