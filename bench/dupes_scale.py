"""Duplicate suggestion latency on a large store (default: the 1,000,000-ticket demo).

Builds the demo store with `console demo --tickets N` unless the file exists (reuse it between
runs: building a million tickets takes minutes), then asks for suggestions the way intake does:
for the text of a new ticket (subject, body, requester), and, as the detail view does, for
tickets already in the store. Nothing is written to the store.

    python bench/dupes_scale.py [--db PATH] [--tickets N] [--queries Q] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from console.core import dupes
from console.core.store import Store

DEFAULT_DB = Path(__file__).parent / "results" / "demo-1m.db"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _summary(latencies: list[float]) -> dict[str, float]:
    return {"queries": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(_percentile(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"building {args.tickets:,} demo tickets at {args.db} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "console", "--db", str(args.db), "demo",
                        "--tickets", str(args.tickets)], check=True)
    rng = random.Random(args.seed)
    results: dict[str, object] = {"db": args.db.name}
    with Store.open(args.db, create=False) as store:
        top = store.conn.execute("SELECT max(id) FROM tickets").fetchone()[0]
        results["tickets"] = top
        samples = [store.ticket(rng.randint(1, top)) for _ in range(args.queries)]
        start = time.perf_counter()
        dupes.suggest(store, samples[0].subject, body=samples[0].body)
        results["first_query_ms"] = round((time.perf_counter() - start) * 1000, 1)
        new_ticket, detail_view = [], []
        for ticket in samples:
            # A customer files the same request again, in other words: the first half of the
            # subject, the body with a line of its own.
            words = ticket.subject.split()
            subject = " ".join(words[: max(2, len(words) // 2)]) + " (again)"
            body = ticket.body + "\nStill happening, please look at it today."
            start = time.perf_counter()
            dupes.suggest(store, subject, body=body, requester=ticket.requester)
            new_ticket.append((time.perf_counter() - start) * 1000)
        recent = [rng.randint(max(1, top - 20_000), top) for _ in range(args.queries)]
        for ticket_id in recent:
            start = time.perf_counter()
            dupes.suggest(store, ticket_id)
            detail_view.append((time.perf_counter() - start) * 1000)
        results["new_ticket"] = _summary(new_ticket)
        results["detail_view"] = _summary(detail_view)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{results['tickets']:,} tickets; first query {results['first_query_ms']} ms")
        for name in ("new_ticket", "detail_view"):
            r = results[name]
            assert isinstance(r, dict)
            print(f"{name:<12} {r['queries']} queries: p50 {r['p50_ms']} ms, "
                  f"p95 {r['p95_ms']} ms, max {r['max_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
