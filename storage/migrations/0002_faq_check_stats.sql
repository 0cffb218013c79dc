-- FAQ and authenticity-checker statistics, anonymous by design: no channel, no sender, no
-- time finer than the day, and never the checked text. No one, the inspectorate included,
-- can learn from these tables who asked what or who received an SPI invitation.

-- Questions answered per day and intent. intent = '' (empty string) counts questions the
-- bot could not answer confidently (a sentinel, because NULL never matches in a primary key).
CREATE TABLE faq_daily (
    day     TEXT NOT NULL,                   -- YYYY-MM-DD (UTC)
    intent  TEXT NOT NULL,                   -- intent id, or '' for unanswered
    count   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, intent)
) WITHOUT ROWID;

-- Unanswered questions kept for staff to improve the answers: phone numbers, e-mails, links
-- and names masked before storing; nothing links a row to who asked.
CREATE TABLE faq_unanswered (
    id               INTEGER PRIMARY KEY,
    day              TEXT NOT NULL,          -- YYYY-MM-DD (UTC)
    question_masked  TEXT NOT NULL
);
CREATE INDEX faq_unanswered_day ON faq_unanswered (day);

-- Authenticity checks per day and verdict (official | suspicious | unknown): counts only.
CREATE TABLE check_daily (
    day      TEXT NOT NULL,                  -- YYYY-MM-DD (UTC)
    verdict  TEXT NOT NULL CHECK (verdict IN ('official', 'suspicious', 'unknown')),
    count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, verdict)
) WITHOUT ROWID;
