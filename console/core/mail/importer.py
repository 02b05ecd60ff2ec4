"""Importing mail in bulk: a Maildir or an mbox (a year of old mail, a move from another help
desk), each message taken as `intake` takes one, threaded the same way.

An import is history, not news: each message is taken at the moment its Date header gives
(never later than now), so tickets keep their age and their clocks count from when the
customer wrote, and nobody gets an acknowledgement. It can be stopped at any point and run
again: a message is taken in one transaction with its Message-ID, and the second run skips
what the first took, most of it without parsing (the Message-ID is read from the header
block)."""

from __future__ import annotations

import hashlib
import mailbox
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime

from console.core.clock import utc_now
from console.core.desk import Desk
from console.core.errors import ConsoleError, InvalidInput
from console.core.mail.intake import Tally, receive
from console.core.mail.parse import NO_ID_DOMAIN
from console.core.store import Store
from console.core.team import SYSTEM

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^<>\s]+>)[ \t]*\r?$", re.I | re.M)
_ANY_MESSAGE_ID = re.compile(rb"^message-id:", re.I | re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class HistoryClock:
    """The store's clock during an import: the moment of the message being taken."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        now = utc_now()
        return min(self.at, now) if self.at is not None else now


def messages(path: str) -> tuple[int, Iterator[tuple[str, bytes]]]:
    """How many messages `path` holds and each one (where it is, its bytes): a Maildir
    directory in file-name order (its names begin with the delivery time), or an mbox file in
    file order."""
    if os.path.isdir(path):
        if not os.path.isdir(os.path.join(path, "cur")) and not os.path.isdir(
            os.path.join(path, "new")
        ):
            raise InvalidInput(f"{path}: a directory, but no Maildir (it has no cur/ or new/)")
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
        keys = sorted(box.iterkeys())
        return len(keys), ((f"{path}/{k}", box.get_bytes(k)) for k in keys)
    if not os.path.isfile(path):
        raise InvalidInput(f"{path}: no such Maildir or mbox file")
    with open(path, "rb") as file:
        if file.read(5) != b"From ":
            raise InvalidInput(f"{path}: not an mbox file (it does not begin with 'From ')")
    box = mailbox.mbox(path, create=False)
    keys = list(box.iterkeys())
    return len(keys), ((f"{path}, message {n}", box.get_bytes(k)) for n, k in enumerate(keys, 1))


def mail_id_of(raw: bytes) -> str | None:
    """The Message-ID (or the stand-in `parse` makes), read without parsing; None when the
    header is folded or odd and only a real parse can tell."""
    end = _HEADER_END.search(raw)
    headers = raw[: end.start()] if end else raw
    found = _MESSAGE_ID.search(headers)
    if found:
        return found.group(1).decode("ascii", "replace")
    if _ANY_MESSAGE_ID.search(headers):
        return None
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@{NO_ID_DOMAIN}>"


def import_mail(
    desk: Desk,
    path: str,
    *,
    progress: Callable[[Tally, int], object] = lambda report, total: None,
) -> Tally:
    """Take every message of the Maildir or mbox at `path`; `progress(report, total)` is
    called after each."""
    total, found = messages(path)
    clock = HistoryClock()
    store = Store.open(desk.store.path, create=False, clock=clock)
    history = replace(desk, store=store, agent=SYSTEM, mail=replace(desk.mail, acknowledge=False))
    report = Tally()
    try:
        for where, raw in found:
            report.seen += 1
            known = mail_id_of(raw)
            if known is not None and store.query(
                "SELECT 1 FROM mail_in WHERE mail_id = ?", (known,)
            ):
                report.already += 1
            else:
                _take(history, clock, where, raw, report)
            progress(report, total)
    finally:
        store.close()
    return report


def _take(desk: Desk, clock: HistoryClock, where: str, raw: bytes, report: Tally) -> None:
    from console.core.mail.parse import parse

    mail = parse(raw)
    clock.at = mail.date
    try:
        received = receive(desk, raw, parsed=mail)
    except ConsoleError as error:
        report.failed.append((where, str(error)))
        return
    report.count(received)
