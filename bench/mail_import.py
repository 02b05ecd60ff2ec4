"""Benchmark: `console mail import` of a Maildir into a big store, the whole command timed as a
user runs it, with its peak memory.

    python bench/mail_import.py --db big.db [--messages 10000] [--big-files 5]

The Maildir is made of letters shaped like a help desk's mail: new requests in English and
Russian, a third of them answers to earlier ones (threaded by In-Reply-To), some in HTML only,
some with a small file, and `--big-files` with a 20 MB one (memory must stay bounded). Works
on a copy of the store (made next to it and removed after), so the store is unchanged.
"""

from __future__ import annotations

import argparse
import mailbox
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.*

from bench.scratch import store_copy  # noqa: E402

SUBJECTS = [
    "Printer does not print",
    "Cannot log in after the update",
    "Invoice {n} is wrong",
    "Не работает синхронизация с CRM",
    "Письма не доходят до клиентов",
    "Export to Excel hangs at 99%",
    "Не могу войти в личный кабинет",
    "Webhook retries flood our server",
]
BODIES = [
    "Since this morning nothing works. We restarted the machine twice. Order {n} is stuck.",
    "После обновления программа не запускается, пишет ошибку 0x{n:x}. Что делать?",
    "Hello, the report for account {n} shows last month's figures. Can you check?",
    "Добрый день! Клиенты жалуются, что письма приходят с задержкой в час, заказ {n}.",
]


def letter(n: int, chance: random.Random, big_file: bool) -> EmailMessage:
    message = EmailMessage()
    sender = chance.randrange(5000)
    message["From"] = f"Customer {sender} <customer{sender}@example.com>"
    message["To"] = "support@desk.example.com"
    message["Date"] = f"Mon, {1 + n % 28:02d} Jun 2026 {n % 24:02d}:{n % 60:02d}:00 +0300"
    message["Message-ID"] = f"<import-{n}@example.com>"
    body = chance.choice(BODIES).format(n=n) + "\n\n" + "Best regards,\nCustomer\n"
    if n > 10 and chance.random() < 0.33:
        earlier = chance.randrange(n - 10, n)
        message["Subject"] = f"Re: {chance.choice(SUBJECTS).format(n=earlier)}"
        message["In-Reply-To"] = f"<import-{earlier}@example.com>"
        body += "\n> " + chance.choice(BODIES).format(n=earlier)
    else:
        message["Subject"] = chance.choice(SUBJECTS).format(n=n)
    if chance.random() < 0.15:
        html = "<html><body><p>" + body.replace("\n", "<br>") + "</p></body></html>"
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
    if big_file:
        message.add_attachment(
            random.randbytes(20 * 1024 * 1024),
            maintype="application",
            subtype="zip",
            filename="logs.zip",
        )
    elif chance.random() < 0.1:
        message.add_attachment(
            b"\x89PNG" + bytes(16 * 1024), maintype="image", subtype="png", filename="shot.png"
        )
    return message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--big-files", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="console-import-"))
    try:
        chance = random.Random(7)
        big = set(chance.sample(range(args.messages), args.big_files))
        box = mailbox.Maildir(folder / "Maildir", create=True)
        for n in range(args.messages):
            box.add(letter(n, chance, n in big).as_bytes())
        config = folder / "console.toml"
        config.write_text('[mail]\naddress = "support@desk.example.com"\nmax_attachment_mb = 25\n')
        with store_copy(args.db, "importbench") as copy:
            measure(copy, config, folder / "Maildir", args.messages, args.big_files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(copy: Path, config: Path, maildir: Path, messages: int, big_files: int) -> None:
    """The import timed as a user runs it, then again with everything known."""
    command = [sys.executable, "-m", "console", "--db", str(copy), "--config", str(config)]
    importing = [*command, "mail", "import", str(maildir)]
    began = time.perf_counter()
    subprocess.run(importing, check=True, stdout=subprocess.DEVNULL)
    took = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"import of {messages:,} messages ({big_files} with a 20 MB file):"
        f" {took:.1f} s, {messages / took:,.0f} messages/s, peak memory {peak:.0f} MB"
    )
    again = time.perf_counter()
    subprocess.run(importing, check=True, stdout=subprocess.DEVNULL)
    print(f"the same import again (all known): {time.perf_counter() - again:.1f} s")


if __name__ == "__main__":
    main()
