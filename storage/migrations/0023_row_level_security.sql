-- Row-level security (issue 15) exists on PostgreSQL only: 0023_row_level_security.postgresql.sql.
-- Here, on both backends: the console's uploads (0022, which may have been applied before 0021)
-- carry their institution like every other tenant table.
-- migrate: foreign_keys=off

ALTER TABLE staff_uploads ADD COLUMN institution_id INTEGER NOT NULL DEFAULT 1 REFERENCES institutions(id);
UPDATE staff_uploads SET institution_id = COALESCE(
    (SELECT s.institution_id FROM staff s WHERE s.id = staff_uploads.staff_id), 1);
CREATE INDEX staff_uploads_by_institution ON staff_uploads (institution_id, staff_id);
