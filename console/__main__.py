"""`python -m console` runs the same command as the installed `console`."""

from console.cli import main

raise SystemExit(main())
