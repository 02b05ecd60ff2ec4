"""A `Query` as SQLite conditions on the `tickets` table (the store's half of the query
language; another backend would spell the same terms its own way).

Every value is a parameter, never part of the SQL text. Most terms are served by an index:
line, priority, assignee and status by the queue indexes, the requester, its domain and the
type by their own, tags by `tags_by_tag`, words by the full-text indexes. `age`, `idle`,
`court` and `has:` are checked on the rows the other terms (or the queue's order) find: on
their own, over a million tickets, they read every open ticket (the README lists which
queries are fast)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from console.core import schema, stemming
from console.core.clock import to_text
from console.core.phone import looks_like_phone, phone_key
from console.core.query import Field, Filter, Has, Query, Span, State
from console.core.requester import LABEL_SQL
from console.core.ticket_types import NO_TYPE

DOMAIN_SQL = "substr(requester, instr(requester, '@') + 1)"
"""The requester's domain, spelled as its index (`tickets_by_requester_domain`) spells it. A
requester with no address (a phone, a name) is the whole of it: `HAS_DOMAIN` keeps those out."""
HAS_DOMAIN = "instr(requester, '@') > 0"

_HAS = {
    Has.ATTACHMENT: "EXISTS (SELECT 1 FROM attachments a WHERE a.ticket_id = tickets.id)",
    Has.FOLLOWUP: "followup_due_at IS NOT NULL",
    Has.VENDOR: "vendor IS NOT NULL",
    Has.RATING: "rating IS NOT NULL",
    Has.QUESTION: "EXISTS (SELECT 1 FROM clarifications q"
    " WHERE q.ticket_id = tickets.id AND q.answered_at IS NULL)",
}
_COLUMNS = {
    Field.LINE: "line",
    Field.PRIORITY: "priority",
    Field.COURT: "court",
    Field.STATUS: "status",
    Field.CHANNEL: "channel",
}


def conditions(query: Query, now: datetime, params: list[Any], *, prefix_last: bool) -> list[str]:
    """The SQL conditions, all of which a ticket must meet; their values go onto `params`.
    `prefix_last`: the last word may be the start of one (the filter as it is typed)."""
    found: list[str] = []
    for term in query.filters:
        sql = _span(term, now, params) if isinstance(term, Span) else _filter(term, query, params)
        if sql is None:
            continue
        found.append(f"NOT ifnull(({sql}), 0)" if term.negated else f"({sql})")
    if query.number is not None:
        found.append("id = ?")
        params.append(query.number)
    match = match_expression(query.words, prefix_last=prefix_last)
    if match:
        found.append(
            "id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? "
            "UNION SELECT m.ticket_id FROM messages_fts JOIN messages m "
            "ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?)"
        )
        params.extend([match, match])
    excluded = match_expression(query.excluded, any_of=True)
    if excluded:
        found.append("id NOT IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)")
        params.append(excluded)
    return found


def match_expression(
    items: tuple[str, ...], *, prefix_last: bool = False, any_of: bool = False
) -> str | None:
    """An FTS5 expression for words and "phrases": each a quoted phrase of its tokens, so
    nothing typed is ever read as FTS5 syntax. None when there is no word at all."""
    phrases = []
    for item in items:
        # The index holds stems: a word or a phrase is looked for in the form it was indexed in.
        tokens = stemming.index_text(item)
        if tokens:
            phrases.append((tokens.replace('"', '""'), item.startswith('"')))
    if not phrases:
        return None
    quoted = [f'"{tokens}"' for tokens, _ in phrases]
    if prefix_last and not phrases[-1][1]:
        quoted[-1] += "*"
    return (" OR " if any_of else " ").join(quoted)


def _filter(term: Filter, query: Query, params: list[Any]) -> str | None:
    field, values = term.field, term.values
    if field in _COLUMNS:
        if field == Field.STATUS and values == ("any",):
            return None
        params.extend(str(getattr(v, "value", v)) for v in values)
        return f"{_COLUMNS[field]} IN ({', '.join('?' for _ in values)})"
    if field == Field.ASSIGNEE:
        named = [v for v in values if str(v).lower() != "none"]
        either = ["assignee IS NULL"] if len(named) < len(values) else []
        if named:
            params.extend(named)
            either.append(f"assignee IN ({', '.join('?' for _ in named)})")
        return " OR ".join(either)
    if field == Field.TYPE:
        named = [v for v in values if v != NO_TYPE]
        either = ["ticket_type IS NULL"] if len(named) < len(values) else []
        if named:
            params.extend(named)
            either.append(f"ticket_type IN ({', '.join('?' for _ in named)})")
        return " OR ".join(either)
    if field == Field.TAG:
        params.extend(values)
        marks = ", ".join("?" for _ in values)
        return f"id IN (SELECT ticket_id FROM tags WHERE tag IN ({marks}))"
    if field == Field.FROM:
        return " OR ".join(_requester(str(v), params) for v in values)
    if field == Field.ORG:
        marks = ", ".join("?" for _ in values)
        params.extend(values)
        params.extend(str(v).lower() for v in values)
        return (
            "contact_id IN (SELECT id FROM contacts WHERE organisation COLLATE NOCASE"
            f" IN ({marks}))"
            f" OR ({DOMAIN_SQL} IN ({marks}) AND {HAS_DOMAIN} AND contact_id IN"
            " (SELECT id FROM contacts WHERE organisation IS NULL))"
        )
    if field == Field.PLAN:
        params.extend(values)
        marks = ", ".join("?" for _ in values)
        return f"contact_id IN (SELECT id FROM contacts WHERE plan IN ({marks}))"
    if field == Field.IS:
        return " OR ".join(_state(v, query, params) for v in values)  # type: ignore[arg-type]
    if field == Field.HAS:
        return " OR ".join(_HAS[v] for v in values)  # type: ignore[index]
    raise AssertionError(f"no SQL for {field}")


def _requester(value: str, params: list[Any]) -> str:
    """`@example.com`: the domain; `ann@example.com`: the address; a phone: the callers
    with that phone; `ann` or "ann lee": the addresses that begin so (a range on the
    requester index) and the callers with no address whose name begins so."""
    if value.startswith("@"):
        params.append(value[1:])
        return f"{DOMAIN_SQL} = ? AND {HAS_DOMAIN}"
    if looks_like_phone(value):
        params.append(phone_key(value))
        return "contact_id IN (SELECT id FROM contacts WHERE phone = ?)"
    if "@" in value:
        params.append(value)
        return "requester = ?"
    # The start of an address, or of the name of a caller who gave none (any case): their
    # tickets by their labels, on the requester index too.
    pattern = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params.extend([value, value + "\U0010ffff", pattern])
    return (
        "(requester >= ? AND requester < ?) OR requester IN (SELECT"
        f" {LABEL_SQL} FROM contacts WHERE email IS NULL AND name LIKE ? ESCAPE '\\')"
    )


def _state(state: State, query: Query, params: list[Any]) -> str:
    if state == State.MINE:
        params.append(query.me)
        return "assignee = ?"
    if state == State.UNASSIGNED:
        return "assignee IS NULL"
    if state == State.ASSIGNED:
        return "assignee IS NOT NULL"
    if state == State.OPEN:
        return schema.OPEN_SQL
    if state == State.BREACHED:
        return "sla_breached IS NOT NULL"
    if state == State.VIP:
        if not query.vip_plans:  # the team marks no plan VIP (a constant 0 would leave a
            return "contact_id IN (SELECT id FROM contacts WHERE 0)"  # forced index unused)
        params.extend(query.vip_plans)
        marks = ", ".join("?" for _ in query.vip_plans)
        return f"contact_id IN (SELECT id FROM contacts WHERE plan IN ({marks}))"
    params.append(state.value)  # solved, closed
    return "status = ?"


def _span(term: Span, now: datetime, params: list[Any]) -> str:
    column = "created_at" if term.field == Field.AGE else "updated_at"
    params.append(to_text(now - timedelta(seconds=term.seconds)))
    # Longer ago than the span: the moment is before the cut-off.
    return f"{column} < ?" if term.more else f"{column} >= ?"
