-- The reminder cap (outreach/cap.py) counts each person's recent deliveries at send time.
CREATE INDEX deliveries_by_respondent ON deliveries (respondent_id, state);
