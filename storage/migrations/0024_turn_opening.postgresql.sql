-- A conversation turn's opening in one statement (bot/engine, storage/repositories/
-- conversations.py `claim_and_snapshot`), so the server runs one statement instead of three
-- and the client reads one result: wait for the sender's advisory lock (held until the
-- transaction ends: several web processes keep one person's messages in order), claim the
-- provider message id (none returned: a redelivery), then read the conversation.
--
-- VOLATILE plpgsql under READ COMMITTED: each statement inside takes a new snapshot, so the
-- read, made after the lock was granted, sees the sender's previous turn that committed while
-- this one waited. The lock is the one `storage.connection.lock_until_commit` takes, so a
-- process still running the older code (three statements) orders its turns with this one.
CREATE OR REPLACE FUNCTION spi_turn_open(
    p_lock TEXT, p_channel TEXT, p_address TEXT, p_provider_id TEXT, p_now TEXT,
    OUT seen BOOLEAN, OUT has_identity BOOLEAN, OUT state TEXT, OUT data TEXT,
    OUT language TEXT, OUT updated_at TEXT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(current_schema()), hashtext(p_lock));
    IF p_provider_id IS NOT NULL THEN
        INSERT INTO processed_inbound (channel, provider_id, processed_at)
        VALUES (p_channel, p_provider_id, p_now)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            seen := TRUE;
            RETURN;
        END IF;
    END IF;
    seen := FALSE;
    SELECT EXISTS (SELECT 1 FROM channel_identities c
                   WHERE c.channel = p_channel AND c.address = p_address),
           s.state, s.data, s.language, s.updated_at
      INTO has_identity, state, data, language, updated_at
      FROM (SELECT 1) AS one
      LEFT JOIN sessions s ON s.channel = p_channel AND s.address = p_address;
END
$$;
