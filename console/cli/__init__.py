"""The `console` command: the TUI when run bare, and one verb per thing an agent or a script
does. Each verb lives in a small module of this package that registers its parsers.

Errors meant for people (ConsoleError) end the command with one line on stderr and a non-zero
exit code; nothing else is swallowed."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence

from console.cli import context, demo, drafts, dupes, macros, team, tickets, workflow
from console.core.errors import ConsoleError

COMMAND_MODULES = (tickets, team, demo, macros, workflow, dupes, drafts)


class _Parser(argparse.ArgumentParser):
    """argparse that says what was wrong in one line (exit code 2), without the usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="console", description="A terminal help desk.")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the ticket database (default: $CONSOLE_DB or the data directory)",
    )
    parser.add_argument(
        "--as", dest="agent", metavar="AGENT", help="act as this agent (default: the OS user)"
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="the team config (default: $CONSOLE_CONFIG or console.toml in the data directory)",
    )
    parser.add_argument(
        "--macros",
        metavar="PATH",
        help="the team's macros file (default: $CONSOLE_MACROS or macros.toml)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the TUI on the demo database, building it first if absent",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def default_agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no LOGNAME/USER
        return os.environ.get("USER") or "agent"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # usage errors (2) and --help (0) return like any other verb
        return stop.code if isinstance(stop.code, int) else 2
    ctx = context.Context.from_args(args, default_agent())
    try:
        if args.command is None:
            return demo.open_tui(ctx, demo_requested=args.demo)
        return int(args.run(ctx, args) or 0)
    except ConsoleError as error:
        print(f"console: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `console list | head`: the reader left, which is fine
        sys.stderr.close()
        return 0
