"""The console's screens, one per module: the queues, a ticket's detail and the key help."""
