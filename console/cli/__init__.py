"""The `console` command: the TUI when run bare, and one verb per thing an agent or a script
does. Each verb lives in a small module of this package that registers its parsers.

Errors meant for people (ConsoleError) end the command with one line on stderr and a non-zero
exit code; nothing else is swallowed."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from console.cli import (
    actions,
    contacts,
    context,
    demo,
    drafts,
    dupes,
    macros,
    mail,
    team,
    tickets,
    upkeep,
    workflow,
)
from console.core.errors import ConsoleError
from console.core.text import visible

COMMAND_MODULES = (team, contacts, demo, workflow, dupes, drafts, upkeep)
"""The verbs that are not ticket actions; those come from `core.actions` (see `cli.actions`)."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, sized without `shutil`: argparse makes a formatter for every
    argument it adds (to check its metavar), and the first one importing `shutil` (with
    its compression modules) for the terminal's width cost every command a few milliseconds.
    """

    def __init__(self, prog: str) -> None:
        try:
            width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
        except (ValueError, OSError):
            width = 80
        super().__init__(prog, width=max(width - 2, 40))


class _Parser(argparse.ArgumentParser):
    """argparse that says what was wrong in one line (exit code 2), without the usage dump."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {visible(message, keep_newlines=False)}\n")


# argparse asks gettext for every string of every parser it builds, and gettext looks for a
# translation file each time: a search of the disk for files no Python install ships. The
# console speaks English; its own words do not go through gettext either.
argparse._ = lambda text: text  # type: ignore[attr-defined]


class _Skipped:
    """A verb's parser that is not built: every call on it does nothing."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


class _Verbs(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The verbs, built only for the one being run: a parser for each of sixty verbs (and
    argparse's translated strings for each) is most of a command's start-up otherwise."""

    wanted: str | None = None

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self.wanted is not None and name != self.wanted:
            return _Skipped()
        return super().add_parser(name, **kwargs)


GLOBAL_WITH_VALUE = frozenset({"--db", "--as", "--config", "--macros"})


def verb_of(argv: Sequence[str]) -> str | None:
    """The verb a command line names (the first word after the global options)."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        if argv[index] in ("-h", "--help"):
            return None
        index += 2 if argv[index] in GLOBAL_WITH_VALUE else 1
    return argv[index] if index < len(argv) else None


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every verb, or only `verb` (and nothing else) when given."""
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
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, action=_Verbs
    )
    assert isinstance(commands, _Verbs)
    commands.wanted = verb
    tickets.register(commands)
    if verb is None:  # every verb, the ticket actions first as the help lists them
        _register_actions(commands)
        for module in COMMAND_MODULES:
            module.register(commands)
        return parser
    for module in COMMAND_MODULES:
        module.register(commands)
    if verb not in commands.choices:
        # A ticket action, or a group that holds some ("macro", "checklist"): only these
        # need the action declarations loaded.
        _register_actions(commands)
    return parser


def _register_actions(commands: _Verbs) -> None:
    groups = actions.groups(commands)
    actions.register(commands, groups)
    macros.register(groups)
    mail.register_mail(groups)
    mail.register_files(groups)


def _verbs(parser: argparse.ArgumentParser) -> set[str]:
    return {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }


def default_agent() -> str:
    """The OS user, as `getpass.getuser` finds it (without importing `getpass` and its
    terminal modules into every command)."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # no passwd entry (containers)
        return "agent"


def not_text(argv: Sequence[str]) -> str | None:
    """What is wrong with the first argument that is not UTF-8 text (or holds a NUL), or
    None. Python keeps such bytes as lone surrogates, which nothing downstream (SQLite, a
    mail, the terminal) can take: they are refused here, where the argument can still be
    named."""
    for index, argument in enumerate(argv):
        before = argv[index - 1] if index else ""
        name = before if before.startswith("-") else f"argument {index + 1}"
        if "\x00" in argument:  # a caller's list, not a shell's: no path or text holds one
            return f"{name}: holds a NUL character, which no text or path may"
        if any("\udc80" <= c <= "\udcff" for c in argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return f"{name}: '{visible(shown)}' is not UTF-8 text (set the terminal to UTF-8)"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    wrong = not_text(argv)
    if wrong:
        print(f"console: error: {wrong}", file=sys.stderr)
        return 2
    argv = actions.tag_removals(argv)
    verb = verb_of(argv)
    parser = build_parser(verb)
    if verb is not None and verb not in _verbs(parser):
        parser = build_parser()  # a mistyped verb: say so with every verb there is
    try:
        args, extra = parser.parse_known_args(argv)
        extra = actions.more_tickets(args, extra)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as stop:  # usage errors (2) and --help (0) return like any other verb
        return stop.code if isinstance(stop.code, int) else 2
    ctx = context.Context.from_args(args, default_agent())
    try:
        if args.command is None:
            return demo.open_tui(ctx, demo_requested=args.demo)
        return int(args.run(ctx, args) or 0)
    except ConsoleError as error:
        # One line, and inert: a message may quote a path or a name someone typed.
        print(f"console: error: {visible(str(error), keep_newlines=False)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `console list | head`: the reader left, which is fine
        sys.stderr.close()
        return 0
