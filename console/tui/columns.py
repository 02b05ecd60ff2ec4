"""Which columns of the ticket list fit a given width, and what each cell of a row says.

Kept apart from the widget so that the layout rules (what drops first at 80 columns, how the
subject truncates) are plain functions with no terminal behind them. Cells are built from
`one_line`, so a stranger's subject can neither break the row nor act on the terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

from rich.cells import cell_len, set_cell_size

from console.core import words
from console.core.clock import age, from_text
from console.core.model import Court, TicketSummary
from console.core.sla import SlaPolicy, badge
from console.core.text import one_line
from console.tui.queues import NO_MARKS, RowMarks


@dataclass(frozen=True)
class Column:
    key: str
    """The cell's name: id, priority, line, court, status, age, left, promised, silent,
    promise, requester, who, subject, assignee."""
    header: str
    width: int
    """Cells wide; for the subject, the least it may shrink to."""
    drop: int = 0
    """When the width runs short, columns with the lowest positive `drop` go first; 0 stays."""
    flex: bool = False
    """Takes whatever width the others leave."""


COLUMNS: tuple[Column, ...] = (
    Column("id", "#", 7),
    Column("priority", "Pri", 3),
    Column("line", "Line", 4, drop=3),
    Column("court", "Court", 8),
    Column("status", "Status", 7, drop=4),
    Column("age", "Age", 4),
    Column("left", "Left", 5),
    Column("promised", "Promised", 11),
    Column("silent", "Silent", 6),
    Column("promise", "Promise", 18, drop=6),
    Column("requester", "Requester", 18, drop=2),
    Column("who", "Who", 8, drop=1),
    Column("subject", "Subject", 20, flex=True),
    Column("assignee", "Assignee", 10, drop=1),
)
QUEUE_COLUMNS = frozenset({"promised", "promise", "silent"})
"""Columns only the workflow queues show (see `Queue.shows`)."""
GAP = 1
"""Blank cells between two columns."""

COURT_LABELS = {Court.US: "our move", Court.CUSTOMER: "customer", Court.VENDOR: "vendor"}


@lru_cache(maxsize=64)  # asked for on every painted line; the answer only changes on resize
def layout(width: int, *, hide: frozenset[str] = frozenset()) -> tuple[tuple[Column, int], ...]:
    """The columns to show at `width` cells and the width of each, subject last to shrink."""
    shown = [c for c in COLUMNS if c.key not in hide]

    def needed(columns: list[Column]) -> int:
        return sum(c.width for c in columns) + GAP * (len(columns) - 1)

    for column in sorted((c for c in shown if c.drop), key=lambda c: c.drop):
        if needed(shown) <= width:
            break
        shown.remove(column)
    spare = max(width - needed(shown), 0)
    return tuple((c, c.width + spare if c.flex else c.width) for c in shown)


def short_left(seconds: int) -> str:
    """Time left in at most five cells: 45m, 3h, 2d, -2h (breached two hours ago)."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{seconds // 60}m"
    if seconds < 48 * 3600:
        return f"{sign}{seconds // 3600}h"
    return f"{sign}{seconds // 86400}d"


def short_when(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """A moment in at most eleven cells: "today 14:00", "Tue 09:30", "5 Jan 09:30"."""
    said = words.when(moment, now, zone)
    if len(said) <= 11:
        return said
    local = moment.astimezone(zone)
    if abs((local.date() - now.astimezone(zone).date()).days) < 7:
        return f"{local:%a %H:%M}"
    return f"{local.day} {local:%b %H:%M}"


def sla_state(marks: RowMarks, now: datetime, policy: SlaPolicy) -> tuple[str, str]:
    """("breached" | "at risk" | "ok" | "paused", time left) for the Left cell."""
    due = from_text(marks.sla_due_at) if marks.sla_due_at else None
    state, _ = badge(due, now, policy)
    if due is None:
        return state, "-"
    return state, short_left(int((due - now).total_seconds()))


def presence_mark(marks: RowMarks) -> str:
    """Who else is on the ticket: "✎bob" when bob is writing a reply, "bob" when he is
    reading it, "+1" for each further colleague."""
    if not marks.presence:
        return ""
    first = marks.presence[0]  # writers come first (see `TicketList`)
    mark = ("\u270e" if first.activity == "replying" else "") + one_line(first.agent)
    others = len({p.agent for p in marks.presence}) - 1
    return mark + (f"+{others}" if others > 0 else "")


def cell_text(
    ticket: TicketSummary,
    key: str,
    now: datetime,
    marks: RowMarks = NO_MARKS,
    policy: SlaPolicy | None = None,
) -> str:
    """What one cell of a ticket's row says, as plain visible text."""
    if key == "left":
        return sla_state(marks, now, policy or SlaPolicy())[1]
    if key == "who":
        return presence_mark(marks)
    if key == "id":
        return str(ticket.id)
    if key == "court":
        return COURT_LABELS[ticket.court]
    if key == "age":
        return age(ticket.created_at, now)
    if key == "assignee":
        return one_line(ticket.assignee or "-")
    if key == "promised":
        due = marks.followup_due_at
        return short_when(from_text(due), now, (policy or SlaPolicy()).zone) if due else "-"
    if key == "promise":
        return one_line(marks.followup_note or "-")
    if key == "silent":
        return age(marks.silent_since, now) if marks.silent_since else "-"
    if key == "subject" and marks.vip:
        return "\u2605 " + one_line(ticket.subject)  # a VIP customer
    value = getattr(ticket, key)
    return one_line(str(value))


def fit(text: str, width: int, *, right: bool = False) -> str:
    """`text` cut or padded to exactly `width` cells, with an ellipsis where it was cut."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "\u2026"
    if right:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)
