"""Domain and storage of the help desk. Nothing in this package may import Textual: the
command line, scripts and tests use it without a terminal UI."""
