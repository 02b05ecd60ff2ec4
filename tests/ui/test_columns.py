"""Which ticket-list columns fit a width, and how a cell is cut: plain functions, no terminal."""

from __future__ import annotations

from rich.cells import cell_len
from ui_helpers import FROZEN

from console.core.model import Court, Line, Priority, Status, TicketSummary
from console.tui.columns import cell_text, fit, layout


def _keys(width: int, hide: frozenset[str] = frozenset()) -> list[str]:
    return [column.key for column, _ in layout(width, hide=hide)]


def test_wide_terminals_show_every_column_and_give_the_rest_to_the_subject() -> None:
    columns = layout(200)
    assert [c.key for c, _ in columns] == [
        "id",
        "priority",
        "line",
        "court",
        "status",
        "age",
        "left",
        "requester",
        "who",
        "subject",
        "assignee",
    ]
    assert sum(w for _, w in columns) + len(columns) - 1 == 200


def test_narrow_terminals_drop_who_assignee_then_requester_and_keep_court_and_left() -> None:
    assert "who" in _keys(104) and "who" not in _keys(103)
    assert "assignee" in _keys(95) and "assignee" not in _keys(94)
    assert "requester" not in _keys(58)
    assert {"id", "priority", "court", "age", "left", "subject"} <= set(_keys(40))
    assert "line" not in _keys(100, hide=frozenset({"line"}))


def test_fit_cuts_by_terminal_cells_with_an_ellipsis() -> None:
    assert fit("abcdef", 4) == "abc\u2026"
    assert fit("ab", 4) == "ab  "
    assert fit("7", 3, right=True) == "  7"
    cut = fit("工作工作工作", 5)  # wide characters take two cells each
    assert cell_len(cut) == 5 and cut.endswith("\u2026")


def test_cells_are_one_visible_line() -> None:
    ticket = TicketSummary(
        id=7,
        subject="two\nlines \x1b[2J",
        requester="a@example.com",
        line=Line.L1,
        priority=Priority.P1,
        status=Status.OPEN,
        court=Court.US,
        assignee=None,
        created_at="2026-01-14T12:00:00Z",
        updated_at="2026-01-14T12:00:00Z",
        updated_by="intake",
        version=1,
    )
    assert cell_text(ticket, "subject", FROZEN) == "two\u23celines \u241b[2J"
    assert cell_text(ticket, "court", FROZEN) == "our move"
    assert cell_text(ticket, "age", FROZEN) == "1d"
    assert cell_text(ticket, "assignee", FROZEN) == "-"
