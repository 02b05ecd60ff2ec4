"""`console mail receive` (one message on stdin, for a mail server's pipe), `console mail log`
(what became of the mail taken), `console mail import` (a Maildir or an mbox), `console mail
fetch` (an IMAP mailbox), `console mail send` (the outbox, now), and `console attachment
list|save` (a ticket's files). `mail retry` and `mail dismiss` are ticket actions.

`mail receive` speaks a mail server's language in its exit code: 0 when the message is taken
(or was taken before), 75 (EX_TEMPFAIL) when it could not be taken now and the server should
try again later: a locked or full database, a mistake in the config, a bug; 65 (EX_DATAERR)
only for input that is no message at all. A mail that reached the desk is never bounced for
a problem the desk can fix."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from console.cli.actions import PAGE_LIMIT, ticket_number
from console.cli.context import Context, print_json
from console.core.text import one_line

if TYPE_CHECKING:
    from console.core.desk import Desk
    from console.core.mail.intake import Tally

EX_DATAERR = 65
EX_TEMPFAIL = 75


def register_mail(groups: dict[str, argparse._SubParsersAction]) -> None:
    """The `mail` verbs besides the ticket actions in the group (retry, dismiss)."""
    verbs = groups["mail"]
    receive = verbs.add_parser(
        "receive", help="take one message from standard input (for a mail server's pipe)"
    )
    receive.add_argument("--json", action="store_true")
    receive.set_defaults(run=run_receive)
    log = verbs.add_parser("log", help="the mail taken lately, and what became of each")
    log.add_argument("--limit", type=PAGE_LIMIT, default=20, metavar="N")
    log.add_argument("--json", action="store_true")
    log.set_defaults(run=run_log)
    imported = verbs.add_parser(
        "import", help="take in every message of a Maildir or an mbox (can be run again)"
    )
    imported.add_argument("path", metavar="PATH", help="a Maildir directory or an mbox file")
    imported.add_argument("--json", action="store_true")
    imported.set_defaults(run=run_import)
    fetched = verbs.add_parser("fetch", help="take the unread mail of the [mail.imap] mailbox")
    fetched.add_argument("--json", action="store_true")
    fetched.set_defaults(run=run_fetch)
    send = verbs.add_parser("send", help="send the outbox's mail that is due")
    send.add_argument("--json", action="store_true")
    send.set_defaults(run=run_send)


def register_files(groups: dict[str, argparse._SubParsersAction]) -> None:
    """`attachment list` (saving one is a ticket action, `attachment save`)."""
    listing = groups["attachment"].add_parser("list", help="a ticket's files, numbered")
    listing.add_argument("ticket", type=ticket_number, metavar="N")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_files)


def system_desk(ctx: Context) -> Desk:
    """The desk acting as the console itself: mail is taken by the desk, not by whichever
    account the mail server runs the command as."""
    from console.core.desk import Desk
    from console.core.team import SYSTEM

    team, policy, mail = ctx.team(warn=False), ctx.policy(), ctx.mail()
    return Desk(ctx.open_store(create=True), SYSTEM, policy, team, ctx.macros, mail)


def run_receive(ctx: Context, args: argparse.Namespace) -> int:
    from console.core.mail.intake import receive

    raw = sys.stdin.buffer.read()
    if not raw.strip():
        print("console: error: no message on standard input", file=sys.stderr)
        return EX_DATAERR
    try:
        desk = system_desk(ctx)
        try:
            received = receive(desk, raw)
        finally:
            desk.store.close()
    except Exception as error:  # noqa: BLE001 - the mail server keeps it and tries again
        print(f"console: error: the message was not taken, try again: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    if args.json:
        from console.core.export import plain

        print_json(plain(received.__dict__))
    else:
        print(f"{one_line(received.mail_id, 100)}: {one_line(received.sentence(), 200)}")
    return 0


def run_import(ctx: Context, args: argparse.Namespace) -> int:
    import time

    from console.core.mail.importer import import_mail

    shown = [0.0]
    began = time.monotonic()
    live = sys.stderr.isatty()

    def progress(report: Tally, total: int) -> None:
        now = time.monotonic()
        if not live or (now - shown[0] < 0.2 and report.seen < total):
            return
        shown[0] = now
        rate = report.seen / max(now - began, 1e-6)
        width = 30
        done = width * report.seen // max(total, 1)
        print(
            f"\r[{'#' * done}{'.' * (width - done)}] {report.seen:,} of {total:,} messages,"
            f" {report.taken:,} taken, {report.already:,} taken before, {rate:,.0f}/s ",
            end="",
            file=sys.stderr,
            flush=True,
        )

    with ctx.desk(create=True) as desk:
        report = import_mail(desk, args.path, progress=progress)
    if live:
        print(file=sys.stderr)
    return _said(report, "messages", as_json=args.json)


def run_fetch(ctx: Context, args: argparse.Namespace) -> int:
    from console.core.mail.fetch import fetch

    with ctx.desk(create=True) as desk:
        report = fetch(desk)
    return _said(report, "unread", as_json=args.json)


def _said(report: Tally, what: str, *, as_json: bool) -> int:
    """An import's or a fetch's result: one line (or JSON), and each failure on stderr."""
    if as_json:
        print_json(report.as_dict())
    else:
        print(report.sentence(what))
        for where, error in report.failed:
            print(f"not taken: {one_line(where, 200)}: {one_line(error, 200)}", file=sys.stderr)
    return 1 if report.failed else 0


def run_send(ctx: Context, args: argparse.Namespace) -> int:
    from console.core.errors import InvalidInput
    from console.core.mail.sender import send_due

    with ctx.desk() as desk:
        if not desk.mail.sending:
            raise InvalidInput(
                "no way to send mail: set [mail] address and smtp (or sendmail) in the config"
            )
        report = send_due(desk)
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.words() or "nothing to send")
    return 1 if report.failed else 0


def run_log(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import words
    from console.core.clock import from_text
    from console.core.errors import InvalidInput
    from console.core.mail.intake import Outcome, Received

    if args.limit < 1:
        raise InvalidInput("--limit: give a number of messages, 1 or more")
    with ctx.open_store(read_only=True) as store:
        rows = store.rows(
            "SELECT mail_id, received_at, sender, subject, kind, outcome, detail, ticket_id"
            " FROM mail_in ORDER BY id DESC LIMIT ?",
            (args.limit,),
        )
        now, zone = store.clock(), ctx.policy().zone
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        when = words.when(from_text(row["received_at"]), now, zone)
        became = Received(row["mail_id"], Outcome(row["outcome"]), row["ticket_id"], row["detail"])
        print(
            f"{when}  {one_line(row['sender'] or '(no sender)', 40)}: "
            f"{one_line(row['subject'] or '(no subject)', 60)} → {one_line(became.sentence(), 120)}"
        )
    return 0


def run_files(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import attachments, words
    from console.core.export import plain

    with ctx.open_store(read_only=True) as store:
        found = attachments.files(store, args.ticket)
    if args.json:
        print_json([plain(f.__dict__) for f in found])
        return 0
    if not found:
        print(f"ticket #{args.ticket} has no files")
    for f in found:
        kept = "" if f.kept else "  not kept: larger than the limit"
        print(f"{f.number:>3}  {one_line(f.filename, 80)}  {words.size(f.size)}{kept}")
    return 0
