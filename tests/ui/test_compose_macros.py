"""Macros from the keyboard: the picker finds by typo, previews for the ticket, inserts into the
composer (and sending applies its actions), copies and says which path worked, survives a
broken file; the palette offers macros; $EDITOR round-trips the text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from compose_helpers import fresh_ticket, open_on, type_text, wait_for
from textual.widgets import TextArea
from ui_helpers import AGENT, frozen_clock, screen_text, settle

from console.core.model import Court, MessageKind, Status
from console.core.store import Store
from console.tui.app import make_app
from console.tui.editor import EditorError, edit_text, editor_command
from console.tui.screens.compose import ComposeScreen
from console.tui.screens.detail import DetailScreen
from console.tui.screens.macro_picker import MacroPicker

MACROS = """
[[macro]]
id = "password-reset"
title = "Password reset link"
body = "Hello {customer.first_name}, here is how to reset your password."
actions = { status = "waiting", tags = ["password"] }

[[macro]]
id = "escalation-note"
title = "Escalation handover"
kind = "note"
body = "Tried: restart. Known: ticket #{ticket.id}."

[[macro]]
id = "printer-jam"
title = "Printer [red]jam[/red]"
body = "Open tray 2."
"""


@pytest.fixture
def macros_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no personal file
    path = tmp_path / "macros.toml"
    path.write_text(MACROS, encoding="utf-8")
    return path


@pytest.fixture
def app(db_path: Path, macros_file: Path):
    return make_app(db_path, AGENT, clock=frozen_clock, macros_path=str(macros_file))


async def test_picker_finds_by_typo_previews_and_inserts(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "Hi. ")
        await pilot.press("ctrl+o")
        await wait_for(pilot, MacroPicker)
        await type_text(pilot, "pasword")  # a typo
        await settle(pilot)
        text = screen_text(app)
        assert "Password reset link" in text
        assert "Hello Ann, here is how to reset" in text  # rendered for this ticket
        assert "set status to waiting" in text and "add tag password" in text
        await pilot.press("enter")
        await wait_for(pilot, ComposeScreen)
        editor = app.screen.query_one(TextArea)
        assert editor.text == "Hi. Hello Ann, here is how to reset your password."
        assert "Macro password-reset" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
    with Store.open(db_path, clock=frozen_clock) as store:
        message = store.messages(ticket.id)[-1]
        after = store.ticket(ticket.id)
        events = [e.action for e in store.events(ticket.id)]
    assert (message.kind, message.body) == (
        MessageKind.REPLY,
        "Hi. Hello Ann, here is how to reset your password.",
    )
    assert after.status == Status.WAITING and after.court == Court.CUSTOMER
    assert "macro" in events and "tag" in events


async def test_M_on_the_ticket_opens_a_note_composer_for_a_note_macro(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("M")
        await wait_for(pilot, MacroPicker)
        await type_text(pilot, "handover")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, ComposeScreen)
        screen = app.screen
        assert screen.kind == MessageKind.NOTE
        assert screen.query_one(TextArea).text == f"Tried: restart. Known: ticket #{ticket.id}."
        assert "INTERNAL note" in screen_text(app)


async def test_hostile_macro_titles_are_shown_literally(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("M")
        await wait_for(pilot, MacroPicker)
        await type_text(pilot, "printer")
        await settle(pilot)
        assert "Printer [red]jam[/red]" in screen_text(app)


async def test_copy_reports_what_was_copied_and_where(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("M")
        await wait_for(pilot, MacroPicker)
        await type_text(pilot, "password")
        await settle(pilot)
        await pilot.press("ctrl+y")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        copied = len("Hello Ann, here is how to reset your password.")
        assert any(
            f"macro password-reset: copied {copied} characters" in m
            and "terminal (OSC 52): yes" in m
            and "local clipboard" in m
            for m in said
        )
        assert app.clipboard == "Hello Ann, here is how to reset your password."


async def test_a_broken_file_keeps_the_last_good_macros_and_says_why(
    app, db_path, macros_file
) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("M")
        await wait_for(pilot, MacroPicker)
        await pilot.press("escape")
        macros_file.write_text(
            MACROS + '\n[[macro]]\nid = "x"\ntitle = "X"\nbody = "{nope}"\n', encoding="utf-8"
        )
        os.utime(macros_file, ns=(1, 1))  # a different mtime, whatever the file system's grain
        await pilot.press("M")
        await wait_for(pilot, MacroPicker)
        text = screen_text(app)
        assert "last good set is in use" in text and "placeholder {nope}" in text
        assert "Password reset link" in text


async def test_the_palette_offers_macros_on_a_ticket(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "macro pasword")
        await settle(pilot)
        assert "Macro: Password reset link" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, ComposeScreen)
        assert app.screen.query_one(TextArea).text.startswith("Hello Ann")


def test_editor_round_trip_with_a_real_script(tmp_path: Path) -> None:
    script = tmp_path / "append.sh"
    script.write_text('#!/bin/sh\nprintf "second line\\n" >> "$1"\n', encoding="utf-8")
    script.chmod(0o755)
    assert edit_text("first line\n", [str(script)]) == "first line\nsecond line\n"
    failing = tmp_path / "fail.sh"
    failing.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    with pytest.raises(EditorError, match="exited with status 3"):
        edit_text("x", [str(failing)])
    with pytest.raises(EditorError, match="could not be started"):
        edit_text("x", [str(tmp_path / "missing-editor")])


def test_editor_command_comes_from_visual_or_editor() -> None:
    assert editor_command({"EDITOR": "vim -n"}) == ["vim", "-n"]
    assert editor_command({"VISUAL": "nano", "EDITOR": "vim"}) == ["nano"]
    with pytest.raises(EditorError, match=r"no editor is set: set \$EDITOR"):
        editor_command({})


async def test_ctrl_e_without_an_editor_says_so_and_keeps_the_text(
    app, db_path, monkeypatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("n")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "kept")
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert any("no editor is set" in n.message for n in app._notifications)
        assert app.screen.query_one(TextArea).text == "kept"
