"""`console dupes`, `merge`, `unmerge`, `link`, `unlink`, `split`, `unsplit`, `solve-problem`
and `bench dupes`: one problem, one case, from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from console.cli.context import Context, print_json
from console.cli.tickets import ticket_number, ticket_verb
from console.core import config, dupes, dupes_bench, links, semantic
from console.core.dupes import Suggestion
from console.core.errors import InvalidInput
from console.core.export import summary_dict
from console.core.text import one_line


def register(commands: argparse._SubParsersAction) -> None:
    found = ticket_verb(commands, "dupes", "likely duplicates of a ticket, best first", run_dupes)
    found.add_argument("--limit", type=int, default=5)
    found.add_argument(
        "--all",
        action="store_true",
        help="look at every ticket, not only open and recently solved ones",
    )
    found.add_argument("--method", choices=list(dupes.METHODS), default="default")

    embed = commands.add_parser(
        "embed", help="store sentence vectors of tickets that lack one (needs the semantic extra)"
    )
    embed.add_argument("--limit", type=int, metavar="N", help="at most N tickets, newest first")
    embed.add_argument("--json", action="store_true")
    embed.set_defaults(run=run_embed)

    merge = ticket_verb(commands, "merge", "merge a duplicate into its primary ticket", run_merge)
    merge.add_argument("--into", type=ticket_number, required=True, metavar="PRIMARY")
    merge.add_argument(
        "--notify",
        nargs="?",
        const="",
        metavar="TEXT",
        help="tell the duplicate's requester (a standard text when none given)",
    )

    ticket_verb(commands, "unmerge", "undo a merge", run_unmerge)

    link = ticket_verb(commands, "link", "hang a ticket on a parent problem", run_link)
    link.add_argument("--parent", type=ticket_number, required=True, metavar="PARENT")

    ticket_verb(commands, "unlink", "take a ticket off its parent problem", run_unlink)

    split = ticket_verb(commands, "split", "move messages into a new linked ticket", run_split)
    split.add_argument(
        "--messages",
        required=True,
        metavar="N,N",
        help="positions in the thread as `console show` lists them (1 = first)",
    )
    split.add_argument("--subject", help="the new ticket's subject")

    ticket_verb(commands, "unsplit", "undo a split (give the split-off ticket)", run_unsplit)

    solve = ticket_verb(
        commands,
        "solve-problem",
        "solve a parent problem and every open ticket on it",
        run_solve_problem,
    )
    solve.add_argument("--reply", help="one public reply sent to each of them")

    ticket_verb(commands, "links", "a ticket's merges, parent, children and splits", run_links)

    bench = commands.add_parser("bench", help="measure the console on real data")
    kinds = bench.add_subparsers(dest="bench", metavar="WHAT", required=True)
    measure = kinds.add_parser("dupes", help="duplicate suggestion quality and latency")
    measure.add_argument("--reports", type=Path, required=True, metavar="CSV")
    measure.add_argument("--pairs", type=Path, required=True, metavar="CSV")
    measure.add_argument(
        "--method",
        action="append",
        choices=list(dupes.METHODS),
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
    if args.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    with ctx.open_store() as store:
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
    with ctx.open_store() as store:
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
                        "kind": k.kind,
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
        print(f"#{args.ticket} is a parent problem: {count} ticket(s) hang on it")
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
    semantic.require()
    if args.limit is not None and args.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    with ctx.open_store() as store:
        count = semantic.embed_missing(store, limit=args.limit)
    if args.json:
        print_json({"embedded": count})
    else:
        print(f"embedded {count} ticket(s)")
    return 0


def _done(args: argparse.Namespace, ticket: Any, line: str) -> int:
    if args.json:
        print_json(summary_dict(ticket))
    else:
        print(line)
    return 0


def run_merge(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        primary = links.merge(
            store,
            ctx.agent,
            args.ticket,
            args.into,
            notice=args.notify,
            policy=config.sla_policy(args.config),
        )
    return _done(args, primary, f"#{args.ticket} merged into #{primary.id}")


def run_unmerge(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        ticket = links.unmerge(store, ctx.agent, args.ticket, policy=config.sla_policy(args.config))
    return _done(args, ticket, f"#{ticket.id} unmerged ({ticket.status})")


def run_link(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        ticket = links.link_parent(store, ctx.agent, args.ticket, args.parent)
        count = links.child_count(store, args.parent)
    return _done(args, ticket, f"#{ticket.id} hangs on #{args.parent} ({count} ticket(s) on it)")


def run_unlink(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        ticket = links.unlink_parent(store, ctx.agent, args.ticket)
    return _done(args, ticket, f"#{ticket.id} no longer hangs on a parent problem")


def _positions(text: str) -> list[int]:
    try:
        positions = [int(p) for p in text.replace(" ", "").split(",") if p]
    except ValueError:
        raise InvalidInput(f"--messages {text!r}: give positions like 3,4") from None
    if not positions or min(positions) < 1:
        raise InvalidInput(f"--messages {text!r}: positions start at 1")
    return positions


def run_split(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        store.ticket(args.ticket)  # an unknown ticket is named as such, not as "no message"
        thread = store.messages(args.ticket)
        positions = _positions(args.messages)
        beyond = [p for p in positions if p > len(thread)]
        if beyond:
            raise InvalidInput(
                f"ticket #{args.ticket} has {len(thread)} message(s); there is "
                f"no message {', '.join(map(str, beyond))}"
            )
        new = links.split(
            store,
            ctx.agent,
            args.ticket,
            [thread[p - 1].id for p in positions],
            subject=args.subject,
            policy=config.sla_policy(args.config),
        )
    return _done(args, new, str(new.id))


def run_unsplit(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        source = links.unsplit(store, ctx.agent, args.ticket, policy=config.sla_policy(args.config))
    return _done(args, source, f"#{args.ticket} closed; its messages are back in #{source.id}")


def run_solve_problem(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        solved = links.solve_parent(
            store, ctx.agent, args.ticket, reply=args.reply, policy=config.sla_policy(args.config)
        )
    if args.json:
        print_json({"parent": args.ticket, "solved": solved})
    else:
        print(f"solved {len(solved)} ticket(s): " + " ".join(f"#{n}" for n in solved))
    return 0


def run_bench(ctx: Context, args: argparse.Namespace) -> int:
    methods = args.method or dupes_bench.default_methods()
    timings: dict[str, float] = {}
    results = dupes_bench.run(args.reports, args.pairs, methods, timings=timings)
    if args.json:
        print_json(
            [
                {**r.as_dict(), **timings} if r.method in dupes.SEMANTIC_METHODS else r.as_dict()
                for r in results
            ]
        )
        return 0
    print(
        f"{'method':<10} {'queries':>7} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8}"
    )
    for r in results:
        print(
            f"{r.method:<10} {r.queries:>7} {r.recall_1:>6.3f} {r.recall_5:>6.3f} "
            f"{r.recall_10:>6.3f} {r.mrr:>6.3f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f}"
        )
    if timings:
        print(f"embedding at intake: {timings['embed_ms_per_ticket']} ms per ticket")
    return 0
