-- Service points (units) that post a QR code, the respondents who register for them,
-- how each respondent reaches us, conversation state, idempotency keys and the audit log.

CREATE TABLE units (
    code        TEXT PRIMARY KEY,            -- A-Z 0-9 _ -, also the deep-link payload
    name        TEXT NOT NULL,
    region      TEXT NOT NULL,
    timezone    TEXT NOT NULL,               -- IANA: Asia/Jakarta, Asia/Makassar, Asia/Jayapura
    services    TEXT NOT NULL,               -- JSON array of service names
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE respondents (
    id               INTEGER PRIMARY KEY,
    phone            TEXT UNIQUE,            -- E.164; NULL once erased
    name             TEXT,
    email            TEXT,
    unit_code        TEXT NOT NULL REFERENCES units(code),
    category         TEXT NOT NULL DEFAULT 'external'
                     CHECK (category IN ('internal', 'external', 'expert')),
    respondent_type  TEXT,                   -- service_user | business (external respondents)
    service          TEXT,
    service_month    TEXT,                   -- YYYY-MM of the last use of the service
    status           TEXT NOT NULL CHECK (status IN ('registered', 'verified', 'erased')),
    source           TEXT NOT NULL DEFAULT 'bot' CHECK (source IN ('bot', 'import')),
    consent_at       TEXT,
    consent_version  TEXT,
    opted_out_at     TEXT,
    erased_at        TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX respondents_unit ON respondents (unit_code, status);

CREATE TABLE channel_identities (
    channel             TEXT NOT NULL,
    address             TEXT NOT NULL,
    respondent_id       INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
    last_inbound_at     TEXT,
    unreachable_at      TEXT,
    unreachable_reason  TEXT,
    created_at          TEXT NOT NULL,
    PRIMARY KEY (channel, address)
);
CREATE INDEX channel_identities_respondent ON channel_identities (respondent_id);

CREATE TABLE sessions (
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,
    state       TEXT NOT NULL,
    data        TEXT NOT NULL,               -- JSON
    language    TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, address)
);

CREATE TABLE processed_inbound (
    channel       TEXT NOT NULL,
    provider_id   TEXT NOT NULL,
    processed_at  TEXT NOT NULL,
    PRIMARY KEY (channel, provider_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,                  -- "system", "cli", "telegram:123", never a phone
    action   TEXT NOT NULL,
    subject  TEXT,
    detail   TEXT                            -- JSON, never personal data
);
CREATE INDEX audit_log_at ON audit_log (at);
