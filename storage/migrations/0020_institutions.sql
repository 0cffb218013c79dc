-- Many institutions in one deployment (issue 15) and staff who belong to one (issues 15, 16).
--
-- An institution is the data controller for its own citizens. Institution 1 always exists: a
-- single-institution deployment is institution 1, described by the SPI_INSPECTORATE_* settings
-- (synchronised at start-up), so nothing changes for it.

CREATE TABLE institutions (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,        -- A-Z 0-9 _ -, used by --institution CODE
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('kementerian_lembaga', 'provinsi',
                                                  'kabupaten', 'kota')),
    timezone        TEXT NOT NULL,               -- IANA: Asia/Jakarta, Asia/Makassar, Asia/Jayapura
    contact_phone   TEXT NOT NULL DEFAULT '',    -- the inspectorate's public contact for citizens
    contact_email   TEXT NOT NULL DEFAULT '',
    whatsapp_sender TEXT,                        -- own WhatsApp sender (E.164), NULL: the shared one
    telegram_bot    TEXT,                        -- own Telegram bot username, NULL: the shared one
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

INSERT INTO institutions (code, name, kind, timezone, created_at, updated_at)
VALUES ('UTAMA', 'Inspektorat', 'kabupaten', 'Asia/Jakarta',
        '1970-01-01T00:00:00+00:00', '1970-01-01T00:00:00+00:00');

-- Staff: a person working for one institution (operator, admin) or the national role, which
-- belongs to none and sees only aggregates. Chat staff are found by their chat address; console
-- staff log in with a password (issue 16 adds credentials and sessions in their own tables).
CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    institution_id  INTEGER REFERENCES institutions(id),   -- NULL only for the national role
    role            TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'national')),
    username        TEXT NOT NULL UNIQUE,        -- login name, lower case
    display_name    TEXT NOT NULL,
    telegram_id     TEXT,                        -- chat staff on Telegram
    whatsapp_phone  TEXT,                        -- chat staff on WhatsApp (E.164)
    created_at      TEXT NOT NULL,
    disabled_at     TEXT,
    CHECK ((role = 'national') = (institution_id IS NULL))
);
CREATE INDEX staff_by_institution ON staff (institution_id);
