"""The workflow verbs: `customer`, `reply`, `note`, `court`, `vendor-answer`, `followup`,
`solve`, `confirm`, `close`, `rate`, `nudge`, `bill`, `approve`, `refuse`, `log-time`, `sla`,
`tick` and `queue`. Each is a thin twin of a `core.workflow` operation, so a script can do
whatever an agent does in the TUI."""

from __future__ import annotations

import argparse
from typing import Any

from console.cli.context import Context, print_json
from console.cli.tickets import read_body, ticket_number
from console.core import config, queues, timers, workflow
from console.core.clock import from_text
from console.core.errors import InvalidInput
from console.core.export import clocks_dict, summary_dict
from console.core.model import Court, Ticket
from console.core.sla import SlaPolicy, badge, parse_duration
from console.core.store import Store
from console.core.team import require_customer_contact
from console.core.text import one_line
from console.core.when import parse_due


def policy(args: argparse.Namespace) -> SlaPolicy:
    """The SLA policy of the team config (--config or CONSOLE_CONFIG), or the built-in one."""
    return config.sla_policy(getattr(args, "config", None))


def _minutes(text: str, what: str) -> int:
    seconds = parse_duration(text, what)
    if seconds < 60 or seconds % 60:
        raise InvalidInput(
            f"{what}: {text!r} is not a whole number of minutes (use e.g. 30m, 2h, 1h30m)"
        )
    return seconds // 60


def _body_text(args: argparse.Namespace, what: str) -> tuple[str, bytes | None]:
    body, raw = read_body(args)
    if not body.strip() and raw is None:
        raise InvalidInput(f"{what} is empty: give --body TEXT or pipe it on stdin")
    return body, raw


def _done(
    ctx: Context, args: argparse.Namespace, store: Store, ticket: Ticket, sla_policy: SlaPolicy
) -> int:
    """Print what a change left: the ticket's state (JSON with --json)."""
    data = clocks_dict(store, ticket.id, sla_policy)
    if getattr(args, "json", False):
        print_json({**summary_dict(ticket), **data})
        return 0
    move = "OUR MOVE" if ticket.court == Court.US else f"{ticket.court}'s move"
    line = f"#{ticket.id} {ticket.status} · {move}"
    if data["sla"]["due_at"]:
        line += (
            f" · {data['sla']['kind']} due {data['sla']['due_at']} "
            f"({data['sla']['state']}, {data['sla']['left']})"
        )
    if data["approval"] == "pending":
        line += " · awaiting approval"
    elif data["approval"]:
        line += f" · billable work {data['approval']}"
    print(line)
    return 0


def _speaks_to_customer(ctx: Context) -> None:
    """Third-line and vendor-line agents never write to the customer (see core.team)."""
    require_customer_contact(ctx.me())


def _changer(fn: Any, public: bool = False) -> Any:
    """Wrap a verb body `fn(ctx, store, args, policy) -> Ticket` into a `run(ctx, args)`;
    `public` verbs send the customer a message, so only the front lines may use them."""

    def run(ctx: Context, args: argparse.Namespace) -> int:
        sla_policy = policy(args)
        if public or getattr(args, "message", None):
            _speaks_to_customer(ctx)
        with ctx.open_store() as store:
            ticket = fn(ctx, store, args, sla_policy)
            return _done(ctx, args, store, ticket, sla_policy)

    return run


def _parser(
    commands: argparse._SubParsersAction,
    name: str,
    help_text: str,
    fn: Any,
    *,
    body: bool = False,
    public: bool = False,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text)
    parser.add_argument("ticket", type=ticket_number)
    if body:
        parser.add_argument("--body", help="the text (read from stdin when absent)")
    parser.add_argument("--json", action="store_true", help="print the ticket's state as JSON")
    parser.set_defaults(run=_changer(fn, public))
    return parser


def register(commands: argparse._SubParsersAction) -> None:
    p = _parser(
        commands,
        "customer",
        "record what the customer said (mail, phone, chat)",
        _customer,
        body=True,
    )
    p.add_argument(
        "--from", dest="author", metavar="WHO", help="who said it (default: the ticket's requester)"
    )

    p = _parser(
        commands,
        "reply",
        "send a public reply; the move becomes the customer's",
        _reply,
        body=True,
        public=True,
    )
    p.add_argument(
        "--keep-court",
        action="store_true",
        help="the reply asked nothing: the next move stays ours",
    )

    _parser(commands, "note", "add an internal note (the customer never sees it)", _note, body=True)

    p = _parser(commands, "court", "put the ball in a court, saying why", _court)
    p.add_argument("court", metavar="us|customer|vendor")
    p.add_argument("--reason", required=True, help="why the move changes hands")
    p.add_argument("--vendor", metavar="NAME", help="the vendor (moving to a vendor)")
    p.add_argument("--case", metavar="REF", help="the vendor's case number")

    p = _parser(
        commands,
        "vendor",
        "hand the case to a vendor; the move becomes theirs",
        lambda c, s, a, pol: workflow.hand_to_vendor(
            s, c.agent, a.ticket, a.vendor, a.case, reason=a.reason, policy=pol
        ),
    )
    p.add_argument("--vendor", required=True, metavar="NAME", help="the vendor")
    p.add_argument("--case", required=True, metavar="REF", help="the vendor's case number")
    p.add_argument("--reason", help="why it goes to the vendor")

    _parser(
        commands,
        "vendor-answer",
        "the vendor answered: the move is ours again",
        lambda c, s, a, pol: workflow.vendor_answer(s, c.agent, a.ticket, a.body, policy=pol),
    ).add_argument("--body", help="their answer, kept as an internal note")

    p = _parser(commands, "followup", "promise to get back by a time (a due reminder)", _followup)
    p.add_argument(
        "--due",
        metavar="WHEN",
        help='"2026-11-24 12:00", "tomorrow 12:00", "tue 12:00", "+2h", "+1d"',
    )
    p.add_argument("--note", help="what was promised")
    p.add_argument("--done", action="store_true", help="the promise was kept: clear it")

    _parser(
        commands,
        "solve",
        "mark solved and ask the customer to confirm",
        lambda c, s, a, pol: workflow.solve(s, c.agent, a.ticket, a.body, policy=pol),
        public=True,
    ).add_argument("--body", help="the reply (default: a request to confirm)")
    _parser(
        commands,
        "confirm",
        "the customer confirmed the solution: close the ticket",
        lambda c, s, a, pol: workflow.confirm(s, c.agent, a.ticket, policy=pol),
    )
    p = _parser(
        commands,
        "close",
        "close the ticket",
        lambda c, s, a, pol: workflow.close(
            s, c.agent, a.ticket, a.reason, message=a.message, policy=pol
        ),
    )
    p.add_argument("--reason", help="why (kept in the event log)")
    p.add_argument("--message", help="a closing message to send to the customer")

    p = _parser(commands, "rate", "record the customer's satisfaction, 1 to 5", _rate)
    p.add_argument("score", metavar="SCORE")
    p.add_argument("--comment", help="what the customer said about it")

    _parser(
        commands,
        "nudge",
        "remind a silent customer (the canned nudge by default)",
        lambda c, s, a, pol: workflow.nudge(s, c.agent, a.ticket, a.body),
        public=True,
    ).add_argument("--body", help="the reminder (default: the canned nudge)")

    p = _parser(
        commands,
        "bill",
        "mark billable with an estimate; it waits for approval",
        lambda c, s, a, pol: workflow.bill(
            s, c.agent, a.ticket, _minutes(a.estimate, "--estimate"), message=a.body, policy=pol
        ),
        public=True,
    )
    p.add_argument("--estimate", required=True, metavar="DURATION", help="e.g. 2h, 90m")
    p.add_argument("--body", help="the request for approval (default: a canned one)")
    for name, fn, what in (
        ("approve", workflow.approve, "approved"),
        ("refuse", workflow.refuse, "declined"),
    ):
        p = _parser(
            commands,
            name,
            f"the customer {what} the billable work",
            lambda c, s, a, pol, fn=fn: fn(s, c.agent, a.ticket, a.note, policy=pol),
        )
        p.add_argument("--note", help="what the customer said")
    p = _parser(
        commands,
        "log-time",
        "log time spent (billable needs approval first)",
        lambda c, s, a, pol: workflow.log_time(
            s,
            c.agent,
            a.ticket,
            _minutes(a.duration, "time to log"),
            billable=False if a.internal else None,
            note=a.note,
        ),
    )
    p.add_argument("duration", metavar="DURATION", help="e.g. 30m, 1h30m")
    p.add_argument("--internal", action="store_true", help="not billable")
    p.add_argument("--note", help="what was done")

    p = commands.add_parser("sla", help="a ticket's clocks and deadlines")
    p.add_argument("ticket", type=ticket_number)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_sla)

    p = commands.add_parser(
        "tick", help="run the timers: breaches, reminders, nudges, auto-close (safe to run again)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_tick)

    p = commands.add_parser("queue", help="the Due, Nudge and Breach queues")
    p.add_argument("name", choices=queues.QUEUES, metavar="due|nudge|breach")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_queue)


def _customer(ctx: Context, store: Store, args: argparse.Namespace, pol: SlaPolicy) -> Ticket:
    body, raw = _body_text(args, "the customer's message")
    return workflow.customer_message(
        store, ctx.agent, args.ticket, body, body_raw=raw, author=args.author, policy=pol
    )


def _reply(ctx: Context, store: Store, args: argparse.Namespace, pol: SlaPolicy) -> Ticket:
    body, raw = _body_text(args, "the reply")
    return workflow.reply(
        store, ctx.agent, args.ticket, body, body_raw=raw, keep_court=args.keep_court, policy=pol
    )


def _note(ctx: Context, store: Store, args: argparse.Namespace, pol: SlaPolicy) -> Ticket:
    body, raw = _body_text(args, "the note")
    return workflow.note(store, ctx.agent, args.ticket, body, body_raw=raw)


def _court(ctx: Context, store: Store, args: argparse.Namespace, pol: SlaPolicy) -> Ticket:
    return workflow.move_court(
        store,
        ctx.agent,
        args.ticket,
        args.court,
        args.reason,
        vendor=args.vendor,
        case=args.case,
        policy=pol,
    )


def _followup(ctx: Context, store: Store, args: argparse.Namespace, pol: SlaPolicy) -> Ticket:
    if args.done:
        if args.due:
            raise InvalidInput("give either --due WHEN or --done, not both")
        return workflow.clear_followup(store, ctx.agent, args.ticket)
    if not args.due:
        raise InvalidInput("say when the follow-up is due: --due WHEN (or --done)")
    due = parse_due(args.due, store.clock(), pol.zone)
    return workflow.set_followup(store, ctx.agent, args.ticket, due, args.note)


def _rate(ctx: Context, store: Store, args: argparse.Namespace, pol: SlaPolicy) -> Ticket:
    try:
        score = int(args.score)
    except ValueError:
        raise InvalidInput(
            f"rating {args.score!r} is not a number: give 1 (bad) to 5 (great)"
        ) from None
    return workflow.rate(store, ctx.agent, args.ticket, score, args.comment)


def run_sla(ctx: Context, args: argparse.Namespace) -> int:
    sla_policy = policy(args)
    with ctx.open_store() as store:
        data = clocks_dict(store, args.ticket, sla_policy)
    if args.json:
        print_json(data)
        return 0
    print(
        f"#{data['id']} {data['status']} · move: {data['court']} since {data['clock_since']}"
        f" · counted {data['counted_seconds'] // 60}m of our time"
    )
    for deadline in data["sla"]["deadlines"]:
        print(f"  {deadline['kind']:<15} due {deadline['due_at']}")
    if not data["sla"]["deadlines"]:
        print("  clocks stopped: the move is not ours")
    if data["sla"]["breached"]:
        print(f"  breached: {', '.join(k.split('@')[0] for k in data['sla']['breached'])}")
    if data["followup_due_at"]:
        print(
            f"  follow-up due {data['followup_due_at']}: "
            f"{one_line(data['followup_note'] or '', 60)}"
        )
    return 0


def run_tick(ctx: Context, args: argparse.Namespace) -> int:
    sla_policy = policy(args)
    with ctx.open_store() as store:
        report = timers.tick(store, sla_policy, ctx.agent)
    if args.json:
        print_json(report.as_dict())
        return 0
    print(
        f"clocks started {len(report.clocks_started)} · breaches {len(report.breaches)} · "
        f"follow-ups due {len(report.followups_due)} · nudges due "
        f"{len(report.nudges_due)} · auto-closed {len(report.auto_closed)}"
    )
    return 0


def run_queue(ctx: Context, args: argparse.Namespace) -> int:
    if args.limit < 1 or args.offset < 0:
        raise InvalidInput("--limit must be at least 1 and --offset at least 0")
    sla_policy = policy(args)
    with ctx.open_store() as store:
        if args.name == "due":
            rows = queues.due(store, sla_policy, limit=args.limit, offset=args.offset)
        elif args.name == "nudge":
            rows = queues.nudge(store, sla_policy, limit=args.limit, offset=args.offset)
        else:
            rows = queues.breach(store, limit=args.limit, offset=args.offset)
        now = store.clock()
    if args.json:
        print_json(
            [
                {k: (str(v) if hasattr(v, "value") else v) for k, v in r.__dict__.items()}
                for r in rows
            ]
        )
        return 0
    for r in rows:
        if args.name == "due":
            when = f"due {r.followup_due_at}  {one_line(r.followup_note or '', 30)}"
        elif args.name == "nudge":
            when = f"silent since {r.clock_since}"
        else:
            state, left = badge(from_text(r.sla_due_at) if r.sla_due_at else None, now, sla_policy)
            when = f"{state:<8} {left:>7} {r.sla_kind or ''}"
        print(f"#{r.id:<7} {r.priority} {r.line} {r.status:<7} {when}  {one_line(r.subject, 60)}")
    return 0
