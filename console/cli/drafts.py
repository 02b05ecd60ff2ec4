"""`console drafts`: the unsent replies, notes and customer messages the agent has started.

The TUI saves them as the agent types; this lists them (or throws one away), so an agent who
lost a session can see what is waiting to be finished."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from console.cli.actions import PAGE_LIMIT, ticket_number
from console.cli.context import Context, print_json
from console.core.errors import InvalidInput
from console.core.model import MessageKind
from console.core.text import one_line

if TYPE_CHECKING:
    pass


def register(commands: argparse._SubParsersAction) -> None:
    listing = commands.add_parser("drafts", help="the agent's unsent replies and notes")
    listing.add_argument(
        "--discard",
        nargs=2,
        metavar=("TICKET", "KIND"),
        help="throw away one draft (KIND: reply, note or customer)",
    )
    listing.add_argument("--limit", type=PAGE_LIMIT, default=100)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_drafts)


def run_drafts(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import drafts

    with ctx.open_store(read_only=not args.discard) as store:
        if args.discard:
            try:
                ticket_id = ticket_number(args.discard[0])
            except argparse.ArgumentTypeError as error:
                raise InvalidInput(f"--discard: {error}") from None
            kind = MessageKind.parse(args.discard[1], "draft kind")
            gone = drafts.discard(store, ctx.agent, ticket_id, kind)
            if args.json:
                print_json({"ticket": ticket_id, "kind": kind.value, "discarded": gone})
            else:
                print(f"{'discarded' if gone else 'no'} {kind.value} draft on #{ticket_id}")
            return 0 if gone else 1
        found = drafts.list_drafts(store, ctx.agent, limit=args.limit)
    if args.json:
        print_json([d.as_dict() for d in found])
        return 0
    if not found:
        print(f"no drafts for {one_line(ctx.agent, 60)}")
        return 0
    for draft in found:
        print(
            f"#{draft.ticket_id:<8} {draft.kind.value:<8} {draft.updated_at}  "
            f"{one_line(draft.body, 60)}"
        )
    return 0
