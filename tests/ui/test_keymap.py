"""Keys moved in the config (`[keys]`): the action follows its new key, its old key is free,
the key help shows the key in force, and a binding id the console does not have is an error
that names it (and the closest one) before the screen opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from action_helpers import dialog, new_ticket, on_ticket
from ui_helpers import AGENT, frozen_clock, screen_text

from console.cli import main
from console.core.config import keymap
from console.core.errors import InvalidInput
from console.tui import keymap as tui_keymap
from console.tui.app import make_app
from console.tui.screens.dialogs import AskChoice
from console.tui.screens.help import HelpScreen


async def test_a_remapped_key_moves_the_action_and_the_help_says_so(db_path: Path) -> None:
    ticket_id = new_ticket(db_path)
    app = make_app(db_path, AGENT, clock=frozen_clock, keys={"ticket.escalate": "ctrl+g"})
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await on_ticket(pilot, ticket_id)
        await pilot.press("e")  # the old key does nothing now
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+g")
        assert isinstance(await dialog(pilot, AskChoice), AskChoice)  # which line up?
        await pilot.press("escape")
        await dialog(pilot, type(screen))
        await pilot.press("question_mark")
        await dialog(pilot, HelpScreen)
        shown = screen_text(app)
        assert "^g" in shown and "Escalate" in shown
        rows = [line for line in shown.splitlines() if "Escalate" in line]
        assert rows and all(" e " not in f" {row} " for row in rows), rows


def test_the_config_keys_are_read_team_then_personal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team.toml"
    team.write_text('[keys]\n"ticket.take" = "ctrl+t"\n"main.filter" = "slash"\n')
    personal = tmp_path / "home" / "console" / "keys.toml"
    personal.parent.mkdir(parents=True)
    personal.write_text('[keys]\n"main.filter" = "slash, ctrl+f"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    keys, where = keymap(team)
    assert keys == {"ticket.take": "ctrl+t", "main.filter": "slash,ctrl+f"}
    assert where["main.filter"] == str(personal)
    tui_keymap.check(keys, where)  # both ids exist


def test_an_unknown_binding_is_named_with_the_closest_one(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        tui_keymap.check({"ticket.escalte": "ctrl+g"}, {"ticket.escalte": "team.toml"})
    assert str(refused.value) == (
        "team.toml: keys.ticket.escalte: no such key binding (did you mean ticket.escalate?)"
    )


def test_the_console_refuses_a_bad_keymap_before_the_screen_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nobody's"))
    config = tmp_path / "team.toml"
    config.write_text('[keys]\n"ticket.nope" = "x"\n')
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    code = main(["--db", str(tmp_path / "d.db"), "--config", str(config)])
    assert code == 2
    assert "keys.ticket.nope: no such key binding" in capsys.readouterr().err
