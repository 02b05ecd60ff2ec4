"""What every verb needs: which database, which agent, the team's rules, and how to print."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.core.config import read_config, sla_policy
from console.core.errors import InvalidInput
from console.core.paths import default_db_path
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import Agent, Team, parse_team

if TYPE_CHECKING:
    from console.core.desk import Desk
    from console.core.mail.settings import MailSettings
    from console.core.query import Query
    from console.core.views import View


@dataclass(frozen=True)
class Context:
    db_path: str
    """The database file the command works on."""
    agent: str
    """Who is acting: the OS user or `--as`."""
    db_given: bool
    """Whether the user named the database (with --db or CONSOLE_DB)."""
    config: str | None = None
    """The team config file named with --config, if any."""
    macros: str | None = None
    """The team macro file named with --macros (else $CONSOLE_MACROS or the default)."""

    @classmethod
    def from_args(cls, args: argparse.Namespace, default_agent: str) -> Context:
        given = bool(args.db or os.environ.get("CONSOLE_DB"))
        path = args.db if args.db else default_db_path()
        return cls(
            db_path=path,
            agent=(args.agent or default_agent).strip() or default_agent,
            db_given=given,
            config=args.config,
            macros=getattr(args, "macros", None),
        )

    def open_store(self, *, create: bool = False, read_only: bool = False) -> Store:
        """The database; a verb that only reads opens it `read_only` and never writes it."""
        return Store.open(self.db_path, create=create, read_only=read_only)

    def team(self, *, warn: bool = True) -> Team:
        """The team from the config file; warns on stderr about an agent it does not list."""
        config, source = read_config(self.config)
        team = parse_team(config, source)
        warning = team.unknown_warning(self.agent)
        if warning and warn:
            print(f"console: warning: {warning}", file=sys.stderr)
        return team

    def policy(self) -> SlaPolicy:
        """The SLA policy of the team config, or the built-in one."""
        return sla_policy(self.config)

    def mail(self) -> MailSettings:
        """The `[mail]` settings of the team config."""
        from console.core.mail.settings import mail_settings

        config, source = read_config(self.config)
        return mail_settings(config, source)

    def query(self, text: str) -> Query:
        """The `--query` option's query for this agent, refused naming the option."""
        from console.core.query import InvalidQuery, parse

        try:
            types = tuple(self.team(warn=False).types)
            return parse(text, self.agent, self.policy().vip_plans, types)
        except InvalidQuery as error:
            raise InvalidInput(f"--query: {error}") from None

    def views(self) -> list[View]:
        """The saved views: the team's, then the agent's own."""
        from console.core.views import read_views

        config, source = read_config(self.config)
        types = tuple(parse_team(config, source).types)
        return read_views(config, source, self.agent, self.policy().vip_plans, types)

    def me(self) -> Agent:
        return self.team().agent(self.agent)

    @contextmanager
    def desk(self, *, create: bool = False, read_only: bool = False) -> Iterator[Desk]:
        """The store opened for the agent, with the team's rules; the config is read (and
        refused if wrong) before the database is touched. A verb that only reads opens it
        `read_only`."""
        from console.core.desk import Desk

        team = self.team()
        policy = self.policy()
        mail = self.mail()
        shown = show_progress if sys.stderr.isatty() else None
        with self.open_store(create=create, read_only=read_only) as store:
            yield Desk(store, team.agent(self.agent), policy, team, self.macros, mail, shown)


_shown_at = [0.0]


def show_progress(what: str, done: int, total: int) -> None:
    """Long work's progress on one line of the terminal, a few times a second."""
    import time

    now = time.monotonic()
    if done < total and now - _shown_at[0] < 0.2:
        return
    _shown_at[0] = now
    end = "\n" if done >= total else ""
    print(f"\r{what}: {done:,} of {total:,} ", end=end, file=sys.stderr, flush=True)


def print_json(data: Any) -> None:
    import json

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
