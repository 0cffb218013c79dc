-- Several broadcast workers on one PostgreSQL database (issue 14). Each worker process
-- registers here at start; its id keys a session advisory lock the server frees when the
-- process (or its connection) dies, so "alive" means "holds its lock", with no lease to renew.
CREATE TABLE broadcast_workers (
    id          INTEGER PRIMARY KEY,
    host        TEXT NOT NULL,            -- the machine's name, for operators
    pid         INTEGER NOT NULL,
    started_at  TEXT NOT NULL
);
-- The worker that marked the delivery `sending`: after a crash only a dead worker's deliveries
-- are resolved, never those a live worker is sending. NULL: one worker per database (SQLite,
-- or PostgreSQL without Redis), where every delivery in flight at start-up was left by a crash.
ALTER TABLE deliveries ADD COLUMN worker_id INTEGER;
