"""Who talks to the customer: a third-line agent's `r` asks the front line, and they have no
key, macro or palette entry that writes to the customer; a front-line agent records the
customer's answer for the asker from the composer; after a customer message the agent ticks
the checklist questions it answered."""

from __future__ import annotations

from action_helpers import until
from compose_helpers import fresh_ticket, open_on, type_text, wait_for
from textual.widgets import OptionList
from ui_helpers import AGENT, frozen_clock, screen_text, settle

from console.core import checklists, escalation, operations, presence
from console.core.macros import Checklist, Question
from console.core.model import Activity, Line, MessageKind
from console.core.store import Store
from console.core.team import Agent, Team
from console.tui.app import make_app
from console.tui.screens.compose import ComposeScreen
from console.tui.screens.detail import DetailScreen
from console.tui.screens.dialogs import AskChoice, AskLongText, AskText
from console.tui.screens.help import HelpScreen
from console.tui.screens.macro_picker import MacroPicker
from tests.support import make_desk

EXPERT = Agent(login=AGENT, name="Alice", lines=(Line.L3,))
FRONT = Agent(login=AGENT, name="Alice", lines=(Line.L1,))
ASKER = Agent(login="xavier", name="Xavier", lines=(Line.L3,))
MACROS = """
[[macro]]
id = "password-reset"
title = "Password reset link"
body = "Hello {customer.first_name}, here is how to reset your password."

[[macro]]
id = "escalation-note"
title = "Escalation handover"
kind = "note"
body = "Tried: restart. Known: ticket #{ticket.id}."
"""


def _team(me: Agent) -> Team:
    return Team(agents={me.login: me, ASKER.login: ASKER})


async def test_third_line_r_asks_the_front_line(db_path) -> None:
    ticket = fresh_ticket(db_path)
    app = make_app(db_path, AGENT, clock=frozen_clock, team=_team(EXPERT))
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        footer = screen_text(app).splitlines()[-1]
        assert "r Ask the front line" in footer and "Reply" not in footer
        assert "Customer said" not in footer and "Note" in footer
        await pilot.press("question_mark")
        await wait_for(pilot, HelpScreen)
        assert "Ask the front line" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, DetailScreen)
        await pilot.press("r")
        await wait_for(pilot, AskLongText)
        assert app.screen.title_text == f"#{ticket.id}: What should the customer be asked?"
        await type_text(pilot, "Which firmware version?")
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
        await settle(pilot)
    with Store.open(db_path, clock=frozen_clock) as store:
        [asked] = escalation.open_clarifications(store, ticket.id)
        assert (asked.asked_by, asked.question) == (AGENT, "Which firmware version?")
        assert store.messages(ticket.id)[-1].kind == MessageKind.CUSTOMER  # no reply was sent


async def test_a_third_line_agent_has_no_reply_or_solve_key_and_only_internal_macros(
    db_path, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no personal file
    macros = tmp_path / "macros.toml"
    macros.write_text(MACROS, encoding="utf-8")
    ticket = fresh_ticket(db_path)
    app = make_app(db_path, AGENT, clock=frozen_clock, team=_team(EXPERT), macros_path=str(macros))
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "Reply" not in footer and "Solve" not in footer
        enabled = {b.binding.id for b in screen.active_bindings.values() if b.enabled}
        public = {"ticket.reply", "ticket.solve", "ticket.nudge", "ticket.bill", "ticket.ask"}
        assert "ticket.ask_front" in enabled and not public & enabled, enabled
        await pilot.press("question_mark")
        await wait_for(pilot, HelpScreen)
        help_rows = {keys: described for _, keys, described in app.screen.rows}
        assert help_rows["r"].startswith("Ask the front line \u2014")
        assert not any(d.startswith("Reply") or "mark it solved" in d for d in help_rows.values())
        await pilot.press("escape")
        await wait_for(pilot, DetailScreen)
        await pilot.press("M")
        await wait_for(pilot, MacroPicker)
        picker = app.screen
        assert isinstance(picker, MacroPicker)
        assert [m.id for m in picker.shown] == ["escalation-note"]
        text = screen_text(app)
        assert "Escalation handover" in text and "Password reset link" not in text
        await type_text(pilot, "password")
        await settle(pilot)
        assert "Password reset link" not in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, DetailScreen)
        await pilot.press("ctrl+p")  # nor does the palette offer it
        await settle(pilot)
        await type_text(pilot, "macro")
        await settle(pilot)
        text = screen_text(app)
        assert "Macro: Escalation handover" in text and "Macro: Password reset link" not in text
        await pilot.press("escape")
        await wait_for(pilot, DetailScreen)


async def test_front_line_records_the_answer_for_the_asker(db_path) -> None:
    ticket = fresh_ticket(db_path)
    with Store.open(db_path, clock=frozen_clock) as store:
        escalation.ask_front(
            make_desk(store, ASKER.login, team=_team(FRONT)), ticket.id, "Which firmware version?"
        )
    app = make_app(db_path, AGENT, clock=frozen_clock, team=_team(FRONT))
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("i")
        await wait_for(pilot, ComposeScreen)
        text = screen_text(app)
        assert "xavier asks the customer: Which firmware version?" in text
        assert "Answer back line" in text
        await type_text(pilot, "7.57")
        await pilot.press("ctrl+b")
        await wait_for(pilot, DetailScreen)
    with Store.open(db_path, clock=frozen_clock) as store:
        assert escalation.open_clarifications(store, ticket.id) == []
        note = store.messages(ticket.id)[-1]
        assert note.kind == MessageKind.NOTE and "For xavier" in note.body and "7.57" in note.body


async def test_after_a_customer_message_the_checklist_is_offered(db_path) -> None:
    ticket = fresh_ticket(db_path)
    checklist = Checklist(
        "vpn",
        "VPN basics",
        (Question("os", "Which operating system?"), Question("since", "Since when?", True)),
    )
    with Store.open(db_path, clock=frozen_clock) as store:
        checklists.attach(make_desk(store, "bob"), ticket.id, checklist)
    app = make_app(db_path, AGENT, clock=frozen_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("i")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "Since Monday, on Linux.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, AskChoice)
        assert app.screen.title_text == f"Did the customer answer a question on #{ticket.id}?"
        text = screen_text(app)
        assert "1. Which operating system?" in text and "2. Since when? (required)" in text
        await pilot.press("j", "enter")  # question 2
        await wait_for(pilot, AskText)
        assert app.screen.title_text == "Answer to question 2"
        await type_text(pilot, "Monday")
        await pilot.press("enter")
        await wait_for(pilot, AskChoice)  # offered again with what is left
        choices = app.screen.query_one(OptionList)
        offered = [str(choices.get_option_at_index(n).prompt) for n in range(choices.option_count)]
        assert offered == ["1. Which operating system?", "None of these / done"]
        await pilot.press("enter")  # question 1
        await wait_for(pilot, AskText)
        await type_text(pilot, "Linux")
        await pilot.press("enter")
        await wait_for(pilot, DetailScreen)
    with Store.open(db_path, clock=frozen_clock) as store:
        answers = {i.question_id: i.answer for i in checklists.items(store, ticket.id)}
        assert answers == {"os": "Linux", "since": "Monday"}
        assert store.messages(ticket.id)[-1].body == "Since Monday, on Linux."


async def test_a_customer_message_arriving_on_screen_offers_the_checklist(db_path) -> None:
    ticket = fresh_ticket(db_path)
    checklist = Checklist("vpn", "VPN basics", (Question("os", "Which operating system?"),))
    with Store.open(db_path, clock=frozen_clock) as store:
        checklists.attach(make_desk(store, "bob"), ticket.id, checklist)
    app = make_app(db_path, AGENT, clock=frozen_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        assert isinstance(app.screen, DetailScreen)  # nothing offered for what was there
        with Store.open(db_path, clock=frozen_clock) as other:
            operations.customer_message(make_desk(other, "intake"), ticket.id, "I use Linux.")
        await wait_for(pilot, AskChoice)  # the poll saw the change; the offer follows
        assert "1. Which operating system?" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, AskText)
        await type_text(pilot, "Linux")
        await pilot.press("enter")
        await wait_for(pilot, DetailScreen)
    with Store.open(db_path, clock=frozen_clock) as store:
        assert [i.answer for i in checklists.items(store, ticket.id)] == ["Linux"]


async def test_presence_is_replying_while_the_composer_is_open(db_path) -> None:
    ticket = fresh_ticket(db_path)
    app = make_app(db_path, AGENT, clock=frozen_clock)

    def presence_is(activity: Activity) -> bool:
        with Store.open(db_path, clock=frozen_clock) as store:
            seen = [(p.agent, p.activity) for p in presence.on_ticket(store, ticket.id)]
        return seen == [(AGENT, activity)]

    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        # The heartbeat is written by the watcher thread at its next look.
        await until(pilot, lambda: presence_is(Activity.REPLYING), "replying")
        await pilot.press("escape")
        await wait_for(pilot, DetailScreen)
        await until(pilot, lambda: presence_is(Activity.VIEWING), "viewing")
