"""A caller known only by a phone number or a name: the ticket is opened for a contact with no
e-mail address (made, or found when it is a known contact's), its requester is their phone or
name, and everything that reads a requester copes: the query language, the customer's
history, `contact show` and `contact list`, duplicates, macros."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from console.cli import main
from console.core import contacts, dupes, links, operations
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import EventAction, QueueFilter
from console.core.query import parse
from console.core.requester import CallerKind, parse_requester
from console.core.store import Store
from console.core.ticket_values import ticket_values

PHONE = "+380 44 123 45 67"
KEY = "+380441234567"


def _open(desk: Desk, requester: str, subject: str = "Payroll fails") -> int:
    return operations.create_ticket(desk, subject=subject, requester=requester).id


def _found(store: Store, text: str) -> list[int]:
    return [t.id for t in store.tickets(QueueFilter(query=parse(text)), limit=50)]


def _counts(store: Store) -> tuple[int, int, int]:
    return store.query(
        "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM tickets),"
        " (SELECT count(*) FROM events)"
    )[0]


@pytest.mark.parametrize(
    ("typed", "kind", "label"),
    [
        ("Ann@Example.com", CallerKind.ADDRESS, "ann@example.com"),
        ("Ann Lee <ann@example.com>", CallerKind.ADDRESS, "ann@example.com"),
        ("(044) 123-45-67", CallerKind.PHONE, "0441234567"),
        (PHONE, CallerKind.PHONE, KEY),
        ("  Ann   Lee ", CallerKind.NAME, "Ann Lee"),
        ("Олена Коваль", CallerKind.NAME, "Олена Коваль"),
    ],
)
def test_a_requester_is_an_address_a_phone_or_a_name(
    typed: str, kind: CallerKind, label: str
) -> None:
    caller = parse_requester(typed)
    assert (caller.kind, caller.label) == (kind, label)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "the requester is empty"),
        ("ann@", "is not an e-mail address"),
        ("<ann>", "is not an e-mail address"),
        ("12", "is neither an e-mail address, a phone number nor a name"),
        ("?!", "is neither"),
        ("A", "is neither"),
        ("x" * 201, "is neither"),
        ("Ann\x1b[2J", "is neither"),
    ],
)
def test_a_requester_that_names_nobody_is_refused_and_nothing_is_written(
    desk: Desk, typed: str, says: str
) -> None:
    with pytest.raises(InvalidInput, match=says):
        _open(desk, typed)
    assert _counts(desk.store) == (0, 0, 0)


def test_a_new_phone_makes_a_contact_with_no_address(desk: Desk) -> None:
    store = desk.store
    ticket = store.ticket(_open(desk, PHONE))
    assert ticket.requester == KEY
    caller = contacts.one(store, PHONE)
    assert (caller.email, caller.phone, caller.name, caller.label) == (None, KEY, None, KEY)
    assert (caller.domain, caller.company) == (None, None)
    created = store.events(ticket.id)[0]
    assert created.action == EventAction.CREATED and f"from {KEY} via cli" in str(created.detail)
    # The same phone again (however it is written) is the same caller.
    again = _open(desk, "+380 (44) 123-45-67", "Payroll fails again")
    assert store.ticket(again).requester == KEY
    assert store.query("SELECT count(*) FROM contacts") == [(1,)]
    assert contacts.history(store, caller.label).total == 2
    assert contacts.by_requester(store, KEY) == caller


def test_a_new_name_makes_a_contact_with_no_address(desk: Desk) -> None:
    store = desk.store
    ticket = store.ticket(_open(desk, "Ann Lee"))
    assert ticket.requester == "Ann Lee"
    ann = contacts.one(store, "ann lee")
    assert (ann.email, ann.phone, ann.name) == (None, None, "Ann Lee")
    assert _open(desk, "ANN LEE") and store.query("SELECT count(*) FROM contacts") == [(1,)]
    assert contacts.by_requester(store, "Ann Lee") == ann
    assert store.contact_name("Ann Lee") == "Ann Lee"
    values = ticket_values(desk, ticket)
    assert values["customer.name"] == "Ann Lee" and "customer.email" not in values


def test_a_known_callers_phone_or_name_opens_the_ticket_for_them(desk: Desk) -> None:
    first = _open(desk, "Olga Petrenko <olga@acme.test>")
    contacts.edit(desk, "olga@acme.test", phone=PHONE)
    store = desk.store
    assert store.ticket(_open(desk, KEY)).requester == "olga@acme.test"
    assert store.ticket(_open(desk, "olga petrenko")).requester == "olga@acme.test"
    assert store.query("SELECT count(*) FROM contacts") == [(1,)]
    assert contacts.history(store, "olga@acme.test", leave_out=first).total == 3


def test_a_phone_or_a_name_several_contacts_share_is_refused_naming_them(desk: Desk) -> None:
    for who in ("Ann Lee <ann@acme.test>", "Ann Lee <ann@shop.test>"):
        _open(desk, who)
        contacts.edit(desk, who.split("<")[1].rstrip(">"), phone=PHONE)
    before = _counts(desk.store)
    with pytest.raises(InvalidInput, match=re.escape(f"2 contacts have the phone {KEY} (ann@")):
        _open(desk, PHONE)
    with pytest.raises(InvalidInput, match="2 contacts are called 'Ann Lee'.*e-mail address"):
        _open(desk, "Ann Lee")
    assert _counts(desk.store) == before


def test_the_query_language_finds_a_caller_with_no_address(desk: Desk) -> None:
    by_phone = _open(desk, PHONE)
    by_name = _open(desk, "Ann Lee")
    _open(desk, "bob@shop.test")
    store = desk.store
    for text in (f"from:{KEY}", KEY, f'"{PHONE}"', f'from:"{PHONE}"'):
        assert _found(store, text) == [by_phone], text
    for text in ("from:Ann", "from:ann", 'from:"ann lee"'):
        assert _found(store, text) == [by_name], text
    # A domain is looked for only where there is an address.
    assert _found(store, f"from:@{KEY[1:]}") == [] and _found(store, "org:Ann") == []
    assert _found(store, "from:@shop.test") != []


def test_what_continues_a_callers_ticket_stays_theirs(desk: Desk) -> None:
    ticket = _open(desk, PHONE)
    note = operations.customer_message(desk, ticket, "And the second screen too").id
    message = desk.store.messages(note)[0].id
    split = links.split(desk, ticket, [message]).id
    assert desk.store.ticket(split).requester == KEY
    assert desk.store.query("SELECT count(*) FROM contacts") == [(1,)]


def test_duplicates_know_the_same_caller_by_name(desk: Desk) -> None:
    first = _open(desk, "Ann Lee", "VPN drops every hour")
    other = _open(desk, "bob@shop.test", "VPN drops every hour")
    second = _open(desk, "Ann Lee", "VPN drops again")
    reasons = {s.ticket_id: s.reasons for s in dupes.suggest(desk.store, second)}
    assert "same requester, still open" in reasons[first]
    assert not any("same requester" in r for r in reasons[other])


def test_the_command_line_opens_a_ticket_for_a_phone_or_a_name(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    base = ["--db", str(db_path), "--as", "tess"]
    assert main([*base, "new", "--subject", "Payroll", "--requester", PHONE, "--body", "b"]) == 0
    assert capsys.readouterr().out == "1\n"
    assert main([*base, "new", "--subject", "Printer", "--from", "Ann Lee", "--body", "b"]) == 0
    capsys.readouterr()
    assert main([*base, "show", "1"]) == 0
    assert f"from {KEY}," in capsys.readouterr().out
    assert main([*base, "contact", "show", "+380 44 123-45-67"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"{KEY} (no e-mail address yet: replies are not mailed)\n")
    assert "organisation -   phone +380441234567" in shown and "1 ticket, 1 open" in shown
    assert main([*base, "contact", "show", "Ann Lee"]) == 0
    assert capsys.readouterr().out.startswith("Ann Lee (no e-mail address yet")
    assert main([*base, "contact", "list", "Ann"]) == 0
    listed = capsys.readouterr().out
    assert listed.split() == ["-", "Ann", "Lee", "-"] and "None" not in listed
    assert main([*base, "contact", "show", KEY, "--json"]) == 0
    shown_json = json.loads(capsys.readouterr().out)
    assert (shown_json["email"], shown_json["phone"], shown_json["tickets"]) == (None, KEY, 1)
