-- The staff console (issue 16): passwords, sessions and one-time links for `staff` (0020).
--
-- Nothing here names a respondent. Secrets are never stored as given: passwords as Argon2id
-- hashes (argon2-cffi), session cookies and one-time links as SHA-256 of the random value the
-- browser holds, so a copy of the database opens no session and sets no password.

CREATE TABLE staff_credentials (
    staff_id         INTEGER PRIMARY KEY REFERENCES staff(id),
    password_hash    TEXT,                 -- Argon2id; NULL until the one-time link is used
    totp_secret      TEXT,                 -- base32 (pyotp), NULL: no second factor
    totp_last_step   INTEGER,              -- the last 30-second step accepted: no code twice
    failed_attempts  INTEGER NOT NULL DEFAULT 0,   -- wrong passwords since the last success
    locked_until     TEXT,                 -- five wrong passwords lock the account until then
    password_set_at  TEXT,
    updated_at       TEXT NOT NULL
);

-- A browser's login: revocable (revoked_at), ending after inactivity (last_seen_at) and at
-- the latest at expires_at. The form token is compared with every state-changing request.
CREATE TABLE staff_sessions (
    id               INTEGER PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE,
    staff_id         INTEGER NOT NULL REFERENCES staff(id),
    form_token       TEXT NOT NULL,
    second_factor    INTEGER NOT NULL DEFAULT 0,  -- 1: password right, TOTP code still owed
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    revoked_at       TEXT
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- One-time links (`spi-bot staff add` prints one to set the password): hash only, used once.
CREATE TABLE staff_tokens (
    token_hash       TEXT PRIMARY KEY,
    staff_id         INTEGER NOT NULL REFERENCES staff(id),
    purpose          TEXT NOT NULL,        -- set_password
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_at          TEXT
);
CREATE INDEX staff_tokens_by_staff ON staff_tokens (staff_id);

-- A respondent list uploaded in the console, kept between its quality report and the staff
-- member's confirmation (any web process may receive the confirmation). Deleted when imported
-- or cancelled, and an hour after upload at the latest.
CREATE TABLE staff_uploads (
    id               INTEGER PRIMARY KEY,
    staff_id         INTEGER NOT NULL REFERENCES staff(id),
    file_name        TEXT NOT NULL,
    file_sha256      TEXT NOT NULL,
    data             BLOB NOT NULL,
    options          TEXT NOT NULL,        -- JSON: default unit and category, sheet
    created_at       TEXT NOT NULL
);
CREATE INDEX staff_uploads_by_staff ON staff_uploads (staff_id);
