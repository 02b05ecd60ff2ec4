"""`console contact show|edit|list`: the customers, looked up by address, phone, name or
organisation, and what is known of them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.cli.actions import PAGE_LIMIT
from console.cli.context import Context, print_json
from console.core.text import one_line, visible
from console.core.words import count

if TYPE_CHECKING:
    from console.core.contacts import Contact, History


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("contact", help="customers: show, edit, list")
    verbs = group.add_subparsers(dest="contact_command", metavar="VERB", required=True)

    show = verbs.add_parser("show", help="a customer and their tickets")
    show.add_argument("who", metavar="WHO", help="an address, a phone number or a name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_show)

    edit = verbs.add_parser("edit", help="what is known of a customer ('' clears a field)")
    edit.add_argument("who", metavar="WHO", help="an address, a phone number or a name")
    edit.add_argument(
        "--email",
        metavar="ADDRESS",
        help="their e-mail address: their tickets' requester becomes it, and what is said on"
        " them from then on is mailed",
    )
    edit.add_argument("--name")
    edit.add_argument("--organisation", metavar="NAME", help="(default: the e-mail domain)")
    edit.add_argument("--phone")
    edit.add_argument("--lang", metavar="en|ru|uk", help="the language replies go out in")
    edit.add_argument("--plan", help="one of the team config's [plans]")
    edit.add_argument("--notes")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(run=run_edit)

    listing = verbs.add_parser("list", help="customers whose address, name or phone begins so")
    listing.add_argument("who", metavar="WHO", help='"ann", "@acme.test", "+380 44", "Acme"')
    listing.add_argument("--limit", type=PAGE_LIMIT, default=50)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)


def contact_dict(contact: Contact) -> dict[str, Any]:
    from dataclasses import asdict

    return {**asdict(contact), "company": contact.company}


def _lines(contact: Contact, history: History, plans: Any) -> list[str]:
    plan = contact.plan or "-"
    if contact.plan and contact.plan in plans and plans[contact.plan].vip:
        plan += " (VIP)"
    lines = [
        heading(contact),
        f"organisation {one_line(contact.company or '-', 60)}   phone {contact.phone or '-'}   "
        f"language {contact.lang or '-'}   plan {one_line(plan, 30)}",
        f"{count(history.total, 'ticket')}, {history.open:,} open",
    ]
    if contact.notes:
        lines.append("notes: " + visible(contact.notes))
    for number, subject, status, _created in history.latest:
        lines.append(f"  #{number:<7} {status:<8} {one_line(subject, 70)}")
    return lines


def heading(contact: Contact) -> str:
    """ "Olga Petrenko <olga@acme.test>", or, for a caller with no address yet, their name or
    phone and that nothing is mailed to them."""
    if contact.email is None:
        named = one_line(contact.name or contact.label, 60)
        return f"{named} (no e-mail address yet: replies are not mailed)"
    return f"{one_line(contact.name or contact.email, 60)} <{one_line(contact.email, 80)}>"


def run_show(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import contacts

    with ctx.desk(read_only=True) as desk:
        contact = contacts.one(desk.store, args.who)
        history = contacts.history(desk.store, contact.label)
        plans = desk.policy.plans
    if args.json:
        print_json(
            {
                **contact_dict(contact),
                "tickets": history.total,
                "open": history.open,
                "latest": [
                    {"id": n, "subject": s, "status": st, "created_at": c}
                    for n, s, st, c in history.latest
                ],
            }
        )
        return 0
    print("\n".join(_lines(contact, history, plans)))
    return 0


def run_edit(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import contacts

    with ctx.desk() as desk:
        contact_id = contacts.one(desk.store, args.who).id
        contact = contacts.edit(
            desk, contact_id, **{field: getattr(args, field) for field in contacts.EDITABLE}
        )
    if args.json:
        print_json(contact_dict(contact))
        return 0
    print(f"{one_line(contact.label, 80)}: saved")
    return 0


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    from console.core import contacts

    with ctx.open_store(read_only=True) as store:
        found = contacts.find(store, args.who, limit=args.limit)
    if args.json:
        print_json([contact_dict(c) for c in found])
        return 0
    if not found:
        print("no contact matches")
    for c in found:
        print(
            f"{one_line(c.email or '-', 40):<40} {one_line(c.name or '-', 24):<24} "
            f"{one_line(c.company or '-', 24):<24} {c.phone or ''}"
        )
    return 0
