-- Messages we sent through a provider and the latest delivery status it reported
-- (Twilio status callbacks). Broadcast deliveries join here by provider_id.

CREATE TABLE outbound_messages (
    provider_id  TEXT PRIMARY KEY,           -- Twilio MessageSid, Telegram chat:message id
    channel      TEXT NOT NULL,
    status       TEXT NOT NULL,              -- queued|sending|sent|delivered|read|failed|undelivered
    error_code   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) WITHOUT ROWID;
