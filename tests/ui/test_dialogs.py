"""The shared dialogs, driven by real keys."""

from __future__ import annotations

from textual.app import App

from console.tui.screens.dialogs import AskChoice, AskLongText, AskText, Confirm


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[object] = []

    def ask(self, screen) -> None:
        self.push_screen(screen, self.answers.append)


async def test_ask_text_refuses_empty_then_accepts() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask(AskText("Reason", "Why does the ball move?"))
        await pilot.press("enter")
        assert app.answers == [] and "cannot be empty" in str(
            app.screen.query_one("#error").render()
        )
        await pilot.press(*"[b]waiting[/b]", "enter")
        assert app.answers == ["[b]waiting[/b]"]


async def test_escape_cancels_every_dialog() -> None:
    app = Host()
    async with app.run_test() as pilot:
        for screen in (AskText("t"), AskLongText("t"), AskChoice("t", [("a", "A")])):
            app.ask(screen)
            await pilot.pause()
            await pilot.press("escape")
        app.ask(Confirm("Sure?"))
        await pilot.pause()
        await pilot.press("escape")
        assert app.answers == [None, None, None, False]


async def test_long_text_choice_and_confirm() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask(AskLongText("Hand-off note"))
        await pilot.pause()
        await pilot.press(*"tried x", "enter", *"need y", "ctrl+s")
        app.ask(AskChoice("Line", [("L2", "L2 second line"), ("L3", "L3 experts")]))
        await pilot.pause()
        await pilot.press("j", "enter")
        app.ask(Confirm("Send?"))
        await pilot.pause()
        await pilot.press("y")
        assert app.answers == ["tried x\nneed y", "L3", True]
