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

from console.core import links, workflow
from console.core.model import Line, Status
from console.tui.app import make_app
from console.tui.screens.dialogs import AskChoice, AskLongText, AskText, Confirm

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
        workflow.customer_message(store, "intake", duplicate, "still jammed")
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
        await choose(pilot, str(primary))
        await dialog(pilot, Confirm)
        await pilot.press("y")
        await until_title(pilot, "Tell the requester?")
        await choose(pilot, "tell")
        await back_on_ticket(pilot)
        assert f"merged into #{primary}" in screen_text(app)
        with store_of(db_path) as store:
            assert store.ticket(duplicate).status == Status.CLOSED
            assert [k.kind for k in links.links(store, duplicate)] == ["merged"]
            assert f"#{primary}" in store.messages(duplicate)[-1].body  # the notice
        await pilot.press("U")
        await dialog(pilot, Confirm)
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
        await choose(pilot, "\0number")
        await dialog(pilot, AskText)
        await type_text(pilot, f"#{problem}")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert f"problem #{problem}" in screen_text(app)
        with store_of(db_path) as store:
            assert links.children(store, problem) == [child]
        await pilot.press("U")
        await dialog(pilot, Confirm)
        await pilot.press("y")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert links.children(store, problem) == []


async def test_solving_a_parent_broadcasts_to_its_children(app, db_path) -> None:
    problem = new_ticket(db_path, "Outage: mail delayed")
    children = [new_ticket(db_path, f"Mail late {n}") for n in range(2)]
    with store_of(db_path) as store:
        for child in children:
            links.link_parent(store, "intake", child, problem)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, problem)
        assert "parent problem of 2 ticket(s)" in screen_text(app)
        await pilot.press("S")
        await choose(pilot, "broadcast")
        await dialog(pilot, AskLongText)
        await type_text(pilot, "Mail flows again. ")  # before the suggested text
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        for ticket_id in [problem, *children]:
            assert store.ticket(ticket_id).status == Status.SOLVED
            body = store.messages(ticket_id)[-1].body
            assert body == "Mail flows again. " + workflow.CONFIRM_TEXT


async def test_split_by_position_then_undo(app, db_path) -> None:
    source = new_ticket(db_path, "Two problems in one")
    with store_of(db_path) as store:
        workflow.customer_message(store, "intake", source, "first: the printer")
        workflow.customer_message(store, "intake", source, "second: the scanner")
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, source)
        await pilot.press("s")
        await dialog(pilot, AskText)
        await type_text(pilot, "9")
        await pilot.press("enter")
        await until(pilot, lambda: "there is no message 9" in screen_text(app), "the error")
        await pilot.press("backspace")
        await type_text(pilot, "2")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        with store_of(db_path) as store:
            (link,) = [k for k in links.links(store, source) if k.kind == "split"]
            assert [m.body for m in store.messages(link.ticket_id)] == ["second: the scanner"]
        assert f"split off #{link.ticket_id}" in screen_text(app)
        await pilot.press("U")
        await dialog(pilot, Confirm)
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
        await choose(pilot, "basics")
        await back_on_ticket(pilot)
        text = screen_text(app)
        assert "Checklists (0/2 answered)" in text
        assert "[bold]Which[/] version?" in text and "(required)" in text
        await pilot.press("e")
        await choose(pilot, "L2")
        await dialog(pilot, AskLongText)
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
        override = [e for e in store.events(ticket_id) if e.action == "checklist-override"]
    assert override[0].detail == "customer unreachable"


async def test_answer_then_ask_the_rest(macros_app, db_path) -> None:
    app = macros_app
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("x")
        await choose(pilot, "basics")
        await back_on_ticket(pilot)
        await pilot.press("X")
        await choose(pilot, "1")
        await dialog(pilot, AskText)
        await type_text(pilot, "[i]2.1[/i]")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        text = screen_text(app)
        assert "Checklists (1/2 answered)" in text and "\u2192 [i]2.1[/i]" in text
        await pilot.press("A")
        screen = await dialog(pilot, AskChoice)
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
        workflow.hand_to_vendor(store, "bob", target, HOSTILE, "[/]", reason="vendor")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await on_ticket(pilot, target)
        await until(pilot, lambda: bool(screen.suggestions), "the suggestions")
        await pilot.press("e")
        await choose(pilot, "L2")
        await dialog(pilot, AskLongText)
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
