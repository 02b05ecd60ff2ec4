"""Importing mail in bulk: a Maildir or an mbox (a year of old mail, a move from another help
desk), each message taken as `intake` takes one, threaded the same way.

An import is history, not news: each message is taken at the moment its Date header gives
(never later than now), so tickets keep their age and their clocks count from when the
customer wrote, and nobody gets an acknowledgement. It can be stopped at any point and run
again: a message is taken in one transaction with its Message-ID, and the second run skips
what the first took, most of it without parsing (the Message-ID is read from the header
block). Messages are committed in batches of a fifth of a second."""

from __future__ import annotations

import hashlib
import mailbox
import multiprocessing
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime
from functools import partial

from console.core.clock import utc_now
from console.core.desk import Desk
from console.core.errors import ConsoleError, InvalidInput
from console.core.mail.intake import Tally, receive
from console.core.mail.parse import NO_ID_DOMAIN, Incoming, parse
from console.core.store import Store
from console.core.team import SYSTEM
from console.core.workflow import BATCH_PAUSE, BATCH_SECONDS

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^<>\s]+>)[ \t]*\r?$", re.I | re.M)
_ANY_MESSAGE_ID = re.compile(rb"^message-id:", re.I | re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
PARSE_AHEAD_FROM = 200
"""Imports this big parse in a second process: starting it costs less than it saves."""
AHEAD, AHEAD_BYTES = 64, 64 * 1024 * 1024
"""How far the parsing runs ahead: a bound on the memory of mail parsed but not stored."""


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
    parse_ahead: bool | None = None,
) -> Tally:
    """Take every message of the Maildir or mbox at `path`; `progress(report, total)` is
    called after each. With `parse_ahead` (by default, for a big import on more than one
    core), a second process parses the messages ahead while this one stores them."""
    total, found = messages(path)
    clock = HistoryClock()
    store = Store.open(desk.store.path, create=False, clock=clock)
    history = replace(desk, store=store, agent=SYSTEM, mail=replace(desk.mail, acknowledge=False))
    report = Tally()
    if parse_ahead is None:
        parse_ahead = total >= PARSE_AHEAD_FROM and (os.cpu_count() or 1) > 1
    pool = (
        ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_end_with,
            initargs=(os.getpid(),),
        )
        if parse_ahead
        else None
    )
    try:
        with store.holding(f"a mail import of {path}"):
            parsed = _parsed(store, found, pool)
            while _take_batch(history, clock, parsed, report, lambda: progress(report, total)):
                time.sleep(BATCH_PAUSE)  # others' writes come in between
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        store.close()
    return report


def _parsed(
    store: Store, found: Iterator[tuple[str, bytes]], pool: Executor | None
) -> Iterator[tuple[str, Incoming | None]]:
    """Each message (where it is, and its parse, or None for one taken before), parsed on
    `pool` up to `AHEAD` messages ahead of the one being stored."""
    pending: deque[tuple[str, bytes, Callable[[], Incoming] | None]] = deque()
    waiting_bytes = 0
    for where, raw in found:
        known = mail_id_of(raw)
        if known is not None and store.query("SELECT 1 FROM mail_in WHERE mail_id = ?", (known,)):
            pending.append((where, raw, None))
        elif pool is None:
            pending.append((where, raw, partial(parse, raw)))
        else:
            future = pool.submit(_parse_without_bytes, raw)
            pending.append((where, raw, partial(_with_bytes, future, raw)))
            waiting_bytes += len(raw)
        while len(pending) > AHEAD or waiting_bytes > AHEAD_BYTES:
            where, raw, result = pending.popleft()
            waiting_bytes -= len(raw) if pool is not None and result is not None else 0
            yield where, None if result is None else result()
    for where, _raw, result in pending:
        yield where, None if result is None else result()


def _with_bytes(parsed: Future[Incoming], raw: bytes) -> Incoming:
    """The parse from the parsing process, given back the bytes it was not sent back with."""
    return replace(parsed.result(), raw=raw)


def _end_with(importer: int) -> None:
    """In the parsing process: end when the importer ends, even killed. It would wait for
    work for ever otherwise, since it holds its own copy of the pipe that brings the work."""

    def watch() -> None:
        while os.getppid() == importer:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _parse_without_bytes(raw: bytes) -> Incoming:
    """The parse, in the parsing process: the bytes are not sent back, the importer has them."""
    return replace(parse(raw), raw=b"")


def _take_batch(
    desk: Desk,
    clock: HistoryClock,
    parsed: Iterator[tuple[str, Incoming | None]],
    report: Tally,
    progress: Callable[[], object],
) -> bool:
    """Take messages in one commit for up to `BATCH_SECONDS`; False when none are left.

    Each message is its own savepoint, so one that fails leaves the others; a kill loses the
    batch, which the next run takes again."""
    until = time.monotonic() + BATCH_SECONDS
    with desk.store.batch():
        for where, mail in parsed:
            report.seen += 1
            if mail is None:
                report.already += 1
            else:
                _take(desk, clock, where, mail, report)
            progress()
            if time.monotonic() >= until:
                return True
    return False


def _take(desk: Desk, clock: HistoryClock, where: str, mail: Incoming, report: Tally) -> None:
    clock.at = mail.date
    try:
        received = receive(desk, mail.raw, parsed=mail)
    except ConsoleError as error:
        report.failed.append((where, str(error)))
        return
    report.count(received)
