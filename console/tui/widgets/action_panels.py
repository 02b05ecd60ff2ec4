"""The ticket screen's panels for acting on the case: its checklists (questions in order, answers,
required ones marked) and likely duplicates (score and why). Question texts, answers and other
tickets' subjects are strangers' text: `Text` only."""

from __future__ import annotations

from rich.text import Text

from console.core.checklists import Attached
from console.core.dupes import Suggestion
from console.core.text import one_line


def checklist_text(groups: tuple[Attached, ...] | list[Attached]) -> Text | None:
    if not groups:
        return None
    all_items = [i for g in groups for i in g.items]
    answered = sum(1 for i in all_items if i.answered)
    text = Text()
    text.append(f"Checklists ({answered}/{len(all_items)} answered)", style="bold")
    text.append("  x attach \u00b7 X answer \u00b7 A ask", style="dim")
    for group in groups:
        text.append(f"\n{one_line(group.checklist, 40)}: ", style="dim")
        text.append(one_line(group.title, 80))
        for item in group.items:
            mark = "[x]" if item.answered else "[ ]"
            text.append(f"\n {item.number:>2}. {mark} ")
            text.append(
                one_line(item.text, 200),
                style="bold" if item.required and not item.answered else "",
            )
            if item.required:
                text.append(" (required)", style="yellow" if not item.answered else "dim")
            if item.answered:
                text.append(f"\n       \u2192 {one_line(item.answer or '', 160)}", style="green")
    return text


def dupes_text(suggestions: list[Suggestion]) -> Text | None:
    if not suggestions:
        return None
    text = Text()
    text.append(f"Possible duplicates ({len(suggestions)})", style="bold")
    text.append("  m merge \u00b7 p parent problem", style="dim")
    for found in suggestions:
        text.append(f"\n #{found.ticket_id:<7}", style="bold")
        text.append(f"{found.score:4.2f}  ", style="dim")
        text.append(f"{one_line(found.status, 8):<8} ")
        text.append(one_line(found.subject, 60))
        if found.reasons:
            text.append(f"  {one_line('; '.join(found.reasons), 80)}", style="dim")
    return text
