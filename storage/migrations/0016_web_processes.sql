-- Several web processes on one PostgreSQL database (issue 14). On SQLite (one process per
-- file) the new column stays NULL and the new tables stay empty.

-- Each web process registers here at start-up; its id names the replies it stores. It is
-- alive while it holds the session advisory lock 'spi:process:<id>' (bot/server/liveness.py):
-- the server frees that lock when the process's connection ends, however the process died.
CREATE TABLE server_processes (
    id          INTEGER PRIMARY KEY,
    host        TEXT NOT NULL,              -- machine name, for operators
    pid         INTEGER NOT NULL,
    started_at  TEXT NOT NULL
);

-- The process that sends the reply; NULL: any process may (SQLite, rows from before 0016).
-- Another process takes a row over only once its owner is dead.
ALTER TABLE reply_outbox ADD COLUMN owner INTEGER;

CREATE INDEX reply_outbox_owner ON reply_outbox (channel, owner);

-- Pictures that WhatsApp messages link to (charts for staff): Twilio fetches them from
-- whichever web process the reverse proxy picks, so on PostgreSQL they are kept here, for
-- SPI_MEDIA_LINK_MINUTES; on SQLite they stay in the one process's memory.
CREATE TABLE media_links (
    token       TEXT PRIMARY KEY,
    png         BLOB NOT NULL,
    expires_at  TEXT NOT NULL
);
