"""A keyboard-driven terminal help desk over a local SQLite ticket store."""

__version__ = "0.1.0"
