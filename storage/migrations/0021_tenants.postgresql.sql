-- 0021_tenants.sql on PostgreSQL: the same schema, changed in place (PostgreSQL can drop a
-- UNIQUE constraint or a primary key; SQLite has to rebuild those tables). See that file.

ALTER TABLE units ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX units_by_institution ON units (institution_id, code);

ALTER TABLE respondents ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
UPDATE respondents r SET institution_id = u.institution_id FROM units u
 WHERE u.code = r.unit_code AND u.institution_id != r.institution_id;
ALTER TABLE respondents DROP CONSTRAINT respondents_phone_key;
ALTER TABLE respondents ADD CONSTRAINT respondents_institution_phone_key
    UNIQUE (institution_id, phone);
DROP INDEX respondents_unit;
CREATE INDEX respondents_unit ON respondents (institution_id, unit_code, status);
DROP INDEX respondents_email;
CREATE INDEX respondents_email ON respondents (institution_id, email);
CREATE INDEX respondents_phone ON respondents (phone);

ALTER TABLE channel_identities ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
UPDATE channel_identities c SET institution_id = r.institution_id FROM respondents r
 WHERE r.id = c.respondent_id AND r.institution_id != c.institution_id;
ALTER TABLE channel_identities DROP CONSTRAINT channel_identities_pkey;
ALTER TABLE channel_identities ADD PRIMARY KEY (institution_id, channel, address);
CREATE INDEX channel_identities_address ON channel_identities (channel, address);

ALTER TABLE broadcasts ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
DROP INDEX broadcasts_dedupe;
CREATE INDEX broadcasts_dedupe ON broadcasts (institution_id, dedupe_hash, created_at);
CREATE INDEX broadcasts_by_institution ON broadcasts (institution_id, state);
ALTER TABLE broadcast_runs ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX broadcast_runs_by_institution ON broadcast_runs (institution_id, broadcast_id);
ALTER TABLE deliveries ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX deliveries_by_institution ON deliveries (institution_id, broadcast_id);

ALTER TABLE import_batches ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
ALTER TABLE import_batches DROP CONSTRAINT import_batches_file_sha256_key;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_institution_file_key
    UNIQUE (institution_id, file_sha256);
ALTER TABLE import_issues ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
CREATE INDEX import_issues_by_institution ON import_issues (institution_id, batch_id);

ALTER TABLE audit_log ADD COLUMN institution_id BIGINT REFERENCES institutions(id);
UPDATE audit_log SET institution_id = 1;
CREATE INDEX audit_log_by_institution ON audit_log (institution_id, at);

ALTER TABLE faq_daily ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
ALTER TABLE faq_daily DROP CONSTRAINT faq_daily_pkey;
ALTER TABLE faq_daily ADD PRIMARY KEY (institution_id, day, intent);

ALTER TABLE check_daily ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
ALTER TABLE check_daily DROP CONSTRAINT IF EXISTS check_daily_new_pkey;
ALTER TABLE check_daily DROP CONSTRAINT IF EXISTS check_daily_pkey;
ALTER TABLE check_daily ADD PRIMARY KEY (institution_id, day, verdict);

ALTER TABLE faq_unanswered ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
DROP INDEX faq_unanswered_day;
CREATE INDEX faq_unanswered_day ON faq_unanswered (institution_id, day);
