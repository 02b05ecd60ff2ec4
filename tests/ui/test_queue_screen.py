"""The queue screen driven by real key presses: moving, queues, filter, help, palette, quit."""

from __future__ import annotations

import asyncio

from action_helpers import until
from compose_helpers import fresh_ticket
from textual.events import MouseScrollDown
from ui_helpers import AGENT, frozen_clock, main_screen, screen_text, settle, ticket_list

from console.core.desk import open_desk
from console.core.model import Line, QueueFilter
from console.core.query import parse
from console.core.store import Store
from console.core.team import parse_team
from console.core.views import View
from console.tui.app import ConsoleApp
from console.tui.queues import PAGE, QUEUES, FirstPage
from console.tui.screens.detail import DetailScreen
from console.tui.screens.help import HelpScreen
from console.tui.widgets.queue_sidebar import QueueSidebar


async def test_first_queue_is_l1_in_priority_then_age_order(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        tickets = ticket_list(app)
        with Store.open(db_path) as store:
            expected = store.tickets(QueueFilter(line=Line.L1), limit=5)
            total = store.count(QueueFilter(line=Line.L1))
        assert tickets.total == total
        assert tickets.current is not None and tickets.current.id == expected[0].id
        text = screen_text(app)
        assert f"1 of {total}" in text
        assert "our move" in text


async def test_the_first_page_read_while_textual_loads_is_the_first_paint(db_path) -> None:
    desk = open_desk(db_path, AGENT, frozen_clock)
    first_page = FirstPage(desk.store, desk.login, desk.policy, QUEUES[0])
    with Store.open(db_path) as store:
        expected = store.tickets(QueueFilter(line=Line.L1), limit=PAGE)
        total = store.count(QueueFilter(line=Line.L1))
    await asyncio.to_thread(first_page._thread.join)
    fresh_ticket(db_path)  # after the read: a list that read the queue itself would count it
    app = ConsoleApp(desk, clock=frozen_clock, first_page=first_page)
    async with app.run_test(size=(120, 36)):
        tickets = ticket_list(app)
        # The rows read ahead are painted as the screen mounts, not read again.
        assert tickets.total == total
        assert [row.id for row in tickets._pages[0]] == [row.id for row in expected]
    assert first_page.take() is None  # taken once


async def test_j_k_g_G_move_the_cursor(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        tickets = ticket_list(app)
        await pilot.press("j", "j", "down")
        assert tickets.cursor == 3
        await pilot.press("k")
        assert tickets.cursor == 2
        await pilot.press("G")
        await settle(pilot)
        assert tickets.cursor == tickets.total - 1
        assert tickets.current is not None  # the last page was fetched on demand
        assert f"{tickets.total} of {tickets.total}" in screen_text(app)
        await pilot.press("g")
        assert tickets.cursor == 0


async def test_enter_opens_the_ticket_and_esc_goes_back(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        chosen = ticket_list(app).current
        assert chosen is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.ticket_id == chosen.id
        assert f"#{chosen.id}" in screen_text(app)
        await pilot.press("escape")
        main_screen(app)
        assert ticket_list(app).cursor == 1


async def test_switching_queues_shows_their_counts(app, db_path) -> None:
    with Store.open(db_path) as store:
        counts = store.queue_counts(AGENT)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        tickets = ticket_list(app)
        await pilot.press("right_square_bracket")
        assert screen.queue.id == "l2"
        assert tickets.total == sum(counts.by_line[Line.L2].values())
        await pilot.press("5")
        await settle(pilot)
        assert screen.queue.id == "mine"
        assert tickets.total == counts.mine
        assert all(t.assignee == AGENT for t in tickets._pages[0])
        await pilot.press("6")
        assert tickets.total == counts.all_open
        await pilot.press("left_square_bracket")
        assert screen.queue.id == "mine"
        # The sidebar lists every queue with its total.
        text = screen_text(app)
        assert f"All open  {counts.all_open}" in text
        assert f"L2 second line  {sum(counts.by_line[Line.L2].values())}" in text


async def test_sidebar_moves_between_queues_with_tab_and_j(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, QueueSidebar)
        await pilot.press("j", "j")
        await settle(pilot)
        assert main_screen(app).queue.id == "l3"
        await pilot.press("enter")
        assert app.focused is ticket_list(app)


async def test_a_click_on_a_queue_shows_it_and_the_wheel_scrolls_the_list(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(QueueSidebar)
        all_open = next(i for i, q in enumerate(QUEUES) if q.id == "all")
        # The line queues take two lines each (name, then counts per priority).
        line_of_all = sum(2 if q.line is not None else 1 for q in QUEUES[:all_open])
        await pilot.click(QueueSidebar, offset=(2, line_of_all))
        await settle(pilot)
        assert main_screen(app).queue.id == "all"
        assert sidebar.highlighted == all_open
        assert app.focused is ticket_list(app)  # a click picks the queue, as enter does
        await pilot.press("right_square_bracket")
        assert sidebar.highlighted == all_open + 1  # the highlight follows the keys too
        tickets = ticket_list(app)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert tickets.total > 40
        for _ in range(5):  # what the terminal sends for turns of the wheel over the list
            tickets.post_message(MouseScrollDown(tickets, 10, 5, 0, 1, 0, False, False, False))
        await until(
            pilot, lambda: tickets.scroll_offset.y > 0, "the wheel to scroll"
        )  # no scrollbar, yet the wheel scrolls
        assert tickets.cursor == 0


async def test_slash_filters_by_words_and_esc_clears(app, db_path) -> None:
    with Store.open(db_path) as store:
        wanted = store.count(QueueFilter(line=Line.L1, text="invoice"))
        everything = store.count(QueueFilter(line=Line.L1))
    assert 0 < wanted < everything
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"invoice", "enter")
        await settle(pilot)
        assert ticket_list(app).total == wanted
        assert "filter: invoice" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert ticket_list(app).total == everything
        assert "filter:" not in screen_text(app)


async def test_the_filter_takes_the_query_language_with_completion(app, db_path) -> None:
    with Store.open(db_path) as store:
        query = parse("pri:P1,P2 -court:customer")
        wanted = store.count(QueueFilter(line=Line.L1, query=query))
        everything = store.count(QueueFilter(line=Line.L1))
    assert 0 < wanted < everything
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # "pr" + tab completes the field's name, "P1,P" + tab its value.
        await pilot.press("slash", "p", "r")
        await until(pilot, lambda: app.screen.query_one("#filter")._suggestion == "pri:")
        await pilot.press("tab", *"P1,P")
        await until(pilot, lambda: app.screen.query_one("#filter")._suggestion == "pri:P1,P1")
        await pilot.press("backspace", *"P2 -court:customer", "enter")
        await settle(pilot)
        assert ticket_list(app).total == wanted
        assert "filter: pri:P1,P2 -court:customer" in screen_text(app)
        assert app.focused is ticket_list(app)


async def test_a_wrong_term_is_named_under_the_filter_and_the_list_stays(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = ticket_list(app).total
        await pilot.press("slash", *"line:L1 colour:red", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "'colour:red': there is no field 'colour' (did you mean 'court'?)" in text
        assert "fields: line, pri, court" in text
        field = app.screen.query_one("#filter")
        assert app.focused is field and field.selected_text == "colour:red"
        assert ticket_list(app).total == before
        await pilot.press("ctrl+w", *"court:us", "enter")  # mended: the error goes
        await settle(pilot)
        assert "there is no field" not in screen_text(app)


async def test_a_saved_view_is_a_queue_in_the_sidebar_with_its_count(db_path) -> None:
    text = "pri:P1,P2 court:customer"
    view = View("Waiting on them", text, parse(text), "console.toml")
    with Store.open(db_path) as store:
        wanted = store.count(QueueFilter(query=view.query))
    desk = open_desk(db_path, AGENT, frozen_clock)
    app = ConsoleApp(desk, clock=frozen_clock, views=[view])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: f"Waiting on them  {wanted}" in screen_text(app), "count")
        await pilot.press("left_square_bracket")  # the last queue: the view
        await settle(pilot)
        assert main_screen(app).queue.label == "Waiting on them"
        assert ticket_list(app).total == wanted
        await pilot.press("slash", *"pri:P1", "enter")  # a filter narrows the view
        await settle(pilot)
        with Store.open(db_path) as store:
            narrowed = store.count(QueueFilter(query=view.query.combined(parse("pri:P1"))))
        assert ticket_list(app).total == narrowed < wanted


async def test_keys_typed_into_the_filter_are_text_not_commands(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"q?1]")
        await settle(pilot)
        assert app.is_running and main_screen(app).queue.id == "l1"
        assert app.screen.query_one("#filter").value == "q?1]"
        await pilot.press("escape")  # straight from the input: clears and hides it
        await settle(pilot)
        assert main_screen(app).filter_text == ""
        assert not app.screen.query_one("#filter").display
        assert app.focused is ticket_list(app)


async def test_question_mark_lists_the_active_keys(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await settle(pilot)  # the help screen is painted, not only pushed
        text = screen_text(app)
        for line in ("Queue screen", "Filter", "New", "Next queue"):
            assert line in text
        rows = app.screen.rows
        groups = list(dict.fromkeys(group for group, _, _ in rows))
        # What the screen does first (the footer's keys before the rest), moving around last.
        assert groups[0] == "Queue screen" and groups[-2:] == ["Everywhere", "Moving around"]
        assert [what for _, _, what in rows[:4]] == ["Filter", "New", "Sort", "Sidebar"]
        everywhere = [what for group, _, what in rows if group == "Everywhere"]
        assert "Refresh" in everywhere and "Help" in everywhere
        moving = [keys for group, keys, _ in rows if group == "Moving around"]
        assert "j / ↓" in moving and "tab" in moving
        await pilot.press("escape")
        main_screen(app)
        # On the ticket screen the help lists that screen's keys instead.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "Back" in text and "Reply" in text and "Filter" not in text
        assert app.screen.rows[0][:2] == ("Ticket screen", "esc / q")


async def test_palette_opens_a_ticket_by_number(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"42")
        await until(pilot, lambda: "Open ticket #42" in screen_text(app), "the palette's hit")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.ticket_id == 42


async def test_palette_switches_queue(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"vendor")
        await until(pilot, lambda: "Queue: L4 vendor" in screen_text(app), "the palette's hit")
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).queue.id == "l4"


async def test_q_quits(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code in (0, None)


async def test_usable_at_80_by_24(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Subject" in text and "Court" in text
        assert "Requester" not in text  # dropped to leave the subject room
        await pilot.press("b")  # the sidebar folds away for more room
        await pilot.pause()
        assert "Requester" in screen_text(app) or "Assignee" in screen_text(app)


async def test_an_expert_console_opens_on_the_experts_queue(db_path) -> None:
    team = parse_team({"agents": {"tess": {"name": "Tess", "lines": ["L3"]}}})
    desk = open_desk(db_path, "tess", frozen_clock, team=team)
    app = ConsoleApp(desk, clock=frozen_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert main_screen(app).queue.id == "l3"
        status = screen_text(app).splitlines()[-2]
        assert "L3 experts" in status and "as Tess, L3" in status
