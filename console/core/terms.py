"""Turning any text into a safe, short full-text query of its most informative words.

The index holds stems (`stemming`), so every word of a query is stemmed the same way before it
is quoted: "работает" looks for what "не работают" was indexed as. A ticket can hold anything:
FTS5 syntax (quotes, AND/OR/NEAR, `*`, `^`, `col:`), any Unicode, or a 5 MB log. Every word is
quoted, so nothing in the text is ever read as query syntax. Long texts are cut to the words
that say the most: those that few tickets contain (by document frequency, counted in the index
up to a cap, never by scanning tickets), so a query stays fast however long the ticket is."""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass

from console.core import stemming

MAX_TEXT = 20_000
"""Characters of a text looked at for its words: the start of a long log says enough."""
MAX_WORDS = 400
"""Distinct words taken from a text, at most."""
MAX_LOOKUPS = 80
"""Distinct words whose frequency is looked up, at most: the subject's, then the body's first."""
COUNT_CAP = 2000

STOP_WORDS = frozenset(
    """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more
most my no nor not now of off on once only or other our ours out over own same she should so
some such than that the their them then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your yours
hi hello dear thanks thank please regards best team also get got one two us via
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до
вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
тебя их чем была сам чтобы без будто чего раз тоже себе под будет ж тогда кто этот того
потому этого какой совсем ним здесь этом один почти мой тем чтоб нее сейчас были куда зачем
всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про
всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том
нельзя такой им более всегда конечно всю между здравствуйте добрый день пожалуйста спасибо
і та що це як але до від за на не ні ви ми він вона воно вони його її їх мені мене тобі вам
нам також тому цей ця ці там тут де коли чи або бо якщо вже ще дуже можу доброго дня вітаю
""".split()
)


def words(text: str, *, every: bool = False) -> list[str]:
    """The distinct words of `text` in order of first appearance, lower case, stop words out
    (`every`: all of them, in the whole text, as the plain baseline query takes them).

    Words as written, not stems: they are what a person reads in "shares ..."; `stem` or
    `any_of` turns them into the index's form."""
    seen: dict[str, None] = {}
    for found in stemming.words(text if every else text[:MAX_TEXT]):
        word = found.lower()
        if not every and (word in STOP_WORDS or (len(word) == 1 and not word.isdigit())):
            continue
        seen.setdefault(word, None)
        if not every and len(seen) >= MAX_WORDS:
            break
    return list(seen)


def stem(word: str) -> str:
    """A word's form in the index."""
    return stemming.stem(word)


def quote(term: str) -> str:
    """One FTS5 string: a phrase of the term's tokens, never an operator. `term` is already in
    the index's form (a stem); use `any_of` or `all_of` for words as written."""
    return '"' + term.replace('"', '""') + '"'


def _stems(chosen: list[str]) -> list[str]:
    return [s for s in dict.fromkeys(stem(w) for w in chosen) if s.strip()]


def any_of(chosen: list[str]) -> str | None:
    """An FTS5 query matching any of the words (as written); None when there are none."""
    return " OR ".join(quote(s) for s in _stems(chosen)) or None


def all_of(chosen: list[str]) -> str | None:
    """An FTS5 query matching all of the words (as written); None when there are none."""
    return " AND ".join(quote(s) for s in _stems(chosen)) or None


_CHUNK = re.compile(r"[\w'’ʼ]+")
"""What a person typed as one word: letters, digits, underscores and apostrophes together.
A chunk the index splits ("foo_bar", "don't") is searched as a phrase of its parts."""


def fts_query(text: str, *, prefix_last: bool = False, any_word: bool = False) -> str | None:
    """An FTS5 query that finds the words of `text` in any inflection, whatever `text` holds.

    Every word is stemmed and quoted, so FTS5 syntax in the input (AND, NEAR, *, ^, column:,
    quotes) is searched for as words and never changes the query's meaning. With
    `prefix_last`, the last word may be unfinished (a filter as it is typed): it matches every
    indexed form that begins with its stem. None when there is no word."""
    phrases = [p for p in (stemming.index_text(c) for c in _CHUNK.findall(text)) if p]
    if not phrases:
        return None
    quoted = [quote(p) for p in phrases]
    if prefix_last:
        quoted[-1] += "*"
    return (" OR " if any_word else " ").join(quoted)


@dataclass(frozen=True)
class Term:
    word: str
    """The word as it appears in the text (what a person is shown)."""
    stem: str
    """The index's form of the word (what goes into the query)."""
    docs: int
    """How many tickets contain it."""
    idf: float
    in_subject: bool


def documents(conn: sqlite3.Connection, term: str, cap: int = COUNT_CAP) -> int:
    """How many tickets contain the term (a stem), counted up to `cap` (the count walks the
    term's list in the index, so a term in half a million tickets must not be counted out)."""
    return int(
        conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ? LIMIT ?)",
            (quote(term), cap),
        ).fetchone()[0]
    )


def informative_terms(
    conn: sqlite3.Connection, subject: str, body: str, limit: int = 24
) -> list[Term]:
    """The query's words that tell its tickets apart, most informative first.

    Words no ticket contains are dropped (they cannot find anything); the rest are ranked by
    inverse document frequency, a subject word counting a little more, as the subject is what
    the customer chose to say first. Words in `COUNT_CAP` tickets or more are all equally
    common as far as this ranking cares. Inflections of one word count once, as their stem."""
    subject_words = set(words(subject))
    all_words = list(dict.fromkeys([*words(subject), *words(body)]))[:MAX_LOOKUPS]
    if not all_words:
        return []
    total = conn.execute("SELECT coalesce(max(rowid), 0) FROM tickets").fetchone()[0] or 1
    terms: dict[str, Term] = {}
    for word in all_words:
        term = stem(word)
        if term in terms or not term.strip():
            continue
        count = documents(conn, term)
        if count == 0:
            continue
        idf = math.log(1 + (total - count + 0.5) / (count + 0.5))
        terms[term] = Term(word, term, count, idf, word in subject_words)
    ranked = sorted(terms.values(), key=lambda t: -t.idf * (1.3 if t.in_subject else 1.0))
    return ranked[:limit]
