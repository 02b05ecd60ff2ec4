"""Keeping a desk safe: `check` (is the database sound?), `backup` (a consistent copy while
agents work), `export` and `import` (the whole desk as JSON lines, and back)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from console.cli.context import Context, print_json
from console.core.errors import ConsoleError, StoreError


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "check", help="check the database: SQLite's own check, then the console's rules"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_check)

    p = commands.add_parser("backup", help="copy the database while agents work on it")
    p.add_argument("path", metavar="PATH", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")
    p.set_defaults(run=run_backup)

    p = commands.add_parser("export", help="the whole desk as JSON lines (to stdout)")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=run_export)

    p = commands.add_parser(
        "import", help="fill a new database (--db) from a file `console export` wrote"
    )
    p.add_argument("file", metavar="FILE", help="the export to read (- for stdin)")
    p.set_defaults(run=run_import)


def _progress(what: str) -> Callable[[int, int], None]:
    """A one-line counter on a terminal's stderr; nothing when stderr is not a terminal."""
    live = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        if live:
            whole = f" of {total:,}" if total else ""
            print(f"\r{done:,}{whole} {what}", end="", file=sys.stderr, flush=True)

    return show


def _done() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def run_check(ctx: Context, args: argparse.Namespace) -> int:
    from console.core.check import AREAS, check
    from console.core.dbfile import DamagedDatabase, shown

    policy = ctx.policy()
    try:
        store = ctx.open_store(read_only=True)
    except DamagedDatabase as error:  # its own advice would send the agent here again
        raise StoreError(
            f"{shown(error.path)}: the database is damaged ({error.what}); restore it from a backup"
        ) from None
    show = _progress("tickets checked")
    with store:
        found = check(store, policy, progress=lambda n: show(n, 0))
    _done()
    if args.json:
        print_json(found.as_dict())
    elif found.sound:
        print(f"sound: {found.tickets:,} tickets checked, no problem found")
    else:
        for area, count in found.counts.items():
            print(f"{AREAS[area]}: {count:,} problem{'s' if count != 1 else ''}")
            for sentence in found.examples[area]:
                print(f"  {sentence}")
            if count > len(found.examples[area]):
                print(f"  ... and {count - len(found.examples[area]):,} more")
    return 0 if found.sound else 1


def run_backup(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import words
    from console.core.backup import backup
    from console.core.dbfile import shown

    target = os.path.expanduser(args.path)
    show = _progress("pages copied")
    with ctx.open_store(read_only=True) as store:
        size = backup(store, target, force=args.force, progress=show)
    _done()
    print(f"backed up to {shown(target)} ({words.size(size)})")
    return 0


def run_export(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import transfer
    from console.core.dbfile import refuse_to_replace, shown

    with ctx.open_store(read_only=True) as store:
        if not args.output:
            transfer.export(store, sys.stdout.buffer)
            sys.stdout.flush()
            return 0
        target = os.path.expanduser(args.output)
        refuse_to_replace(target, args.force)
        partial = f"{target}.partial-{os.getpid()}"
        try:
            with open(partial, "wb") as out:
                rows = transfer.export(store, out)
            os.replace(partial, target)
        except OSError as error:
            raise ConsoleError(f"{shown(target)}: cannot write it: {error.strerror}") from None
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    print(f"exported {rows:,} rows to {shown(target)}", file=sys.stderr)
    return 0


def run_import(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import transfer
    from console.core.dbfile import shown

    if args.file == "-":
        rows = transfer.import_desk(ctx.db_path, sys.stdin.buffer, "stdin")
    else:
        path = os.path.expanduser(args.file)
        try:
            lines = open(path, "rb")  # closed by the `with` below, after the import
        except OSError as error:
            raise ConsoleError(f"{shown(path)}: cannot read it: {error.strerror}") from None
        with lines:
            rows = transfer.import_desk(ctx.db_path, lines, path)
    print(f"imported {rows:,} rows into {shown(ctx.db_path)}")
    return 0
