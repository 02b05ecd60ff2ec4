"""The Textual user interface of the console: queues, the ticket list and the ticket view.

Only this package imports Textual; it reads through `console.core.store` and changes tickets
through `console.core.operations`, never with its own SQL."""
