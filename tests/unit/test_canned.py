"""What the console says by itself (the confirmation on solving, a nudge, the approval of paid
work, a merge notice, the auto-close notice) speaks the customer's language: the one their
mail was in, else the team's; a team file without these texts falls back to English."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from console.core import links, operations, timers
from console.core.canned import Canned
from console.core.desk import Desk
from console.core.mail.intake import receive
from console.core.mail.settings import MailSettings
from console.core.store import Store
from console.core.team import SYSTEM
from tests.support import FrozenClock, make_desk
from tests.unit.test_mail_intake import mail

RUSSIAN = "Принтер в бухгалтерии опять не печатает, горит красная лампочка."
UKRAINIAN = "Принтер у бухгалтерії знову не друкує, горить червона лампочка."


def from_mail(desk: Desk, body: str, mail_id: str) -> int:
    received = receive(desk.acting_as(SYSTEM), mail(body=body, mail_id=mail_id))
    assert received.ticket_id is not None
    return received.ticket_id


def last_reply(store: Store, ticket_id: int) -> str:
    return [m.body for m in store.messages(ticket_id) if m.kind == "reply"][-1]


def test_a_russian_customer_is_answered_in_russian(store: Store, clock: FrozenClock) -> None:
    desk = make_desk(store, "alice")
    ticket_id = from_mail(desk, RUSSIAN, "<ru@example.com>")
    operations.solve(desk, ticket_id)
    assert last_reply(store, ticket_id).startswith("Мы считаем, что проблема решена.")
    operations.nudge(desk, ticket_id)
    assert last_reply(store, ticket_id).startswith("Мы всё ещё ждём вашего ответа")
    clock.advance(days=30)
    timers.tick(desk)
    assert last_reply(store, ticket_id).startswith("Мы не получили от вас ответа")


def test_a_ukrainian_customer_gets_the_approval_and_the_merge_notice_in_ukrainian(
    store: Store,
) -> None:
    desk = make_desk(store, "alice")
    first = from_mail(desk, UKRAINIAN, "<uk1@example.com>")
    second = from_mail(desk, UKRAINIAN + " Ще раз.", "<uk2@example.com>")
    operations.bill(desk, first, 90)
    assert last_reply(store, first).startswith("Це потребує платної роботи, за оцінкою 1h30m.")
    links.merge(desk, second, first, notice="")
    assert f"у зверненні #{first}" in last_reply(store, second)


def test_english_and_the_teams_language_when_the_customers_is_unknown(store: Store) -> None:
    desk = make_desk(store, "alice")
    english = operations.create_ticket(desk, subject="x", requester="ann@example.com").id
    operations.solve(desk, english)
    assert last_reply(store, english) == Canned.CONFIRM.english
    russian_team = replace(desk, mail=MailSettings(language="ru"))
    other = operations.create_ticket(desk, subject="y", requester="bob@example.com").id
    operations.solve(russian_team, other)
    assert last_reply(store, other).startswith("Мы считаем")


def test_a_team_file_without_the_texts_falls_back_to_english(store: Store, tmp_path: Path) -> None:
    own = tmp_path / "macros.toml"
    own.write_text('[[macro]]\nid = "hello"\ntitle = "Hello"\nbody = "Hello"\n')
    desk = make_desk(store, "alice", macros=own)
    ticket_id = from_mail(desk, RUSSIAN, "<ru2@example.com>")
    operations.solve(desk, ticket_id)
    assert last_reply(store, ticket_id) == Canned.CONFIRM.english


def test_every_shipped_text_greets_a_customer_whose_name_is_unknown(
    store: Store, clock: FrozenClock
) -> None:
    """Most mail comes from a bare address: no shipped text may need a name to be sent."""
    from console.core.macro_loader import load_catalog
    from console.core.macro_render import preview

    catalog = load_catalog([Path(__file__).resolve().parents[2] / "macros.toml"])
    desk = make_desk(store, "alice")
    bare = operations.create_ticket(desk, subject="Help", requester="ann@example.com").id
    named = operations.create_ticket(desk, subject="Help", requester="Ann Lee <lee@example.com>").id
    greetings = {"en": ("Hello Ann,", "Hello,"), "ru": ("Здравствуйте, Ann!", "Здравствуйте!")}
    greetings["uk"] = ("Вітаємо, Ann!", "Вітаємо!")
    for macro in catalog.macros:
        for ticket_id, which in ((bare, 1), (named, 0)):
            rendered = preview(desk, macro, ticket_id)
            given_by_the_console = {"work.estimate", "merge.into"}  # see canned.py
            assert set(rendered.missing) <= given_by_the_console, f"{macro.id}: {rendered.missing}"
            if "{customer.greeting}" in macro.body:
                assert rendered.text.startswith(greetings[macro.lang][which]), macro.id
