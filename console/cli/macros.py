"""`console macro ...` and `console checklist ...`: canned responses and clarifying questions
from the command line, the twins of the TUI's picker and checklist panel."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import Any

from console.cli.context import Context, print_json
from console.cli.tickets import ticket_number
from console.core import checklists, clipboard, macro_loader, macro_render, macros
from console.core.checklists import Attached, Item
from console.core.config import sla_policy
from console.core.macros import Catalog, Checklist, Macro
from console.core.model import MessageKind
from console.core.team import require_customer_contact
from console.core.text import one_line, visible


def register(commands: argparse._SubParsersAction) -> None:
    macro = commands.add_parser("macro", help="canned responses: list, show, apply")
    verbs = macro.add_subparsers(dest="macro_command", metavar="VERB", required=True)

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

    apply = verbs.add_parser("apply", help="add a macro's message to a ticket and do its actions")
    apply.add_argument("macro", metavar="ID")
    apply.add_argument("ticket", type=ticket_number, metavar="N")
    apply.add_argument("--copy", action="store_true", help="also copy the text to the clipboard")
    apply.add_argument(
        "--allow-missing",
        action="store_true",
        help="send a reply even if some placeholder has no value",
    )
    apply.add_argument(
        "--expect-version",
        type=int,
        metavar="V",
        help="refuse if the ticket changed since version V",
    )
    apply.add_argument("--json", action="store_true")
    apply.set_defaults(run=run_macro_apply)

    checklist = commands.add_parser("checklist", help="clarifying questions on a ticket")
    verbs = checklist.add_subparsers(dest="checklist_command", metavar="VERB", required=True)

    listing = verbs.add_parser("list", help="the checklists defined in the macro files")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_checklist_list)

    attach = verbs.add_parser("attach", help="attach a checklist to a ticket")
    attach.add_argument("ticket", type=ticket_number, metavar="N")
    attach.add_argument("checklist", metavar="ID")
    attach.add_argument("--json", action="store_true")
    attach.set_defaults(run=run_checklist_attach)

    answer = verbs.add_parser("answer", help="record the answer to a question (or --clear it)")
    answer.add_argument("ticket", type=ticket_number, metavar="N")
    answer.add_argument("question", metavar="QUESTION", help="its number, id, or checklist:id")
    given = answer.add_mutually_exclusive_group(required=True)
    given.add_argument("--text", help="what the customer answered")
    given.add_argument("--clear", action="store_true", help="mark the question open again")
    answer.add_argument("--json", action="store_true")
    answer.set_defaults(run=run_checklist_answer)

    ask = verbs.add_parser("ask", help="compose one message with every open question")
    ask.add_argument("ticket", type=ticket_number, metavar="N")
    ask.add_argument("--copy", action="store_true", help="also copy it to the clipboard")
    ask.add_argument(
        "--send",
        action="store_true",
        help="send it as a public reply (the ball goes to the customer)",
    )
    ask.add_argument(
        "--allow-missing",
        action="store_true",
        help="with --send: send even if some placeholder has no value",
    )
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(run=run_checklist_ask)

    show = verbs.add_parser("show", help="a ticket's checklists, answered and open")
    show.add_argument("ticket", type=ticket_number, metavar="N")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_checklist_show)


def _catalog(ctx: Context) -> Catalog:
    return macro_loader.load(ctx.macros)


def _copy(text: str) -> clipboard.CopyReport:
    """Copy through the controlling terminal (or stdout when it is one) and pyperclip."""
    terminal = clipboard.open_terminal(clipboard.TERMINAL)
    try:
        target = terminal or (sys.stdout.buffer if sys.stdout.isatty() else None)
        report = clipboard.copy(text, target)
    finally:
        if terminal is not None:
            terminal.close()
    return report


def _copy_dict(report: clipboard.CopyReport) -> dict[str, Any]:
    return {"ok": report.ok, "chars": report.chars, "paths": [asdict(p) for p in report.paths]}


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


def run_macro_show(ctx: Context, args: argparse.Namespace) -> int:
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
    with ctx.open_store() as store:
        rendered = macro_render.preview(store, macro, args.ticket, ctx.agent)
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


def run_macro_apply(ctx: Context, args: argparse.Namespace) -> int:
    catalog = _catalog(ctx)
    macro = catalog.macro(args.macro)
    me = ctx.me()
    if macro.kind == MessageKind.REPLY:
        require_customer_contact(me)
    policy = sla_policy(ctx.config)
    with ctx.open_store() as store:
        applied = macro_render.apply(
            store,
            ctx.agent,
            catalog,
            macro,
            args.ticket,
            expected_version=args.expect_version,
            allow_missing=args.allow_missing,
            agent_name=me.name,
            policy=policy,
        )
    report = _copy(applied.rendered.text) if args.copy else None
    if args.json:
        print_json(
            {
                "ticket": args.ticket,
                "macro": macro.id,
                "message_id": applied.message_id,
                "text": applied.rendered.text,
                "done": list(applied.done),
                "version": applied.ticket.version,
                **({"copy": _copy_dict(report)} if report else {}),
            }
        )
    else:
        print(visible(applied.rendered.text))
        print(
            f"\napplied {macro.id} to #{args.ticket}: "
            + "; ".join([f"added {macro.kind} (message {applied.message_id})", *applied.done]),
            file=sys.stderr,
        )
    if report is not None and not args.json:
        print(report.summary(), file=sys.stderr)
    return 0


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


def run_checklist_attach(ctx: Context, args: argparse.Namespace) -> int:
    checklist = _catalog(ctx).checklist(args.checklist)
    with ctx.open_store() as store:
        group = checklists.attach(store, ctx.agent, args.ticket, checklist)
    if args.json:
        print_json(_group_dict(group))
    else:
        _print_groups([group])
    return 0


def run_checklist_answer(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        if args.clear:
            item = checklists.unanswer(store, ctx.agent, args.ticket, args.question)
        else:
            item = checklists.answer(store, ctx.agent, args.ticket, args.question, args.text)
        left = [i for i in checklists.items(store, args.ticket) if not i.answered]
    if args.json:
        print_json({**_item_dict(item), "open": [i.number for i in left]})
        return 0
    state = "answered" if item.answered else "open again"
    print(
        f"#{args.ticket} question {item.number} ({item.question_id}) {state}; "
        f"{len(left)} still open"
    )
    return 0


def run_checklist_ask(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        if args.send:
            message: str | None = checklists.send_ask(
                store, ctx.agent, args.ticket, allow_missing=args.allow_missing
            )
        else:
            message = checklists.ask_message(store, args.ticket, ctx.agent)
        left = [i for i in checklists.items(store, args.ticket) if not i.answered]
    report = _copy(message) if args.copy and message else None
    if args.json:
        print_json(
            {
                "ticket": args.ticket,
                "message": message,
                "sent": args.send,
                "questions": [_item_dict(i) for i in left],
                **({"copy": _copy_dict(report)} if report else {}),
            }
        )
    elif message is None:
        print(f"ticket #{args.ticket}: every question is answered; nothing to ask", file=sys.stderr)
    else:
        print(visible(message))
    if report is not None and not args.json:
        print(report.summary(), file=sys.stderr)
    return 0


def run_checklist_show(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.open_store() as store:
        groups = checklists.attached(store, args.ticket)
    if args.json:
        print_json([_group_dict(g) for g in groups])
    elif not groups:
        print(f"ticket #{args.ticket} has no checklist", file=sys.stderr)
    else:
        _print_groups(groups)
    return 0
