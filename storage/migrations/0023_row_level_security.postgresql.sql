-- Row-level security: the database's own backstop behind the repositories' scopes (issue 15).
--
-- Roles (cluster-wide, created once, NOLOGIN, granted to the user that migrates so it may
-- SET ROLE to them; docs/institutions.md):
--   spi_app     staff work on one institution. Owns nothing; sees and writes only rows whose
--               institution_id equals the transaction's `spi.institution_id` setting, which
--               scoped repository work sets with set_config(..., true) (storage/scope_sql.py).
--               Without the setting it sees no row at all.
--   spi_worker  work that must cross institutions (broadcast workers, the retention purge,
--               the citizens' conversation engine, which routes by the scanned unit): a policy
--               admitting every row. A worker process may log in as a user granted only this.
-- The owner (the user running migrations and `spi-bot db copy`) keeps a policy admitting every
-- row: FORCE makes the policies apply to the owner as well, so the owner's access is explicit.

ALTER TABLE staff_uploads ADD COLUMN institution_id BIGINT NOT NULL DEFAULT 1 REFERENCES institutions(id);
UPDATE staff_uploads u SET institution_id = s.institution_id FROM staff s
 WHERE s.id = u.staff_id AND s.institution_id IS NOT NULL;
CREATE INDEX staff_uploads_by_institution ON staff_uploads (institution_id, staff_id);

DO $roles$
BEGIN
    BEGIN
        CREATE ROLE spi_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE spi_worker NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$roles$;

DO $grants$
DECLARE
    me TEXT := current_user;
    here TEXT := current_schema();
    t TEXT;
BEGIN
    IF NOT pg_has_role(me, 'spi_app', 'MEMBER') THEN
        EXECUTE format('GRANT spi_app TO %I', me);
    END IF;
    IF NOT pg_has_role(me, 'spi_worker', 'MEMBER') THEN
        EXECUTE format('GRANT spi_worker TO %I', me);
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO spi_app, spi_worker', here);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I '
                   'TO spi_app, spi_worker', here);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO spi_app, spi_worker',
                   here);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE '
                   'ON TABLES TO spi_app, spi_worker', here);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES '
                   'TO spi_app, spi_worker', here);
    FOREACH t IN ARRAY ARRAY['units', 'respondents', 'channel_identities', 'broadcasts',
                             'broadcast_runs', 'deliveries', 'import_batches', 'import_issues',
                             'audit_log', 'faq_daily', 'faq_unanswered', 'check_daily',
                             'staff_uploads'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant ON %I TO spi_app '
            'USING (institution_id = NULLIF(current_setting(''spi.institution_id'', true), '''')::bigint) '
            'WITH CHECK (institution_id = NULLIF(current_setting(''spi.institution_id'', true), '''')::bigint)',
            t);
        EXECUTE format('CREATE POLICY worker ON %I TO spi_worker USING (true) WITH CHECK (true)',
                       t);
        EXECUTE format('CREATE POLICY owner ON %I TO %I USING (true) WITH CHECK (true)', t, me);
    END LOOP;
END
$grants$;
