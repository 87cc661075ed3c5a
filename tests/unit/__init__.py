"""Unit tier: no database, no browser, no subprocess; the whole tier runs in seconds."""
