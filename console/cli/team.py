"""The team: `who` (presence on a ticket) and `agents` (the team config as the console reads
it). Escalating, taking and assigning are ticket actions (see `cli.actions`)."""

from __future__ import annotations

import argparse
from typing import Any

from console.cli.actions import ticket_number
from console.cli.context import Context, print_json
from console.core.text import one_line


def register(commands: argparse._SubParsersAction) -> None:
    who = commands.add_parser("who", help="who has the ticket open or is replying now")
    who.add_argument("ticket", type=ticket_number, metavar="N")
    who.add_argument("--json", action="store_true")
    who.set_defaults(run=run_who)

    agents = commands.add_parser("agents", help="the team as the config defines it")
    agents.add_argument("--json", action="store_true")
    agents.set_defaults(run=run_agents)


def run_who(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import presence, words
    from console.core.clock import from_text
    from console.core.export import plain

    with ctx.open_store(read_only=True) as store:
        store.ticket(args.ticket)  # an unknown ticket is an error, not an empty list
        here = presence.on_ticket(store, args.ticket)
        now = store.clock()
    if args.json:
        print_json([plain(p.__dict__) for p in here])
    else:
        for p in here:
            seen = words.ago(from_text(p.seen_at), now)
            print(f"{one_line(p.agent, 40)} is {p.activity.value} (seen {seen})")
    return 0


def run_agents(ctx: Context, args: argparse.Namespace) -> int:
    team = ctx.team()
    rows: list[dict[str, Any]] = [
        {
            "login": a.login,
            "name": a.name,
            "lines": [str(v) for v in a.lines],
            "role": a.role,
            "talks_to_customers": a.talks_to_customers,
        }
        for a in team.agents.values()
    ]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            talks = "talks to customers" if r["talks_to_customers"] else "internal"
            print(
                f"{one_line(r['login'], 12):<12} {one_line(r['name'], 24):<24} "
                f"{'/'.join(r['lines']):<12} {r['role']:<6} {talks}"
            )
    return 0
