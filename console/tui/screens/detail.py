"""The ticket screen: the header fields, the thread (request, customer messages, replies,
notes) and the event timeline of one ticket, scrolled with j/k; esc goes back.

The ticket is read in a worker and read again when the database changes, keeping the scroll
position, so an agent watching a ticket sees a colleague's note arrive."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from console.core import contacts, words
from console.core.clock import from_text
from console.core.context import load_context
from console.core.model import Activity, Channel, Court, Ticket
from console.core.text import one_line
from console.tui.actions.keys import ACTION_BINDINGS, TicketActions
from console.tui.host import host
from console.tui.messages import TicketLoaded
from console.tui.screens.ticket_compose import ComposeActions
from console.tui.widgets.customer_panel import CustomerPanel
from console.tui.widgets.footer import ConsoleFooter
from console.tui.widgets.presence_line import PresenceLine
from console.tui.widgets.thread_entry import ThreadEntry
from console.tui.widgets.timeline import timeline_text

MOVE_WORDS = {
    Court.US: "our move",
    Court.CUSTOMER: "the customer's move",
    Court.VENDOR: "the vendor's move",
}


def header_text(ticket: Ticket, customer_name: str | None = None) -> Text:
    """The subject; then who asked, the priority and line, the status, who has it and whose
    move it is, in one line that fits 80 columns (the facts under it say the rest)."""
    text = Text()
    text.append(f"#{ticket.id}  ", style="bold")
    text.append(one_line(ticket.subject, 300), style="bold")
    text.append("\n")
    who = one_line(customer_name or ticket.requester, 40)
    has_it = f"with {one_line(ticket.assignee, 30)}" if ticket.assignee else "unassigned"
    text.append(f"{who}  ·  {ticket.priority} {ticket.line}  ·  {ticket.status}  ·  {has_it}  ")
    ours = ticket.court == Court.US
    text.append(f" {MOVE_WORDS[ticket.court]} ", style="bold reverse" if ours else "dim")
    return text


class DetailScreen(ComposeActions, TicketActions):
    """One ticket; the keys that act on it come from `TicketActions`, the keys that write to
    it from `ComposeActions`."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="detail.back"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="detail.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="detail.up"),
        Binding("g,home", "scroll('home')", "Top", show=False, id="detail.top"),
        Binding("G,end", "scroll('end')", "Bottom", show=False, id="detail.bottom"),
        Binding(
            "space,pagedown", "scroll('page_down')", "Page down", show=False, id="detail.page_down"
        ),
        Binding("b,pageup", "scroll('page_up')", "Page up", show=False, id="detail.page_up"),
        Binding("z", "toggle_quoted", "Quoted text", show=False, id="detail.quoted"),
        *ACTION_BINDINGS,
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.ticket: Ticket | None = None
        self.quoted = False
        """Whether the customers' quoted history and signatures are shown (`z`)."""

    def compose(self) -> ComposeResult:
        yield Static(Text(f"#{self.ticket_id}  loading\u2026"), id="detail-header")
        yield PresenceLine(self.ticket_id, id="detail-presence")
        yield from self.compose_top()
        with VerticalScroll(id="detail-body"):
            yield from self.compose_panels()
            yield Static(id="thread-title", classes="section-title")
            yield Static(id="timeline-title", classes="section-title")
            yield Static(id="timeline")
            yield from self.compose_bottom()
            yield Static("Customer", id="customer-title", classes="section-title")
            yield CustomerPanel(id="customer-panel")
        yield ConsoleFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self.reload()

    def presence(self) -> tuple[int | None, Activity]:
        """What colleagues see of this screen (see `background.where`)."""
        return self.ticket_id, Activity.VIEWING

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="detail-load",
        description="read one ticket with its thread and events",
    )
    def reload(self) -> None:
        desk = host(self).desk
        store = desk.store
        with store.read():  # one snapshot: the thread and the facts agree
            context = load_context(store, self.ticket_id, desk.policy, viewer=desk.login)
            requester = context.ticket.requester
            loaded = TicketLoaded(
                context,
                store.messages(self.ticket_id),
                store.events(self.ticket_id),
                contacts.by_requester(store, requester),
                contacts.history(store, requester, limit=6, leave_out=self.ticket_id),
            )
        self.post_message(loaded)

    def on_customer_panel_open(self, event: CustomerPanel.Open) -> None:
        host(self).open_ticket(event.ticket_id)

    def action_toggle_quoted(self) -> None:
        self.quoted = not self.quoted
        for entry in self.query(ThreadEntry):
            entry.show_quoted(self.quoted)
        self.notify(
            "quoted text shown" if self.quoted else "quoted text folded", timeout=2, markup=False
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        # A ticket that cannot be read at all (a wrong number) leaves nothing to show.
        if event.state == WorkerState.ERROR and event.worker.group == "detail-load":
            if self.ticket is None and self.is_current:
                self.dismiss()

    async def on_ticket_loaded(self, message: TicketLoaded) -> None:
        before = self.context.deliveries if self.context is not None else None
        self.show_context(message.context)  # presence and clocks move without a new version
        same = self.ticket is not None and self.ticket.version == message.ticket.version
        if same and before == message.context.deliveries:
            return  # something else in the database changed; this ticket did not
        # (A mail that went out changes the thread's words, not the ticket's version.)
        self.ticket = message.ticket
        self.last_event_id = message.events[-1].id if message.events else 0
        self.saw_messages(message.messages)
        name = message.customer.name if message.customer else None
        self.query_one("#detail-header", Static).update(header_text(message.ticket, name))
        self.query_one(CustomerPanel).show(
            message.customer, message.history, host(self).desk.policy
        )
        self.query_one("#customer-title").display = message.customer is not None
        self.paint_facts()
        self.reload_suggestions()
        body = self.query_one("#detail-body", VerticalScroll)
        # Rebuilding the thread shrinks the view for a moment; put the reader back after.
        reading_at = body.scroll_y
        await body.remove_children(ThreadEntry)
        now, zone = message.context.now, host(self).desk.policy.zone

        sending = host(self).desk.mail.sending
        deliveries = message.context.deliveries

        def said(stamp: str, channel: Channel | None, message_id: int | None = None) -> str:
            sent = deliveries.get(message_id) if message_id is not None else None
            came = words.how_sent(channel, sent, now, zone, sending=sending)
            return words.when(from_text(stamp), now, zone) + came

        ticket = message.ticket
        entries = [
            ThreadEntry(
                None,
                ticket.requester,
                said(ticket.created_at, ticket.channel),
                ticket.body,
                ticket.id,
                quoted=self.quoted,
            )
        ]
        entries += [
            ThreadEntry(
                m.kind,
                m.author,
                said(m.created_at, m.channel, m.id),
                m.body,
                self.ticket_id,
                quoted=self.quoted,
            )
            for m in message.messages
        ]
        await body.mount_all(entries, after="#thread-title")
        self.query_one("#thread-title", Static).update(
            Text(f"Thread ({len(message.messages) + 1})", style="bold")
        )
        self.query_one("#timeline-title", Static).update(
            Text(f"Events ({len(message.events)})", style="bold")
        )
        self.query_one("#timeline", Static).update(
            timeline_text(message.events, message.context.now, host(self).desk.policy.zone)
        )
        if reading_at:
            self.call_after_refresh(body.scroll_to, y=reading_at, animate=False)

    def ticket_id_shown(self) -> int:
        return self.ticket_id

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#detail-body", VerticalScroll)
        {
            "down": body.scroll_down,
            "up": body.scroll_up,
            "home": body.scroll_home,
            "end": body.scroll_end,
            "page_down": body.scroll_page_down,
            "page_up": body.scroll_page_up,
        }[where](animate=False)
