"""The command line's ticket verbs, made from the action declarations (`core.actions`).

Each declared action becomes `console VERB N ...`: its values become arguments and options,
read with the same `Param.parse` the ticket screen uses, and the operation runs as the agent
with the team's rules. Nothing is checked here that the core does not check itself: a verb
refused by a rule is refused by the core operation. Every verb takes `--json` (the ticket's
state after the change) and `--expect-version V` (refuse if the ticket changed since)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console.cli.context import Context, print_json
from console.core.text import decode_untrusted, visible

if TYPE_CHECKING:
    from console.core.actions import TicketAction


def ticket_number(text: str) -> int:
    """argparse type for a ticket number: "42" or "#42"."""
    digits = text.lstrip("#")
    if not digits.isascii() or not digits.isdigit() or int(digits) < 1 or len(digits) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a ticket number")
    return int(digits)


def whole_number(lowest: int, highest: int) -> Callable[[str], int]:
    """argparse type for a whole number from `lowest` to `highest`."""

    def parsed(text: str) -> int:
        if not re.fullmatch(r"-?[0-9]{1,12}", text.strip()):
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
        number = int(text)
        if not lowest <= number <= highest:
            raise argparse.ArgumentTypeError(
                f"{number} is out of range: from {lowest:,} to {highest:,}"
            )
        return number

    return parsed


PAGE_LIMIT = whole_number(1, 100_000)
"""--limit: how many rows a listing prints."""
OFFSET = whole_number(0, 1_000_000_000)
"""--offset: how many rows a listing skips."""


def read_stdin() -> tuple[str, bytes | None]:
    """Piped standard input (bytes kept when not UTF-8); nothing from a terminal."""
    if sys.stdin is None or sys.stdin.isatty():
        return "", None
    return decode_untrusted(sys.stdin.buffer.read())


_REMOVAL = re.compile(r"^-[A-Za-z0-9][A-Za-z0-9._-]*$")


def tag_removals(argv: list[str]) -> list[str]:
    """`console tag N +billing -vpn`: a word such as "-vpn" after the `tag` verb removes a
    tag; argparse would take it for an option, so it is passed on as "~vpn" (which the tags
    reader also takes for a removal)."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in ("--db", "--as", "--config", "--macros") else 1
    if index >= len(argv) or argv[index] != "tag":
        return argv
    return argv[: index + 1] + [
        "~" + word[1:] if _REMOVAL.match(word) and word != "-h" else word
        for word in argv[index + 1 :]
    ]


def groups(commands: argparse._SubParsersAction) -> dict[str, argparse._SubParsersAction]:
    """The verb groups the actions need ("checklist", "macro"), made once; other modules add
    their own verbs to them."""
    from console.core.actions import ACTIONS  # only when the verb may be a ticket action

    made: dict[str, argparse._SubParsersAction] = {}
    for action in ACTIONS.values():
        if len(action.verb) > 1 and action.verb[0] not in made:
            group = commands.add_parser(action.verb[0], help=GROUP_HELP[action.verb[0]])
            made[action.verb[0]] = group.add_subparsers(
                dest=f"{action.verb[0]}_command", metavar="VERB", required=True
            )
    return made


GROUP_HELP = {
    "checklist": "clarifying questions on a ticket",
    "macro": "canned responses: list, show, apply",
    "mail": "e-mail: take it in, send the outbox, deal with undelivered mail",
    "attachment": "the files that came with a ticket's mail: list, save",
}


def register(
    commands: argparse._SubParsersAction, made: dict[str, argparse._SubParsersAction]
) -> None:
    from console.core.actions import ACTIONS

    for action in ACTIONS.values():
        where = made[action.verb[0]] if len(action.verb) > 1 else commands
        parser = where.add_parser(action.verb[-1], help=action.help, description=action.help)
        _arguments(parser, action)
        parser.set_defaults(run=_runner(action))


def _arguments(parser: argparse.ArgumentParser, action: TicketAction) -> None:
    from console.core.actions import Kind

    if not action.ticket_last:
        _ticket_argument(parser, action)
    for param in action.params:
        if param.kind == Kind.FLAG:
            parser.add_argument(param.option, dest=param.name, action="store_true", help=param.help)
        elif param.positional:
            several = "+" if param.kind == Kind.TAGS else None
            parser.add_argument(
                param.name,
                metavar=param.metavar or param.name.upper(),
                help=param.help or None,
                nargs=several or (None if param.required else "?"),
            )
        else:
            parser.add_argument(
                param.option,
                dest=param.name,
                help=param.help or None,
                metavar=param.metavar or param.name.upper(),
            )
    if action.ticket_last:
        _ticket_argument(parser, action)
    if action.bulk:
        parser.add_argument(
            "--query",
            "-q",
            metavar="QUERY",
            help="every ticket the query finds (as `console list --query`), instead of N",
        )
    if action.id in COPYABLE:
        parser.add_argument(
            "--copy", action="store_true", help="also copy the text to the clipboard"
        )
    if action.writes:
        parser.add_argument(
            "--expect-version",
            type=whole_number(1, 2**62),
            metavar="V",
            help="refuse if the ticket changed since version V",
        )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _ticket_argument(parser: argparse.ArgumentParser, action: TicketAction) -> None:
    if action.bulk:
        parser.add_argument(
            "ticket", nargs="*", metavar="N", help="the ticket's number; several for many"
        )
    else:
        parser.add_argument("ticket", type=ticket_number, metavar="N")


COPYABLE = frozenset({"macro"})
"""Actions whose text may also be copied with --copy (the copy action always copies)."""


def _values(action: TicketAction, args: argparse.Namespace, desk: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in action.params:
        given = getattr(args, param.name)
        if isinstance(given, list):
            given = " ".join(given)
        if param.stdin and given is None:
            text, raw = read_stdin()
            given = text or None
            if raw is not None:
                values["body_raw"] = raw
        values[param.name] = param.parse(given, desk)
    return {k: v for k, v in values.items() if v is not None}


def _runner(action: TicketAction) -> Any:
    def run(ctx: Context, args: argparse.Namespace) -> int:
        if action.bulk:
            numbers = _numbers(action, args)
            if args.query is not None or len(numbers) != 1:
                return _run_many(ctx, args, action, numbers)
            args.ticket = numbers[0]
        with ctx.desk(read_only=not action.writes) as desk:
            values = _values(action, args, desk)
            outcome = action.perform(
                desk,
                args.ticket,
                values,
                expected_version=getattr(args, "expect_version", None),
            )
            data = _state(desk, outcome) if args.json else {}
        report = None
        if outcome.copy is not None and (not action.writes or getattr(args, "copy", False)):
            from console.cli.clip import copy_text, report_dict

            report = copy_text(outcome.copy)
            data["copy"] = report_dict(report)
        if args.json:
            print_json(data)
            return 0
        print(visible(outcome.said))
        if report is not None:
            print(report.summary(), file=sys.stderr)
        return 0

    return run


_NUMBER = re.compile(r"#?[0-9]+")


def more_tickets(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """Ticket numbers argparse left over, taken back: in `console macro apply ID
    --allow-missing 12 14`, it gives the numbers after an option to nobody. Returns what is
    still unknown."""
    if extra and isinstance(getattr(args, "ticket", None), list):
        if all(_NUMBER.fullmatch(word) for word in extra):
            args.ticket.extend(extra)
            return []
    return extra


def _numbers(action: TicketAction, args: argparse.Namespace) -> list[int]:
    """The ticket numbers given. argparse hands the words of `console tag 12 14 +outage
    +vpn` over as tickets [12, 14, +outage] and tags [+vpn]: the words after the numbers go
    back to the values they are."""
    from console.core.actions import Kind
    from console.core.errors import InvalidInput

    words: list[str] = list(args.ticket)
    several = next((p for p in action.params if p.positional and p.kind == Kind.TAGS), None)
    if several is not None:
        while words and not _NUMBER.fullmatch(words[-1]):
            getattr(args, several.name).insert(0, words.pop())
    numbers = []
    for word in words:
        try:
            numbers.append(ticket_number(word))
        except argparse.ArgumentTypeError as error:
            raise InvalidInput(f"N: {error}") from None
    if numbers and args.query is not None:
        raise InvalidInput("give ticket numbers or --query, not both")
    if not numbers and args.query is None:
        raise InvalidInput("N: give the ticket's number (several for many), or --query")
    return numbers


def _run_many(
    ctx: Context, args: argparse.Namespace, action: TicketAction, numbers: list[int]
) -> int:
    """The action on each ticket in turn, each with its own checks; says what was done and
    what was refused, and exits 1 when anything was refused."""
    from console.core import bulk
    from console.core.errors import InvalidInput
    from console.core.model import QueueFilter

    if getattr(args, "expect_version", None) is not None:
        raise InvalidInput("--expect-version is for one ticket; give one number")
    with ctx.desk(read_only=not action.writes) as desk:
        values = _values(action, args, desk)
        targets: list[tuple[int, int | None]] = [(n, None) for n in numbers]
        if args.query is not None:
            queue = QueueFilter(query=ctx.query(args.query))
            targets = list(bulk.matching(desk.store, queue))
        result = bulk.perform_many(desk, action, targets, values)
        done = [_state(desk, outcome) for outcome in result.done] if args.json else []
    if args.json:
        refused = [{"id": r.ticket_id, "error": r.reason} for r in result.refused]
        print_json({"done": done, "refused": refused, "summary": result.summary})
    else:
        for outcome in result.done:
            print(visible(outcome.said))
        for refusal in result.refused:
            print(f"#{refusal.ticket_id}: refused: {visible(refusal.reason)}")
        print(result.summary if targets else "no tickets match the query")
    return 1 if result.refused else 0


def _state(desk: Any, outcome: Any) -> dict[str, Any]:
    """For `--json`: the ticket after the change, its workflow state, and what was done."""
    from console.core.context import load_context
    from console.core.export import clocks_dict, summary_dict

    state = clocks_dict(load_context(desk.store, outcome.ticket.id, desk.policy))
    return {**summary_dict(outcome.ticket), **state, **outcome.data, "done": outcome.said}
