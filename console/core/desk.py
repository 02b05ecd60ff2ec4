"""The help desk as one agent works it: the store, the team's rules, and who is acting.

Every operation that changes a ticket takes a `Desk`, so the rules (who may talk to the
customer, who may be assigned, the SLA policy the clocks follow) travel with the change and
are checked in one place (`workflow`), whichever road (the command line, a key on the ticket
screen, a macro, the timers) the change came by."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from console.core.clock import Clock, utc_now
from console.core.mail.settings import MailSettings
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import SYSTEM, Agent, Team

if TYPE_CHECKING:
    from console.core.macros import Catalog


@dataclass(frozen=True)
class Desk:
    store: Store
    agent: Agent
    """Who is acting: their login goes into every event they cause."""
    policy: SlaPolicy = field(default_factory=SlaPolicy)
    """The SLA promises and the customer-side timers."""
    team: Team = field(default_factory=Team)
    macros_path: str | None = None
    """The team's macro file named on the command line; None: the default files."""
    mail: MailSettings = field(default_factory=MailSettings)
    """How the desk's mail goes out (and which addresses are its own)."""
    progress: Callable[[str, int, int], object] | None = None
    """Who hears how long work over many tickets is getting on: (what, done, of how many).
    The command line shows it on a terminal; None says nothing."""

    @property
    def login(self) -> str:
        return self.agent.login

    def now(self) -> datetime:
        return self.store.clock()

    def acting_as(self, who: Agent | str) -> Desk:
        """The same desk with another agent at the keyboard (a login is looked up in the
        team)."""
        agent = who if isinstance(who, Agent) else self.team.agent(who)
        return replace(self, agent=agent)

    def catalog(self) -> Catalog:
        """The macros and checklists in force (read again when a file changed), through the
        one reloader this program keeps for those files."""
        from console.core.macro_loader import reloader_for

        return reloader_for(self.macros_path).current()

    def catalog_error(self) -> str | None:
        """What is wrong with a macro file edited since the last good read, if anything."""
        from console.core.macro_loader import reloader_for

        error = reloader_for(self.macros_path).error
        return None if error is None else str(error)

    def system(self) -> Desk:
        """The desk as the console's own timers work it."""
        return replace(self, agent=SYSTEM)


def open_desk(
    db_path: str | os.PathLike[str],
    agent: str,
    clock: Clock | None = None,
    *,
    team: Team | None = None,
    policy: SlaPolicy | None = None,
    macros_path: str | None = None,
    mail: MailSettings | None = None,
) -> Desk:
    """The desk on the database at `db_path` (created when absent), as `agent` of `team`."""
    team = team or Team()
    store = Store.open(db_path, clock=clock or utc_now)
    return Desk(
        store, team.agent(agent), policy or SlaPolicy(), team, macros_path, mail or MailSettings()
    )
