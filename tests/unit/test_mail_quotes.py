"""Folding what a customer's mail program quoted and their signature: in English, Russian and
Ukrainian, from real-shaped replies; never the customer's own words, never a whole message."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core.mail.parse import parse
from console.core.mail.quotes import fold

MAIL = Path(__file__).parent.parent / "fixtures" / "mail"


@pytest.mark.parametrize(
    ("text", "said", "quoted_lines"),
    [
        (
            "Still broken.\n\nOn Mon, 2 Nov 2026 at 10:05, Support <s@x.com> wrote:\n> try\n> ok",
            "Still broken.",
            3,
        ),
        ("Не работает.\n\n02.11.2026 10:05, Support пишет:\n> попробуйте", "Не работает.", 2),
        ("Ок\n\nпн, 2 нояб. 2026 г. в 10:05, Support <s@x.com>:\n> текст", "Ок", 2),
        ("Дякую\n\n02.11.2026 о 10:05 Support написав(ла):\n> спробуйте", "Дякую", 2),
        ("Thanks\n\nFrom: Support <s@x>\nSent: Monday\nTo: me\n\nold", "Thanks", 4),
        ("Спасибо\n\nОт: Support <s@x>\nОтправлено: 2 ноября\n\nстарое", "Спасибо", 3),
        ("Hi\n-- \nAnn Lee\nACME", "Hi", 3),
        ("Answer\n> quoted\nmy answer\n> more\n> more2", "Answer\n> quoted\nmy answer", 2),
    ],
)
def test_the_history_under_the_words_is_folded(text: str, said: str, quoted_lines: int) -> None:
    folded = fold(text)
    assert (folded.said, folded.quoted_lines) == (said, quoted_lines)


@pytest.mark.parametrize(
    "text",
    [
        "Когда нажимаю, система пишет:\nError 500\n\nСпасибо",
        "The log says:\nERROR 42 wrote: disk full",
        "> only a quote\n> nothing else",
        "",
    ],
)
def test_the_customers_own_words_are_never_folded(text: str) -> None:
    assert fold(text).said == text and fold(text).quoted == ""


@pytest.mark.parametrize(
    ("name", "begins"),
    [
        ("outlook_reply.eml", "Hi,"),
        ("gmail_reply.eml", "Thanks, the new profile works"),
        ("thunderbird_flowed.eml", "Hallo,"),
        ("koi8r_plain.eml", "Здравствуйте!"),
    ],
)
def test_real_replies_keep_only_the_new_words(name: str, begins: str) -> None:
    folded = fold(parse((MAIL / name).read_bytes()).text)
    assert folded.said.startswith(begins) and folded.quoted
    assert ">" not in folded.said and "wrote" not in folded.said
