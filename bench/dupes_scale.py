"""Duplicate suggestion latency on a large store (default: the 1,000,000-ticket demo).

Builds the demo store with `console demo --tickets N` unless the file exists (reuse it between
runs: building a million tickets takes minutes), then asks for suggestions the way intake does:
for the text of a new ticket (subject, body, requester), and, as the detail view does, for
tickets already in the store. Nothing is written to the store.

    python bench/dupes_scale.py [--db PATH] [--tickets N] [--queries Q] [--semantic] [--json]

With --semantic (needs the semantic extra) it also measures the combined method. Embedding a
million tickets with the model takes hours on a small CPU, so tickets without a vector get a
random unit vector first: the cost of reading and comparing vectors does not depend on their
values. Encoding the text of a new ticket is timed with the real model.
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
    return {
        "queries": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }


def _placeholder_vectors(store: Store) -> int:
    """Give every ticket without a vector a random one (see the module's note)."""
    import numpy as np

    from console.core import semantic

    rng = np.random.default_rng(5)
    top = store.query("SELECT max(id) FROM tickets")[0][0]
    have = store.query("SELECT count(*) FROM ticket_embeddings")[0][0]
    if have >= top:
        return 0
    added = 0
    for start in range(1, top + 1, 50_000):
        ids = range(start, min(start + 50_000, top + 1))
        vectors = rng.standard_normal((len(ids), semantic.DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with store.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO ticket_embeddings (ticket_id, model, vector)"
                " VALUES (?, 'placeholder', ?)",
                [(i, semantic.pack(v)) for i, v in zip(ids, vectors, strict=True)],
            )
        added += len(ids)
    return added


def _semantic(store: Store, samples: list, recent: list[int]) -> dict[str, object]:
    from console.core import semantic

    semantic.require()
    _placeholder_vectors(store)
    semantic.encode(["warm the model up"])
    encode, new_ticket, detail_view = [], [], []
    for ticket in samples:
        start = time.perf_counter()
        semantic.encode([semantic.text_of(ticket.subject, ticket.body)])
        encode.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        dupes.suggest(
            store, ticket.subject, body=ticket.body, requester=ticket.requester, method="combined"
        )
        new_ticket.append((time.perf_counter() - start) * 1000)
    for ticket_id in recent:
        start = time.perf_counter()
        dupes.suggest(store, ticket_id, method="combined")
        detail_view.append((time.perf_counter() - start) * 1000)
    size = store.query("SELECT count(*) * 384 FROM ticket_embeddings")[0][0]
    return {
        "encode_one_ticket": _summary(encode),
        "combined_new_ticket": _summary(new_ticket),
        "combined_detail_view": _summary(detail_view),
        "vector_bytes": size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--semantic", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"building {args.tickets:,} demo tickets at {args.db} ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "console",
                "--db",
                str(args.db),
                "demo",
                "--tickets",
                str(args.tickets),
            ],
            check=True,
        )
    rng = random.Random(args.seed)
    results: dict[str, object] = {"db": args.db.name}
    with Store.open(args.db, create=False) as store:
        top = store.query("SELECT max(id) FROM tickets")[0][0]
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
        if args.semantic:
            results.update(_semantic(store, samples, recent))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{results['tickets']:,} tickets; first query {results['first_query_ms']} ms")
        for name in (
            "new_ticket",
            "detail_view",
            "combined_new_ticket",
            "combined_detail_view",
            "encode_one_ticket",
        ):
            if name not in results:
                continue
            r = results[name]
            assert isinstance(r, dict)
            print(
                f"{name:<12} {r['queries']} queries: p50 {r['p50_ms']} ms, "
                f"p95 {r['p95_ms']} ms, max {r['max_ms']} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
