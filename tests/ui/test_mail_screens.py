"""Mail on the screens, with real keys: a reply the server refused shows on the thread as not
delivered, the ticket waits in the Undelivered queue (reached with `]`), and `D` on the
ticket sends it again or lets it go; `z` unfolds the quoted history; `W` saves a file."""

from __future__ import annotations

from action_helpers import (
    back_on_ticket,
    choose,
    new_ticket,
    on_ticket,
    store_of,
    type_text,
    until,
    until_title,
)
from ui_helpers import screen_text, settle

from console.core import operations
from console.core.mail import delivery
from console.core.mail.intake import receive
from console.core.mail.sender import DeliveryError, send_due
from console.core.model import QueueFilter
from console.core.team import SYSTEM
from console.tui.queues import QUEUES
from tests.support import make_desk
from tests.unit.test_mail_intake import mail


class Refusing:
    """A server that takes every mail but Zed's."""

    def send(self, message: object, sender: str, recipient: str) -> None:
        if recipient == "zed@example.net":
            raise DeliveryError("550 5.1.1 no such user", permanent=True)


def undelivered_ticket(db_path) -> int:
    ticket_id = new_ticket(db_path, requester="zed@example.net")
    with store_of(db_path) as store:
        desk = make_desk(store, "alice")
        operations.reply(desk, ticket_id, "Please unplug it.")
        send_due(desk, Refusing())
    return ticket_id


async def test_an_undelivered_reply_is_shown_and_sent_again_with_d(app, db_path) -> None:
    ticket_id = undelivered_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await until(pilot, lambda: "not delivered: 550 5.1.1" in screen_text(app), "the failure")
        await pilot.press("D")
        await choose(pilot, "mail_retry")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.tickets(QueueFilter(undelivered=True, statuses=())) == []
        [sent] = delivery.deliveries(store, ticket_id).values()
        assert sent.state == delivery.DeliveryState.QUEUED


async def test_the_undelivered_queue_lists_the_ticket_and_d_lets_it_go(app, db_path) -> None:
    ticket_id = undelivered_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*["]"] * (len(QUEUES) - 1))
        await until(pilot, lambda: "Undelivered mail  1 of 1" in screen_text(app), "the queue")
        await pilot.press("enter")
        await until(pilot, lambda: "not delivered" in screen_text(app), "the ticket")
        await pilot.press("D")
        await choose(pilot, "mail_dismiss")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.tickets(QueueFilter(undelivered=True, statuses=())) == []
        [gone] = delivery.deliveries(store, ticket_id).values()
        assert gone.state == delivery.DeliveryState.DISMISSED


async def test_z_shows_and_folds_the_quoted_history(app, db_path) -> None:
    ticket_id = new_ticket(
        db_path, body="Still smokes.\n\n02.11.2026 10:05, Support пишет:\n> unplug it\n> now"
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await until(pilot, lambda: "3 quoted lines folded; z shows them" in screen_text(app))
        assert "unplug it" not in screen_text(app)
        await pilot.press("z")
        await until(pilot, lambda: "> unplug it" in screen_text(app), "the quote")
        await pilot.press("z")
        await until(pilot, lambda: "unplug it" not in screen_text(app), "the quote folded")


async def test_w_saves_a_file_of_the_ticket(app, db_path, tmp_path) -> None:
    with store_of(db_path) as store:
        raw = mail(files={"scan.pdf": b"%PDF-1.4 scan"}, mail_id="<w1@example.com>")
        ticket_id = receive(make_desk(store).acting_as(SYSTEM), raw).ticket_id
    assert ticket_id is not None
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await until(pilot, lambda: "1 scan.pdf (13 bytes)" in screen_text(app), "the file")
        await pilot.press("W")
        await until_title(pilot, f"#{ticket_id}: Save scan.pdf where?")
        await pilot.press("ctrl+u")
        await type_text(pilot, str(tmp_path))
        await pilot.press("enter")
        await back_on_ticket(pilot)
    assert (tmp_path / "scan.pdf").read_bytes() == b"%PDF-1.4 scan"
