"""What a ticket action is: declared once, turned into a CLI verb, a key, a line of help and a
palette command.

A `TicketAction` names the core operation (`run`), who may use it (`rule`), the values it
needs (`params`: how each is typed on the command line, asked for on the screen and read),
its key and its titles. The command line builds its verbs from the declarations, the ticket
screen its bindings, the key help and the palette; a parity test keeps them all in step.

The rule is stated here for the screens (a key an agent may not use is not offered) and
enforced by the core operation itself (`workflow`), so a road that forgets to ask cannot
skip it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from console.core.errors import InvalidInput
from console.core.model import Choice, Ticket

if TYPE_CHECKING:  # declarations stay cheap to import: the command line builds its verbs
    from console.core.context import TicketContext  # from them before it knows which one runs
    from console.core.desk import Desk
    from console.core.team import Agent


class Rule(Enum):
    """Who may use an action or give a value."""

    ANYONE = "anyone"
    TALKS_TO_CUSTOMERS = "agents on a line that talks to customers, and leads"
    """Anything a customer will read."""
    BACK_LINE = "agents on a line that does not talk to customers"
    """Asking the front line to talk to the customer for them."""

    def allows(self, agent: Agent) -> bool:
        if self is Rule.TALKS_TO_CUSTOMERS:
            return agent.talks_to_customers
        if self is Rule.BACK_LINE:
            return not agent.talks_to_customers
        return True


class Kind(Enum):
    """How a value is typed and asked for."""

    TEXT = "text"
    """One line."""
    LONG_TEXT = "long text"
    """Several lines: a message, a note, a hand-off."""
    CHOICE = "choice"
    """One of the param's `choices`."""
    WHEN = "when"
    """A moment in the team's time: "tue 12:00", "tomorrow 9:00", "+2h"."""
    MINUTES = "minutes"
    """A whole number of minutes: "45m", "2h", "1h30m"."""
    NUMBER = "number"
    """A number such as a ticket's: "42" or "#42"."""
    FLAG = "flag"
    """Yes or no."""
    NUMBERS = "numbers"
    """Several positions: "3,4" or "2-4"."""
    TAGS = "tags"
    """Tags to add and remove: "+outage -billing vpn"."""
    TICKET_TYPE = "ticket type"
    """One of the team's ticket types, or "none" (the set is the team config's)."""


@dataclass(frozen=True)
class Param:
    name: str
    """The operation's keyword, and the CLI option's name."""
    kind: Kind
    prompt: str
    """What the ticket screen asks."""
    help: str = ""
    """What the command line's help says of it."""
    required: bool = True
    positional: bool = False
    """On the command line an argument rather than an option (`--name`)."""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, label) for a choice."""
    convert: type[Choice] | None = None
    """The enum a choice's value becomes."""
    stdin: bool = False
    """A long text read from standard input when the option is not given."""
    rule: Rule = Rule.ANYONE
    """Who may give this value (the screen does not ask the others)."""
    metavar: str | None = None

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    def choices_for(self, desk: Desk) -> tuple[tuple[str, str], ...]:
        """(value, label) for what may be chosen: the declared choices, or the team's types."""
        if self.kind == Kind.TICKET_TYPE:
            from console.core.ticket_types import NO_TYPE

            return (*desk.team.types.items(), (NO_TYPE, "Not typed yet"))
        return self.choices

    @property
    def shown(self) -> str:
        """How an error names the value: the option, or the argument."""
        return self.metavar or self.name.upper() if self.positional else self.option

    def parse(self, given: Any, desk: Desk) -> Any:
        """The value the operation takes, from what was typed (None: not given). Refused with
        a message that names the value."""
        if self.kind == Kind.FLAG:
            return bool(given)
        if given is None or (isinstance(given, str) and not given.strip()):
            if not self.required:
                return None
            what = f"{self.shown}: {self.prompt.rstrip('?:').lower()} is empty"
            if self.stdin:
                what += f": give {self.option} TEXT or pipe it on standard input"
            raise InvalidInput(what)
        text = str(given) if self.kind == Kind.LONG_TEXT else str(given).strip()
        try:
            return _READERS[self.kind](self, text, desk)
        except InvalidInput as error:
            raise InvalidInput(f"{self.shown}: {error}") from None


def _choice(param: Param, text: str, desk: Desk) -> Any:
    choices = param.choices_for(desk)
    for value, _label in choices:
        if value.lower() == text.lower():
            return param.convert(value) if param.convert else value
    allowed = ", ".join(value for value, _ in choices)
    raise InvalidInput(f"{text!r} is not one of {allowed}")


def _minutes(param: Param, text: str, desk: Desk) -> int:
    from console.core.sla import parse_duration

    seconds = parse_duration(text, "")
    if seconds < 60 or seconds % 60:
        raise InvalidInput(f"{text!r} is not a whole number of minutes (use e.g. 30m, 2h, 1h30m)")
    return seconds // 60


def _number(param: Param, text: str, desk: Desk) -> int:
    number = text.lstrip("#")
    if not number.isascii() or not number.isdigit() or int(number) < 1 or len(number) > 18:
        raise InvalidInput(f"{text!r} is not a number such as 42")
    return int(number)


def _numbers(param: Param, text: str, desk: Desk) -> list[int]:
    chosen: list[int] = []
    for part in text.replace(",", " ").split():
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise InvalidInput(f"{part!r} is not a position (give e.g. 3,4 or 2-4)")
        chosen += range(int(first), int(last or first) + 1)
    if not chosen or min(chosen) < 1:
        raise InvalidInput("positions start at 1 (give e.g. 3,4 or 2-4)")
    return sorted(set(chosen))


def _tags(param: Param, text: str, desk: Desk) -> tuple[list[str], list[str]]:
    add: list[str] = []
    remove: list[str] = []
    for word in text.replace(",", " ").split():
        (remove if word[:1] in ("-", "~") else add).append(word.lstrip("+-~"))
    if not any(add) and not any(remove):
        raise InvalidInput("name a tag to add (+tag) or remove (-tag)")
    return add, remove


def _when(text: str, desk: Desk) -> Any:
    from console.core.when import parse_due

    return parse_due(text, desk.now(), desk.policy.zone)


_READERS: dict[Kind, Callable[[Param, str, Desk], Any]] = {
    Kind.TEXT: lambda param, text, desk: text,
    Kind.LONG_TEXT: lambda param, text, desk: text,
    Kind.CHOICE: _choice,
    Kind.WHEN: lambda param, text, desk: _when(text, desk),
    Kind.MINUTES: _minutes,
    Kind.NUMBER: _number,
    Kind.NUMBERS: _numbers,
    Kind.TAGS: _tags,
    Kind.TICKET_TYPE: _choice,
}


@dataclass(frozen=True)
class Outcome:
    """What an action did: the ticket to show next, one line saying so, and more for
    `--json`."""

    ticket: Ticket
    said: str
    data: dict[str, Any] = field(default_factory=dict)
    copy: str | None = None
    """Text for the clipboard: each road copies it its own way (OSC 52, the local
    clipboard)."""


Run = Callable[..., Outcome]
"""`run(desk, ticket_id, *, expected_version, **values) -> Outcome`."""


@dataclass(frozen=True)
class TicketAction:
    id: str
    """Stable: bindings are `ticket.<id>` (what a `[keys]` table remaps), tests use it."""
    key: str
    """The key on the ticket screen. Actions sharing a key are offered together (paid work:
    estimate, approved, refused), each to whom its rule allows."""
    title: str
    """The footer's and the palette's name for it."""
    help: str
    """One line: what it does. The key help and the palette show it, the CLI's help too."""
    verb: tuple[str, ...]
    """The command line verb: ("reply",), or ("checklist", "attach") for a verb of a group."""
    run: Run
    params: tuple[Param, ...] = ()
    rule: Rule = Rule.ANYONE
    area: str = ""
    """Its group in the key help."""
    footer: bool = False
    """Shown in the footer (the most used ones)."""
    confirm: str | None = None
    """A question the screen asks before acting ("{ticket}" is the ticket's number)."""
    writes: bool = True
    """False for an action that only reads (copying the ticket)."""
    applies: Callable[[TicketContext], bool] | None = None
    """Whether it makes sense on this ticket now (confirming needs a solved ticket); the
    palette and a shared key offer only those. None: always."""
    ticket_last: bool = False
    """On the command line the ticket's number follows the positional values
    (`console macro apply ID N`)."""
    bulk: bool = False
    """It makes sense on many tickets at once: the command line takes several numbers or
    `--query`, and on the queue screen it applies to the marked tickets."""

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def allows(self, agent: Agent) -> bool:
        return self.rule.allows(agent)

    def applies_to(self, context: TicketContext) -> bool:
        return self.applies is None or self.applies(context)

    def perform(
        self, desk: Desk, ticket_id: int, values: dict[str, Any], *, expected_version: int | None
    ) -> Outcome:
        """Run the operation with values already parsed (`Param.parse`)."""
        return self.run(desk, ticket_id, expected_version=expected_version, **values)
