"""`console new`, `console list`, `console show`: tickets in and out from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from console.cli.context import Context, print_json
from console.core import config, dupes, semantic, workflow
from console.core.clock import age
from console.core.config import sla_policy
from console.core.errors import InvalidInput
from console.core.export import context_dict, summary_dict, ticket_dict
from console.core.model import OPEN_STATUSES, Court, Line, Priority, QueueFilter, Status
from console.core.text import decode_untrusted, one_line, visible


def ticket_number(text: str) -> int:
    """argparse type for a ticket number: "42" or "#42"."""
    try:
        number = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a ticket number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a ticket number")
    return number


def ticket_verb(
    commands: argparse._SubParsersAction, name: str, help_text: str, run: Any
) -> argparse.ArgumentParser:
    """A verb that acts on one ticket: `console NAME N [--json]`, run by `run(ctx, args)`."""
    parser = commands.add_parser(name, help=help_text)
    parser.add_argument("ticket", type=ticket_number)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)
    return parser


def choice(enum: Any, what: str) -> Any:
    """argparse type that parses an enum and names the allowed values on error."""

    def parse(text: str) -> Any:
        try:
            return enum.parse(text, what)
        except InvalidInput as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = what
    return parse


def read_body(args: argparse.Namespace) -> tuple[str, bytes | None]:
    """The body from --body, or from stdin when it is piped (bytes kept if not UTF-8)."""
    if args.body is not None:
        return args.body, None
    if sys.stdin is None or sys.stdin.isatty():
        return "", None
    return decode_untrusted(sys.stdin.buffer.read())


def register(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser("new", help="open a ticket (body from --body or stdin)")
    new.add_argument("--subject", required=True)
    new.add_argument("--from", dest="requester", required=True, metavar="EMAIL")
    new.add_argument("--priority", type=choice(Priority, "priority"), default=Priority.P3)
    new.add_argument("--line", type=choice(Line, "line"), default=Line.L1)
    new.add_argument("--body", help="the request text (read from stdin when absent)")
    new.add_argument("--json", action="store_true", help="print the new ticket as JSON")
    new.set_defaults(run=run_new)

    listing = commands.add_parser("list", help="list tickets, most urgent first")
    listing.add_argument("--line", type=choice(Line, "line"))
    listing.add_argument("--priority", type=choice(Priority, "priority"))
    listing.add_argument("--court", type=choice(Court, "court"))
    listing.add_argument(
        "--status",
        type=choice(Status, "status"),
        action="append",
        help="repeatable; default: the open statuses",
    )
    listing.add_argument("--assignee", metavar="AGENT")
    listing.add_argument("--search", metavar="WORDS", help="words in subject, body or thread")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)

    ticket_verb(commands, "show", "a ticket with its thread and event log", run_show)


def run_new(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli import dupes as cli_dupes  # it imports this module for ticket_number

    body, raw = read_body(args)
    policy = config.sla_policy(args.config)  # read before anything is created
    with ctx.open_store(create=True) as store:
        # The SLA clocks start with the ticket, in the same transaction.
        ticket = workflow.create_ticket(
            store,
            ctx.agent,
            policy=policy,
            subject=args.subject,
            requester=args.requester,
            body=body,
            body_raw=raw,
            line=args.line,
            priority=args.priority,
        )
        if semantic.enabled():  # stored now, so suggestions never wait for the model
            semantic.embed(store, [ticket.id])
        likely = dupes.suggest(store, ticket.id)
    if args.json:
        print_json(
            {**summary_dict(ticket), "duplicates": [cli_dupes.suggestion_dict(s) for s in likely]}
        )
    else:
        print(ticket.id)
        if likely:  # on stderr: scripts read the new number from stdout
            print(f"possible duplicates of #{ticket.id}:", file=sys.stderr)
            cli_dupes.print_suggestions(likely, sys.stderr)
    return 0


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    if args.limit < 1 or args.offset < 0:
        raise InvalidInput("--limit must be at least 1 and --offset at least 0")
    queue = QueueFilter(
        line=args.line,
        priority=args.priority,
        court=args.court,
        assignee=args.assignee,
        text=args.search,
        statuses=tuple(args.status) if args.status else OPEN_STATUSES,
    )
    with ctx.open_store() as store:
        rows = store.tickets(queue, limit=args.limit, offset=args.offset)
        now = store.clock()
    if args.json:
        print_json([summary_dict(t) for t in rows])
        return 0
    for t in rows:
        court = "OUR MOVE" if t.court == Court.US else t.court.value
        print(
            f"#{t.id:<7} {t.priority} {t.line} {court:<8} {t.status:<7} "
            f"{age(t.created_at, now):>4} {one_line(t.requester, 30):<30} "
            f"{one_line(t.subject, 80)}"
        )
    return 0


_LINK_WORDS = {
    "merged": ("merged into", "merged here:"),
    "parent": ("hangs on parent problem", "child ticket"),
    "split": ("split off", "split into"),
    "follow-up of": ("follows up on", "followed up by"),
}


def _context_lines(ticket_id: int, around: dict[str, Any]) -> list[str]:
    """One line each for what surrounds the ticket, only what it has."""
    lines = []
    sla = around["workflow"]["sla"]
    if sla["due_at"]:
        lines.append(f"SLA: {sla['kind']} due {sla['due_at']} ({sla['state']}, {sla['left']})")
    flow = around["workflow"]
    if flow["vendor"]:
        case = one_line(flow["vendor_case"] or "-")
        lines.append(f"vendor: {one_line(flow['vendor'])} case {case}")
    if flow["followup_due_at"]:
        note = one_line(flow["followup_note"] or "")
        lines.append(f"follow-up due {flow['followup_due_at']}" + (f": {note}" if note else ""))
    handoff = around["handoff"]
    if handoff:
        lines.append(
            f"hand-off {handoff['from_line']} → {handoff['to_line']} by "
            f"{one_line(handoff['actor'])}: {one_line(handoff['note'], 200)}"
        )
    for question in around["open_questions"]:
        lines.append(
            f"asks the front line ({one_line(question['asked_by'])}): "
            f"{one_line(question['question'], 200)}"
        )
    for link in around["links"]:
        mine = link["ticket_id"] == ticket_id
        forward, backward = _LINK_WORDS.get(link["kind"], (link["kind"], link["kind"]))
        lines.append(
            f"{forward} #{link['other_id']}" if mine else f"{backward} #{link['ticket_id']}"
        )
    if around["children"]:
        lines.append(f"parent problem of {around['children']} tickets")
    if around["tags"]:
        lines.append("tags: " + ", ".join(one_line(t) for t in around["tags"]))
    for group in around["checklists"]:
        done = sum(1 for item in group["items"] if item["answer"] is not None)
        lines.append(f"checklist {group['checklist']}: {done}/{len(group['items'])} answered")
    return lines


def run_show(ctx: Context, args: argparse.Namespace) -> int:
    policy = sla_policy(ctx.config)
    with ctx.open_store() as store:
        ticket = store.ticket(args.ticket)
        messages, events = store.messages(ticket.id), store.events(ticket.id)
        around = context_dict(store, ticket.id, policy)
    if args.json:
        print_json({**ticket_dict(ticket, messages, events), **around})
        return 0
    print(f"#{ticket.id} {one_line(ticket.subject)}")
    print(
        f"{ticket.priority} {ticket.line} · {ticket.status} · move: {ticket.court} · "
        f"assignee: {ticket.assignee or '-'} · version {ticket.version}"
    )
    print(f"from {one_line(ticket.requester)} at {ticket.created_at}")
    for line in _context_lines(ticket.id, around):
        print(line)
    print()
    print(visible(ticket.body))
    for m in messages:
        print(f"\n--- {m.kind} by {one_line(m.author)} at {m.created_at}")
        print(visible(m.body))
    print("\n--- events")
    for e in events:
        change = f"{e.before} -> {e.after}" if e.before is not None or e.after is not None else ""
        print(
            f"{e.at} {one_line(e.actor)} {e.action} {one_line(change)} "
            f"{one_line(e.detail or '')}".rstrip()
        )
    return 0
