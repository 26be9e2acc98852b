"""The embedded SQLite store: corpus, coding results and analysis tables."""
