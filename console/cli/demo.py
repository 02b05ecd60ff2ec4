"""`console demo` builds the demo database; bare `console` (and `--demo`) opens the TUI."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from console.cli.actions import whole_number
from console.cli.context import Context
from console.core.errors import InvalidInput
from console.core.paths import demo_db_path

if TYPE_CHECKING:
    from pathlib import Path

if TYPE_CHECKING:
    pass


MAX_DEMO_TICKETS = 1_000_000
DEFAULT_DEMO_TICKETS = 2000


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="build the demo database and print its path")
    demo.add_argument(
        "--tickets", type=whole_number(1, 10_000_000), default=DEFAULT_DEMO_TICKETS, metavar="N"
    )
    demo.add_argument("--seed", type=whole_number(0, 2**31), default=7, metavar="S")
    demo.add_argument("--force", action="store_true", help="replace an existing demo database")
    demo.set_defaults(run=run_demo)


def _demo_path(ctx: Context) -> Path:
    from pathlib import Path

    return Path(ctx.db_path if ctx.db_given else demo_db_path())


def run_demo(ctx: Context, args: argparse.Namespace) -> int:
    from console.core.demo import build_demo

    if not 1 <= args.tickets <= MAX_DEMO_TICKETS:
        raise InvalidInput(f"--tickets must be between 1 and {MAX_DEMO_TICKETS:,}")
    path = _demo_path(ctx)
    if path.exists():
        if not args.force:
            raise InvalidInput(f"{path} already exists: use --force to replace it")
        from console.core import dbfile

        if dbfile.identify(str(path)).kind == dbfile.FileKind.FOREIGN:  # --force or not
            raise dbfile.refuse_foreign(str(path))
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    build_demo(path, tickets=args.tickets, seed=args.seed)
    print(path)
    return 0


def open_tui(ctx: Context, *, demo_requested: bool) -> int:
    from console.core.config import keymap, sla_policy
    from console.core.demo import build_demo
    from console.core.desk import open_desk
    from console.tui.queues import FirstPage, home_queue

    if not sys.stdout.isatty():
        raise InvalidInput("the TUI needs a terminal; use a verb such as `console list`")
    from pathlib import Path

    path = Path(ctx.db_path)
    if demo_requested:
        path = _demo_path(ctx)
        if not path.exists():
            print(f"building the demo database at {path} ...", file=sys.stderr)
            build_demo(path, tickets=DEFAULT_DEMO_TICKETS)
    # Config mistakes end the command here, with one line on stderr, before the screen opens.
    team, policy = ctx.team(), sla_policy(ctx.config)
    keys, where = keymap(ctx.config)
    views = ctx.views()
    desk = open_desk(
        path, ctx.agent, team=team, policy=policy, macros_path=ctx.macros, mail=ctx.mail()
    )
    # Read while Textual loads.
    first_page = FirstPage(desk.store, desk.login, desk.policy, home_queue(desk.agent.lines))
    from console.tui import keymap as tui_keymap  # Textual only when the TUI is wanted
    from console.tui.app import run

    tui_keymap.check(keys, where)
    return run(desk, keys=keys, first_page=first_page, views=views)
