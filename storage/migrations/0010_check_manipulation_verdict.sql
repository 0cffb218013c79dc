-- The checker's fourth verdict, `manipulation` (an employer-style ask that breaks SPI rules:
-- report receipt, collect answers or proof, a form first, gathering, coaching), is counted on
-- its own instead of with the suspicious ones. SQLite cannot alter a CHECK constraint, so the
-- table is rebuilt with the same rows.
CREATE TABLE check_daily_new (
    day      TEXT NOT NULL,                  -- YYYY-MM-DD (UTC)
    verdict  TEXT NOT NULL CHECK (verdict IN ('official', 'suspicious', 'manipulation', 'unknown')),
    count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, verdict)
) WITHOUT ROWID;
INSERT INTO check_daily_new (day, verdict, count) SELECT day, verdict, count FROM check_daily;
DROP TABLE check_daily;
ALTER TABLE check_daily_new RENAME TO check_daily;
