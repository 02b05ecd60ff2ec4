"""One e-mail as it arrived: who sent it, what it answers, its text and its files.

Python's `email` package with the modern policy does the MIME work (it is kept with Python and
follows RFC 5322, 2045-2049, 2047 and 2231). This module adds what real customer mail needs on
top of it:

- charsets that are missing or wrong: UTF-8 is recognised whatever the label says (random
  single-byte text is almost never valid UTF-8), and unlabelled 8-bit text is read as
  windows-1251 or KOI8-R, whichever gives mostly lower-case Cyrillic (KOI8-R read as
  windows-1251 comes out in capitals), else as windows-1252;
- HTML-only mail as text (`html_text`), never markup on a terminal;
- file names that may be anything: a path, `..`, control characters, nothing at all;
- no exception for malformed MIME: a mail that reached the desk is taken, whatever its shape.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parsedate_to_datetime

from console.core.mail.automatic import Bounce, MailKind, bounce_of, classify
from console.core.mail.decoding import addresses, decode, header, one_line, undo_surrogates
from console.core.mail.html_text import html_to_text

NO_ID_DOMAIN = "console.invalid"
_IDS = re.compile(r"<[^<>\s]+>")
_UNSAFE_IN_NAME = re.compile(r'[\\/<>:"|?*\x00-\x1f\x7f]')
_MAX_NAME = 120


@dataclass(frozen=True)
class Attachment:
    filename: str
    """Safe to show and to save under: no directory, no control character, never empty."""
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Incoming:
    """What the desk needs of one received message; `raw` is the message byte for byte."""

    mail_id: str
    """The Message-ID with its angle brackets, or one made from the bytes when it has none
    (so the same message taken twice is still recognised)."""
    sender: str
    """The From address, lower-cased; empty when the message names no sender at all."""
    sender_name: str | None
    recipients: tuple[str, ...]
    """The To and Cc addresses, lower-cased."""
    subject: str
    date: datetime | None
    """When the sender's program says it was written (None when it does not say, or lies
    beyond reading)."""
    answers: tuple[str, ...]
    """The Message-IDs this one replies to: In-Reply-To first, then References, newest
    first."""
    text: str
    attachments: tuple[Attachment, ...]
    kind: MailKind
    why_automatic: str | None
    """The header that shows a machine sent it ("Auto-Submitted: auto-replied")."""
    bounce: Bounce | None
    loop_marks: tuple[str, ...]
    """The X-Loop headers: the desk's own mark means the message is the desk's, come back."""
    raw: bytes


def parse(raw: bytes) -> Incoming:
    """The message in `raw` (RFC 5322 bytes, any line endings); never raises on bad MIME."""
    # compat32: the modern policy parses every header again at every look (a message's
    # structure is walked dozens of times), which made parsing ten times slower; the headers
    # the desk reads are decoded with the modern policy one by one (`decoding.header`).
    msg = message_from_bytes(_mended(raw), policy=policy.compat32)
    sender, sender_name = _sender(msg)
    body = _body_part(msg)
    kind, why = classify(msg, sender)
    return Incoming(
        mail_id=_message_id(msg, raw),
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(address for name in ("to", "cc") for address, _ in addresses(msg, name)),
        subject=one_line(header(msg, "subject")),
        date=_date(header(msg, "date")),
        answers=_answers(msg),
        text=_text(msg, body),
        attachments=tuple(_attachments(msg, body)),
        kind=kind,
        why_automatic=why,
        bounce=bounce_of(msg) if kind == MailKind.BOUNCE else None,
        loop_marks=tuple(header(msg, "x-loop", every=True).split("\n")) if "x-loop" in msg else (),
        raw=raw,
    )


_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def _mended(raw: bytes) -> bytes:
    """The bytes with a header line that lost its fold (no colon, no leading space) folded
    back: Python's parser would take it for the start of the body, and the Message-ID and
    the MIME headers after it with it. Only the header block is touched."""
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=-1)
    if end < 0:
        return raw
    lines = raw[:end].splitlines(keepends=True)
    mended = False
    for index in range(1, len(lines) - 1):
        line = lines[index]
        if b":" in line or line[:1] in (b" ", b"\t"):
            continue
        if _HEADER_LINE.match(lines[index + 1]):
            lines[index] = b" " + line
            mended = True
    return b"".join(lines) + raw[end:] if mended else raw


# -- who and what -----------------------------------------------------------------------------


def _sender(msg: Message) -> tuple[str, str | None]:
    for name in ("from", "sender", "reply-to", "return-path"):
        found = addresses(msg, name)
        if found:
            address, display = found[0]
            return address, one_line(display) if display else None
    return "", None


def _message_id(msg: Message, raw: bytes) -> str:
    ids = _IDS.findall(header(msg, "message-id"))
    if ids:
        return str(ids[0])
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@{NO_ID_DOMAIN}>"


def _date(text: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _answers(msg: Message) -> tuple[str, ...]:
    replied = _IDS.findall(header(msg, "in-reply-to"))
    referenced = list(reversed(_IDS.findall(header(msg, "references", every=True))))
    seen: dict[str, None] = {}
    for found in (*replied, *referenced):
        seen.setdefault(found)
    return tuple(seen)


# -- text ------------------------------------------------------------------------------------


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    text = decode(data, part.get_content_charset())
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _body_part(msg: Message) -> Message | None:
    """The part that holds what the customer wrote: the first plain text that is not a file
    and has words in it, else the first HTML, else the first text of any kind."""
    texts = [
        part
        for part in _leaves(msg)
        if part.get_content_maintype() == "text"
        and part.get_content_disposition() != "attachment"
        and part.get_content_type() != "text/rfc822-headers"
    ]
    plain = [p for p in texts if p.get_content_subtype() == "plain"]
    for part in plain:
        if _part_text(part).strip():
            return part
    html = [p for p in texts if p.get_content_subtype() == "html"]
    found = html or plain or texts
    return found[0] if found else None


def _text(msg: Message, body: Message | None) -> str:
    if body is None:
        return ""
    text = _part_text(body)
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    # Apple Mail splits the text around inline pictures into several plain parts.
    more = [_part_text(part) for part in _leaves(msg) if part is not body and _is_more_text(part)]
    return "\n\n".join(t.strip("\n") for t in (text, *more) if t.strip()).strip()


def _is_more_text(part: Message) -> bool:
    return (
        part.get_content_type() == "text/plain"
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


# -- files -----------------------------------------------------------------------------------


def _leaves(msg: Message) -> list[Message]:
    """The parts that hold content, in order; an attached message is one part."""
    found: list[Message] = []

    def walk(part: Message) -> None:
        if part.get_content_type() == "message/rfc822" and part is not msg:
            found.append(part)
        elif part.is_multipart():
            payload = part.get_payload()
            for child in payload if isinstance(payload, list) else ():
                if isinstance(child, Message):
                    walk(child)
        else:
            found.append(part)

    walk(msg)
    return found


def _attachments(msg: Message, body: Message | None) -> list[Attachment]:
    found: list[Attachment] = []
    for part in _leaves(msg):
        content_type = part.get_content_type()
        if part is body or _is_more_text(part):
            continue
        if content_type == "text/html" and not part.get_filename():
            continue  # the HTML twin of the text we show
        if content_type in ("message/delivery-status", "text/rfc822-headers"):
            continue  # a bounce's report: read into the bounce, not a file
        if content_type == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, Message):
                data, subject = _message_bytes(inner), header(inner, "subject")
            else:
                data, subject = b"", ""
            name = part.get_filename() or f"{one_line(subject)}.eml"
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            name = part.get_filename() or ""
        found.append(
            Attachment(safe_filename(name, content_type, len(found) + 1), content_type, data)
        )
    return found


def _message_bytes(inner: Message) -> bytes:
    try:
        return inner.as_bytes(policy=policy.SMTP)
    except Exception:  # noqa: BLE001 - keep what can be kept of a broken attached message
        return inner.as_string(policy=policy.compat32).encode("utf-8", "replace")


def safe_filename(name: str | None, content_type: str, number: int) -> str:
    """A file name a stranger's mail cannot abuse: the last path element, no control or
    reserved characters, no leading dots, at most 120 characters with the extension kept;
    "attachment-N.ext" when nothing is left."""
    name = undo_surrogates(name or "")
    if "=?" in name:  # encoded words where RFC 2231 was meant: common, and readable
        from email.header import decode_header, make_header

        try:
            name = str(make_header(decode_header(name)))
        except Exception:  # noqa: BLE001 - keep the name as it was written
            pass
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_IN_NAME.sub("_", "".join(c for c in name if c.isprintable()))
    name = name.strip().lstrip(".").strip()
    if len(name) > _MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = f"{stem[: _MAX_NAME - len(extension) - 1]}.{extension}"
        else:
            name = name[:_MAX_NAME]
    if name:
        return name
    import mimetypes

    return f"attachment-{number}{mimetypes.guess_extension(content_type) or '.bin'}"
