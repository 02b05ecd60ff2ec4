"""Who the customer is, under the ticket: name, organisation, plan (VIP), phone, language, notes,
and their other tickets, newest first; `enter` on one opens it. Every value may be anything
someone typed, so it goes into `Text` through `one_line`, never markup."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.core.contacts import Contact, History
from console.core.sla import SlaPolicy
from console.core.text import one_line


def customer_text(contact: Contact, history: History, policy: SlaPolicy) -> Text:
    text = Text()
    text.append(one_line(contact.name or contact.label, 40), style="bold")
    if contact.plan:
        vip = contact.plan in policy.vip_plans
        text.append(f"  \u2605 {one_line(contact.plan, 20)}" if vip else f"  plan {contact.plan}")
    details = [contact.email or "no e-mail address: not mailed"]
    if contact.company:
        details.append(contact.company)
    if contact.phone:
        details.append(contact.phone)
    if contact.lang:
        details.append(f"writes in {contact.lang}")
    text.append("  " + " \u00b7 ".join(one_line(d, 40) for d in details), style="dim")
    text.append(f"\n{history.total:,} tickets, {history.open:,} open")
    if contact.notes:
        text.append("  notes: ", style="dim")
        text.append(one_line(contact.notes, 200))
    return text


class CustomerPanel(Vertical):
    DEFAULT_CSS = """
    CustomerPanel { height: auto; }
    CustomerPanel OptionList { height: auto; max-height: 8; border: none; }
    """

    @dataclass
    class Open(Message):
        ticket_id: int

    def compose(self) -> ComposeResult:
        yield Static(id="customer-line")
        yield OptionList(id="customer-tickets")

    def show(self, contact: Contact | None, history: History | None, policy: SlaPolicy) -> None:
        self.display = contact is not None and history is not None
        if contact is None or history is None:
            return
        self.query_one("#customer-line", Static).update(customer_text(contact, history, policy))
        tickets = self.query_one("#customer-tickets", OptionList)
        tickets.clear_options()
        for number, subject, status, _created in history.latest:
            line = Text(f"#{number:<7} ", style="bold")
            line.append(f"{status:<8} ", style="dim")
            line.append(one_line(subject, 80))
            tickets.add_option(Option(line, id=str(number)))
        tickets.display = bool(history.latest)
        if history.latest:
            tickets.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Open(int(event.option.id)))
