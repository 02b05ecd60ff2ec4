"""Duplicates, parent problems, splits and checklists from the ticket screen, by key: merge then
undo restores, a refused escalation goes through with an override reason, and the panels show a
stranger's text literally."""

from __future__ import annotations

import pytest
from action_helpers import (
    back_on_ticket,
    choose,
    dialog,
    new_ticket,
    on_ticket,
    store_of,
    type_text,
    until,
    until_title,
)
from ui_helpers import AGENT, frozen_clock, screen_text

from console.core import links, operations
from console.core.canned import Canned
from console.core.model import EventAction, Line, LinkKind, Status
from console.tui.app import make_app
from console.tui.screens.dialogs import AskChoice, Confirm
from tests.support import make_desk

HOSTILE = "[bold red]x[/] \x1b]52;c;aGFja2Vk\x07 grab"


async def test_merge_into_a_suggestion_then_undo_restores(app, db_path) -> None:
    primary = new_ticket(
        db_path,
        "Label printer jams on thick paper",
        "The label printer jams every time.",
        "zed@example.com",
    )
    duplicate = new_ticket(
        db_path,
        "Label printer jams on thick paper again",
        "The label printer jams every time.",
        "zed@example.com",
    )
    with store_of(db_path) as store:
        operations.customer_message(make_desk(store, "intake"), duplicate, "still jammed")
        status_before = store.ticket(duplicate).status
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await on_ticket(pilot, duplicate)
        await until(
            pilot,
            lambda: any(s.ticket_id == primary for s in screen.suggestions),
            "the suggestions",
        )
        assert f"best #{primary}" in screen_text(app)
        await pilot.press("m")
        await until_title(pilot, f"Merge #{duplicate} into")
        await choose(pilot, str(primary))
        confirm = await dialog(pilot, Confirm)
        assert confirm.question == f"Merge #{duplicate} into #{primary}?"
        await pilot.press("y")
        await until_title(pilot, "Tell the requester?")
        await choose(pilot, "tell")
        await back_on_ticket(pilot)
        assert f"merged into #{primary}" in screen_text(app)
        with store_of(db_path) as store:
            assert store.ticket(duplicate).status == Status.CLOSED
            assert [k.kind for k in links.links(store, duplicate)] == [LinkKind.MERGED]
            assert f"#{primary}" in store.messages(duplicate)[-1].body  # the notice
        await pilot.press("U")  # only the merge is there to undo: no choice
        confirm = await dialog(pilot, Confirm)
        assert confirm.question == f"Unmerge #{duplicate}?"
        await pilot.press("y")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.ticket(duplicate).status == status_before
        assert links.links(store, duplicate) == []
        assert [m.body for m in store.messages(duplicate)][0] == "still jammed"
        assert all("merged from" not in m.body for m in store.messages(primary))


async def test_parent_by_number_then_undo(app, db_path) -> None:
    problem = new_ticket(db_path, "Outage: mail delayed")
    child = new_ticket(db_path, "My mail is late")
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, child)
        await pilot.press("p")
        await until_title(pilot, f"Hang #{child} on the parent problem")
        await choose(pilot, "\0number")
        await until_title(pilot, f"#{child}: Hang it on which ticket?")
        await type_text(pilot, f"#{problem}")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert f"problem #{problem}" in screen_text(app)
        with store_of(db_path) as store:
            assert links.children(store, problem) == [child]
        await pilot.press("U")
        confirm = await dialog(pilot, Confirm)
        assert confirm.question == f"Unhang #{child} from its parent problem?"
        await pilot.press("y")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert links.children(store, problem) == []


async def test_solving_a_parent_broadcasts_to_its_children(app, db_path) -> None:
    problem = new_ticket(db_path, "Outage: mail delayed")
    children = [new_ticket(db_path, f"Mail late {n}") for n in range(2)]
    with store_of(db_path) as store:
        for child in children:
            links.link_parent(make_desk(store, "intake"), child, problem)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, problem)
        assert "parent problem of 2 tickets" in screen_text(app)
        await pilot.press("S")  # solve it alone, or with the tickets on it
        await until_title(pilot, f"#{problem}: what now?")
        await choose(pilot, "solve_problem")
        await until_title(pilot, f"#{problem} is the parent problem of 2 tickets")
        await choose(pilot, "broadcast")
        await until_title(pilot, "The reply every ticket gets")
        await type_text(pilot, "Mail flows again. ")  # before the suggested text
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        for ticket_id in [problem, *children]:
            assert store.ticket(ticket_id).status == Status.SOLVED
            body = store.messages(ticket_id)[-1].body
            assert body == "Mail flows again. " + Canned.CONFIRM.english


async def test_split_by_position_then_undo(app, db_path) -> None:
    source = new_ticket(db_path, "Two problems in one")
    with store_of(db_path) as store:
        desk = make_desk(store, "intake")
        operations.customer_message(desk, source, "first: the printer")
        operations.customer_message(desk, source, "second: the scanner")
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, source)
        await pilot.press("s")
        await until_title(pilot, f"Split messages off #{source} into a new ticket")
        await type_text(pilot, "9")
        await pilot.press("enter")
        await until(pilot, lambda: "there is no message 9" in screen_text(app), "the error")
        await pilot.press("backspace")
        await type_text(pilot, "2")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        with store_of(db_path) as store:
            (link,) = [k for k in links.links(store, source) if k.kind == LinkKind.SPLIT]
            new = store.ticket(link.ticket_id)
            assert [m.body for m in store.messages(link.ticket_id)] == ["second: the scanner"]
        assert new.status == Status.OPEN  # a split-off ticket opens as open
        assert f"split off #{link.ticket_id}" in screen_text(app)
        await pilot.press("U")
        confirm = await dialog(pilot, Confirm)
        assert confirm.question == f"Undo the split of #{source}? The split-off ticket is closed."
        await pilot.press("y")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert len(store.messages(source)) == 2
        assert store.ticket(link.ticket_id).status == Status.CLOSED


@pytest.fixture
def macros_app(db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    path = tmp_path / "macros.toml"
    path.write_text(
        '[[checklist]]\nid = "basics"\ntitle = "The basics"\n'
        "questions = [\n"
        '  { id = "version", text = "[bold]Which[/] version?\\u001b[2J", required = true },\n'
        '  { id = "os", text = "Which operating system?" },\n]\n',
        encoding="utf-8",
    )
    return make_app(db_path, AGENT, clock=frozen_clock, macros_path=str(path))


async def test_checklist_gates_escalation_until_an_override(macros_app, db_path) -> None:
    app = macros_app
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("x")
        await until_title(pilot, f"Attach a checklist to #{ticket_id}")
        await choose(pilot, "basics")
        await back_on_ticket(pilot)
        text = screen_text(app)
        assert "Checklists (0/2 answered)" in text
        assert "[bold]Which[/] version?" in text and "(required)" in text
        await pilot.press("e")
        await until_title(pilot, f"Escalate #{ticket_id} from L1 to")
        await choose(pilot, "L2")
        await until_title(pilot, "Hand-off note for L2")
        await type_text(pilot, "needs L2")
        await pilot.press("ctrl+s")
        await until_title(pilot, "Required questions are unanswered")
        with store_of(db_path) as store:  # refused: nothing written yet
            assert store.ticket(ticket_id).line == Line.L1
        await type_text(pilot, "customer unreachable")
        await pilot.press("enter")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).line == Line.L2
        override = [
            e for e in store.events(ticket_id) if e.action == EventAction.CHECKLIST_OVERRIDE
        ]
    assert override[0].detail == "customer unreachable"


async def test_answer_then_ask_the_rest(macros_app, db_path) -> None:
    app = macros_app
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("x")
        await choose(pilot, "basics")
        await back_on_ticket(pilot)
        await pilot.press("X")  # nothing answered yet: straight to the question
        await until_title(pilot, "Which question?")
        await choose(pilot, "1")
        await until_title(pilot, "1. [bold]Which[/] version?\u241b[2J")
        await type_text(pilot, "[i]2.1[/i]")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        text = screen_text(app)
        assert "Checklists (1/2 answered)" in text and "\u2192 [i]2.1[/i]" in text
        await pilot.press("A")
        await until_title(pilot, "Send this as a public reply?")
        screen = pilot.app.screen
        assert isinstance(screen, AskChoice)
        assert "Which operating system?" in screen_text(app)
        assert "version" not in screen.label  # answered questions are not asked again
        await choose(pilot, "send")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        ticket = store.ticket(ticket_id)
        assert str(ticket.court) == "customer"
        assert "Which operating system?" in store.messages(ticket_id)[-1].body


async def test_panels_show_hostile_text_literally(app, db_path) -> None:
    target = new_ticket(db_path, "Scanner offline " + HOSTILE, "scanner offline", "q@x.org")
    new_ticket(db_path, "Scanner offline " + HOSTILE, "scanner offline", "q@x.org")
    with store_of(db_path) as store:
        operations.hand_to_vendor(make_desk(store, "bob"), target, HOSTILE, "[/]", reason="vendor")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await on_ticket(pilot, target)
        await until(pilot, lambda: bool(screen.suggestions), "the suggestions")
        await pilot.press("e")
        await until_title(pilot, f"Escalate #{target} from L1 to")
        await choose(pilot, "L2")
        await until_title(pilot, "Hand-off note for L2")
        await pilot.press(*"[bold]")
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
        await pilot.press("G")
        await pilot.pause()
        text = screen_text(app)
    assert "vendor [bold red]x[/]" in text
    assert "Escalated L1" in text and "[bold]" in text
    assert "Possible duplicates" in text and "Scanner offline [bold red]x[/]" in text
    assert "\x1b" not in text and "\x07" not in text
