"""The customers: who is calling, from which organisation, on which plan, and what they have
asked before. Looking the caller up is the first line's first move.

A contact is made the first time someone writes or is written down as a requester: by their
e-mail address, or, on a phone call, by a phone number or a name alone (the address can come
later; see `requester`). An agent adds the rest: a name, the organisation (the e-mail domain
until someone names it), a phone number, the language replies go out in, the plan, and notes.
Found by address, by phone (whatever its spaces and dashes), by the start of the name, or by
the organisation or domain."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace

from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.phone import looks_like_phone, phone_key
from console.core.requester import (
    LABEL_SQL,
    Caller,
    contact_where,
    label,
    matching,
    parse_address,
    parse_requester,
)
from console.core.schema import OPEN_SQL
from console.core.store import Store
from console.core.text import one_line
from console.core.workflow import change

MAX_NOTES = 4000
MAX_FIELD = 200
LANGUAGES = ("en", "ru", "uk")
_COLUMNS = "id, email, name, organisation, phone, lang, plan, notes, created_at"


@dataclass(frozen=True)
class Contact:
    id: int
    email: str | None
    """None for a caller known only by a phone or a name: nothing is mailed to them."""
    name: str | None
    organisation: str | None
    """As an agent named it; None: the e-mail domain stands for it (see `company`)."""
    phone: str | None
    lang: str | None
    plan: str | None
    notes: str | None
    created_at: str

    @property
    def label(self) -> str:
        """How their tickets name them (`requester.label`): the address, phone or name."""
        return label(self.email, self.phone, self.name)

    @property
    def domain(self) -> str | None:
        return self.email.rpartition("@")[2] if self.email else None

    @property
    def company(self) -> str | None:
        """The organisation, or the e-mail domain until someone names it."""
        return self.organisation or self.domain


def _contact(row: tuple[object, ...]) -> Contact:
    return Contact(*row)  # type: ignore[arg-type]


def by_email(store: Store, email: str) -> Contact | None:
    rows = store.query(f"SELECT {_COLUMNS} FROM contacts WHERE email = ?", (email.strip(),))
    return _contact(rows[0]) if rows else None


def by_requester(store: Store, requester: str) -> Contact | None:
    """The contact a ticket's requester names (its address, or the phone or name of a
    caller who has none)."""
    where, params = contact_where(requester)
    rows = store.query(f"SELECT {_COLUMNS} FROM contacts WHERE {where} LIMIT 1", params)
    return _contact(rows[0]) if rows else None


def find(store: Store, text: str, *, limit: int = 20) -> list[Contact]:
    """Contacts `text` names: an address, a phone number, "@domain", or the start of a name,
    an address or an organisation; each lookup on an index, the exact ones first."""
    typed = text.strip()
    if not typed:
        return []
    if looks_like_phone(typed):
        where, params = "phone = ?", [phone_key(typed)]
    elif typed.startswith("@"):
        where = "substr(email, instr(email, '@') + 1) = ? COLLATE NOCASE"
        params = [typed[1:]]
    else:
        pattern = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = (
            "email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR organisation LIKE ? ESCAPE '\\'"
        )
        params = [pattern, pattern, pattern]
    rows = store.query(
        f"SELECT {_COLUMNS} FROM contacts WHERE {where} ORDER BY {LABEL_SQL} LIMIT ?",
        (*params, limit),
    )
    return [_contact(row) for row in rows]


def one(store: Store, text: str) -> Contact:
    """The one contact `text` names; refused, with the candidates, when it names none or
    several. A whole name names the contact called so even when others' names begin with it."""
    exact = by_email(store, text.strip().lower())
    if exact is not None:
        return exact
    found = find(store, text, limit=6)
    if len(found) > 1:
        typed = " ".join(text.split()).lower()
        called = [c for c in found if c.name and c.name.lower() == typed]
        found = called if len(called) == 1 else found
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidInput(
            f"no contact {one_line(text, 60)!r} (give an address, a phone or a name)"
        )
    names = ", ".join(one_line(c.label, 60) for c in found[:5])
    raise InvalidInput(
        f"{one_line(text, 60)!r} names several contacts: {names}; give one address or phone"
    )


@dataclass(frozen=True)
class Known:
    """What a requester as typed names, before a ticket is opened for it (the new-ticket
    form says it as the agent types)."""

    caller: Caller | None
    """What was typed, read; None while it names nobody (see `problem`)."""
    contact: Contact | None = None
    """The one contact it names; None for a caller the ticket will make a contact of."""
    several: int = 0
    """How many contacts share the phone or the name typed, when more than one does."""
    problem: str | None = None


def known(store: Store, text: str) -> Known:
    """The contact `text` would open a ticket for, by the rule `Change.create` follows."""
    try:
        caller = parse_requester(text)
    except InvalidInput as error:
        return Known(None, problem=str(error))
    with store.read() as conn:
        found = matching(conn, caller)
    if len(found) == 1:
        return Known(caller, by_id(store, found[0][0]))
    return Known(caller, several=len(found) if len(found) > 1 else 0)


def _checked(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None  # an empty value clears the field
    if field == "notes":
        if len(value) > MAX_NOTES:
            raise InvalidInput(f"--notes: at most {MAX_NOTES:,} characters")
        return value
    if len(value) > MAX_FIELD or not value.isprintable():
        raise InvalidInput(f"--{field}: one line of at most {MAX_FIELD} characters")
    if field == "email":
        email, name = parse_address(value)
        if name is not None:
            raise InvalidInput(f"--email: the address alone, such as {email}")
        return email
    if field == "name" and looks_like_phone(value):  # it would read as their phone
        raise InvalidInput(f"--name: {one_line(value, 40)!r} is a phone number: give it as --phone")
    if field == "phone":
        if not looks_like_phone(value):
            raise InvalidInput(f"--phone: {one_line(value, 40)!r} is not a phone number")
        return phone_key(value)
    if field == "lang" and value not in LANGUAGES:
        raise InvalidInput(f"--lang: one of {', '.join(LANGUAGES)}")
    return value


EDITABLE = ("email", "name", "organisation", "phone", "lang", "plan", "notes")


def edit(desk: Desk, who: int | str, **fields: str | None) -> Contact:
    """Change what is known of the contact `who` (their id, or their address); a field given
    as "" is cleared, one not given stays. A plan must be one the team config names (when it
    names any). An address another contact has is refused, naming them.

    When the contact's label changes (`requester`: an address added to a caller who had
    none, say), their tickets' requesters follow, each a change of the ticket: what is said
    on them from then on is mailed to the address."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise AssertionError(f"not a contact field: {', '.join(sorted(unknown))}")
    given = {k: v for k, v in fields.items() if v is not None}
    if not given:
        raise InvalidInput("say what to change: --email, --name, --phone, --organisation, ...")
    values = {k: _checked(k, v) for k, v in given.items()}
    plans = desk.policy.plans
    if values.get("plan") and plans and values["plan"] not in plans:
        raise InvalidInput(f"--plan: one of {', '.join(sorted(plans))} (the team config's plans)")
    with change(desk) as c:
        column = "id" if isinstance(who, int) else "email"
        found = c.conn.execute(
            f"SELECT {_COLUMNS} FROM contacts WHERE {column} = ?", (who,)
        ).fetchone()
        if found is None:
            raise InvalidInput(f"no contact {one_line(str(who), 60)!r}")
        before = _contact(found)
        # Every field an agent edits is text (or None).
        after = replace(before, **values)  # type: ignore[arg-type]
        _check_names(c.conn, before, after)
        sets = ", ".join(f"{k} = ?" for k in values)
        c.conn.execute(f"UPDATE contacts SET {sets} WHERE id = ?", (*values.values(), before.id))
        touched = set()
        if after.label != before.label:
            touched.update(c.readdress(before.id, before.label, after.label))
        if after.plan != before.plan:
            # A plan makes other promises: the customer's open tickets are held to them now.
            touched.update(
                ticket_id
                for (ticket_id,) in c.conn.execute(
                    f"SELECT id FROM tickets WHERE contact_id = ? AND {OPEN_SQL}", (before.id,)
                )
            )
        for ticket_id in sorted(touched):
            c.update(ticket_id)
    return by_id(desk.store, before.id)


def _check_names(conn: sqlite3.Connection, before: Contact, contact: Contact) -> None:
    """Refuse an edit that leaves a contact nobody could name, or gives them another
    contact's address or label: their tickets would be mistaken for each other's."""
    if not (contact.email or contact.phone or contact.name):
        raise InvalidInput(
            "a contact needs an e-mail address, a phone or a name: this would leave none"
        )
    if contact.label == before.label:
        return
    if contact.email:
        other = conn.execute(
            f"SELECT {_COLUMNS} FROM contacts WHERE email = ? AND id != ?",
            (contact.email, contact.id),
        ).fetchone()
        if other is not None:
            raise InvalidInput(
                f"--email: {contact.email} is already the address of another contact"
                f"{_named(_contact(other))}: give a different address"
            )
        return
    other = conn.execute(
        f"SELECT id FROM contacts WHERE {LABEL_SQL} = ? COLLATE NOCASE AND id != ?",
        (contact.label, contact.id),
    ).fetchone()
    if other is not None:
        raise InvalidInput(
            f"another contact with no e-mail address is known as {one_line(contact.label, 60)}"
            " too: give one of them an address first"
        )


def _named(contact: Contact) -> str:
    """The contact who has an address, as an error names them: ", Ann Smith" or
    " (phone +380...)"; nothing more when the address is all there is."""
    if contact.name:
        return f", {one_line(contact.name, 60)}"
    return f" (phone {contact.phone})" if contact.phone else ""


def by_id(store: Store, contact_id: int) -> Contact:
    rows = store.query(f"SELECT {_COLUMNS} FROM contacts WHERE id = ?", (contact_id,))
    if not rows:
        raise InvalidInput(f"no contact {contact_id}")
    return _contact(rows[0])


@dataclass(frozen=True)
class History:
    """A contact's tickets: how many, how many open, and the latest few."""

    total: int
    open: int
    latest: list[tuple[int, str, str, str]]
    """(number, subject, status, created at), newest first."""


def history(
    store: Store, requester: str, *, limit: int = 8, leave_out: int | None = None
) -> History:
    """The tickets of the contact `requester` labels (`Contact.label`), on the requester
    index: a count and the newest few (never every ticket)."""
    total, open_count = store.query(
        f"SELECT count(*), count(CASE WHEN {OPEN_SQL} THEN 1 END) FROM tickets WHERE requester = ?",
        (requester,),
    )[0]
    rows = store.query(
        "SELECT id, substr(subject, 1, 200), status, created_at FROM tickets "
        "WHERE requester = ? AND id != ? ORDER BY created_at DESC LIMIT ?",
        (requester, leave_out or 0, limit),
    )
    return History(int(total), int(open_count), [tuple(r) for r in rows])  # type: ignore[misc]
