"""The clocks and the queues that say what to do next: `sla`, `tick` and `queue`. (The verbs
that change a ticket come from the action declarations: see `cli.actions`.)"""

from __future__ import annotations

import argparse
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from console.cli.actions import OFFSET, PAGE_LIMIT, ticket_number
from console.cli.context import Context, print_json
from console.core.model import QueueFilter, QueueTimer
from console.core.sla import SlaPolicy
from console.core.text import one_line

if TYPE_CHECKING:
    from console.core.context import TicketContext
    from console.core.queues import ClockRow


QUEUE_NAMES = (*(t.value for t in QueueTimer), "contact", "undelivered")


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("sla", help="a ticket's clocks and deadlines")
    p.add_argument("ticket", type=ticket_number, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_sla)

    p = commands.add_parser(
        "tick",
        help="run the timers: breaches, reminders, nudges, auto-close (safe to run again)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_tick)

    p = commands.add_parser(
        "queue", help="the Due, Nudge, Breach, Needs customer contact and Undelivered queues"
    )
    p.add_argument("name", choices=QUEUE_NAMES, metavar="|".join(QUEUE_NAMES))
    p.add_argument("--limit", type=PAGE_LIMIT, default=50)
    p.add_argument("--offset", type=OFFSET, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_queue)


def run_sla(ctx: Context, args: argparse.Namespace) -> int:
    from console.core.context import load_context
    from console.core.export import clocks_dict

    with ctx.desk(read_only=True) as desk:
        context = load_context(desk.store, args.ticket, desk.policy)
    if args.json:
        print_json(clocks_dict(context))
        return 0
    for line in clock_lines(context, desk.policy.zone):
        print(line)
    return 0


def clock_lines(context: TicketContext, zone: tzinfo) -> list[str]:
    """A ticket's clocks in words, one line each."""
    from console.core import words
    from console.core.clock import from_text
    from console.core.words import COURT_WORDS

    clocks, now = context.clocks, context.now
    since = from_text(clocks.clock_since or clocks.created_at)
    lines = [
        f"#{context.ticket_id} {clocks.status} · {COURT_WORDS[clocks.court]} since "
        f"{words.when(since, now, zone)} · {words.span(context.counted_seconds)} of our "
        "time counted"
    ]
    for d in context.deadlines:
        lines.append(f"  {words.deadline(d.kind, d.left_seconds)} ({words.when(d.due, now, zone)})")
    if not context.deadlines:
        lines.append("  clocks stopped: the move is not ours")
    if context.breaches:
        lines.append("  missed: " + ", ".join(b.kind.words for b in context.breaches))
    if clocks.followup_due_at:
        due = words.when(from_text(clocks.followup_due_at), now, zone)
        note = f": {one_line(clocks.followup_note, 60)}" if clocks.followup_note else ""
        lines.append(f"  follow-up due {due}{note}")
    return lines


def queue_row_words(
    row: ClockRow, name: str, now: datetime, policy: SlaPolicy, asked: str | None
) -> str:
    """What a workflow queue shows beside a ticket: the promise, the silence, the deadline,
    or the question asked."""
    from console.core import words
    from console.core.clock import from_text

    if name == QueueTimer.DUE:
        due = (
            words.when(from_text(row.followup_due_at), now, policy.zone)
            if (row.followup_due_at)
            else "?"
        )
        return f"due {due} {one_line(row.followup_note or '', 20)}".rstrip()
    if name == QueueTimer.NUDGE:
        return words.silent_for(from_text(row.clock_since or row.created_at), now)
    if name == "contact":
        return f"asks: {one_line(asked or '', 30)}"
    if name == "undelivered":
        return f"failed: {one_line(asked or '', 26)}"
    if row.sla_due_at and row.sla_kind:
        left = int((from_text(row.sla_due_at) - now).total_seconds())
        return words.deadline(row.sla_kind, left)
    return "clocks stopped"


def run_tick(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import timers

    with ctx.desk() as desk:
        report = timers.tick(desk)
    if args.json:
        print_json(report.as_dict())
        return 0
    print(
        f"clocks started {len(report.clocks_started)} · breaches {len(report.breaches)} · "
        f"follow-ups due {len(report.followups_due)} · nudges due "
        f"{len(report.nudges_due)} · auto-closed {len(report.auto_closed)}"
        + (f" · mail: {report.mail.words() or 'nothing to send'}" if report.mail else "")
    )
    return 0


def run_queue(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import queues
    from console.core.export import plain

    with ctx.desk(read_only=True) as desk:
        store, policy = desk.store, desk.policy
        if args.name in ("contact", "undelivered"):
            chosen = (
                QueueFilter(needs_customer_contact=True)
                if args.name == "contact"
                else QueueFilter(undelivered=True, statuses=())
            )
            summaries = store.tickets(chosen, limit=args.limit, offset=args.offset)
            ids = [t.id for t in summaries]
        else:
            ids = [
                t.id
                for t in queues.page(
                    store, policy, QueueTimer(args.name), limit=args.limit, offset=args.offset
                )
            ]
        rows = queues.clock_rows(store, ids)
        asked = queues.open_questions(store, ids) if args.name == "contact" else {}
        if args.name == "undelivered":
            from console.core.mail.delivery import failures

            asked = {i: failure for i, failure in failures(store, ids).items()}
        now = store.clock()
    if args.json:
        print_json(
            [{**plain(r.__dict__), **({"asked": asked.get(r.id)} if asked else {})} for r in rows]
        )
        return 0
    for r in rows:
        print(
            f"#{r.id:<7} {r.priority} {r.line} {r.status:<7} "
            f"{queue_row_words(r, args.name, now, policy, asked.get(r.id)):<34} "
            f"{one_line(r.subject, 60)}"
        )
    return 0
