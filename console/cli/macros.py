"""The read verbs of `console macro ...` and `console checklist ...`: list, check and show
the canned responses and checklists, and compose the open questions of a ticket. (Applying a
macro, attaching, answering and sending questions are ticket actions: see `cli.actions`.)"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from console.cli.actions import ticket_number
from console.cli.context import Context, print_json
from console.core.text import one_line, visible

if TYPE_CHECKING:
    from console.core.checklists import Attached, Item
    from console.core.macros import Catalog, Checklist, Macro


def register(groups: dict[str, argparse._SubParsersAction]) -> None:
    verbs = groups["macro"]
    listing = verbs.add_parser("list", help="the macros in force, or those matching --search")
    listing.add_argument("--search", metavar="WORDS", help="fuzzy search in ids, titles, bodies")
    listing.add_argument("--lang", metavar="CODE", help="only macros in this language")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_macro_list)

    check = verbs.add_parser("check", help="check the macro files and say what they hold")
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=run_macro_check)

    show = verbs.add_parser("show", help="a macro, rendered for a ticket with --ticket")
    show.add_argument("macro", metavar="ID")
    show.add_argument("--ticket", type=ticket_number, metavar="N")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_macro_show)

    verbs = groups["checklist"]
    listing = verbs.add_parser("list", help="the checklists defined in the macro files")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_checklist_list)

    ask = verbs.add_parser(
        "ask", help="compose one message with every open question (`checklist send` sends it)"
    )
    ask.add_argument("ticket", type=ticket_number, metavar="N")
    ask.add_argument("--copy", action="store_true", help="also copy it to the clipboard")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(run=run_checklist_ask)

    show = verbs.add_parser("show", help="a ticket's checklists, answered and open")
    show.add_argument("ticket", type=ticket_number, metavar="N")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_checklist_show)


def _catalog(ctx: Context) -> Catalog:
    from console.core.macro_loader import reloader_for

    return reloader_for(ctx.macros).current()


def _macro_dict(macro: Macro, score: float | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": macro.id,
        "title": macro.title,
        "lang": macro.lang,
        "kind": str(macro.kind),
        "body": macro.body,
        "actions": macro.actions.as_dict(),
        "source": macro.source,
    }
    if score is not None:
        data["score"] = score
    return data


def _checklist_dict(checklist: Checklist) -> dict[str, Any]:
    return {
        "id": checklist.id,
        "title": checklist.title,
        "lang": checklist.lang,
        "source": checklist.source,
        "questions": [asdict(q) for q in checklist.questions],
    }


def run_macro_list(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import macros

    catalog = _catalog(ctx)
    matches = macros.search(catalog.macros, args.search or "", lang=args.lang)
    if args.json:
        print_json([_macro_dict(m.macro, m.score if args.search else None) for m in matches])
        return 0
    for match in matches:
        macro = match.macro
        actions = ", ".join(macro.actions.describe())
        print(
            f"{macro.id:<22} {macro.lang} {macro.kind:<5} {one_line(macro.title, 60)}"
            + (f"  [{actions}]" if actions else "")
        )
    if args.search and not matches:
        print(f"no macro matches {args.search!r}", file=sys.stderr)
    return 0


def run_macro_check(ctx: Context, args: argparse.Namespace) -> int:
    """Exit 0 and a summary when the files are good; the located problems (exit 2) if not."""
    catalog = _catalog(ctx)
    if args.json:
        print_json(
            {
                "files": list(catalog.files),
                "macros": len(catalog.macros),
                "checklists": len(catalog.checklists),
            }
        )
    else:
        print(
            f"{len(catalog.macros)} macros and {len(catalog.checklists)} checklists from "
            + ", ".join(catalog.files)
        )
    return 0


def _item_dict(item: Item) -> dict[str, Any]:
    return {**asdict(item), "answered": item.answered}


def _group_dict(group: Attached) -> dict[str, Any]:
    return {
        "checklist": group.checklist,
        "title": group.title,
        "lang": group.lang,
        "attached_at": group.attached_at,
        "attached_by": group.attached_by,
        "questions": [_item_dict(i) for i in group.items],
    }


def _print_groups(groups: list[Attached]) -> None:
    for group in groups:
        print(f"{group.checklist}: {one_line(group.title)}")
        for item in group.items:
            mark = "x" if item.answered else " "
            required = " (required)" if item.required else ""
            print(
                f"  {item.number:>2}. [{mark}] {item.question_id}: {one_line(item.text)}{required}"
            )
            if item.answered:
                print(
                    f"        {one_line(item.answer or '', 100)}  "
                    f"({one_line(item.answered_by or '')}, {item.answered_at})"
                )


def run_checklist_list(ctx: Context, args: argparse.Namespace) -> int:
    catalog = _catalog(ctx)
    if args.json:
        print_json([_checklist_dict(c) for c in catalog.checklists])
        return 0
    for checklist in catalog.checklists:
        required = sum(q.required for q in checklist.questions)
        print(
            f"{checklist.id:<22} {checklist.lang} {len(checklist.questions)} questions, "
            f"{required} required  {one_line(checklist.title, 60)}"
        )
    return 0


def run_checklist_show(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import checklists

    with ctx.open_store(read_only=True) as store:
        groups = checklists.attached(store, args.ticket)
    if args.json:
        print_json([_group_dict(g) for g in groups])
    elif not groups:
        print(f"ticket #{args.ticket} has no checklist", file=sys.stderr)
    else:
        _print_groups(groups)
    return 0


def run_macro_show(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import macro_render

    macro = _catalog(ctx).macro(args.macro)
    if args.ticket is None:
        if args.json:
            print_json(_macro_dict(macro))
            return 0
        print(f"{macro.id}: {one_line(macro.title)} ({macro.lang}, {macro.kind})")
        for action in macro_render.render(macro, {}).actions:
            print(f"  will {action}")
        print()
        print(visible(macro.body))
        return 0
    with ctx.desk(read_only=True) as desk:
        rendered = macro_render.preview(desk, macro, args.ticket)
    if args.json:
        print_json(
            {
                **_macro_dict(macro),
                "ticket": args.ticket,
                "text": rendered.text,
                "missing": list(rendered.missing),
                "will": list(rendered.actions),
            }
        )
        return 0
    print(f"{macro.id} for ticket #{args.ticket}: {one_line(macro.title)}")
    for action in rendered.actions:
        print(f"  will {action}")
    if rendered.missing:
        print(f"  not known: {', '.join(rendered.missing)}")
    print()
    print(visible(rendered.text))
    return 0


def run_checklist_ask(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli.clip import copy_text, report_dict
    from console.core import checklists

    with ctx.desk(read_only=True) as desk:
        message = checklists.ask_message(desk, args.ticket)
        left = [i for i in checklists.items(desk.store, args.ticket) if not i.answered]
    report = copy_text(message) if args.copy and message else None
    if args.json:
        print_json(
            {
                "ticket": args.ticket,
                "message": message,
                "questions": [_item_dict(i) for i in left],
                **({"copy": report_dict(report)} if report else {}),
            }
        )
    elif message is None:
        print(f"ticket #{args.ticket}: every question is answered; nothing to ask", file=sys.stderr)
    else:
        print(visible(message))
    if report is not None and not args.json:
        print(report.summary(), file=sys.stderr)
    return 0
