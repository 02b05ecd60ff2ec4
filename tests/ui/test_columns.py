"""Which ticket-list columns fit a width, and how a cell is cut: plain functions, no terminal."""

from __future__ import annotations

from datetime import UTC, timedelta

from rich.cells import cell_len
from ui_helpers import FROZEN

from console.core.model import Court, Line, Priority, Status, TicketSummary
from console.tui.columns import QUEUE_COLUMNS, cell_text, fit, layout, short_when
from console.tui.queues import QUEUES, RowMarks


def _keys(width: int, hide: frozenset[str] = frozenset()) -> list[str]:
    return [column.key for column, _ in layout(width, hide=hide | QUEUE_COLUMNS)]


def test_wide_terminals_show_every_column_and_give_the_rest_to_the_subject() -> None:
    columns = layout(200, hide=QUEUE_COLUMNS)
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


def test_the_workflow_queues_say_what_they_are_for() -> None:
    due = next(q for q in QUEUES if q.id == "due")
    shown = [c.key for c, _ in layout(80, hide=(QUEUE_COLUMNS - due.shows) | due.hides)]
    assert {"promised", "promise", "subject"} <= set(shown) and "left" not in shown
    ticket = TicketSummary(
        7, "VPN down", "a@acme.test", Line.L1, Priority.P2, Status.WAITING, Court.CUSTOMER,
        None, "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z", "ann", 1,
    )  # fmt: skip
    marks = RowMarks(
        followup_due_at="2026-01-15T10:30:00Z",
        followup_note="call back after the fix",
        silent_since="2026-01-12T12:00:00Z",
    )
    said = {key: cell_text(ticket, key, FROZEN, marks) for key in ("promised", "promise", "silent")}
    assert said == {"promised": "today 10:30", "promise": "call back after the fix", "silent": "3d"}
    assert cell_text(ticket, "promised", FROZEN) == "-"
    assert short_when(FROZEN + timedelta(days=2), FROZEN, UTC) == "Sat 12:00"
    assert short_when(FROZEN - timedelta(days=40), FROZEN, UTC) == "6 Dec 12:00"
