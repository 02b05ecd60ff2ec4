"""`console new`, `console list`, `console show`: tickets in and out from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from console.cli.actions import OFFSET, PAGE_LIMIT, read_stdin, ticket_number
from console.cli.context import Context, print_json
from console.core.errors import InvalidInput
from console.core.model import (
    OPEN_STATUSES,
    EventAction,
    Impact,
    Line,
    LinkKind,
    Priority,
    QueueFilter,
    Status,
    Urgency,
)
from console.core.model import Court as CourtChoice
from console.core.text import one_line, visible

if TYPE_CHECKING:
    from console.core.attachments import FileInfo
    from console.core.context import TicketContext


def choice(enum: Any, what: str) -> Any:
    """argparse type that parses an enum and names the allowed values on error."""

    def parse(text: str) -> Any:
        try:
            return enum.parse(text, what)
        except InvalidInput as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = what
    return parse


def register(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser("new", help="open a ticket (body from --body or stdin)")
    new.add_argument("--subject", required=True)
    new.add_argument(
        "--from",
        "--requester",
        dest="requester",
        required=True,
        metavar="WHO",
        help="the caller: an address, 'Name <address>', a phone number or a name (with no"
        " address, nothing is mailed until `console contact edit WHO --email` adds one)",
    )
    new.add_argument(
        "--priority", type=choice(Priority, "priority"), help="P1..P4 (default P3), or:"
    )
    new.add_argument(
        "--impact",
        type=choice(Impact, "impact"),
        help="high, medium or low: with --urgency, the team's matrix gives the priority",
    )
    new.add_argument("--urgency", type=choice(Urgency, "urgency"), help="high, medium or low")
    new.add_argument("--line", type=choice(Line, "line"), default=Line.L1)
    new.add_argument(
        "--type",
        dest="ticket_type",
        metavar="TYPE",
        help="what kind of case: one of the team's types (question, bug, feature, not-ours)",
    )
    new.add_argument("--body", help="the request text (read from stdin when absent)")
    new.add_argument("--json", action="store_true", help="print the new ticket as JSON")
    new.set_defaults(run=run_new)

    listing = commands.add_parser("list", help="list tickets, most urgent first")
    listing.add_argument("--line", type=choice(Line, "line"))
    listing.add_argument("--priority", type=choice(Priority, "priority"))
    listing.add_argument("--court", type=choice(CourtChoice, "court"))
    listing.add_argument(
        "--status",
        type=choice(Status, "status"),
        action="append",
        help="repeatable; default: the open statuses",
    )
    listing.add_argument("--assignee", metavar="AGENT")
    listing.add_argument("--search", metavar="WORDS", help="words in subject, body or thread")
    listing.add_argument(
        "--query",
        "-q",
        metavar="QUERY",
        help='e.g. "line:L2 court:us pri:P1,P2 age:>7d tag:outage -tag:billing from:@example.com'
        ' is:mine words -word"; README: "Finding tickets"',
    )
    listing.add_argument("--view", metavar="NAME", help="a saved view (see `console views`)")
    listing.add_argument(
        "--needs-contact",
        action="store_true",
        help="only tickets with a back-line question the front line owes",
    )
    listing.add_argument(
        "--undelivered",
        action="store_true",
        help="only tickets with a mail to the customer that failed (any status)",
    )
    listing.add_argument("--limit", type=PAGE_LIMIT, default=50)
    listing.add_argument("--offset", type=OFFSET, default=0)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)

    views = commands.add_parser("views", help="the saved views, with how many tickets each shows")
    views.add_argument("--json", action="store_true")
    views.set_defaults(run=run_views)

    show = commands.add_parser("show", help="a ticket with its thread and event log")
    show.add_argument("ticket", type=ticket_number, metavar="N")
    show.add_argument("--json", action="store_true")
    show.add_argument(
        "--quoted",
        action="store_true",
        help="show the quoted history and signatures under the customers' messages",
    )
    show.set_defaults(run=run_show)


def run_new(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli import dupes as cli_dupes  # it imports this module's neighbours
    from console.core import dupes, operations, semantic
    from console.core.ticket_types import check_type

    if args.priority and (args.impact or args.urgency):
        raise InvalidInput("--priority, or --impact and --urgency (which give it), not both")
    body, raw = (args.body, None) if args.body is not None else read_stdin()
    with ctx.desk(create=True) as desk:
        if args.ticket_type is not None:
            try:
                check_type(args.ticket_type, desk.team.types)
            except InvalidInput as error:
                raise InvalidInput(f"--type: {error}") from None
        ticket = operations.create_ticket(
            desk,
            subject=args.subject,
            requester=args.requester,
            body=body,
            body_raw=raw,
            line=args.line,
            priority=args.priority or Priority.P3,
            impact=args.impact,
            urgency=args.urgency,
            ticket_type=args.ticket_type,
        )
        if semantic.enabled():  # stored now, so suggestions never wait for the model
            semantic.embed(desk.store, [ticket.id])
        likely = dupes.suggest(desk.store, ticket.id)
    if args.json:
        from console.core.export import summary_dict

        print_json(
            {
                **summary_dict(ticket),
                "duplicates": [cli_dupes.suggestion_dict(s) for s in likely],
            }
        )
    else:
        print(ticket.id)
        if likely:  # on stderr: scripts read the new number from stdout
            print(f"possible duplicates of #{ticket.id}:", file=sys.stderr)
            cli_dupes.print_suggestions(likely, sys.stderr)
    return 0


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import words
    from console.core.clock import from_text
    from console.core.export import summary_dict

    query = ctx.query(args.query) if args.query else None
    if args.view:
        from console.core.views import find

        query = find(ctx.views(), args.view).query.combined(query)
    queue = QueueFilter(
        query=query,
        line=args.line,
        priority=args.priority,
        court=args.court,
        assignee=args.assignee,
        text=args.search,
        statuses=tuple(args.status) if args.status else () if args.undelivered else OPEN_STATUSES,
        needs_customer_contact=args.needs_contact,
        undelivered=args.undelivered,
    )
    with ctx.open_store(read_only=True) as store:
        rows = store.tickets(queue, limit=args.limit, offset=args.offset)
        now = store.clock()
    if args.json:
        print_json([summary_dict(t) for t in rows])
        return 0
    for t in rows:
        court = "OUR MOVE" if t.court == CourtChoice.US else t.court.value
        age = words.span((now - from_text(t.created_at)).total_seconds())
        print(
            f"#{t.id:<7} {t.priority} {t.line} {court:<8} {t.status:<7} "
            f"{age:>9} {one_line(t.requester, 30):<30} "
            f"{one_line(t.subject, 80)}"
        )
    return 0


def run_views(ctx: Context, args: argparse.Namespace) -> int:
    views = ctx.views()
    with ctx.open_store(read_only=True) as store:
        counts = [store.count(QueueFilter(query=view.query)) for view in views]
    if args.json:
        print_json(
            [
                {"name": v.name, "query": v.text, "count": n, "source": v.source}
                for v, n in zip(views, counts, strict=True)
            ]
        )
        return 0
    if not views:
        print('no saved views: add [views] to the team config, e.g. "Outage" = "tag:outage"')
    for view, count in zip(views, counts, strict=True):
        print(f"{one_line(view.name, 30):<30} {count:>9,}  {one_line(view.text, 80)}")
    return 0


_LINK_WORDS = {
    LinkKind.MERGED: ("merged into", "merged here:"),
    LinkKind.PARENT: ("hangs on parent problem", "child ticket"),
    LinkKind.SPLIT: ("split off", "split into"),
    LinkKind.FOLLOW_UP: ("follows up on", "followed up by"),
}


def context_lines(context: TicketContext, zone: Any) -> list[str]:
    """One line each for what surrounds the ticket, only what it has."""
    from console.core import words
    from console.core.clock import from_text

    now, clocks = context.now, context.clocks
    lines = []
    for d in context.deadlines:
        lines.append(
            f"SLA: {words.deadline(d.kind, d.left_seconds)} ({words.when(d.due, now, zone)})"
        )
    if context.breaches:
        lines.append("missed: " + ", ".join(b.kind.words for b in context.breaches))
    if clocks.vendor:
        lines.append(
            f"vendor: {one_line(clocks.vendor)}, case {one_line(clocks.vendor_case or '-')}"
        )
    if clocks.followup_due_at:
        note = one_line(clocks.followup_note or "")
        due = words.when(from_text(clocks.followup_due_at), now, zone)
        lines.append(f"follow-up due {due}" + (f": {note}" if note else ""))
    if context.handoff:
        h = context.handoff
        lines.append(
            f"hand-off {h.from_line} → {h.to_line} by {one_line(h.actor)}: {one_line(h.note, 200)}"
        )
    for question in context.open_questions:
        lines.append(
            f"{one_line(question.asked_by)} asks the front line: {one_line(question.question, 200)}"
        )
    for link in context.links:
        mine = link.ticket_id == context.ticket_id
        forward, backward = _LINK_WORDS.get(link.kind, (link.kind.value, link.kind.value))
        lines.append(f"{forward} #{link.other_id}" if mine else f"{backward} #{link.ticket_id}")
    if context.child_count:
        lines.append(f"parent problem of {context.child_count} tickets")
    if context.tags:
        lines.append("tags: " + ", ".join(one_line(t) for t in context.tags))
    for group in context.checklists:
        done = sum(1 for item in group.items if item.answered)
        lines.append(f"checklist {group.checklist}: {done} of {len(group.items)} answered")
    for other in context.presence:
        lines.append(f"{one_line(other.agent)} is {other.activity.value} it now")
    if context.files:
        lines.append("files: " + ", ".join(_file_words(f) for f in context.files))
    return lines


def _file_words(file: FileInfo) -> str:
    from console.core.words import size

    kept = "" if file.kept else ", not kept: too large"
    return f"{file.number} {one_line(file.filename, 60)} ({size(file.size)}{kept})"


_KIND_WORDS = {"customer": "the customer wrote", "reply": "reply", "note": "internal note"}


def run_show(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import words
    from console.core.clock import from_text
    from console.core.context import load_context
    from console.core.export import context_dict, ticket_dict
    from console.core.ticket_types import type_words
    from console.core.triage import priority_words
    from console.core.words import CHANNEL_WORDS, COURT_WORDS

    with ctx.desk(read_only=True) as desk:
        store = desk.store
        context = load_context(store, args.ticket, desk.policy, viewer=ctx.agent)
        ticket = context.ticket
        messages, events = store.messages(ticket.id), store.events(ticket.id)
        zone, sending, matrix = desk.policy.zone, desk.mail.sending, desk.policy.matrix
        kind = f" · {type_words(ticket.ticket_type, desk.team.types)}" if ticket.ticket_type else ""
    if args.json:
        print_json({**ticket_dict(ticket, messages, events), **context_dict(context)})
        return 0
    now = context.now
    print(f"#{ticket.id} {one_line(ticket.subject)}")
    why = priority_words(ticket.priority, ticket.impact, ticket.urgency, matrix)
    print(
        f"{ticket.priority}{f' ({why})' if why else ''} {ticket.line} · {ticket.status}{kind} · "
        f"{COURT_WORDS[ticket.court]} · "
        f"{'assigned to ' + one_line(ticket.assignee) if ticket.assignee else 'unassigned'}"
    )
    came = f" {CHANNEL_WORDS[ticket.channel]}" if ticket.channel else ""
    print(
        f"from {one_line(ticket.requester)}, {words.when(from_text(ticket.created_at), now, zone)}"
        f"{came}"
    )
    for line in context_lines(context, zone):
        print(line)
    print()
    print(_customer_text(ticket.body, args.quoted, ticket.id))
    for m in messages:
        when = words.when(from_text(m.created_at), now, zone)
        sent = context.deliveries.get(m.id)
        came = one_line(words.how_sent(m.channel, sent, now, zone, sending=sending), 160)
        print(f"\n--- {_KIND_WORDS[m.kind.value]}, {one_line(m.author)}, {when}{came}")
        print(
            _customer_text(m.body, args.quoted, ticket.id)
            if m.kind == "customer"
            else visible(m.body)
        )
    print("\n--- what happened")
    for e in events:
        when = words.when(from_text(e.at), now, zone)
        print(f"{when}  {one_line(event_words(e.actor, e.action, e.before, e.after, e.detail))}")
    return 0


def _customer_text(body: str, quoted: bool, ticket_id: int) -> str:
    """A customer's words, their mail program's quotes and signature folded unless asked."""
    from console.core.mail.quotes import fold

    folded = fold(body)
    if quoted or not folded.quoted:
        return visible(body)
    lines = folded.quoted_lines
    return (
        f"{visible(folded.said)}\n[{lines} quoted line{'s' if lines != 1 else ''} folded;"
        f" `console show {ticket_id} --quoted` shows them]"
    )


def event_words(
    actor: str, action: EventAction, before: str | None, after: str | None, detail: str | None
) -> str:
    """One event of the log as a sentence ("alice escalated L1 → L2: ...")."""
    from console.core.history import describe

    return describe(actor, action, before, after, detail)
