"""E-mail: reading what customers send (`parse`, `automatic`, `intake`) and the team's mail
settings (`settings`). Nothing here talks to a mail server; the command line and the timers
bring the bytes in and take them out."""
