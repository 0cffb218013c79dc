-- Replies waiting to be sent. A turn's replies are stored in the same commit as the turn, so a
-- message acknowledged to the provider is answered even after a crash. A row holds only what
-- sending needs and leaves the table once the provider accepted it (or refused it for good).

CREATE TABLE reply_outbox (
    id          INTEGER PRIMARY KEY,        -- send order
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,              -- where to send: WhatsApp number, Telegram chat id
    turn        TEXT NOT NULL,              -- random key of the turn that made the reply
    position    INTEGER NOT NULL,           -- the reply's place among its turn's replies
    reply       TEXT NOT NULL,              -- JSON: text, choices, contact request, image name
    image       BLOB,                       -- a chart sent with the reply
    sending_at  TEXT,                       -- set just before the provider is called
    after_sid   TEXT,                       -- provider id of the reply sent here just before
    created_at  TEXT NOT NULL,
    UNIQUE (channel, turn, position)
);

CREATE INDEX reply_outbox_address ON reply_outbox (channel, address, id);
