"""One form for every inflection of a word, in English, Russian and Ukrainian alike.

Search and duplicate suggestions should find "не работают" for "работает", "увійти" for
"увійшов" and "connection" for "connecting". SQLite's own stemmer (the `porter` tokenizer)
knows English only, and Python's sqlite3 cannot give FTS5 a tokenizer of ours, so the index
holds a text made here: each word of a ticket replaced by its stem, the words of a query put
through the same function. The same word always gets the same form, whatever text it is in,
so a query and the tickets it should find always agree.

- Latin letters and digits: Porter's stemmer (Snowball's `porter`), the algorithm SQLite's
  `porter` tokenizer ran before, so English is indexed as it was. Snowball's newer `english`
  was not clearly better on the Hadoop training pairs (duplicate suggestions: R@5 .820
  against .836, MRR .704 against .696).
- Russian: the Snowball Russian stemmer.
- Ukrainian has no Snowball stemmer, and suffixes alone cannot join "увійшов" and "увійти":
  the word's dictionary form comes from pymorphy3's Ukrainian dictionary, and then goes through
  the Russian stemmer too, so that a Russian form and a Ukrainian one of a shared word
  ("сервера", "пароль") meet. A Cyrillic word is read as Ukrainian when it has a letter only
  Ukrainian uses (і ї є ґ, an apostrophe), or when it has none of Russian's own (ы э ё ъ) and
  the Ukrainian dictionary knows it; any other is Russian.
- Any other word goes through Porter's stemmer too: it leaves words it cannot read alone.

The dictionary is loaded on the first Cyrillic word a process meets (about 0.1 s), never for
English text, so `console new` on an English ticket pays nothing for it."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
"""A word as SQLite's unicode61 tokenizer sees one (letters and digits), except that an
apostrophe inside a word keeps it whole: Ukrainian writes "п'ять", "м'який" with one."""
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_ONLY = frozenset("іїєґ'")
_RUSSIAN_ONLY = frozenset("ыэёъ")
MAX_WORD = 64
"""Longer "words" (hashes, base64) are indexed as they are: no language inflects them."""

_local = threading.local()
_morph: Any = None
_morph_lock = threading.Lock()


def _stemmer(language: str) -> Any:
    """A Snowball stemmer of this thread's own: PyStemmer's objects are not thread-safe."""
    found = getattr(_local, language, None)
    if found is None:
        found = Stemmer.Stemmer(language)
        setattr(_local, language, found)
    return found


def _ukrainian() -> Any:
    global _morph
    with _morph_lock:
        if _morph is None:
            import pymorphy3

            _morph = pymorphy3.MorphAnalyzer(lang="uk")
    return _morph


def _cyrillic(word: str) -> str:
    word = word.translate(_APOSTROPHES)
    letters = set(word)
    if letters & _UKRAINIAN_ONLY or (
        not letters & _RUSSIAN_ONLY and _ukrainian().word_is_known(word)
    ):
        parses = _ukrainian().parse(word)
        if parses:
            word = parses[0].normal_form
    return _stemmer("russian").stemWord(word).replace("'", "")


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The index's form of one word (as `words` splits them): lower case, stemmed."""
    word = word.lower()
    if len(word) > MAX_WORD:
        return word
    if _CYRILLIC.search(word):
        return _cyrillic(word)
    if "'" in word.translate(_APOSTROPHES):
        # Only Ukrainian keeps an apostrophe inside a word; "don't" is two, as SQLite splits it.
        return " ".join(stem(part) for part in re.split(r"['’ʼ]", word))
    return _stemmer("porter").stemWord(word)


def words(text: str) -> Iterator[str]:
    """Every word of `text` in order, as written."""
    for match in _WORD.finditer(text):
        yield match.group()


def index_text(text: object) -> str:
    """What the full-text index holds for `text`: the stem of each of its words, in order
    (BM25 counts repeats and lengths, so every occurrence is kept).

    SQLite calls this from the index's triggers with whatever a column holds: bytes are read
    as UTF-8 as far as they go, and NULL or a number indexes as nothing or as its digits."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return " ".join(stem(word) for word in words(str(text)))


def register(conn: sqlite3.Connection) -> None:
    """Give `conn` the SQL function the full-text index's triggers call to stem what they
    index (`console_index_text`, see `schema`)."""
    conn.create_function("console_index_text", 1, index_text, deterministic=True)
