"""Who the agents are and what they may do.

Identity is the OS user (or `--as`). The team config maps users to a display name, the lines
they work and a role. The rule this module keeps: only an agent who works the first or second
line talks to the customer; the third line and the vendor line stay internal and ask the front
line instead (seed 001). Without a config file everyone may do everything: a one-person shop
is all four lines at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.core.errors import ConsoleError, InvalidInput
from console.core.model import Line

FRONT_LINES = frozenset({Line.L1, Line.L2})
ROLES = ("agent", "lead")


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
    """"agent" or "lead"; a lead may override who talks to the customer."""
    known: bool = True
    """False for a user the team config does not list."""

    @property
    def talks_to_customers(self) -> bool:
        """Front-line agents talk to customers; so does a lead, whatever lines they work."""
        return self.role == "lead" or any(line in FRONT_LINES for line in self.lines)

    @property
    def home_line(self) -> Line:
        return self.lines[0]


@dataclass(frozen=True)
class Team:
    agents: dict[str, Agent] = field(default_factory=dict)
    source: Path | None = None
    """The config file the team came from; None when there is none."""

    def agent(self, login: str) -> Agent:
        """The agent for `login`. Without a config: everything. Unknown in a config: first line."""
        if login in self.agents:
            return self.agents[login]
        if not self.agents:
            return Agent(login=login, name=login)
        return Agent(login=login, name=login, lines=(Line.L1,), known=False)

    def unknown_warning(self, login: str) -> str | None:
        if self.agents and login not in self.agents:
            return (
                f"agent {login!r} is not in the team config {self.source}; working as a "
                "first-line agent"
            )
        return None

    def front_line_agents(self) -> list[Agent]:
        return [a for a in self.agents.values() if a.talks_to_customers]


def parse_team(config: dict[str, Any], source: Path | None = None) -> Team:
    """The `[agents.LOGIN]` tables of a config; every mistake names the file and the key."""
    where = str(source or "config")
    raw = config.get("agents", {})
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: [agents] must be a table of agents")
    agents: dict[str, Agent] = {}
    for login, entry in raw.items():
        key = f"agents.{login}"
        if not isinstance(entry, dict):
            raise InvalidInput(f"{where}: {key} must be a table (name, lines, role)")
        unknown = set(entry) - {"name", "lines", "role"}
        if unknown:
            raise InvalidInput(f"{where}: {key}: unknown setting {sorted(unknown)[0]!r}")
        lines_raw = entry.get("lines", [line.value for line in Line])
        if not isinstance(lines_raw, list) or not lines_raw:
            raise InvalidInput(f'{where}: {key}.lines must be a non-empty list such as ["L1"]')
        try:
            lines = tuple(Line.parse(str(v), "line") for v in lines_raw)
        except InvalidInput as error:
            raise InvalidInput(f"{where}: {key}.lines: {error}") from None
        role = entry.get("role", "agent")
        if role not in ROLES:
            raise InvalidInput(f"{where}: {key}.role must be one of {', '.join(ROLES)}")
        name = entry.get("name", login)
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"{where}: {key}.name must be a non-empty string")
        agents[login] = Agent(login=login, name=name.strip(), lines=lines, role=role)
    return Team(agents=agents, source=source)


def require_customer_contact(agent: Agent) -> None:
    """Refuse a public reply from an agent who works only the third or vendor line."""
    if not agent.talks_to_customers:
        lines = "/".join(line.value for line in agent.lines)
        raise NotAllowed(
            f"{agent.login} works {lines} and cannot reply to the customer; "
            "ask the front line instead"
        )
