"""The conversation engine (`engine.Engine`): one message in, replies out, for every channel.

Map of what makes it fast, what each mechanism must keep true, and what pins it. Figures are
from docs/benchmarks.md ("Conversation engine", "WhatsApp webhook under load"); every
aiosqlite call is a hand-off to its thread (~0.2 ms here) while SQLite commits in ~26 µs, so
the mechanisms count hand-offs, above all those made while holding the write lock.

1. Sender locks (`sender_locks.SenderLocks`): one FIFO lock per (channel, sender), dropped
   when unused. Keeps: one person's messages are handled one at a time and in arrival order
   (different people concurrently), and a turn's replies are handed on before that person's
   next message; hence at most one turn per sender in a shared commit, which the write batch
   relies on. Pinned by tests/test_engine.py
   `test_two_quick_messages_from_one_sender_do_not_both_advance_one_step`,
   `test_replies_are_stored_with_the_turn_and_handed_on_in_order`,
   `test_500_concurrent_senders_register_exactly_once_each` (no lock left behind).
   Figure: closed loop, 200 senders, 1,900-4,400 messages/s.

2. Redelivery checks (`recent_ids.RecentIds`, the early `conversations.snapshot`, the
   processed-id insert at the commit): ids this process committed, then the read made before
   the lock, spot most redeliveries without a write; the insert at the commit is the only
   source of truth (if it fails, the group runs again alone and claims the id first). Keeps:
   a provider message id is processed once, across restarts. Pinned by tests/test_engine.py
   `test_a_redelivered_message_is_processed_once`, tests/test_write_batch.py
   `test_a_redelivery_after_a_restart_is_ignored`,
   `test_a_redelivery_only_the_commit_notices_is_still_processed_once`,
   tests/test_whatsapp_webhook.py `test_redelivered_message_sid_is_processed_once`.
   Figure: 4.1 round trips per message before these (p99 53-385 ms) against p99 7.5-13.1 ms
   at ~1,000 messages/s on a quiet host.

3. Shared commit (`storage.database.Database.transaction(group=True)`): turns that finish
   while others wait for the lock commit together. Keeps: a turn is settled (the webhook
   answers) only after its own commit; a failing turn costs the others of its group only a
   second run alone (`GroupAborted`), where its error is its own. Pinned by
   tests/test_engine.py `test_a_failing_turn_in_a_shared_commit_does_not_cost_the_others`,
   `test_a_failing_turn_apologises_and_keeps_nothing`, tests/test_write_batch.py
   `test_a_failed_shared_commit_sends_everyone_back_to_run_alone`. Figure: one 8 s run spent
   3.2 s in 4,447 commits (0.7 ms each) and 2.4 s in turns.

4. Write batch (`storage.write_batch.WriteBatch`, reached as `Turn.batch`/`Database.later`):
   bookkeeping nobody reads before the commit (processed id, session, last-inbound touch,
   identity link, audit entry, the turn's stored replies) runs at the commit as one
   `executemany` per statement. Keeps: queued writes run all or nothing with their commit, no
   row is written twice in one commit (one turn per sender), and code that reads or deletes
   such rows runs the batch first (erasure: `erase_respondent(pending=turn.batch)`). Pinned by
   tests/test_write_batch.py `test_queued_writes_run_at_the_commit_in_order`,
   `test_a_failing_queued_write_rolls_back_the_whole_transaction`,
   `test_erasure_deletes_a_conversation_queued_earlier_in_the_same_commit`. Figure: 300
   webhooks/s sustained, every message processed and answered exactly once.

5. Conversation cache with erasure tracking (`session_cache.SessionCache`,
   `Engine._erasures`/`_erasing`): a turn need not read its session. Keeps: an entry is
   written only after its turn committed and is trusted for 60 s (other processes may delete
   rows); while a turn erasing conversations runs, and for reads begun before it ended,
   neither the cache nor the early read is trusted. Pinned by tests/test_session_cache.py
   `test_a_session_removed_by_another_process_is_not_written_back`, tests/test_data_rights.py
   `test_erasure_sharing_a_commit_with_the_persons_other_chat_leaves_nothing`. Figure: open
   loop at ~1,000 messages/s, p50 1.4-5.7 ms by host steal.

6. Touch throttling (`engine.TOUCH_EVERY`): a respondent's last inbound time is written at
   most once a minute. Keeps: the WhatsApp 24-hour window is known to the minute. Pinned by
   tests/test_delivery.py `test_whatsapp_window_follows_the_last_inbound_message`. Figure:
   part of the p99 above (one write less per message of a registered person).

On PostgreSQL (storage/postgres.py, several processes on one database) mechanisms 3 and 5 are
off: every turn is its own transaction on a pooled connection, opened by one statement
(`spi_turn_open`, migration 0024, sent with the BEGIN) that waits for a transaction-scoped
advisory lock on its sender (ordering across processes), claims its provider id with
`INSERT ... ON CONFLICT DO NOTHING` and then reads the conversation; the write batch (4) still
runs at its commit, in the same round trip as the COMMIT, and sender locks (1) still order one
process's own turns without a database round trip. Statements are prepared once per pooled
connection. Figures: docs/benchmarks.md, "Second step: what a PostgreSQL turn costs"
(two round trips per turn; 0.5 ms of bot CPU and 0.5 ms of server CPU per message).

Slow work outside the writer (`handlers.turn.Unprepared`, `Turn.defer_slow_work`): a turn
must not hold SQLite's single writer while it awaits work that needs no database (the FAQ's
model call, ~40-100 ms on its own thread). In a shared commit the FAQ raises Unprepared
before the turn changed anything (the turn's processed id and touch are queued only after
dispatch), the turn leaves the transaction with nothing of its own in it, the model answers
under the sender's lock (order kept), and the turn runs once more with the match
(`Turn.prepared`). Which messages reach the FAQ is known only by dispatching them (commands,
flows and entries come first), so nothing is computed ahead for messages that never get
there ("MENU", "halo", "DAFTAR RSUD" would each have asked the model). Keeps: another chat
is answered while the model works, a message is processed once. Pinned by
tests/test_faq_embedding.py
`test_a_slow_model_call_holds_up_neither_the_event_loop_nor_another_chat` (both backends).

Durability of replies (not a speed mechanism, but it sets what the fast path may skip): with a
`ReplyRoute` a turn's replies are stored in its commit (storage/repositories/reply_outbox.py)
and sent by bot/channels/dispatch.py, so an acknowledged message is answered after a crash.
Pinned by tests/test_reply_outbox.py and tests/test_reply_crash.py (SIGKILL with 200
webhooks in flight: every message answered exactly once).
"""
