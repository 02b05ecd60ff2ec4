"""Lines and the team: `escalate`, `deescalate`, `take`, `assign`, `ask-front`, `answer-front`,
`who` (presence) and `agents` (the team config as the console reads it)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from console.cli.context import Context, print_json
from console.cli.tickets import choice, ticket_number, ticket_verb
from console.core import escalation, operations, presence
from console.core.errors import InvalidInput
from console.core.export import summary_dict
from console.core.model import Line


def register(commands: argparse._SubParsersAction) -> None:
    for verb, helptext, run in (
        ("escalate", "hand the ticket to a higher line", run_escalate),
        ("deescalate", "hand the ticket back to a lower line", run_deescalate),
    ):
        parser = commands.add_parser(verb, help=helptext)
        parser.add_argument("ticket", type=ticket_number)
        parser.add_argument("--to", type=choice(Line, "line"), help="default: the next line")
        parser.add_argument(
            "--note", required=True, help="what was tried, what is known, what is asked"
        )
        parser.add_argument("--json", action="store_true")
        if verb == "escalate":
            parser.add_argument(
                "--override",
                metavar="REASON",
                help="escalate although required checklist questions are open",
            )
        parser.set_defaults(run=run)

    ticket_verb(commands, "take", "assign the ticket to yourself", run_take)

    assign = ticket_verb(commands, "assign", "assign the ticket to an agent", run_assign)
    assign.add_argument("assignee", metavar="AGENT", help="an agent's login, or - for nobody")

    ask = ticket_verb(
        commands, "ask-front", "ask the front line to put a question to the customer", run_ask_front
    )
    ask.add_argument("--question", required=True)

    answer = ticket_verb(
        commands,
        "answer-front",
        "record the customer's answer to a back-line question",
        run_answer_front,
    )
    answer.add_argument("--answer", required=True)
    answer.add_argument("--question-id", type=int, help="default: the oldest open question")

    ticket_verb(commands, "who", "who has the ticket open or is replying now", run_who)

    agents = commands.add_parser("agents", help="the team as the config defines it")
    agents.add_argument("--json", action="store_true")
    agents.set_defaults(run=run_agents)


def _print_ticket(ticket, as_json: bool, said: str) -> int:
    if as_json:
        print_json(summary_dict(ticket))
    else:
        print(f"#{ticket.id} {said}")
    return 0


def run_escalate(ctx: Context, args: argparse.Namespace) -> int:
    me = ctx.me()
    with ctx.open_store() as store:
        ticket = escalation.escalate(
            store, me, args.ticket, args.note, to_line=args.to, override_reason=args.override
        )
    return _print_ticket(ticket, args.json, f"escalated to {ticket.line}")


def run_deescalate(ctx: Context, args: argparse.Namespace) -> int:
    me = ctx.me()
    with ctx.open_store() as store:
        ticket = escalation.deescalate(store, me, args.ticket, args.note, to_line=args.to)
    return _print_ticket(ticket, args.json, f"handed back to {ticket.line}")


def run_take(ctx: Context, args: argparse.Namespace) -> int:
    me = ctx.me()
    with ctx.open_store() as store:
        ticket = escalation.take(store, me, args.ticket)
    return _print_ticket(ticket, args.json, f"assigned to {ticket.assignee}")


def run_assign(ctx: Context, args: argparse.Namespace) -> int:
    team = ctx.team()
    assignee = None if args.assignee == "-" else args.assignee
    if assignee is not None and team.agents and assignee not in team.agents:
        known = ", ".join(sorted(team.agents))
        raise InvalidInput(f"unknown agent {assignee!r}: the team config lists {known}")
    with ctx.open_store() as store:
        ticket = operations.assign(store, ctx.agent, args.ticket, assignee)
    return _print_ticket(ticket, args.json, f"assigned to {ticket.assignee or 'nobody'}")


def run_ask_front(ctx: Context, args: argparse.Namespace) -> int:
    me = ctx.me()
    with ctx.open_store() as store:
        asked = escalation.ask_front(store, me, args.ticket, args.question)
    if args.json:
        print_json(asdict(asked))
    else:
        print(
            f"#{args.ticket} question {asked.id} is in the front line's "
            "'Needs customer contact' queue"
        )
    return 0


def run_answer_front(ctx: Context, args: argparse.Namespace) -> int:
    me = ctx.me()
    with ctx.open_store() as store:
        answered = escalation.answer_front(store, me, args.ticket, args.answer, args.question_id)
    if args.json:
        print_json(asdict(answered))
    else:
        print(f"#{args.ticket} answer recorded as a note for {answered.asked_by}")
    return 0


def run_who(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        store.ticket(args.ticket)  # an unknown ticket is an error, not an empty list
        here = presence.on_ticket(store, args.ticket)
    if args.json:
        print_json([asdict(p) for p in here])
    else:
        for p in here:
            print(f"{p.agent} {p.activity} (seen {p.seen_at})")
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
            print(f"{r['login']:<12} {r['name']:<24} {'/'.join(r['lines']):<12} {r['role']}")
    return 0
