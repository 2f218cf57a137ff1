"""Web pages for people: the landing page (and, later, CHW interviews and patient forms)."""
