"""Who asks: a ticket's requester as an agent types it, and as the ticket keeps it.

A caller is named by an e-mail address ("ann@example.com", "Ann Lee <ann@example.com>"), by a
phone number ("+380 44 123 45 67") or by a name alone ("Ann Lee"): on a phone call a number or
a name is enough, the address can come later (`contacts.edit`). Each names a contact, found or
made when the ticket is opened (`Change.create`).

A ticket's `requester` column is its contact's label: the e-mail address when the contact has
one, else their phone as the desk keeps it ("+" and digits, what `contact show` prints and a
query finds), else their name. The label is what the column always held for a caller with an
address, so the requester index, the domain index and everything that reads the column keep
working; only an address has an "@" (a phone or a name never does), and the readers tell an
address from the rest by that one sign (`is_address`): a public message is queued for mail
only on a ticket whose requester is an address (`Change.message`), `from:@domain` and `org:`
look for a domain only where there is one. When a contact's label changes (an address added),
their tickets' requesters follow through `workflow` (`Change.readdress`)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from console.core.errors import InvalidInput
from console.core.model import Choice
from console.core.phone import looks_like_phone, phone_key
from console.core.text import one_line

MAX_NAME = 200
"""A caller's name is a line, as every contact field is (see `contacts.MAX_FIELD`)."""

LABEL_SQL = "coalesce(email, phone, name)"
"""A contact's label spelled in SQL, for the rows of `contacts`."""


class CallerKind(Choice):
    """How the agent named the caller."""

    ADDRESS = "address"
    PHONE = "phone"
    NAME = "name"


@dataclass(frozen=True)
class Caller:
    """The requester as typed, read: what kind it is and what it says."""

    kind: CallerKind
    email: str | None = None
    """In lower case, as the desk keeps addresses."""
    name: str | None = None
    phone: str | None = None
    """"+" and digits (`phone.phone_key`)."""

    @property
    def label(self) -> str:
        return label(self.email, self.phone, self.name)


_ADDRESS = re.compile(
    r"""^\s*(?:
    (?P<name>[^<]*?)\s*<(?P<angle>[^<>\s]+@[^<>\s]+)>   # Name <address>
    | (?P<bare>[^\s<>]+@[^\s<>]+)                        # address
    )\s*$""",
    re.VERBOSE,
)

FORMS = "name@example.com, 'Name <name@example.com>', a phone such as +380 44 123 45 67, or a name"
"""The ways to name a caller, for the errors that ask for one."""


def parse_address(text: str) -> tuple[str, str | None]:
    """("ann@example.com", "Ann Lee") from "Ann Lee <ann@example.com>" or a bare address."""
    match = _ADDRESS.match(text or "")
    if not match:
        raise InvalidInput(
            f"requester {one_line(text, 80)!r} is not an e-mail address "
            "(use name@example.com or 'Name <name@example.com>')"
        )
    email = (match.group("angle") or match.group("bare")).lower()
    name = (match.group("name") or "").strip().strip('"') or None
    return email, name


def name_like(text: str) -> str | None:
    """`text` as a caller's name (its spaces tidied), or None when it cannot be one: a name is
    one printable line with at least two letters and no "@", "<" or ">" (those make an
    address) and does not look like a phone number."""
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME or not name.isprintable() or looks_like_phone(name):
        return None
    if any(c in "@<>" for c in name) or sum(c.isalpha() for c in name) < 2:
        return None
    return name


def parse_requester(text: str) -> Caller:
    """The caller `text` names; refused, saying what would do, when it names nobody."""
    typed = (text or "").strip()
    if not typed:
        raise InvalidInput(f"the requester is empty: give the caller as {FORMS}")
    if "@" in typed or "<" in typed:
        email, name = parse_address(typed)
        return Caller(CallerKind.ADDRESS, email=email, name=name)
    if looks_like_phone(typed):
        return Caller(CallerKind.PHONE, phone=phone_key(typed))
    name = name_like(typed)
    if name is None:
        raise InvalidInput(
            f"requester {one_line(typed, 60)!r} is neither an e-mail address, a phone number"
            f" nor a name: give {FORMS}"
        )
    return Caller(CallerKind.NAME, name=name)


def label(email: str | None, phone: str | None, name: str | None) -> str:
    """What a ticket's `requester` says of its contact: the address, else the phone, else the
    name (a contact always has one of them: the schema checks it)."""
    found = email or phone or name
    if not found:
        raise AssertionError("a contact with no address, phone or name")
    return found


def is_address(requester: str) -> bool:
    """Whether a ticket's requester is an e-mail address (the desk can mail them)."""
    return "@" in requester


def key(requester: str) -> str:
    """A requester as tickets keep it: an address in lower case, a phone or a name as is."""
    requester = requester.strip()
    return requester.lower() if is_address(requester) else requester


def contact_where(requester: str) -> tuple[str, tuple[str, ...]]:
    """The SQL condition on `contacts` that finds the contact a ticket's requester labels,
    on an index: by address; by phone, among those without one; by name, among those with
    neither."""
    if is_address(requester):
        return "email = ?", (requester,)
    if looks_like_phone(requester):
        return "phone = ? AND email IS NULL", (phone_key(requester),)
    return "name = ? COLLATE NOCASE AND email IS NULL AND phone IS NULL", (requester,)


def matching(conn: sqlite3.Connection, caller: Caller, *, limit: int = 6) -> list[tuple[int, str]]:
    """(id, label) of the contacts `caller` names, by the index of what was typed: the one
    with that address, or those with that phone, or those with exactly that name (any case)."""
    if caller.kind == CallerKind.ADDRESS:
        where, value = "email = ?", caller.email
    elif caller.kind == CallerKind.PHONE:
        where, value = "phone = ?", caller.phone
    else:
        where, value = "name = ? COLLATE NOCASE", caller.name
    rows = conn.execute(
        f"SELECT id, {LABEL_SQL} FROM contacts WHERE {where} ORDER BY id LIMIT ?", (value, limit)
    ).fetchall()
    return [(int(contact_id), str(found)) for contact_id, found in rows]


def ambiguous(caller: Caller, labels: list[str]) -> InvalidInput:
    """The refusal of a phone or a name that several contacts share."""
    shown = ", ".join(one_line(found, 60) for found in labels[:5])
    if caller.kind == CallerKind.PHONE:
        return InvalidInput(
            f"{len(labels)} contacts have the phone {caller.phone} ({shown}):"
            " give the caller's e-mail address"
        )
    return InvalidInput(
        f"{len(labels)} contacts are called {one_line(caller.name or '', 60)!r} ({shown}):"
        " give the caller's e-mail address or phone"
    )
