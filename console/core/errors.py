"""Errors the core raises for bad input or a changed world. Each carries one line a person can
act on; the CLI prints it and exits non-zero, the TUI shows it. Nothing is written when one is
raised: every operation runs in a transaction that rolls back."""


class ConsoleError(Exception):
    """Base of every error meant for the person at the keyboard."""

    exit_code = 1


class InvalidInput(ConsoleError):
    """A value given by the user is not acceptable (bad priority, empty subject, ...)."""

    exit_code = 2


class TicketNotFound(ConsoleError):
    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"ticket #{ticket_id} does not exist")
        self.ticket_id = ticket_id


class TicketConflict(ConsoleError):
    """Another agent changed the ticket after this one read it."""

    def __init__(self, ticket_id: int, changed_by: str, changed_at: str, now: str) -> None:
        from console.core.clock import from_text
        from console.core.words import ago

        when = ago(from_text(changed_at), from_text(now))
        super().__init__(f"ticket #{ticket_id} was changed by {changed_by} {when}; reload")
        self.ticket_id = ticket_id
        self.changed_by = changed_by
        self.changed_at = changed_at


class StoreError(ConsoleError):
    """The database file cannot be used: unreadable, not SQLite, or from a newer console."""


class StoreBusy(StoreError):
    """Another writer held the database longer than the busy timeout: nothing was changed,
    and trying again later will do (exit code 75, what mail servers and scripts read as
    "temporary")."""

    exit_code = 75
