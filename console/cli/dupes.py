"""`console dupes`, `links`, `embed` and `bench dupes`: finding the duplicates and seeing the
links (merging, linking and splitting are ticket actions: see `cli.actions`)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from console.cli.actions import PAGE_LIMIT, ticket_number, whole_number
from console.cli.context import Context, print_json
from console.core import words
from console.core.errors import InvalidInput
from console.core.text import one_line

if TYPE_CHECKING:
    from console.core.dupes import Suggestion


METHODS_HELP = "default, fts, semantic, combined"
"""Said in the help only: the duplicate finder checks the method (and names the choices)."""


def register(commands: argparse._SubParsersAction) -> None:
    found = commands.add_parser("dupes", help="likely duplicates of a ticket, best first")
    found.add_argument("ticket", type=ticket_number, metavar="N")
    found.add_argument("--json", action="store_true")
    found.set_defaults(run=run_dupes)
    found.add_argument("--limit", type=whole_number(1, 100), default=5)
    found.add_argument(
        "--all",
        action="store_true",
        help="look at every ticket, not only open and recently solved ones",
    )
    found.add_argument("--method", default="default", help=f"one of {METHODS_HELP}")

    embed = commands.add_parser(
        "embed", help="store sentence vectors of tickets that lack one (needs the semantic extra)"
    )
    embed.add_argument(
        "--limit", type=PAGE_LIMIT, metavar="N", help="at most N tickets, newest first"
    )
    embed.add_argument("--json", action="store_true")
    embed.set_defaults(run=run_embed)

    links_verb = commands.add_parser("links", help="a ticket's merges, parent, children and splits")
    links_verb.add_argument("ticket", type=ticket_number, metavar="N")
    links_verb.add_argument("--json", action="store_true")
    links_verb.set_defaults(run=run_links)

    bench = commands.add_parser("bench", help="measure the console on real data")
    kinds = bench.add_subparsers(dest="bench", metavar="WHAT", required=True)
    measure = kinds.add_parser("dupes", help="duplicate suggestion quality and latency")
    measure.add_argument("--reports", required=True, metavar="CSV")
    measure.add_argument("--pairs", metavar="CSV", help="known duplicate pairs, scored as 'all'")
    measure.add_argument(
        "--train", metavar="CSV", help="the data set's training pairs, scored apart"
    )
    measure.add_argument("--test", metavar="CSV", help="the data set's test pairs, scored apart")
    measure.add_argument(
        "--method",
        action="append",
        metavar="METHOD",
        help="repeatable; default: every method installed (semantic and "
        "combined need the semantic extra)",
    )
    measure.add_argument("--json", action="store_true")
    measure.set_defaults(run=run_bench)


def suggestion_dict(s: Suggestion) -> dict[str, Any]:
    return {
        "id": s.ticket_id,
        "subject": s.subject,
        "requester": s.requester,
        "status": s.status,
        "created_at": s.created_at,
        "score": s.score,
        "reasons": list(s.reasons),
        "shared_words": list(s.shared_words),
    }


def print_suggestions(found: list[Suggestion], out: TextIO) -> None:
    for s in found:
        print(
            f"#{s.ticket_id:<7} {s.score:5.2f} {s.status:<7} {one_line(s.subject, 60):<60} "
            f"{one_line('; '.join(s.reasons), 100)}",
            file=out,
        )


def run_dupes(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import dupes

    if args.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    with ctx.open_store(read_only=True) as store:
        found = dupes.suggest(
            store,
            args.ticket,
            limit=args.limit,
            method=args.method,
            scope="all" if args.all else "triage",
        )
    if args.json:
        print_json([suggestion_dict(s) for s in found])
    elif found:
        print_suggestions(found, sys.stdout)
    else:
        print(f"no likely duplicates of #{args.ticket}", file=sys.stderr)
    return 0


_SAYS = {
    ("merged", True): "merged into #{other}",
    ("merged", False): "#{ticket} merged into it",
    ("parent", True): "hangs on parent #{other}",
    ("parent", False): "#{ticket} hangs on it",
    ("split", True): "split off #{other}",
    ("split", False): "#{ticket} split off it",
}


def run_links(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import links

    with ctx.open_store(read_only=True) as store:
        store.ticket(args.ticket)
        found = links.links(store, args.ticket)
        count = links.child_count(store, args.ticket)
    if args.json:
        print_json(
            {
                "id": args.ticket,
                "children": count,
                "links": [
                    {
                        "kind": k.kind.value,
                        "ticket": k.ticket_id,
                        "other": k.other_id,
                        "at": k.created_at,
                        "by": k.created_by,
                    }
                    for k in found
                ],
            }
        )
        return 0
    if count:
        hang = "hangs" if count == 1 else "hang"
        print(f"#{args.ticket} is a parent problem: {words.count(count, 'ticket')} {hang} on it")
    for k in found:
        says = _SAYS.get(
            (k.kind, k.ticket_id == args.ticket), f"#{{ticket}} {one_line(k.kind)} #{{other}}"
        )
        print(
            f"{k.created_at} {one_line(k.created_by)}: "
            + says.format(ticket=k.ticket_id, other=k.other_id)
        )
    return 0


def run_embed(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import semantic

    semantic.require()
    if args.limit is not None and args.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    with ctx.open_store() as store:
        count = semantic.embed_missing(store, limit=args.limit)
    if args.json:
        print_json({"embedded": count})
    else:
        print(f"embedded {words.count(count, 'ticket')}")
    return 0


GITBUGS = "data: GitBugs (Avinash Patil, arXiv:2504.09651, 2025), CC BY 4.0"
"""Said under results on a GitBugs file (named `<project>_bugs.csv`): its licence asks for it."""


def run_bench(ctx: Context, args: argparse.Namespace) -> int:
    from pathlib import Path

    from console.core import dupes, dupes_bench

    named = {
        name: Path(path)
        for name, path in (("train", args.train), ("test", args.test), ("all", args.pairs))
        if path
    }
    if not named:
        raise InvalidInput("say which pairs to score: --train and --test, or --pairs")
    methods = args.method or dupes_bench.default_methods()
    timings: dict[str, float] = {}
    results = dupes_bench.run(Path(args.reports), named, methods, timings=timings)
    if args.json:
        print_json(
            [
                {**r.as_dict(), **timings} if r.method in dupes.SEMANTIC_METHODS else r.as_dict()
                for r in results
            ]
        )
        return 0
    print(
        f"{'method':<10} {'pairs':<6} {'queries':>7} {'R@1':>6} {'R@5':>6} {'R@10':>6} "
        f"{'MRR':>6} {'p50 ms':>8} {'p95 ms':>8}"
    )
    for r in results:
        print(
            f"{r.method:<10} {r.pairs:<6} {r.queries:>7} {r.recall_1:>6.3f} {r.recall_5:>6.3f} "
            f"{r.recall_10:>6.3f} {r.mrr:>6.3f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f}"
        )
    if timings:
        print(f"embedding at intake: {timings['embed_ms_per_ticket']} ms per ticket")
    if Path(args.reports).name.endswith("_bugs.csv"):
        print(GITBUGS)
    return 0
