"""What an agent does to the open ticket from the keyboard: each module holds the flows of one
area (the court, the status, the lines, links and duplicates, checklists). A flow asks through
the shared dialogs, then calls one core function in a worker thread."""
