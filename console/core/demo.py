"""A demo database that looks like a real support desk: requests across lines, priorities and
courts, with threads, mostly in English and some in Russian and Ukrainian.

It is built with plain executemany in large transactions (not one operation per ticket), so a
million tickets for the benchmarks take minutes, not hours; the rows are the same shape the
operations write, events included."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from console.core import timers
from console.core.clock import Clock, to_text, utc_now
from console.core.desk import Desk
from console.core.store import Store
from console.core.team import SYSTEM

BATCH = 10_000

_PRODUCTS = [
    "billing",
    "the mobile app",
    "SSO login",
    "the CRM sync",
    "invoices",
    "the API",
    "WhatsApp integration",
    "telephony",
    "the dashboard",
    "CSV export",
    "webhooks",
    "the calendar",
    "two-factor login",
    "the reports page",
    "e-mail delivery",
]
_ERRORS = [
    "500 Internal Server Error",
    "timeout after 30 s",
    "403 Forbidden",
    "'undefined is not a function'",
    "ERR_CONNECTION_RESET",
    "a blank white page",
    "duplicate charges",
    "error code 0x80070005",
    "502 Bad Gateway",
    "stale data",
]
_BROWSERS = [
    "Chrome 131 on Windows 11",
    "Firefox 133 on Ubuntu 24.04",
    "Safari 18 on macOS 15",
    "Edge on Windows 10",
    "the iOS app 4.2",
    "the Android app 4.1.3",
]
_EN_SUBJECTS = [
    "Cannot log in to {product}",
    "{product} shows {error}",
    "Urgent: {product} is down",
    "Question about {product}",
    "{product} stopped working after the update",
    "How do I export data from {product}?",
    "Password reset link does not arrive",
    "Charged twice this month",
    "Feature request: dark mode for {product}",
    "{product} is very slow since Monday",
    "Calls are not logged in the CRM",
    "Cannot attach files to {product}",
    "Invoice shows the wrong VAT number",
    "Webhook retries flood our server",
    "Users lose their session in {product}",
]
_EN_BODIES = [
    "Hello,\n\nWhat I did: opened {product} and clicked Save.\nWhat I expected: the record is "
    "saved.\nWhat I got: {error}.\nBrowser: {browser}. Screenshot attached (clock visible).\n\n"
    "Thanks,\n{name}",
    "Hi team, since this morning {product} gives {error} for everyone in our office. "
    "It happens in another browser too and after a restart. We are losing orders, please help!",
    "Good afternoon. I cannot find how to do this in {product}. The documentation link in the "
    "app is broken. Could you point me to the right page?\n\n{name}",
    "{product} worked yesterday. Today: {error}. Only my account, my colleague is fine. "
    "Tried incognito, same. {browser}.",
    "We were charged twice for November. Please refund the duplicate payment and confirm by "
    "e-mail. Order reference INV-{number}.",
]
_RU = [
    (
        "Не работает {product}",
        "Здравствуйте! С утра {product} выдаёт ошибку {error}. "
        "Проблема у всех сотрудников, в другом браузере тоже. Что делать?",
    ),
    (
        "Звонки не попадают в CRM",
        "Добрый день. Звонки из телефонии перестали попадать в CRM. "
        "Воспроизводится стабильно, скриншот с временем прилагаю.",
    ),
    ("Двойное списание", "Списали оплату два раза за месяц. Верните, пожалуйста, лишнее."),
]
_UK = [
    (
        "Не можу увійти в {product}",
        "Доброго дня! Не можу увійти в {product}: {error}. "
        "Пробував інший браузер і перезавантаження, не допомогло.",
    ),
    (
        "Повільно працює {product}",
        "Вітаю. {product} дуже повільно працює з понеділка. Проблема лише в мене чи у всіх?",
    ),
]
_REPLIES = [
    "Thank you for the details. We can reproduce it and are working on a fix; next update "
    "within 24 hours.",
    "Could you send a screenshot that shows the time, and tell us your browser and OS?",
    "The fix is deployed. Could you check and confirm that it works for you now?",
    "We have passed this to our second line; they will get back to you today.",
]
_NOTES = [
    "Reproduced on staging; looks like the session cookie is not refreshed.",
    "Vendor case opened, waiting for their engineer.",
    "Customer is on the enterprise plan: keep them informed.",
    "Same as last week's incident; see the parent problem.",
]
_FIRST = [
    "Ann",
    "Boris",
    "Chen",
    "Dana",
    "Emil",
    "Fatima",
    "Georg",
    "Hana",
    "Ivan",
    "Olena",
    "Petro",
    "Maria",
    "Tomás",
    "Yuki",
    "Zoe",
    "Omar",
    "Lena",
    "Sergei",
    "Oksana",
    "Raj",
]
_LAST = [
    "Lee",
    "Ivanov",
    "Wang",
    "Kowalski",
    "Schmidt",
    "Haddad",
    "Novak",
    "Shevchenko",
    "Petrenko",
    "Garcia",
    "Tanaka",
    "Okafor",
    "Smirnova",
    "Brown",
    "Kumar",
    "Rossi",
]
_DOMAINS = [
    "example.com",
    "example.org",
    "acme.test",
    "shop.test",
    "clinic.test",
    "logistics.test",
    "school.test",
]
AGENTS = ["alice", "bob", "carol", "dmitro", "eve"]


def _ticket_rows(count: int, rng: random.Random, clock_now: datetime) -> Iterator[tuple]:
    span_days = min(max(count / 30, 30), 730)
    people = [(f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", i) for i in range(max(count // 4, 5))]
    for number in range(1, count + 1):
        name, person = rng.choice(people)
        first = name.split()[0].lower()
        email = f"{first}.{person}@{_DOMAINS[person % len(_DOMAINS)]}"
        fill = dict(
            product=rng.choice(_PRODUCTS),
            error=rng.choice(_ERRORS),
            browser=rng.choice(_BROWSERS),
            name=name,
            number=rng.randint(1000, 99999),
        )
        language = rng.random()
        if language < 0.08:
            subject, body = rng.choice(_RU)
        elif language < 0.14:
            subject, body = rng.choice(_UK)
        else:
            subject, body = rng.choice(_EN_SUBJECTS), rng.choice(_EN_BODIES)
        subject, body = subject.format(**fill), body.format(**fill)
        # Tickets arrive evenly over the span, in number order; the last fortnight is where
        # the open work is, with a few forgotten old ones.
        days = span_days * (count - number) / count
        created = clock_now - timedelta(days=days, seconds=rng.randint(0, 600))
        recent = days < 14
        roll = rng.random()
        if recent or roll < 0.02:
            status = rng.choices(["new", "open", "waiting", "solved"], [2, 5, 3, 1])[0]
        else:
            status = rng.choices(["solved", "closed"], [1, 9])[0]
        court = {"new": "us", "open": "us", "solved": "customer", "closed": "customer"}.get(
            status, rng.choice(["customer", "customer", "vendor"])
        )
        line = rng.choices(["L1", "L2", "L3", "L4"], [60, 25, 10, 5])[0]
        if court == "vendor":
            line = "L4"
        priority = rng.choices(["P1", "P2", "P3", "P4"], [4, 16, 55, 25])[0]
        assignee = None if status == "new" else rng.choice(AGENTS + [None])
        yield (
            number,
            subject,
            body,
            email,
            name,
            person,
            line,
            priority,
            status,
            court,
            assignee,
            to_text(created),
            created,
        )


def build_demo(
    path: str | Path, tickets: int = 2000, seed: int = 7, clock: Clock = utc_now
) -> Path:
    """Write a demo database of `tickets` tickets at `path` (which must not exist yet)."""
    path = Path(path)
    rng = random.Random(seed)
    now = clock()
    with Store.open(path, clock=clock) as store:
        contacts: dict[str, int] = {}
        message_id = event_id = 0
        rows = _ticket_rows(tickets, rng, now)
        while True:
            batch = list(itertools.islice(rows, BATCH))
            if not batch:
                break
            # Rows for executemany: each table's columns differ, and so do their types.
            ticket_rows: list[tuple[object, ...]] = []
            contact_rows: list[tuple[object, ...]] = []
            message_rows: list[tuple[object, ...]] = []
            event_rows: list[tuple[object, ...]] = []
            for (
                number,
                subject,
                body,
                email,
                name,
                _person,
                line,
                priority,
                status,
                court,
                assignee,
                created_text,
                created,
            ) in batch:
                if email not in contacts:
                    contacts[email] = len(contacts) + 1
                    contact_rows.append((contacts[email], email, name, created_text))
                updated = created
                first_response = None
                event_id += 1
                event_rows.append(
                    (
                        event_id,
                        number,
                        created_text,
                        "intake",
                        "created",
                        None,
                        None,
                        f"{line} {priority} from {email} via demo",
                    )
                )
                replies = 0 if status == "new" else rng.randint(1, 4)
                for turn in range(replies):
                    updated = updated + timedelta(hours=rng.uniform(0.2, 30))
                    kind = ("reply", "customer", "note")[turn % 3] if turn else "reply"
                    text = {
                        "reply": rng.choice(_REPLIES),
                        "note": rng.choice(_NOTES),
                        "customer": "Thanks, here is the screenshot you asked for.",
                    }[kind]
                    author = email if kind == "customer" else (assignee or rng.choice(AGENTS))
                    message_id += 1
                    event_id += 1
                    stamp = to_text(min(updated, now))
                    first_response = first_response or stamp
                    message_rows.append((message_id, number, kind, author, text, stamp))
                    event_rows.append(
                        (
                            event_id,
                            number,
                            stamp,
                            author,
                            "message",
                            None,
                            kind,
                            f"message {message_id}",
                        )
                    )
                updated_text = to_text(min(updated, now))
                ticket_rows.append(
                    (
                        number,
                        subject,
                        body,
                        email,
                        contacts[email],
                        line,
                        priority,
                        status,
                        court,
                        assignee,
                        created_text,
                        updated_text,
                        assignee or "intake",
                        1 + replies,
                        first_response,
                    )
                )
            with store.transaction() as tx:
                tx.executemany(
                    "INSERT INTO contacts (id, email, name, created_at) VALUES (?, ?, ?, ?)",
                    contact_rows,
                )
                tx.executemany(
                    "INSERT INTO tickets (id, subject, body, requester, contact_id, line, priority,"
                    " status, court, assignee, created_at, updated_at, updated_by, version,"
                    " first_response_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ticket_rows,
                )
                tx.executemany(
                    "INSERT INTO messages (id, ticket_id, kind, author, body, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    message_rows,
                )
                tx.executemany(
                    "INSERT INTO events (id, ticket_id, at, actor, action, before, "
                    "after, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    event_rows,
                )
        # The SLA clocks of the open tickets start as if each stretch began at its last change.
        timers.start_missing_clocks(Desk(store, SYSTEM), timers.TickReport())
        with store.transaction() as conn:
            conn.execute("PRAGMA optimize")
    return path
