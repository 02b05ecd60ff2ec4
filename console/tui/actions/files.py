"""Saving a file of the ticket's mail (`W`): which file, from a list of those kept, and
where, starting from the Downloads folder (or the folder the console runs in)."""

from __future__ import annotations

import os

from console.core import words
from console.core.actions import TicketAction
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskText


async def save(flow: Flow, action: TicketAction) -> None:
    kept = [f for f in (flow.context.files if flow.context else ()) if f.kept]
    if not kept:
        flow.fail(f"ticket #{flow.ticket.id} has no file to save")
    chosen = kept[0]
    if len(kept) > 1:
        number = await flow.ask(
            AskChoice(
                f"#{flow.ticket.id}: Which file?",
                [
                    (str(f.number), f"{one_line(f.filename, 60)} ({words.size(f.size)})")
                    for f in kept
                ],
            )
        )
        chosen = next(f for f in kept if str(f.number) == number)
    downloads = os.path.expanduser("~/Downloads")
    folder = downloads if os.path.isdir(downloads) else os.getcwd()
    path = await flow.ask(
        AskText(
            f"#{flow.ticket.id}: Save {one_line(chosen.filename, 60)} where?",
            "A folder (the file keeps its name) or a file",
            initial=folder,
        )
    )
    await flow.perform(action, {"number": chosen.number, "path": path, "force": False})
