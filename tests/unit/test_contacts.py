"""The customer: found by address, phone, name or organisation; what an agent adds is kept;
a plan's promises hold for its customers' tickets, a VIP plan is marked; the query language
finds the caller by phone, address, domain, organisation or plan."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from console.cli import main
from console.core import contacts, operations, workflow
from console.core.check import check
from console.core.config import sla_policy
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import Priority, QueueFilter
from console.core.phone import looks_like_phone, phone_key
from console.core.query import parse
from console.core.sla import Plan, Targets
from console.tui.queues import row_marks

HOUR = 3600


def _caller(desk: Desk) -> int:
    return operations.create_ticket(
        desk,
        subject="Payroll fails",
        requester="Olga Petrenko <olga@acme.test>",
        priority=Priority.P3,
    ).id


def test_phone_numbers_are_kept_as_plus_and_digits() -> None:
    assert phone_key("+380 (44) 123-45-67") == "+380441234567"
    assert looks_like_phone("044 123 45 67") and not looks_like_phone("room 12")
    assert not looks_like_phone("12") and not looks_like_phone("ann@acme.test")


def test_an_agent_fills_in_the_customer_and_finds_them_every_way(desk: Desk) -> None:
    _caller(desk)
    olga = contacts.edit(
        desk,
        "olga@acme.test",
        phone="+380 44 123-45-67",
        organisation="Acme Corp",
        lang="uk",
        notes="Calls before 10",
    )
    assert (olga.name, olga.phone, olga.company, olga.domain) == (
        "Olga Petrenko",
        "+380441234567",
        "Acme Corp",
        "acme.test",
    )
    store = desk.store
    for typed in ("olga@acme.test", "+380 44 123 45 67", "olg", "Olga P", "acme c", "@acme.test"):
        assert [c.email for c in contacts.find(store, typed)] == ["olga@acme.test"], typed
    assert contacts.one(store, "+380441234567").email == "olga@acme.test"
    cleared = contacts.edit(desk, "olga@acme.test", organisation="")
    assert cleared.organisation is None and cleared.company == "acme.test"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("phone", "call me", "is not a phone number"),
        ("lang", "de", "one of en, ru, uk"),
        ("name", "x" * 300, "at most 200"),
        ("name", "bad\x1b[2J", "one line"),
    ],
)
def test_a_wrong_value_is_refused_and_nothing_changes(
    desk: Desk, field: str, value: str, says: str
) -> None:
    _caller(desk)
    before = contacts.by_email(desk.store, "olga@acme.test")
    with pytest.raises(InvalidInput, match=says):
        contacts.edit(desk, "olga@acme.test", **{field: value})
    assert contacts.by_email(desk.store, "olga@acme.test") == before


def test_a_plans_promises_hold_for_its_customers_open_tickets(desk: Desk) -> None:
    gold = {p: Targets(HOUR // 2, HOUR, 4 * HOUR) for p in Priority}
    desk = replace(desk, policy=replace(desk.policy, plans={"gold": Plan(True, gold)}))
    ticket = _caller(desk)
    before = workflow.clocks(desk.store, ticket).sla_due_at  # P3: 8 h to first response
    contacts.edit(desk, "olga@acme.test", plan="gold")
    after = workflow.clocks(desk.store, ticket).sla_due_at
    assert before is not None and after is not None and after < before
    assert check(desk.store, desk.policy).sound  # the stored deadline is the plan's
    with pytest.raises(InvalidInput, match="one of gold"):
        contacts.edit(desk, "olga@acme.test", plan="platinum")
    summary = desk.store.tickets(QueueFilter(), limit=5)
    assert row_marks(desk.store, "agent", summary, desk.policy.vip_plans)[ticket].vip
    vip = parse("is:vip", vip_plans=desk.policy.vip_plans)
    assert [t.id for t in desk.store.tickets(QueueFilter(query=vip))] == [ticket]
    assert not desk.store.tickets(QueueFilter(query=parse("is:vip")))  # no VIP plan named


def test_the_query_language_finds_the_caller(desk: Desk) -> None:
    ticket = _caller(desk)
    operations.create_ticket(desk, subject="Other", requester="bob@shop.test")
    contacts.edit(desk, "olga@acme.test", phone="+380441234567", organisation="Acme Corp")
    contacts.edit(desk, "olga@acme.test", plan="gold")
    for text in (
        "olga@acme.test",
        "@acme.test",
        "+380441234567",
        '"+380 44 123 45 67"',
        "from:+380441234567",
        'org:"acme corp"',
        "plan:gold",
    ):
        found = [t.id for t in desk.store.tickets(QueueFilter(query=parse(text)))]
        assert found == [ticket], text


def test_plans_in_the_team_config(tmp_path: Path) -> None:
    config = tmp_path / "console.toml"
    config.write_text(
        '[sla]\nfirst_response = "8h"\n[plans.gold]\nvip = true\nfirst_response = "1h"\n'
        '[plans.gold.P1]\nresolution = "4h"\n[plans.basic]\n'
    )
    policy = sla_policy(config)
    assert policy.vip_plans == ("gold",)
    assert policy.plans["gold"].targets[Priority.P3].first_response == HOUR
    assert policy.plans["gold"].targets[Priority.P1].resolution == 4 * HOUR
    assert policy.plans["basic"].targets == policy.targets
    config.write_text('[plans.gold]\nvip = "yes"\n')
    with pytest.raises(InvalidInput, match="plans.gold.vip: true or false"):
        sla_policy(config)
    config.write_text('[plans.gold]\nfirst_responce = "1h"\n')
    with pytest.raises(InvalidInput, match="did you mean 'first_response'"):
        sla_policy(config)


def test_contact_on_the_command_line(capsys, db_path: Path, desk: Desk) -> None:
    ticket = _caller(desk)
    operations.create_ticket(desk, subject="Earlier", requester="olga@acme.test")
    desk.store.close()
    base = ["--db", str(db_path), "--as", "tess"]
    assert main([*base, "contact", "edit", "olga", "--phone", "+380 44 123 45 67"]) == 0
    assert capsys.readouterr().out == "olga@acme.test: saved\n"
    assert main([*base, "contact", "show", "+380441234567"]) == 0
    shown = capsys.readouterr().out
    assert "Olga Petrenko <olga@acme.test>" in shown and "2 tickets, 2 open" in shown
    assert f"#{ticket}" in shown
    assert main([*base, "contact", "list", "@acme.test", "--json"]) == 0
    assert [c["email"] for c in json.loads(capsys.readouterr().out)] == ["olga@acme.test"]
    assert main([*base, "contact", "edit", "nobody@x.test", "--name", "N"]) == 2
    assert "no contact 'nobody@x.test'" in capsys.readouterr().err
    assert main([*base, "contact", "edit", "olga"]) == 2
    assert "say what to change" in capsys.readouterr().err
