"""The lines under the ticket header: the priority's reason, the type, the vendor's case, the
SLA clock, the promised follow-up, paid work, links and tags; and the latest hand-off note
between lines. Vendor names, case numbers, notes and tags may be anything someone typed, so
every value goes through `one_line`/`visible` into a `Text`, never markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from rich.text import Text

from console.core import words
from console.core.clock import from_text
from console.core.context import TicketContext
from console.core.dupes import Suggestion
from console.core.model import Court, Direction, LinkKind, Ticket
from console.core.sla import SlaPolicy, badge
from console.core.text import one_line, visible
from console.core.ticket_types import DEFAULT_TYPES, type_words
from console.core.triage import priority_words

SLA_STYLES = {"breached": "bold reverse red", "at risk": "bold yellow", "ok": "", "paused": "dim"}


def _field(text: Text, name: str, value: str, style: str = "") -> None:
    if text.plain:
        text.append("   ")
    text.append(f"{name} ", style="dim")
    text.append(value, style=style)


def vendor_words(facts: TicketContext) -> str:
    """The vendor holding the ball, and on which case."""
    vendor = one_line(facts.clocks.vendor or "a vendor", 40)
    return f"{vendor}, case {one_line(facts.clocks.vendor_case or '?', 30)}"


def facts_text(
    ticket: Ticket,
    facts: TicketContext,
    now: datetime,
    policy: SlaPolicy,
    suggestions: Sequence[Suggestion] = (),
    *,
    types: Mapping[str, str] = DEFAULT_TYPES,
) -> Text:
    text = Text()
    why = priority_words(ticket.priority, ticket.impact, ticket.urgency, policy.matrix)
    if why:
        _field(text, f"{ticket.priority}:", why)
    if ticket.ticket_type:
        _field(text, "type", type_words(ticket.ticket_type, types))
    if ticket.court == Court.VENDOR:  # whose move it is is in the header; the case is here
        _field(text, "vendor", vendor_words(facts))
    clocks = facts.clocks
    due = from_text(clocks.sla_due_at) if clocks.sla_due_at else None
    state, _left = badge(due, now, policy)
    if due is None or clocks.sla_kind is None:
        sla = "paused: the move is not ours"
    else:
        sla = words.deadline(clocks.sla_kind, int((due - now).total_seconds()))
    others = [b.kind.words for b in facts.breaches if b.kind != clocks.sla_kind or due is None]
    if others:  # the running deadline says its own lateness
        sla += f"; {' and '.join(others)} missed" + (" too" if due is not None else "")
    _field(text, "SLA", sla, SLA_STYLES.get(state, ""))
    if clocks.followup_due_at:
        note = f": {one_line(clocks.followup_note, 40)}" if clocks.followup_note else ""
        overdue = from_text(clocks.followup_due_at) <= now
        _field(
            text,
            "follow-up",
            f"{words.when(from_text(clocks.followup_due_at), now, policy.zone)}{note}",
            "bold yellow" if overdue else "",
        )
    if clocks.billable or clocks.approval:
        minutes = clocks.estimate_minutes
        estimate = f"{minutes // 60}h{minutes % 60:02d}m" if minutes else "no estimate"
        approval = clocks.approval.value if clocks.approval else "not asked"
        _field(text, "billable", f"{estimate}, {approval}")
    if clocks.rating:
        _field(text, "rating", f"{clocks.rating}/5")
    merged = facts.outgoing(LinkKind.MERGED)
    if merged:
        _field(text, "merged into", f"#{merged.other_id}", "bold")
    parent = facts.outgoing(LinkKind.PARENT)
    if parent:
        _field(text, "problem", f"#{parent.other_id}")
    if facts.child_count:
        _field(text, "parent problem of", words.count(facts.child_count, "ticket"), "bold")
    split = facts.outgoing(LinkKind.SPLIT)
    if split:
        _field(text, "split from", f"#{split.other_id}")
    splits = facts.incoming(LinkKind.SPLIT)
    if splits:
        _field(text, "split off", " ".join(f"#{k.ticket_id}" for k in splits))
    merged_in = facts.incoming(LinkKind.MERGED)
    if merged_in:
        _field(text, "merged in", " ".join(f"#{k.ticket_id}" for k in merged_in[:5]))
    if facts.tags:
        _field(text, "tags", one_line(", ".join(facts.tags), 60))
    if facts.files:
        listed = ", ".join(
            f"{f.number} {one_line(f.filename, 30)} ({words.size(f.size)}"
            f"{'' if f.kept else ', not kept'})"
            for f in facts.files[:4]
        )
        more = f" and {len(facts.files) - 4} more" if len(facts.files) > 4 else ""
        _field(text, "files", listed + more)
    if suggestions:
        best = suggestions[0]
        _field(
            text,
            "duplicates?",
            f"{len(suggestions)}, best #{best.ticket_id} ({best.score:.2f}; list at the end)",
        )
    return text


def handoff_text(facts: TicketContext, zone: tzinfo) -> Text | None:
    """The latest hand-off, for whoever picks the ticket up on the other line."""
    latest = facts.handoff
    if latest is None:
        return None
    text = Text()
    verb = "Escalated" if latest.direction == Direction.ESCALATED else "Handed back"
    text.append(
        f"{verb} {one_line(latest.from_line, 4)} \u2192 {one_line(latest.to_line, 4)}", style="bold"
    )
    said = words.when(from_text(latest.at), facts.now, zone)
    text.append(f"  by {one_line(latest.actor, 30)}, {said}\n", style="dim")
    text.append(visible(latest.note.strip())[:2000] or "(no note)")
    return text
