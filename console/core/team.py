"""Who the agents are and what they may do.

Identity is the OS user (or `--as`). The team config maps users to a display name, the lines
they work and a role. The rules this module states (the workflow enforces them on every
change, whatever road the change came by):

- only an agent who works a line that talks to customers sends them anything; by default the
  first and second lines do (`[team] customer_lines`), while the third line and the vendor
  line stay internal and ask the front line instead (seed 001). A lead may always;
- a ticket is assigned to someone who works its line, or to a lead.

Without a config file everyone may do everything: a one-person shop is all four lines at once.
The timers act as the console itself (`SYSTEM`), never in the name of whoever's console runs
them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console.core.errors import ConsoleError, InvalidInput
from console.core.model import Line
from console.core.strict import ConfigProblem, placed, refuse_unknown
from console.core.ticket_types import DEFAULT_TYPES, types_from_config

FRONT_LINES = frozenset({Line.L1, Line.L2})
"""The lines that talk to customers unless the team config says otherwise."""
ROLES = ("agent", "lead")
SYSTEM_LOGIN = "console"


class NotAllowed(ConsoleError):
    """The agent's lines or role do not allow this action."""


@dataclass(frozen=True)
class Agent:
    login: str
    """The OS user name (or `--as`)."""
    name: str
    """How colleagues and customers see the agent."""
    lines: tuple[Line, ...] = tuple(Line)
    """The support lines the agent works, front-most first."""
    role: str = "agent"
    """"agent" or "lead"; a lead may talk to customers whatever lines they work. "system"
    for the console's own timers."""
    known: bool = True
    """False for a user the team config does not list."""
    customer_lines: frozenset[Line] = FRONT_LINES
    """The lines that talk to customers in this agent's team."""

    @property
    def talks_to_customers(self) -> bool:
        """Agents on a customer line talk to customers; so do leads and the console itself."""
        return self.role in ("lead", "system") or any(
            line in self.customer_lines for line in self.lines
        )

    @property
    def is_system(self) -> bool:
        return self.role == "system"

    @property
    def home_line(self) -> Line:
        return self.lines[0]

    def works(self, line: Line) -> bool:
        return line in self.lines


SYSTEM = Agent(login=SYSTEM_LOGIN, name="the console", role="system")
"""Who the timers act as: breaches, reminders and auto-closes belong to no agent."""


@dataclass(frozen=True)
class Team:
    agents: dict[str, Agent] = field(default_factory=dict)
    source: str | None = None
    """The config file the team came from; None when there is none."""
    customer_lines: frozenset[Line] = FRONT_LINES
    """The lines whose agents talk to customers."""
    take_on_reply: bool = True
    """A public reply on an unassigned ticket assigns it to whoever wrote it."""
    types: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TYPES))
    """The ticket types the team counts (`[types]`): name, then the words on the screen."""

    def agent(self, login: str) -> Agent:
        """The agent for `login`. Without a config: everything. Unknown in a config: first line."""
        if login == SYSTEM_LOGIN:
            return SYSTEM
        if login in self.agents:
            return self.agents[login]
        if not self.agents:
            return Agent(login=login, name=login, customer_lines=self.customer_lines)
        return Agent(
            login=login,
            name=login,
            lines=(Line.L1,),
            known=False,
            customer_lines=self.customer_lines,
        )

    def unknown_warning(self, login: str) -> str | None:
        if self.agents and login not in self.agents and login != SYSTEM_LOGIN:
            return (
                f"agent {login!r} is not in the team config {self.source}; working as a "
                "first-line agent"
            )
        return None

    def front_line_agents(self) -> list[Agent]:
        return [a for a in self.agents.values() if a.talks_to_customers]

    def check_assignee(self, login: str, line: Line) -> Agent:
        """The agent a ticket on `line` may be assigned to; refused when the team does not
        list them, or when they work neither that line nor as a lead."""
        if not self.agents:
            return self.agent(login)
        if login not in self.agents:
            known = ", ".join(sorted(self.agents))
            raise InvalidInput(f"unknown agent {login!r}: the team config lists {known}")
        agent = self.agents[login]
        if not agent.works(line) and agent.role != "lead":
            lines = "/".join(str(x) for x in agent.lines)
            raise NotAllowed(
                f"{login} works {lines}, not {line}: escalate the ticket to their line, "
                "or assign it to someone on it"
            )
        return agent


def _lines(value: Any, where: str) -> tuple[Line, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidInput(f'{where} must be a non-empty list such as ["L1"]')
    try:
        return tuple(Line.parse(str(v), "line") for v in value)
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error}") from None


def parse_team(config: dict[str, Any], source: str | None = None) -> Team:
    """The `[team]` and `[agents.LOGIN]` tables of a config; every mistake names the file and
    the key, and a key the console does not know its line too."""
    try:
        return _parse_team(config, source)
    except ConfigProblem as error:
        raise placed(error, source) from None


def _parse_team(config: dict[str, Any], source: str | None) -> Team:
    where = str(source or "config")
    settings = config.get("team", {})
    if not isinstance(settings, dict):
        raise InvalidInput(f"{where}: [team] must be a table")
    refuse_unknown(settings, ("customer_lines", "take_on_reply"), ("team",))
    take_on_reply = settings.get("take_on_reply", True)
    if not isinstance(take_on_reply, bool):
        raise InvalidInput(f"{where}: team.take_on_reply must be true or false")
    customer_lines = FRONT_LINES
    if "customer_lines" in settings:
        customer_lines = frozenset(
            _lines(settings["customer_lines"], f"{where}: team.customer_lines")
        )
    raw = config.get("agents", {})
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: [agents] must be a table of agents")
    agents: dict[str, Agent] = {}
    for login, entry in raw.items():
        key = f"agents.{login}"
        if login == SYSTEM_LOGIN:
            raise InvalidInput(f"{where}: {key}: {SYSTEM_LOGIN!r} is the console's own name")
        if not isinstance(entry, dict):
            raise InvalidInput(f"{where}: {key} must be a table (name, lines, role)")
        refuse_unknown(entry, ("name", "lines", "role"), ("agents", login))
        lines = _lines(entry.get("lines", [line.value for line in Line]), f"{where}: {key}.lines")
        role = entry.get("role", "agent")
        if role not in ROLES:
            raise InvalidInput(f"{where}: {key}.role must be one of {', '.join(ROLES)}")
        name = entry.get("name", login)
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"{where}: {key}.name must be a non-empty string")
        agents[login] = Agent(
            login=login, name=name.strip(), lines=lines, role=role, customer_lines=customer_lines
        )
    types = dict(DEFAULT_TYPES)
    if "types" in config:
        types = types_from_config(config["types"], where)
    return Team(
        agents=agents,
        source=source,
        customer_lines=customer_lines,
        take_on_reply=take_on_reply,
        types=types,
    )


def require_customer_contact(agent: Agent) -> None:
    """Refuse a message to the customer from an agent whose lines do not talk to customers."""
    if not agent.talks_to_customers:
        lines = "/".join(line.value for line in agent.lines)
        raise NotAllowed(
            f"{agent.login} works {lines} and cannot write to the customer; "
            "ask the front line instead"
        )
