-- PostgreSQL only (0024_turn_opening.postgresql.sql): a conversation turn's opening in one
-- statement. SQLite needs nothing: one process owns the file and runs the same steps itself.
SELECT 1;
