"""What screens, widgets and the palette may ask of the running app, as a typed protocol.

Textual types `self.app` as a plain `App`; `desk(node)` gives the console's own attributes a
type without importing the app module (which imports the screens) into every screen."""

from __future__ import annotations

import sqlite3
from typing import Protocol, cast

from textual.dom import DOMNode

from console.core.clock import Clock
from console.core.errors import ConsoleError
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import Agent, Team


class Desk(Protocol):
    store: Store
    """The open ticket database; use it only from worker threads."""
    agent: str
    """Who is at the keyboard (the login)."""
    me: Agent
    """The agent at the keyboard as the team config knows them: name, lines, role."""
    team: Team
    policy: SlaPolicy
    """The SLA policy every workflow operation needs."""
    macros_path: str | None
    """The team macro file named on the command line, if any."""
    clock: Clock

    def open_ticket(self, ticket_id: int) -> None: ...

    def show_queue(self, queue_id: str) -> None: ...

    def action_refresh(self) -> None: ...


def desk(node: DOMNode) -> Desk:
    """The console app that `node` (a widget, a screen, or the app itself) belongs to."""
    return cast(Desk, node.app)


READ_ERRORS = (ConsoleError, sqlite3.Error)
"""What a read in a worker may raise that the agent should see (a locked or damaged file
included) rather than lose in a log."""
