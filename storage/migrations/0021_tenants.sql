-- Every tenant table carries its institution (issue 15). Existing rows become institution 1 (a
-- single-institution deployment is institution 1). Uniqueness becomes per institution: the
-- same phone may register with two institutions, the same file may be imported by two. Unit
-- codes stay globally unique: the scanned unit (QR payload) decides the institution.
--
-- Not tenant tables (one per deployment, shared by all institutions): sessions (a chat
-- address has one conversation whatever institution it is talking about), processed_inbound,
-- reply_outbox, outbound_messages, media_links, server_processes, broadcast_workers.
-- staff_uploads (0022) gets its institution in 0023, which always runs after 0022.
--
-- SQLite cannot drop an inline UNIQUE or change a primary key: those tables are rebuilt
-- (the migrator turns foreign keys off for this and checks them before the commit,
-- storage/migrate.py). PostgreSQL does it in place: 0021_tenants.postgresql.sql.
-- migrate: foreign_keys=off

ALTER TABLE units ADD COLUMN institution_id INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX units_by_institution ON units (institution_id, code);

-- respondents: phone unique per institution
CREATE TABLE respondents_new (
    id               INTEGER PRIMARY KEY,
    institution_id   INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id),
    phone            TEXT,                   -- E.164; NULL once erased
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
    updated_at       TEXT NOT NULL,
    started_on       TEXT,
    import_batch_id  INTEGER REFERENCES import_batches(id),
    UNIQUE (institution_id, phone)
);
INSERT INTO respondents_new (id, institution_id, phone, name, email, unit_code, category,
        respondent_type, service, service_month, status, source, consent_at, consent_version,
        opted_out_at, erased_at, created_at, updated_at, started_on, import_batch_id)
    SELECT r.id, COALESCE((SELECT u.institution_id FROM units u WHERE u.code = r.unit_code), 1),
           r.phone, r.name, r.email, r.unit_code, r.category, r.respondent_type, r.service,
           r.service_month, r.status, r.source, r.consent_at, r.consent_version,
           r.opted_out_at, r.erased_at, r.created_at, r.updated_at, r.started_on,
           r.import_batch_id
      FROM respondents r;
DROP TABLE respondents;
ALTER TABLE respondents_new RENAME TO respondents;
CREATE INDEX respondents_unit ON respondents (institution_id, unit_code, status);
CREATE INDEX respondents_email ON respondents (institution_id, email);
-- The citizen's own side: a chat that gives its number finds its records in every
-- institution (DATA SAYA, HAPUS DATA); the one index that does not lead with the institution.
CREATE INDEX respondents_phone ON respondents (phone);

-- channel_identities: one chat may speak for one respondent per institution
CREATE TABLE channel_identities_new (
    institution_id      INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id),
    channel             TEXT NOT NULL,
    address             TEXT NOT NULL,
    respondent_id       INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
    last_inbound_at     TEXT,
    unreachable_at      TEXT,
    unreachable_reason  TEXT,
    created_at          TEXT NOT NULL,
    PRIMARY KEY (institution_id, channel, address)
);
INSERT INTO channel_identities_new (institution_id, channel, address, respondent_id,
        last_inbound_at, unreachable_at, unreachable_reason, created_at)
    SELECT r.institution_id, c.channel, c.address, c.respondent_id, c.last_inbound_at,
           c.unreachable_at, c.unreachable_reason, c.created_at
      FROM channel_identities c JOIN respondents r ON r.id = c.respondent_id;
DROP TABLE channel_identities;
ALTER TABLE channel_identities_new RENAME TO channel_identities;
CREATE INDEX channel_identities_respondent ON channel_identities (respondent_id);
-- The chat's side: which institutions this chat has registered with.
CREATE INDEX channel_identities_address ON channel_identities (channel, address);

-- Broadcasts, their runs and deliveries: the broadcast's institution throughout.
ALTER TABLE broadcasts ADD COLUMN institution_id INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id);
DROP INDEX broadcasts_dedupe;
CREATE INDEX broadcasts_dedupe ON broadcasts (institution_id, dedupe_hash, created_at);
CREATE INDEX broadcasts_by_institution ON broadcasts (institution_id, state);
ALTER TABLE broadcast_runs ADD COLUMN institution_id INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX broadcast_runs_by_institution ON broadcast_runs (institution_id, broadcast_id);
ALTER TABLE deliveries ADD COLUMN institution_id INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX deliveries_by_institution ON deliveries (institution_id, broadcast_id);

-- import_batches: the same file may be imported by two institutions
CREATE TABLE import_batches_new (
    id              INTEGER PRIMARY KEY,
    institution_id  INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id),
    file_name       TEXT NOT NULL,           -- base name only, never the folder
    file_sha256     TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    actor           TEXT NOT NULL,
    skip_invalid    INTEGER NOT NULL,        -- 1 when rows with errors were left out
    rows_total      INTEGER NOT NULL,
    rows_added      INTEGER NOT NULL,
    rows_unchanged  INTEGER NOT NULL,        -- already stored with the same data
    rows_rejected   INTEGER NOT NULL,
    rows_flagged    INTEGER NOT NULL,        -- imported with a warning (e.g. shared e-mail)
    UNIQUE (institution_id, file_sha256)
);
INSERT INTO import_batches_new (id, file_name, file_sha256, imported_at, actor, skip_invalid,
        rows_total, rows_added, rows_unchanged, rows_rejected, rows_flagged)
    SELECT id, file_name, file_sha256, imported_at, actor, skip_invalid, rows_total,
           rows_added, rows_unchanged, rows_rejected, rows_flagged FROM import_batches;
DROP TABLE import_batches;
ALTER TABLE import_batches_new RENAME TO import_batches;
ALTER TABLE import_issues ADD COLUMN institution_id INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX import_issues_by_institution ON import_issues (institution_id, batch_id);

-- The audit log: NULL for national and system actions (no institution's data touched).
ALTER TABLE audit_log ADD COLUMN institution_id INTEGER REFERENCES institutions(id);
UPDATE audit_log SET institution_id = 1;
CREATE INDEX audit_log_by_institution ON audit_log (institution_id, at);

-- Statistics per institution: the institution is part of the daily counters' key.
CREATE TABLE faq_daily_new (
    institution_id  INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id),
    day     TEXT NOT NULL,                   -- YYYY-MM-DD (UTC)
    intent  TEXT NOT NULL,                   -- intent id, or '' for unanswered
    count   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, day, intent)
) WITHOUT ROWID;
INSERT INTO faq_daily_new (day, intent, count) SELECT day, intent, count FROM faq_daily;
DROP TABLE faq_daily;
ALTER TABLE faq_daily_new RENAME TO faq_daily;

CREATE TABLE check_daily_new (
    institution_id  INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id),
    day      TEXT NOT NULL,                  -- YYYY-MM-DD (UTC)
    verdict  TEXT NOT NULL CHECK (verdict IN ('official', 'suspicious', 'manipulation', 'unknown')),
    count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, day, verdict)
) WITHOUT ROWID;
INSERT INTO check_daily_new (day, verdict, count) SELECT day, verdict, count FROM check_daily;
DROP TABLE check_daily;
ALTER TABLE check_daily_new RENAME TO check_daily;

ALTER TABLE faq_unanswered ADD COLUMN institution_id INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id);
DROP INDEX faq_unanswered_day;
CREATE INDEX faq_unanswered_day ON faq_unanswered (institution_id, day);
