-- Respondent lists imported from the units' CSV/Excel files (issue 6).
-- Additive only: new tables and nullable columns.

-- One row per imported file; the SHA-256 of its bytes makes re-importing it a no-op.
CREATE TABLE import_batches (
    id              INTEGER PRIMARY KEY,
    file_name       TEXT NOT NULL,           -- base name only, never the folder
    file_sha256     TEXT NOT NULL UNIQUE,
    imported_at     TEXT NOT NULL,
    actor           TEXT NOT NULL,
    skip_invalid    INTEGER NOT NULL,        -- 1 when rows with errors were left out
    rows_total      INTEGER NOT NULL,
    rows_added      INTEGER NOT NULL,
    rows_unchanged  INTEGER NOT NULL,        -- already stored with the same data
    rows_rejected   INTEGER NOT NULL,
    rows_flagged    INTEGER NOT NULL         -- imported with a warning (e.g. shared e-mail)
);

-- Counts of problems per batch, unit and kind, for the data-quality report (no personal data).
CREATE TABLE import_issues (
    batch_id   INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
    unit_code  TEXT NOT NULL,                -- '' when the row named no known unit
    kind       TEXT NOT NULL,                -- invalid_phone, duplicate, email_shared, ...
    count      INTEGER NOT NULL,
    PRIMARY KEY (batch_id, unit_code, kind)
) WITHOUT ROWID;

-- Start of work (internal) or of the relationship with the unit (external, expert): KPK's
-- population data asks for it. YYYY-MM-DD.
ALTER TABLE respondents ADD COLUMN started_on TEXT;
ALTER TABLE respondents ADD COLUMN import_batch_id INTEGER REFERENCES import_batches(id);
CREATE INDEX respondents_email ON respondents (email);
