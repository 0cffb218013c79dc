"""Storage: the database seam (SQLite file or PostgreSQL), numbered migrations and one
repository per aggregate. See storage/database.py for what differs between the backends."""
