"""The query language of the `/` filter, `console list --query` and saved views.

    line:L2 court:us pri:P1,P2 age:>7d idle:>2d tag:outage -tag:billing from:@example.com
    is:mine is:unassigned assignee:eve status:waiting type:bug has:attachment "exact phrase"
    words -word

A query is terms separated by spaces, all of which must hold. `field:value` filters by a
field (`field:a,b` by any of the values); a leading `-` turns any term into its opposite;
anything else is words to find in the subject, body and thread ("quoted" for an exact phrase).
`#42` finds ticket 42.

Parsing is separate from running: `parse` turns text into a `Query` of typed terms or refuses
with an `InvalidQuery` that says which term is wrong and where (the screen puts the cursor
there), and the store turns a `Query` into its own SQL. The parser never fails otherwise: any
string is a query or a pointed error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from console.core.errors import InvalidInput
from console.core.model import Channel, Court, Line, Priority, Status
from console.core.phone import looks_like_phone
from console.core.strict import close_to
from console.core.ticket_types import NO_TYPE


class Field(Enum):
    """What a `field:value` term filters by. The value is its name in a query."""

    LINE = "line"
    PRIORITY = "pri"
    COURT = "court"
    STATUS = "status"
    ASSIGNEE = "assignee"
    TAG = "tag"
    TYPE = "type"
    FROM = "from"
    CHANNEL = "channel"
    ORG = "org"
    PLAN = "plan"
    AGE = "age"
    IDLE = "idle"
    IS = "is"
    HAS = "has"


ALIASES = {
    "priority": Field.PRIORITY,
    "requester": Field.FROM,
    "tags": Field.TAG,
    "organisation": Field.ORG,
    "organization": Field.ORG,
}
"""Longer spellings an agent may reach for."""


class State(Enum):
    """What `is:` can say of a ticket."""

    MINE = "mine"
    UNASSIGNED = "unassigned"
    ASSIGNED = "assigned"
    OPEN = "open"
    SOLVED = "solved"
    CLOSED = "closed"
    BREACHED = "breached"
    """An SLA deadline was missed."""
    VIP = "vip"
    """The customer's plan is one the team config marks VIP."""


class Has(Enum):
    """What `has:` can ask for."""

    ATTACHMENT = "attachment"
    FOLLOWUP = "followup"
    """A promised follow-up is pending."""
    VENDOR = "vendor"
    """A vendor case is open on it."""
    RATING = "rating"
    QUESTION = "question"
    """A back-line question the front line has not put to the customer yet."""


COURT_WORDS = {"us": Court.US, "ours": Court.US, "customer": Court.CUSTOMER, "vendor": Court.VENDOR}

ANY_STATUS = "any"
"""`status:any`: every ticket, whatever its status (a query is on open tickets otherwise)."""

FIELD_NAMES = "fields: " + ", ".join(f.value for f in Field)

HELP = (
    "fields: line:L2  pri:P1,P2  court:us|customer|vendor  status:waiting|any  assignee:eve  "
    "tag:outage  type:bug|none  from:ann@example.com, from:@example.com or from:+380441234567  "
    "org:Acme  plan:gold  channel:phone  age:>7d  "
    "idle:>2d  is:mine|unassigned|assigned|open|solved|closed|breached|vip  "
    "has:attachment|followup|vendor|rating|question; "
    '-term for "not"; "exact phrase"; other words are searched for'
)


class InvalidQuery(InvalidInput):
    """A query that cannot be read, with where: `start`, `end` index the bad term."""

    def __init__(self, message: str, start: int, end: int, *, fields: bool = False) -> None:
        where = f"{message} (at character {start + 1} of the query)"
        super().__init__(f"{where}; {HELP}" if fields else where)
        self.reason = message
        """What is wrong, without where (the screen shows where by the cursor)."""
        self.fields = fields
        """Whether the agent needs the list of fields (a field name was wrong or missing)."""
        self.start = start
        self.end = end


@dataclass(frozen=True)
class Filter:
    """One `field:value,value` term (any of the values), or its opposite."""

    field: Field
    values: tuple[object, ...]
    negated: bool = False


@dataclass(frozen=True)
class Span:
    """An `age:` or `idle:` term: more (or less) than `seconds` ago."""

    field: Field
    more: bool
    """`>`: longer ago than `seconds`; `<`: more recently."""
    seconds: int
    negated: bool = False


@dataclass(frozen=True)
class Query:
    filters: tuple[Filter | Span, ...] = ()
    words: tuple[str, ...] = ()
    """Words and "phrases" to find (a phrase keeps its quotes)."""
    excluded: tuple[str, ...] = ()
    """Words and "phrases" that must not be in the subject or body."""
    number: int | None = None
    """`#42`: the ticket with this number."""
    me: str | None = None
    """The agent `is:mine` means."""
    vip_plans: tuple[str, ...] = ()
    """The plans `is:vip` means."""

    @property
    def any_status(self) -> bool:
        """Whether the query says which statuses (so the queue's own does not apply): a ticket
        asked for by its number is found whatever its status."""
        return self.number is not None or any(
            isinstance(f, Filter)
            and (f.field == Field.STATUS or (f.field == Field.IS and _states(f) & _STATUS_STATES))
            for f in self.filters
        )

    @property
    def one_assignee(self) -> bool:
        """Whether the query asks for one named agent's tickets (`is:mine`, `assignee:eve`),
        so the assignee's queue index can serve it."""
        return any(
            isinstance(f, Filter)
            and not f.negated
            and len(f.values) == 1
            and (
                (f.field == Field.ASSIGNEE and str(f.values[0]).lower() != "none")
                or (f.field == Field.IS and f.values[0] == State.MINE)
            )
            for f in self.filters
        )

    @property
    def one_line(self) -> bool:
        """Whether the query asks for one line's tickets, which its queue index serves."""
        return any(
            isinstance(f, Filter) and not f.negated and f.field == Field.LINE and len(f.values) == 1
            for f in self.filters
        )

    def combined(self, other: Query | None) -> Query:
        """Both queries at once: a saved view narrowed by the filter typed over it."""
        if other is None:
            return self
        return Query(
            self.filters + other.filters,
            self.words + other.words,
            self.excluded + other.excluded,
            self.number if other.number is None else other.number,
            self.me or other.me,
            self.vip_plans or other.vip_plans,
        )

    @property
    def empty(self) -> bool:
        return not (self.filters or self.words or self.excluded or self.number is not None)


_STATUS_STATES = frozenset({State.OPEN, State.SOLVED, State.CLOSED})


def _states(term: Filter) -> set[object]:
    return set(term.values)


# A term: an optional "-", then a quoted phrase, or a run of characters up to a space (a
# quoted part inside, as in tag:"two words", stays in the term).
_TERM = re.compile(r'(-?)("[^"]*"?|(?:[^\s"]|"[^"]*"?)+)')
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_SPAN = re.compile(r"([<>])=?\s*(.+)")
MAX_QUERY = 2000
"""Characters of a query read at most: longer is a paste gone wrong."""


def parse(
    text: str,
    me: str | None = None,
    vip_plans: tuple[str, ...] = (),
    types: tuple[str, ...] = (),
) -> Query:
    """The query `text` says for the agent `me` (whose team marks `vip_plans` VIP and counts
    the ticket `types`), or an `InvalidQuery` naming the first bad term. Without `types` any
    type is taken as typed."""
    if len(text) > MAX_QUERY:
        raise InvalidQuery(f"a query is at most {MAX_QUERY:,} characters", MAX_QUERY, len(text))
    filters: list[Filter | Span] = []
    words: list[str] = []
    excluded: list[str] = []
    number: int | None = None
    for match in _TERM.finditer(text):
        negated, body = match.group(1) == "-", match.group(2)
        start, end = match.start(), match.end()
        if body.startswith('"'):
            phrase = body.strip('"').strip()
            if phrase.startswith("+") and looks_like_phone(phrase):  # "+380 44 123 45 67"
                filters.append(Filter(Field.FROM, (phrase,), negated))
            elif phrase:
                (excluded if negated else words).append(f'"{phrase}"')
            continue
        found = _FIELD.fullmatch(body)
        if found and not _looks_like_text(found):
            term = _filter(found.group(1), found.group(2), negated, start, end, types)
            if me is None and isinstance(term, Filter) and State.MINE in term.values:
                raise InvalidQuery(f"{body!r}: whose? give --as LOGIN", start, end)
            filters.append(term)
            continue
        caller = _caller(body)
        if caller is not None:  # an address, a domain or a phone typed alone: who asked
            filters.append(Filter(Field.FROM, (caller,), negated))
            continue
        number_match = re.fullmatch(r"#([0-9]{1,18})", body)
        if number_match and not negated:
            if number is not None:
                raise InvalidQuery(f"{body!r}: one ticket number at a time", start, end)
            number = int(number_match.group(1))
            continue
        (excluded if negated else words).append(body)
    return Query(tuple(filters), tuple(words), tuple(excluded), number, me, tuple(vip_plans))


_ADDRESS = re.compile(r"[^\s@\"]+@[^\s@\"]+\.[^\s@\"]+")
_DOMAIN = re.compile(r"@[^\s@\"]+\.[^\s@\"]+")


def _caller(word: str) -> str | None:
    """The requester a lone word names: "ann@acme.test", "@acme.test", "+380441234567"
    (a phone only with its "+": bare digits are words)."""
    if _ADDRESS.fullmatch(word) or _DOMAIN.fullmatch(word):
        return word.lower()
    if word.startswith("+") and looks_like_phone(word):
        return word
    return None


def _looks_like_text(found: re.Match[str]) -> bool:
    """A colon that is part of the words (`https://…`, "error:" at the end of a pasted line):
    only a known field, or a word followed by a value, reads as a field."""
    name, value = found.group(1).lower(), found.group(2)
    if _field(name) is not None:
        return False
    return not value or value.startswith("/")


def _field(name: str) -> Field | None:
    name = name.lower()
    for field in Field:
        if field.value == name:
            return field
    return ALIASES.get(name)


def _filter(
    name: str, value: str, negated: bool, start: int, end: int, types: tuple[str, ...]
) -> Filter | Span:
    field = _field(name)
    term = f"{name}:{value}"
    if field is None:
        names = [f.value for f in Field]
        raise InvalidQuery(
            f"{term!r}: there is no field {name!r}{close_to(name.lower(), names)}",
            start,
            end,
            fields=True,
        )
    value = value.strip().strip('"')
    if not value:
        raise InvalidQuery(f"{term!r}: give a value after {name}:", start, end, fields=True)
    if field in (Field.AGE, Field.IDLE):
        return _span(field, value, negated, term, start, end)
    values = [v.strip() for v in value.split(",") if v.strip()]
    if not values:
        raise InvalidQuery(f"{term!r}: give a value after {name}:", start, end)
    try:
        typed = tuple(_value(field, v, types) for v in values)
    except InvalidInput as error:
        raise InvalidQuery(f"{term!r}: {error}", start, end) from None
    if field == Field.STATUS and ANY_STATUS in typed:
        if len(typed) > 1 or negated:
            raise InvalidQuery(f"{term!r}: status:any stands alone", start, end)
    return Filter(field, typed, negated)


def _value(field: Field, text: str, types: tuple[str, ...]) -> object:
    lowered = text.lower()
    if field == Field.TYPE:
        if types and lowered not in (*types, NO_TYPE):
            known = ", ".join((*types, NO_TYPE))
            raise InvalidInput(
                f"{text!r} is not a ticket type (one of {known})" + close_to(lowered, types)
            )
        return lowered
    if field == Field.LINE:
        return _choice(Line, text.upper(), "line")
    if field == Field.PRIORITY:
        return _choice(Priority, text.upper(), "priority")
    if field == Field.STATUS:
        return ANY_STATUS if lowered == ANY_STATUS else _choice(Status, lowered, "status")
    if field == Field.CHANNEL:
        return _choice(Channel, lowered, "channel")
    if field == Field.COURT:
        if lowered not in COURT_WORDS:
            raise InvalidInput(f"{text!r} is not one of us, customer, vendor")
        return COURT_WORDS[lowered]
    if field == Field.IS:
        return _choice(State, lowered, "is:")
    if field == Field.HAS:
        return _choice(Has, lowered, "has:")
    if field == Field.FROM:
        if any(c.isspace() for c in text) and "@" in text:  # a name or a phone may have some
            raise InvalidInput("an address has no spaces")
        return lowered
    return text  # a tag or an assignee's login, as typed


def _choice(kind: type[Enum], text: str, what: str) -> object:
    for member in kind:
        if member.value == text:
            return member
    allowed = [str(m.value) for m in kind]
    if kind is Status:
        allowed.append(ANY_STATUS)
    raise InvalidInput(
        f"{text!r} is not a {what.rstrip(':')} (one of {', '.join(allowed)})"
        + close_to(text, allowed)
    )


def _span(field: Field, value: str, negated: bool, term: str, start: int, end: int) -> Span:
    from console.core.sla import parse_duration

    found = _SPAN.fullmatch(value)
    if not found:
        raise InvalidQuery(
            f"{term!r}: say more or less than how long, as {field.value}:>7d or {field.value}:<2h",
            start,
            end,
        )
    try:
        seconds = parse_duration(found.group(2).strip(), "")
    except InvalidInput as error:
        raise InvalidQuery(f"{term!r}: {error}", start, end) from None
    return Span(field, found.group(1) == ">", seconds, negated)


FIELD_VALUES: dict[Field, tuple[str, ...]] = {
    Field.LINE: tuple(line.value for line in Line),
    Field.PRIORITY: tuple(p.value for p in Priority),
    Field.COURT: ("us", "customer", "vendor"),
    Field.STATUS: (*(s.value for s in Status), ANY_STATUS),
    Field.CHANNEL: tuple(c.value for c in Channel),
    Field.IS: tuple(s.value for s in State),
    Field.HAS: tuple(h.value for h in Has),
    Field.AGE: (">7d", "<1d", ">30d"),
    Field.IDLE: (">2d", ">7d", "<1h"),
}
"""What completion offers after `field:` (the assignees, tags and types come from the
desk)."""


def complete(text: str, known: dict[Field, tuple[str, ...]] | None = None) -> str | None:
    """`text` with its last term completed (a field's name, or one of its values), or None
    when there is nothing to add. `known` adds values the desk has: logins, tags, types."""
    found = re.search(r'(-?)([^\s"]*)$', text)
    if not found or not found.group(2):
        return None
    stem = found.group(2)
    head = text[: len(text) - len(stem)]
    name, colon, value = stem.partition(":")
    if not colon:
        return next((head + f.value + ":" for f in Field if f.value.startswith(name.lower())), None)
    chosen = _field(name)
    if chosen is None:
        return None
    offered = (*FIELD_VALUES.get(chosen, ()), *(known or {}).get(chosen, ()))
    done, _, last = value.rpartition(",")
    for option in offered:
        if option.lower().startswith(last.lower()) and option.lower() != last.lower():
            return head + name + ":" + (done + "," if done else "") + option
    return None
