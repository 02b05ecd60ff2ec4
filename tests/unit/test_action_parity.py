"""Every ticket action is declared once and reaches the agent by every road: a CLI verb, a key
on the ticket screen, a line of key help, a palette command, a flow. Who may use it is the
same on every road: the core operation enforces the rule, and the screen offers an agent
only what the rule allows. This test fails when an action lacks one of these, or when the
screen, the command line and the core disagree about who may use it."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from console.cli import build_parser, main
from console.core import checklists, escalation, links, operations
from console.core.actions import ACTIONS, Kind, TicketAction
from console.core.desk import Desk
from console.core.macro_loader import load
from console.core.mail.sender import DeliveryError, send_due
from console.core.team import NotAllowed, parse_team
from console.tui.actions import FLOWS
from console.tui.actions.keys import ACTION_BINDINGS
from console.tui.screens.detail import DetailScreen
from tests.support import START, FrozenClock, make_desk, open_store

TEAM_TOML = """
[agents.ann]
lines = ["L1"]

[agents.dmitro]
lines = ["L3"]

[agents.lena]
lines = ["L3"]
role = "lead"
"""
TEAM = parse_team(
    {
        "agents": {
            "ann": {"lines": ["L1"]},
            "dmitro": {"lines": ["L3"]},
            "lena": {"lines": ["L3"], "role": "lead"},
        }
    }
)
PEOPLE = ("ann", "dmitro", "lena")
"""A front-line agent, a third-line expert, and a lead working the third line."""

Setup = Callable[[Desk, int], list[str]]
"""Prepares a ticket so that only a rule could refuse the action (run as the lead); returns
more values for the verb."""


def _nothing(desk: Desk, ticket_id: int) -> list[str]:
    return []


def _replied(desk: Desk, ticket_id: int) -> list[str]:
    operations.reply(desk, ticket_id, "Which version?")
    return []


def _solved(desk: Desk, ticket_id: int) -> list[str]:
    operations.solve(desk, ticket_id)
    return []


def _with_vendor(desk: Desk, ticket_id: int) -> list[str]:
    operations.hand_to_vendor(desk, ticket_id, "HP", "HP-1")
    return []


def _promised(desk: Desk, ticket_id: int) -> list[str]:
    operations.set_followup(desk, ticket_id, START.replace(year=2030))
    return []


def _estimated(desk: Desk, ticket_id: int) -> list[str]:
    operations.bill(desk, ticket_id, 60)
    return []


def _asked_by_the_third_line(desk: Desk, ticket_id: int) -> list[str]:
    escalation.ask_front(desk.acting_as("dmitro"), ticket_id, "Which version?")
    return []


def _on_line(line: str) -> Setup:
    def setup(desk: Desk, ticket_id: int) -> list[str]:
        escalation.escalate(desk, ticket_id, "over to you", to_line=line)
        return []

    return setup


def _another(desk: Desk) -> int:
    return operations.create_ticket(desk, subject="Same again", requester="ann@example.com").id


def _another_number(desk: Desk, ticket_id: int) -> list[str]:
    return [str(_another(desk))]


def _merged(desk: Desk, ticket_id: int) -> list[str]:
    links.merge(desk, ticket_id, _another(desk))
    return []


def _hanging(desk: Desk, ticket_id: int) -> list[str]:
    links.link_parent(desk, ticket_id, _another(desk))
    return []


def _a_parent(desk: Desk, ticket_id: int) -> list[str]:
    links.link_parent(desk, _another(desk), ticket_id)
    return []


def _noted(desk: Desk, ticket_id: int) -> list[str]:
    operations.note(desk, ticket_id, "first")
    return []


def _split(desk: Desk, ticket_id: int) -> list[str]:
    _noted(desk, ticket_id)
    links.split(desk, ticket_id, [desk.store.messages(ticket_id)[0].id])
    return []


class _Refusing:
    """A mail server that refuses every recipient for good."""

    def send(self, message: object, sender: str, recipient: str) -> None:
        raise DeliveryError("550 no such user", permanent=True)


def _undelivered(desk: Desk, ticket_id: int) -> list[str]:
    operations.reply(desk, ticket_id, "Try again please")
    send_due(desk, _Refusing())
    return []


SAVED = tempfile.mkdtemp(prefix="console-parity-")
"""Where the parity test's `attachment save` writes (each run overwrites, with --force)."""


def _with_a_file(desk: Desk, ticket_id: int) -> list[str]:
    with desk.store.transaction() as conn:
        conn.execute(
            "INSERT INTO attachments (ticket_id, filename, content_type, size, data, created_at)"
            " VALUES (?, 'scan.pdf', 'application/pdf', 4, x'25504446', '2026-11-02T09:00:00Z')",
            (ticket_id,),
        )
    return []


def _checklist(desk: Desk, ticket_id: int) -> list[str]:
    checklists.attach(desk, ticket_id, load(None).checklist("self-diagnosis"))
    return []


def _answered(desk: Desk, ticket_id: int) -> list[str]:
    _checklist(desk, ticket_id)
    checklists.answer(desk, ticket_id, "1", "yes")
    return []


EXAMPLES: dict[str, tuple[Setup, list[str]]] = {
    "reply": (_nothing, ["--body", "Try again please"]),
    "ask_front": (_nothing, ["--question", "Which version do they run?"]),
    "note": (_nothing, ["--body", "for the team"]),
    "customer": (_nothing, ["--body", "It is still broken"]),
    "answer_front": (_asked_by_the_third_line, ["--answer", "7.2"]),
    "nudge": (_replied, []),
    "court": (_nothing, ["customer", "--reason", "waiting for logs"]),
    "vendor": (_nothing, ["--vendor", "HP", "--case", "HP-1"]),
    "vendor_answer": (_with_vendor, ["--body", "patched"]),
    "followup": (_nothing, ["--due", "+2h", "--note", "call back"]),
    "followup_done": (_promised, []),
    "priority": (_nothing, ["P1"]),
    "triage": (_nothing, ["--impact", "high", "--urgency", "low"]),
    "type": (_nothing, ["bug"]),
    "tag": (_nothing, ["+outage"]),
    "bill": (_nothing, ["--estimate", "2h"]),
    "approve": (_estimated, []),
    "refuse": (_estimated, []),
    "log_time": (_nothing, ["30m", "--internal"]),
    "solve": (_nothing, []),
    "confirm": (_solved, []),
    "close": (_nothing, ["--reason", "done", "--message", "Closing it, thank you."]),
    "rate": (_solved, ["5"]),
    "mail_retry": (_undelivered, []),
    "mail_dismiss": (_undelivered, []),
    "save_file": (_with_a_file, ["1", SAVED, "--force"]),
    "escalate": (_nothing, ["--note", "tried everything"]),
    "deescalate": (_on_line("L2"), ["--note", "back to you"]),
    "take": (_on_line("L3"), []),  # ann works L1: see `_for`
    "assign": (_on_line("L3"), ["lena"]),
    "merge": (_another_number, ["--notify", "--into"]),
    "unmerge": (_merged, []),
    "parent": (_another_number, ["--parent"]),
    "unlink": (_hanging, []),
    "split": (_noted, ["--messages", "1"]),
    "unsplit": (_split, []),
    "solve_problem": (_a_parent, ["--reply", "Fixed for everyone."]),
    "attach": (_nothing, ["self-diagnosis"]),
    "answer": (_checklist, ["1", "--text", "yes"]),
    "reopen_question": (_answered, ["1"]),
    "ask": (_checklist, ["--allow-missing"]),
    "macro": (_nothing, ["note-handoff", "--allow-missing"]),
    "copy": (_nothing, []),
}
"""A way to use each action on a ticket where it can go through for someone allowed. The
values a rule guards (a closing message, a merge notice, a broadcast reply) are given, so the
rule is what is tested."""


def test_every_action_has_an_example() -> None:
    assert set(EXAMPLES) == set(ACTIONS), "add an example for each new action"


def _verbs() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found[(*prefix, name)] = sub
                    walk(sub, (*prefix, name))

    walk(build_parser(), ())
    return found


@pytest.mark.parametrize("action", ACTIONS.values(), ids=list(ACTIONS))
def test_each_action_has_a_verb_with_its_values(action: TicketAction) -> None:
    parser = _verbs().get(action.verb)
    assert parser is not None, f"no `console {' '.join(action.verb)}`"
    assert (parser.description or "") == action.help
    options = {o for a in parser._actions for o in a.option_strings}
    names = {a.dest for a in parser._actions}
    for param in action.params:
        assert param.name in names if param.positional else param.option in options
    assert "--json" in options
    assert ("--expect-version" in options) == action.writes


@pytest.mark.parametrize("action", ACTIONS.values(), ids=list(ACTIONS))
def test_each_action_has_a_key_help_and_a_flow(action: TicketAction) -> None:
    binding = next(b for b in ACTION_BINDINGS if b.id == f"ticket.{action.id}")
    assert binding.key == action.key
    assert binding.description and binding.tooltip
    assert binding in DetailScreen.BINDINGS
    asked_generically = all(p.kind != Kind.NUMBERS for p in action.params)
    assert action.id in FLOWS or asked_generically, f"{action.id} needs a flow of its own"
    assert action.help and action.title and action.area


def _for(login: str, action: TicketAction, setup: Setup) -> Setup:
    """Taking a ticket is for whoever works its line (a rule of the ticket, not of the
    action): each agent takes one on their own line."""
    if action.id == "take" and login == "ann":
        return _nothing
    return setup


def _verb(action: TicketAction, ticket_id: int, values: list[str]) -> list[str]:
    ticket = [str(ticket_id)]
    positional = [] if action.ticket_last else ticket
    rest = [*values, *ticket] if action.ticket_last else values
    return [*action.verb, *positional, *rest]


@pytest.fixture
def team_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CONSOLE_MACROS", "CONSOLE_CONFIG", "CONSOLE_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nobody's"))
    config = tmp_path / "team.toml"
    config.write_text(TEAM_TOML)
    return config


@pytest.mark.parametrize("action", ACTIONS.values(), ids=list(ACTIONS))
def test_the_core_enforces_the_declared_rule_on_the_command_line(
    action: TicketAction,
    tmp_path: Path,
    team_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup, values = EXAMPLES[action.id]
    for login in PEOPLE:
        db = tmp_path / f"{login}.db"
        with open_store(db, FrozenClock(START)) as store:
            lead = make_desk(store, "lena", team=TEAM)
            ticket_id = operations.create_ticket(
                lead, subject="Printer", requester="ann@example.com"
            ).id
            more = _for(login, action, setup)(lead, ticket_id)
        args = _verb(action, ticket_id, [*values, *more])
        code = main(["--db", str(db), "--config", str(team_config), "--as", login, *args])
        err = capsys.readouterr().err
        agent = TEAM.agent(login)
        given = [p for p in action.params if p.option in values]
        allowed = action.allows(agent) and all(p.rule.allows(agent) for p in given)
        assert (code == 0) == allowed, f"{action.id} as {login}: exit {code}: {err}"
        if not allowed:
            assert err.count("\n") == 1 and "console: error:" in err


@pytest.mark.parametrize(
    "action", [a for a in ACTIONS.values() if a.rule.value != "anyone"], ids=lambda a: a.id
)
def test_the_core_refuses_whoever_the_rule_leaves_out(action: TicketAction, tmp_path: Path) -> None:
    """The refusal comes from the operation itself (`NotAllowed`), not from the road."""
    setup, _values = EXAMPLES[action.id]
    for login in PEOPLE:
        if action.allows(TEAM.agent(login)):
            continue
        with open_store(tmp_path / f"{login}.db", FrozenClock(START)) as store:
            lead = make_desk(store, "lena", team=TEAM)
            ticket_id = operations.create_ticket(
                lead, subject="Printer", requester="ann@example.com"
            ).id
            setup(lead, ticket_id)
            values = _core_values(action)
            with pytest.raises(NotAllowed):
                action.perform(lead.acting_as(login), ticket_id, values, expected_version=None)


def _core_values(action: TicketAction) -> dict[str, object]:
    return {
        "reply": {"body": "hi"},
        "ask_front": {"question": "Which version?"},
        "answer_front": {"answer": "7.2"},
        "nudge": {},
        "bill": {"estimate": 60},
        "solve": {},
        "ask": {"allow_missing": True},
        "mail_retry": {},
    }[action.id]


async def test_the_screen_offers_each_agent_what_the_rule_allows(tmp_path: Path) -> None:
    from console.tui.app import ConsoleApp

    for login in PEOPLE:
        with open_store(tmp_path / f"{login}.db", FrozenClock(START)) as store:
            ticket_id = operations.create_ticket(
                make_desk(store, "lena", team=TEAM), subject="x", requester="a@example.com"
            ).id
        desk = make_desk(open_store(tmp_path / f"{login}.db", FrozenClock(START)), login, team=TEAM)
        app = ConsoleApp(desk, clock=FrozenClock(START))
        async with app.run_test(size=(120, 36)) as pilot:
            app.open_ticket(ticket_id)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DetailScreen)
            agent = TEAM.agent(login)
            for action in ACTIONS.values():
                offered = action in screen.sharing(action)
                assert offered == action.allows(agent), f"{action.id} for {login}"
