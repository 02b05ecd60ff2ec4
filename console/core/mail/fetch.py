"""Reading the desk's mailbox over IMAP (`console mail fetch`, cron, the TUI's timer).

Unread messages of the folder are taken one by one, each exactly as a mail server's pipe
would deliver it (`intake.receive`), and then marked read, or moved to `move_to`. The
message is taken before it is marked: a stop in between leaves it unread, and the next fetch
recognises it by its Message-ID, so nothing is lost and nothing is taken twice. The password
comes from a file or the environment (see `settings`), TLS is checked against the system's
certificates."""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Sequence

from console.core.desk import Desk
from console.core.errors import ConsoleError, InvalidInput
from console.core.mail.intake import Tally, receive
from console.core.mail.settings import ImapSettings, Security
from console.core.text import one_line

TIMEOUT = 30


class MailboxError(ConsoleError):
    """The IMAP server could not be reached, or refused the login or the folder."""


def fetch(desk: Desk, *, limit: int = 500) -> Tally:
    """Take the folder's unread messages, at most `limit` of them."""
    where = desk.mail.imap
    if where is None:
        raise InvalidInput("no mailbox to read: set [mail.imap] host and user in the config")
    intake = desk.system()
    report = Tally()
    imap = _connect(where)
    try:
        _ok(imap.login(where.user, where.password()), "log in")
        told = _ok(imap.capability(), "say what it can do")
        can_move = b"MOVE" in (told[0] or b"").upper().split()
        _ok(imap.select(_quoted(where.folder)), f"open the folder {where.folder}")
        if where.move_to:
            imap.create(_quoted(where.move_to))  # "already exists" is fine
        found = _ok(imap.uid("SEARCH", "UNSEEN"), "search the folder")
        uids = [u.decode() for u in found[0].split()] if found and found[0] else []
        for uid in uids[:limit]:
            report.seen += 1
            raw = _message(imap, uid)
            if raw is None:
                report.failed.append((f"message {uid}", "the server sent no message"))
                continue
            try:
                received = receive(intake, raw)
            except ConsoleError as error:  # left unread: the next fetch tries again
                report.failed.append((f"message {uid}", str(error)))
                continue
            report.count(received)
            _done_with(imap, uid, where, can_move=can_move)
        if where.move_to:
            imap.expunge()
    except (imaplib.IMAP4.error, OSError) as error:
        raise MailboxError(f"{where.host}: {one_line(str(error), 200)}") from None
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return report


def _connect(where: ImapSettings) -> imaplib.IMAP4:
    try:
        if where.security == Security.TLS:
            return imaplib.IMAP4_SSL(
                where.host, where.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
            )
        imap = imaplib.IMAP4(where.host, where.port, timeout=TIMEOUT)
        if where.security == Security.STARTTLS:
            imap.starttls(ssl.create_default_context())
        return imap
    except (imaplib.IMAP4.error, OSError) as error:
        raise MailboxError(
            f"cannot reach {where.host}:{where.port}: {one_line(str(error), 200)}"
        ) from None


def _ok(answer: tuple[str, Sequence[object]], doing: str) -> list[bytes | None]:
    status, data = answer
    if status != "OK":
        said = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise MailboxError(f"the server would not {doing}: {one_line(said, 200)}")
    return [d if isinstance(d, bytes) else None for d in data]


def _message(imap: imaplib.IMAP4, uid: str) -> bytes | None:
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def _done_with(imap: imaplib.IMAP4, uid: str, where: ImapSettings, *, can_move: bool) -> None:
    imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    if where.move_to is None:
        return
    if can_move:
        imap.uid("MOVE", uid, _quoted(where.move_to))
    else:
        imap.uid("COPY", uid, _quoted(where.move_to))
        imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
