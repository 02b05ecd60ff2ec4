"""The database schema as a list of forward migrations.

`PRAGMA user_version` holds how many migrations a file has had. Opening a file runs the missing
ones, each in its own transaction, so an older file is brought forward and a crash mid-way
leaves it at the last complete step. A file with a higher version than `LATEST` came from a
newer console and is refused rather than misread.

To change the schema, append a migration; never edit one that has shipped.

Every console database carries `APPLICATION_ID` in its header, so a file can be told to be the
console's before anything is written to it. It is not a numbered migration: `migrate` marks a
file after its migrations, whatever their number, so files made before the mark get it on
their next write."""

from __future__ import annotations

import sqlite3

from console.core import stemming
from console.core.errors import StoreError

APPLICATION_ID = 0x436F6E73
"""SQLite's `application_id` of a console database: "Cons" in ASCII."""

OPEN_SQL = "status IN ('new', 'open', 'waiting')"
"""The predicate of an open ticket, spelled exactly as the partial indexes spell it: SQLite
uses a partial index only when the query repeats its WHERE term."""

_V1_BASE = f"""
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL CHECK (length(subject) > 0),
    body TEXT NOT NULL DEFAULT '',
    body_raw BLOB,
    requester TEXT NOT NULL,
    contact_id INTEGER REFERENCES contacts(id),
    line TEXT NOT NULL CHECK (line IN ('L1', 'L2', 'L3', 'L4')),
    priority TEXT NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    status TEXT NOT NULL CHECK (status IN ('new', 'open', 'waiting', 'solved', 'closed')),
    court TEXT NOT NULL CHECK (court IN ('us', 'customer', 'vendor')),
    assignee TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- Queues: open tickets of a line (or all lines, or one agent) by priority, then age.
CREATE INDEX tickets_open_by_line ON tickets(line, priority, created_at, id) WHERE {OPEN_SQL};
CREATE INDEX tickets_open_all ON tickets(priority, created_at, id, court, line) WHERE {OPEN_SQL};
CREATE INDEX tickets_open_by_assignee ON tickets(assignee, priority, created_at, id)
    WHERE {OPEN_SQL};
CREATE INDEX tickets_by_status ON tickets(status, priority, created_at, id);
CREATE INDEX tickets_by_requester ON tickets(requester, created_at);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'reply', 'note')),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    body_raw BLOB,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_by_ticket ON messages(ticket_id, id);

-- What is not in the log did not happen: rows are added, never changed or removed.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT,
    detail TEXT
);
CREATE INDEX events_by_ticket ON events(ticket_id, id);
CREATE INDEX events_by_action ON events(action, at);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be deleted'); END;
"""

# Full-text search over subject and body, and over every message of a thread. External
# content tables keep one copy of the text; the triggers keep them in sync with every write.
_V2_SEARCH = """
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    subject, body, content='tickets', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts(rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, subject, body)
        VALUES ('delete', old.id, old.subject, old.body);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, body ON tickets BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, subject, body)
        VALUES ('delete', old.id, old.subject, old.body);
    INSERT INTO tickets_fts(rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;

CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, content='messages', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;

-- Index whatever a version 1 file already holds.
INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild');
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
"""

# Working as a team: questions the back lines ask the front line to put to the customer, and
# who has which ticket open (one row per running console, refreshed by heartbeats).
_TEAM = """
CREATE TABLE clarifications (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    asked_by TEXT NOT NULL,
    question TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    answered_by TEXT,
    answer TEXT,
    answered_at TEXT
);
CREATE INDEX clarifications_open ON clarifications(ticket_id) WHERE answered_at IS NULL;

CREATE TABLE presence (
    agent TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    ticket_id INTEGER,
    activity TEXT NOT NULL CHECK (activity IN ('browsing', 'viewing', 'replying')),
    seen_at TEXT NOT NULL,
    PRIMARY KEY (agent, host, pid)
);
CREATE INDEX presence_by_ticket ON presence(ticket_id, seen_at);
"""

# Tags on tickets ("known problem" labels, added by hand or by a macro). One row per tag and
# ticket; the index by tag serves "every ticket with this tag" without a scan.
_TAGS = """
CREATE TABLE tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    tag TEXT NOT NULL CHECK (length(tag) > 0),
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags(tag, ticket_id);
"""

# Clarifying-question checklists attached to a ticket. The questions are copied in when the
# checklist is attached, so a later edit of macros.toml never changes what a customer was asked.
_CHECKLISTS = """
CREATE TABLE ticket_checklists (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    checklist TEXT NOT NULL,
    title TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    intro TEXT,
    outro TEXT,
    attached_at TEXT NOT NULL,
    attached_by TEXT NOT NULL,
    UNIQUE (ticket_id, checklist)
);
CREATE TABLE checklist_items (
    id INTEGER PRIMARY KEY,
    attachment_id INTEGER NOT NULL REFERENCES ticket_checklists(id),
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    position INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    question TEXT NOT NULL,
    required INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    answer TEXT,
    answered_at TEXT,
    answered_by TEXT,
    UNIQUE (attachment_id, position)
);
CREATE INDEX checklist_items_by_ticket ON checklist_items(ticket_id, attachment_id, position);
"""

# Whose move and how long: the columns a queue needs to show and sort by SLA without reading
# a ticket's history, kept up to date by `workflow` in the same transaction as each move.
_SLA_CLOCKS = """
ALTER TABLE tickets ADD COLUMN clock_since TEXT;
ALTER TABLE tickets ADD COLUMN ours_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN first_response_at TEXT;
ALTER TABLE tickets ADD COLUMN resolved_at TEXT;
ALTER TABLE tickets ADD COLUMN sla_kind TEXT;
ALTER TABLE tickets ADD COLUMN sla_due_at TEXT;
ALTER TABLE tickets ADD COLUMN sla_check_at TEXT;
ALTER TABLE tickets ADD COLUMN sla_breached TEXT;
ALTER TABLE tickets ADD COLUMN vendor TEXT;
ALTER TABLE tickets ADD COLUMN vendor_case TEXT;
ALTER TABLE tickets ADD COLUMN followup_due_at TEXT;
ALTER TABLE tickets ADD COLUMN followup_note TEXT;
ALTER TABLE tickets ADD COLUMN followup_reminded TEXT;
ALTER TABLE tickets ADD COLUMN nudged_since TEXT;
ALTER TABLE tickets ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE tickets ADD COLUMN billable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN estimate_minutes INTEGER;
ALTER TABLE tickets ADD COLUMN approval TEXT
    CHECK (approval IN ('pending', 'approved', 'refused'));

-- Sort by time to breach; the timers find what fell due; the Due and Nudge queues.
CREATE INDEX tickets_by_sla_due ON tickets(sla_due_at, id) WHERE sla_due_at IS NOT NULL;
CREATE INDEX tickets_by_sla_check ON tickets(sla_check_at) WHERE sla_check_at IS NOT NULL;
CREATE INDEX tickets_by_followup ON tickets(followup_due_at, id)
    WHERE followup_due_at IS NOT NULL;
CREATE INDEX tickets_idle_customer ON tickets(clock_since, id)
    WHERE court = 'customer' AND status IN ('waiting', 'solved');
CREATE INDEX tickets_unclocked ON tickets(id)
    WHERE clock_since IS NULL AND status IN ('new', 'open', 'waiting', 'solved');

-- A ticket opened because a customer wrote on an old, closed one points back at it.
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    other_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (ticket_id, other_id, kind)
);
CREATE INDEX links_by_other ON links(other_id);

-- Time spent on a ticket; billable minutes need the customer's approval first.
CREATE TABLE time_log (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    agent TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    billable INTEGER NOT NULL,
    at TEXT NOT NULL,
    note TEXT
);
CREATE INDEX time_log_by_ticket ON time_log(ticket_id, id);
"""

# One problem, one case: a duplicate merged into its primary, a child hanging on a parent
# problem, a ticket split off another. They share the `links` table with follow-ups; these kinds
# allow one live link per ticket (undoing removes the row: the event log keeps the history), and
# `detail` (JSON) holds what the inverse operation needs, such as the ids of the messages a merge
# moved. Sentence vectors for the optional semantic suggestions live in their own table.
_LINKS = """
ALTER TABLE links ADD COLUMN detail TEXT;
CREATE UNIQUE INDEX links_one_per_kind ON links(ticket_id, kind)
    WHERE kind IN ('merged', 'parent', 'split');
CREATE INDEX links_by_other_kind ON links(other_id, kind, ticket_id);

CREATE TABLE ticket_embeddings (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
"""

# Unsent text: what an agent is writing on a ticket, saved as they type so that a crash or a
# dropped SSH session loses nothing. One draft per agent, ticket and kind of message; not a
# change of the ticket, so neither its version nor its event log is touched.
_DRAFTS = """
CREATE TABLE drafts (
    agent TEXT NOT NULL,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'reply', 'note')),
    body TEXT NOT NULL,
    keep_court INTEGER NOT NULL DEFAULT 0,
    macro_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (agent, ticket_id, kind)
) WITHOUT ROWID;
CREATE INDEX drafts_by_agent ON drafts(agent, updated_at);
"""

# Any open queue sorted by time to breach: the nearest deadline first, tickets whose clocks
# are stopped after them in the usual priority and age order. `ifnull` puts "no deadline" last
# ('~' sorts after every stored moment) and lets each page be one range scan of an index.
_BREACH_ORDER = f"""
CREATE INDEX tickets_open_all_by_due ON tickets(ifnull(sla_due_at, '~'), priority,
    created_at, id) WHERE {OPEN_SQL};
CREATE INDEX tickets_open_by_line_due ON tickets(line, ifnull(sla_due_at, '~'), priority,
    created_at, id) WHERE {OPEN_SQL};
CREATE INDEX tickets_open_by_assignee_due ON tickets(assignee, ifnull(sla_due_at, '~'),
    priority, created_at, id) WHERE {OPEN_SQL};
"""

# What must reach a customer: every public message is queued here in the transaction that
# stores it, so nothing said to a customer can be lost between the desk and the mail server
# (the sender that delivers it comes with e-mail). A follow-up remembers whether an agent
# promised it by hand or a reply promised it ("we will get back to you by ..."): the next reply
# keeps the second kind of promise.
_OUTBOX = """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),
    automatic INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at IS NULL;
ALTER TABLE tickets ADD COLUMN followup_source TEXT
    CHECK (followup_source IN ('agent', 'reply'));
"""

# When the timers last ran: a team's thirty consoles (and cron) need not all run them every
# minute; a console skips its run when another one ran them moments ago.
_TIMER_RUNS = """
CREATE TABLE timer_runs (
    name TEXT PRIMARY KEY,
    at TEXT NOT NULL
) WITHOUT ROWID;
"""

# E-mail. Every message taken from the mail is kept byte for byte with what became of it; its
# Message-ID is the key that makes taking it twice (a retry, an import run again) a no-op. The
# files of a message live beside it; a file refused as too large keeps its row (with no data)
# so the ticket can say so. Each mail the desk sends gets its own Message-ID, which a
# customer's reply names: the surest way back to the ticket. Every ticket and message records
# the channel it came by.
_MAIL = """
CREATE TABLE mail_in (
    id INTEGER PRIMARY KEY,
    mail_id TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'automatic', 'bounce')),
    outcome TEXT NOT NULL CHECK (outcome IN ('new', 'added', 'reopened', 'follow-up', 'noted',
        'dropped')),
    detail TEXT,
    ticket_id INTEGER REFERENCES tickets(id),
    message_id INTEGER REFERENCES messages(id),
    raw BLOB NOT NULL
);
CREATE INDEX mail_in_by_ticket ON mail_in(ticket_id, id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    message_id INTEGER REFERENCES messages(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_by_ticket ON attachments(ticket_id, id);

ALTER TABLE outbox ADD COLUMN mail_id TEXT;
CREATE UNIQUE INDEX outbox_by_mail_id ON outbox(mail_id);

ALTER TABLE tickets ADD COLUMN channel TEXT;
ALTER TABLE messages ADD COLUMN channel TEXT;
"""

# Sending: a mail is claimed by one sender at a time (a team's consoles and cron all run the
# sender), tried again after a pause when the server says "later", and marked failed when it
# says "never" or after two days of "later". A failure stays on the ticket (the Undelivered
# queue) until someone sends the mail again or lets it go.
_MAIL_OUT = """
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
ALTER TABLE outbox ADD COLUMN dismissed_at TEXT;
CREATE INDEX outbox_failed ON outbox(message_id) WHERE failed_at IS NOT NULL
    AND dismissed_at IS NULL;
"""

# The language a contact writes in, as their mail told it: what the console says to them by
# itself (confirmations, reminders, the acknowledgement) is in that language.
_CONTACT_LANGUAGE = """
ALTER TABLE contacts ADD COLUMN lang TEXT;
"""

# Which of the console's own mails answers a customer's mail (the acknowledgement): it says
# `Auto-Submitted: auto-replied`, the rest of what the console writes by itself (a nudge, the
# auto-close notice) `auto-generated` (RFC 3834 tells the two apart).
_AUTO_REPLY = """
ALTER TABLE outbox ADD COLUMN auto_reply INTEGER NOT NULL DEFAULT 0 CHECK (auto_reply IN (0, 1));
"""

# FTS5 merges an index's segments once a level has `automerge` of them. At a million tickets
# the default (4) made merging most of the cost of a new ticket (0.84 ms a ticket, against
# 0.24 ms at 8: a ticket's text is rewritten fewer times); a search may read a few more
# segments of a level, in fewer levels.
_FTS_MERGE = """
INSERT INTO tickets_fts(tickets_fts, rank) VALUES ('automerge', 8);
INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 8);
"""

# `from:@example.com` in a query: the requester's domain, indexed as the query spells it and
# in queue order, so a page of a large customer's tickets is read, not sorted.
_REQUESTER_DOMAIN = """
CREATE INDEX tickets_by_requester_domain
    ON tickets(substr(requester, instr(requester, '@') + 1), priority, created_at, id);
"""

# Impact and urgency, from which the team's matrix gives the priority (see `triage`).
_TRIAGE = """
ALTER TABLE tickets ADD COLUMN impact TEXT CHECK (impact IN ('high', 'medium', 'low'));
ALTER TABLE tickets ADD COLUMN urgency TEXT CHECK (urgency IN ('high', 'medium', 'low'));
"""

# What is known of a customer beyond the address: organisation (the domain until named),
# phone (stored as "+" and digits, found by its index), plan and notes.
_CONTACT_DETAILS = """
ALTER TABLE contacts ADD COLUMN organisation TEXT;
ALTER TABLE contacts ADD COLUMN phone TEXT;
ALTER TABLE contacts ADD COLUMN plan TEXT;
ALTER TABLE contacts ADD COLUMN notes TEXT;
CREATE INDEX contacts_by_phone ON contacts(phone) WHERE phone IS NOT NULL;
CREATE INDEX contacts_by_name ON contacts(name COLLATE NOCASE) WHERE name IS NOT NULL;
CREATE INDEX contacts_by_organisation ON contacts(organisation COLLATE NOCASE)
    WHERE organisation IS NOT NULL;
"""

# Search across inflections in English, Russian and Ukrainian ("работает" finds "не работают").
# SQLite's porter tokenizer stems English only, and Python cannot give FTS5 a tokenizer, so the
# index now holds each text with every word replaced by its stem (`stemming.index_text`, which
# the store gives every connection as `console_index_text`), and queries are stemmed the same
# way. The stemmed text is kept in the index itself rather than as external content: deleting a
# row then needs no recomputation, so an upgraded stemmer can never leave stale entries behind.
# Whatever writes a ticket or a message through the store goes through these triggers; a tool
# outside the console that writes them gets "no such function" instead of a stale index.
_STEMMED_SEARCH = """
DROP TRIGGER tickets_fts_insert;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER tickets_fts_update;
DROP TABLE tickets_fts;
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_fts;

CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, body, tokenize='unicode61');
INSERT INTO tickets_fts(tickets_fts, rank) VALUES ('automerge', 8);
INSERT INTO tickets_fts(rowid, subject, body)
    SELECT id, console_index_text(subject), console_index_text(body) FROM tickets;
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts(rowid, subject, body)
        VALUES (new.id, console_index_text(new.subject), console_index_text(new.body));
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM tickets_fts WHERE rowid = old.id;
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, body ON tickets BEGIN
    DELETE FROM tickets_fts WHERE rowid = old.id;
    INSERT INTO tickets_fts(rowid, subject, body)
        VALUES (new.id, console_index_text(new.subject), console_index_text(new.body));
END;

CREATE VIRTUAL TABLE messages_fts USING fts5(body, tokenize='unicode61');
INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 8);
INSERT INTO messages_fts(rowid, body) SELECT id, console_index_text(body) FROM messages;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, console_index_text(new.body));
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, console_index_text(new.body));
END;
"""

# What kind of case a ticket is (see `ticket_types`): a set the team config names, so no CHECK.
# Its index serves `type:bug` over every status in queue order, as the domain's does.
_TICKET_TYPE = """
ALTER TABLE tickets ADD COLUMN ticket_type TEXT;
CREATE INDEX tickets_by_type ON tickets(ticket_type, priority, created_at, id);
"""

# A caller known only by a phone number or a name is a contact too: the e-mail address can
# come later. SQLite cannot drop a NOT NULL, so the table is rebuilt as its documentation says
# (a new table, the rows copied with their ids, the old one dropped, the new one renamed, its
# indexes made again); `migrate` turns the foreign keys off around it and checks every
# reference before it commits. Only the contacts are copied (a few thousand rows): the
# tickets that point at them are read by that check, never rewritten.
_CONTACT_WITHOUT_ADDRESS = """
CREATE TABLE contacts_new (
    id INTEGER PRIMARY KEY,
    email TEXT UNIQUE COLLATE NOCASE,
    name TEXT,
    created_at TEXT NOT NULL,
    lang TEXT,
    organisation TEXT,
    phone TEXT,
    plan TEXT,
    notes TEXT,
    CHECK (coalesce(email, phone, name) IS NOT NULL)
);
INSERT INTO contacts_new (id, email, name, created_at, lang, organisation, phone, plan, notes)
    SELECT id, email, name, created_at, lang, organisation, phone, plan, notes FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_new RENAME TO contacts;
CREATE INDEX contacts_by_phone ON contacts(phone) WHERE phone IS NOT NULL;
CREATE INDEX contacts_by_name ON contacts(name COLLATE NOCASE) WHERE name IS NOT NULL;
CREATE INDEX contacts_by_organisation ON contacts(organisation COLLATE NOCASE)
    WHERE organisation IS NOT NULL;
"""

MIGRATIONS: list[str] = [
    _V1_BASE,
    _V2_SEARCH,
    _TEAM,
    _TAGS,
    _CHECKLISTS,
    _SLA_CLOCKS,
    _LINKS,
    _DRAFTS,
    _BREACH_ORDER,
    _OUTBOX,
    _TIMER_RUNS,
    _MAIL,
    _MAIL_OUT,
    _CONTACT_LANGUAGE,
    _AUTO_REPLY,
    _FTS_MERGE,
    _REQUESTER_DOMAIN,
    _TRIAGE,
    _CONTACT_DETAILS,
    _STEMMED_SEARCH,
    _TICKET_TYPE,
    _CONTACT_WITHOUT_ADDRESS,
]
LATEST = len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies hold semicolons)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")
    return statements


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Run the migrations a file lacks, up to `target`, and mark the file as the console's;
    return the version it started at.

    Each step runs in one IMMEDIATE transaction together with its `user_version` bump, so two
    consoles opening an old file at once do not both migrate it. The foreign keys are off
    while the steps run (SQLite ignores the pragma inside a transaction, so it is switched
    before BEGIN): a step that rebuilds a table drops the old one, which would otherwise
    delete or refuse every row pointing at it. In their place each step checks, before it
    commits, the references into and out of every table it made or replaced, and is rolled
    back if one points at nothing."""
    start = conn.execute("PRAGMA user_version").fetchone()[0]
    stemming.register(conn)  # the search index's triggers and its migration stem the text
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if start < target:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for version in range(start, target):
            _step(conn, version)
    finally:
        if enforced:
            conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start


def _step(conn: sqlite3.Connection, version: int) -> None:
    """Migration `version` (counted from 0) and its version bump, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current > version:  # another process migrated while we waited for the lock
            conn.execute("ROLLBACK")
            return
        before = _tables(conn)
        for statement in _statements(MIGRATIONS[version]):
            conn.execute(statement)
        _check_references(conn, before, version + 1)
        # Marked in the same transaction as its first step: another process that opens the
        # file half-way through its migrations finds a console database, not a stranger's.
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _tables(conn: sqlite3.Connection) -> dict[str, int]:
    """Each table's name (in lower case) and its root page: a table made anew has a new one."""
    rows = conn.execute("SELECT lower(name), rootpage FROM sqlite_schema WHERE type = 'table'")
    return {name: rootpage for name, rootpage in rows}


def _check_references(conn: sqlite3.Connection, before: dict[str, int], version: int) -> None:
    """`PRAGMA foreign_key_check` on the tables a step made or replaced and on those that
    point at them; raises when a row points at nothing.

    A step that only adds columns or indexes leaves every table where it was and cannot break
    a reference, so it costs nothing; the check of a rebuilt table reads the tables that
    point at it (at a million tickets, about two seconds, once)."""
    after = _tables(conn)
    remade = {name for name, root in after.items() if before.get(name) != root}
    if not remade:
        return
    checked = set(remade)
    for name in after:
        pointed_at = conn.execute('SELECT "table" FROM pragma_foreign_key_list(?)', (name,))
        if any(parent.lower() in remade for (parent,) in pointed_at):
            checked.add(name)
    faults = []
    for name in sorted(checked):
        faults += conn.execute(f'PRAGMA foreign_key_check("{name}")').fetchall()
    if faults:
        table, rowid, parent, _ = faults[0]
        raise StoreError(
            f"the upgrade to database version {version} was not made: {len(faults):,} row(s)"
            f" would point at nothing (the first: {table} row {rowid}, at {parent});"
            " the file is left as it was"
        )
