-- Reminder broadcasts: what staff want sent (broadcasts), each time it goes out (broadcast_runs)
-- and one delivery per recipient per run, the unit of exactly-once sending.

CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    text                TEXT NOT NULL,            -- may hold {nama} and {unit}
    template_sid        TEXT,                     -- WhatsApp ContentSid (HX...) for closed windows
    template_variables  TEXT NOT NULL DEFAULT '{}',  -- JSON {"1": "{nama}", ...}
    audience            TEXT NOT NULL,            -- JSON filter, see outreach/audience.py
    schedule_kind       TEXT NOT NULL CHECK (schedule_kind IN ('now', 'once', 'recurring')),
    run_at              TEXT,                     -- UTC, for now/once
    recurrence          TEXT,                     -- JSON {"day_of_week": "mon", "hour": 9, ...}
    timezone            TEXT NOT NULL,            -- IANA zone the schedule is written in
    start_date          TEXT,                     -- YYYY-MM-DD local, recurring only
    end_date            TEXT,
    next_due_at         TEXT,                     -- UTC; NULL when nothing more is due
    state               TEXT NOT NULL
                        CHECK (state IN ('active', 'paused', 'completed', 'cancelled')),
    canary_size         INTEGER NOT NULL DEFAULT 0,
    dedupe_hash         TEXT NOT NULL,
    forced              INTEGER NOT NULL DEFAULT 0,
    created_by          TEXT NOT NULL,            -- "cli", "telegram:123"; never a phone
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    job_synced          INTEGER NOT NULL DEFAULT 0  -- the worker has put it in the scheduler
);
CREATE INDEX broadcasts_dedupe ON broadcasts (dedupe_hash, created_at);
CREATE INDEX broadcasts_state ON broadcasts (state, next_due_at);

CREATE TABLE broadcast_runs (
    id            INTEGER PRIMARY KEY,
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts(id),
    due_at        TEXT NOT NULL,
    state         TEXT NOT NULL
                  CHECK (state IN ('running', 'canary_wait', 'completed', 'cancelled', 'missed')),
    total         INTEGER NOT NULL DEFAULT 0,
    canary_size   INTEGER NOT NULL DEFAULT 0,    -- > 0 until staff confirm the canary
    started_at    TEXT,
    finished_at   TEXT,
    note          TEXT,                           -- why it was missed or stopped
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (broadcast_id, due_at)
);
CREATE INDEX broadcast_runs_state ON broadcast_runs (state);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES broadcast_runs(id),
    broadcast_id     INTEGER NOT NULL REFERENCES broadcasts(id),
    position         INTEGER NOT NULL,            -- 1.. in resolution order; canary = first N
    respondent_id    INTEGER NOT NULL REFERENCES respondents(id),
    channel          TEXT NOT NULL,
    address          TEXT NOT NULL,
    timezone         TEXT NOT NULL,               -- the recipient's unit zone, for quiet hours
    use_template     INTEGER NOT NULL DEFAULT 0,
    state            TEXT NOT NULL CHECK (state IN
                     ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    sending_at       TEXT,                        -- committed before the provider call
    sent_at          TEXT,
    provider_id      TEXT,
    provider_status  TEXT,                        -- status in the send receipt; callbacks
                                                  -- update outbound_messages (same id)
    error_code       TEXT,
    reason           TEXT,
    updated_at       TEXT NOT NULL,
    UNIQUE (run_id, respondent_id)
);
CREATE INDEX deliveries_queue ON deliveries (run_id, channel, state, position);
CREATE INDEX deliveries_provider ON deliveries (provider_id);
-- Deliveries whose outcome is not settled yet: few at any time, looked at every round.
CREATE INDEX deliveries_in_flight ON deliveries (id) WHERE state = 'sending';
