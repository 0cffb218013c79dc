-- The few SQLite functions the shared queries use (storage/sql.py), with SQLite's meaning.
CREATE OR REPLACE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
    LANGUAGE SQL IMMUTABLE AS 'SELECT strpos(haystack, needle)';

CREATE OR REPLACE FUNCTION json_object(key TEXT, value TEXT) RETURNS TEXT
    LANGUAGE SQL IMMUTABLE AS 'SELECT jsonb_build_object(key, value)::text';

-- Only the '$.key' paths the code uses.
CREATE OR REPLACE FUNCTION json_set(document TEXT, path TEXT, value TEXT) RETURNS TEXT
    LANGUAGE SQL IMMUTABLE
    AS 'SELECT (COALESCE(document, ''{}'')::jsonb || jsonb_build_object(substr(path, 3), value))::text';
