"""Benchmark: mail through the desk on a big store. Messages taken one by one as a mail server
pipes them (`mail.intake.receive`, in process: the command adds its start-up, see
`cli_verbs.py`), and the outbox delivered to a real SMTP server on loopback (aiosmtpd).

    python bench/mail_flow.py --db big.db [--messages 500] [--replies 500]

Works on a copy of the store (made next to it and removed after), so the store is unchanged.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.mailserver

from bench.scratch import store_copy  # noqa: E402
from console.core import operations  # noqa: E402
from console.core.desk import Desk  # noqa: E402
from console.core.mail.intake import receive  # noqa: E402
from console.core.mail.sender import send_due  # noqa: E402
from console.core.mail.settings import MailSettings, Security  # noqa: E402
from console.core.store import Store  # noqa: E402
from console.core.team import SYSTEM, Team  # noqa: E402
from tests.mailserver import smtp_server  # noqa: E402


def message(n: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Customer {n} <customer{n % 5000}@example.com>"
    mail["To"] = "support@desk.example.com"
    mail["Subject"] = f"Printer {n} does not print"
    mail["Message-ID"] = f"<bench-{n}-{time.time_ns()}@example.com>"
    mail.set_content("It stopped this morning. " * 20)
    mail.add_attachment(
        b"%PDF-1.4 " * 2000, maintype="application", subtype="pdf", filename="a.pdf"
    )
    return mail.as_bytes()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--replies", type=int, default=500)
    args = parser.parse_args()
    with store_copy(args.db, "mailbench") as copy:
        with smtp_server() as server:
            settings = MailSettings(
                address="support@desk.example.com",
                smtp_host=server.host,
                smtp_port=server.port,
                security=Security.NONE,
                acknowledge=False,
            )
            with Store.open(copy) as store:
                desk = Desk(store, SYSTEM, team=Team(), mail=settings)
                tickets = store.count()
                print(f"store: {copy.name}, {tickets:,} open tickets")
                raws = [message(n) for n in range(args.messages)]
                took: list[float] = []
                began = time.perf_counter()
                for raw in raws:
                    start = time.perf_counter()
                    receive(desk, raw)
                    took.append((time.perf_counter() - start) * 1000)
                total = time.perf_counter() - began
                print(
                    f"intake, one message per transaction: {args.messages / total:,.0f} messages/s"
                    f" (median {statistics.median(took):.1f} ms, p95 {percentile(took, 0.95):.1f}"
                    " ms, 16 KB attachment each)"
                )
                agent = replace(desk, agent=Team().agent("alice"))
                first = store.query("SELECT max(id) FROM tickets")[0][0]
                for n in range(args.replies):
                    operations.reply(agent, first - n % args.messages, f"Answer {n}")
                began = time.perf_counter()
                report = send_due(desk)
                total = time.perf_counter() - began
                print(
                    f"outbox to a loopback SMTP server: {len(report.sent) / total:,.0f} mails/s"
                    f" ({len(report.sent)} sent, {len(report.failed)} failed,"
                    f" one connection)"
                )


if __name__ == "__main__":
    main()
