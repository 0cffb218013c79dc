"""SQLite storage: connection handling, numbered migrations and one repository per aggregate."""
