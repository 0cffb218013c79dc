"""THE list of where personal data is kept, and the only code that erases, purges or lists it.

Every column of every table is classified below; a test fails when a migration adds one that
is not, so a new place holding a name or a number cannot escape erasure, the retention purge
or a person's view of their own data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.clock import to_text
from core.scope import Scope
from storage.connection import Connection
from storage.queries import fetch_all, fetch_one, fetch_value
from storage.repositories.audit import AuditRepository
from storage.repositories.reply_outbox import ReplyOutboxRepository
from storage.states import DeliveryState
from storage.write_batch import WriteBatch


class Kind(StrEnum):
    PERSONAL = "personal"  # about one person: shown to them, erased with them, purged
    LINK = "link"  # a bare id pointing at a person's row; says nothing once that row is erased
    STAFF = "staff"  # names a staff member or a file staff chose, never a respondent
    UNLINKED = "unlinked"  # citizens' free text tied to nobody, kept under its own rule
    NONE = "none"  # no personal data


_P, _L, _S, _U, _N = Kind.PERSONAL, Kind.LINK, Kind.STAFF, Kind.UNLINKED, Kind.NONE


def _all(kind: Kind, columns: str) -> dict[str, Kind]:
    return dict.fromkeys(columns.split(), kind)


COLUMNS: Mapping[str, Mapping[str, Kind]] = {
    "schema_version": {"version": _N},
    "units": _all(_N, "code name region timezone services created_at updated_at institution_id"),
    "respondents": {
        "id": _L, "phone": _P, "name": _P, "email": _P, "unit_code": _N, "category": _N,
        "respondent_type": _N, "service": _P, "service_month": _P, "status": _N, "source": _N,
        "consent_at": _N, "consent_version": _N, "opted_out_at": _N, "erased_at": _N,
        "created_at": _N, "updated_at": _N, "started_on": _P, "import_batch_id": _N,
        "institution_id": _N,
    },
    # The whole row is the person's: deleted with them.
    "channel_identities": _all(_P, "channel address respondent_id last_inbound_at unreachable_at "
                                   "unreachable_reason created_at") | {"institution_id": _N},
    # A conversation's key is a chat address (on WhatsApp the phone number) and its data holds
    # what was typed half-way through a dialog: deleted with the person, at the idle timeout
    # (language-only rows keep no dialog), and all of them at the retention purge.
    "sessions": _all(_P, "channel address state data language updated_at"),
    "processed_inbound": {"channel": _N, "provider_id": _N, "processed_at": _N},
    # actor is "cli" or a staff chat; detail never holds personal data (AuditRepository).
    "audit_log": {"id": _N, "at": _N, "actor": _S, "action": _N, "subject": _L, "detail": _N,
                  "institution_id": _N},
    "faq_daily": {"institution_id": _N, "day": _N, "intent": _N, "count": _N},
    "faq_unanswered": {"id": _N, "day": _N, "question_masked": _U, "institution_id": _N},
    "check_daily": {"institution_id": _N, "day": _N, "verdict": _N, "count": _N},
    # Twilio's message sid or a Telegram message number: the provider holds the number.
    "outbound_messages": _all(_N, "provider_id channel status error_code created_at updated_at"),
    "broadcasts": _all(_N, "id text template_sid template_variables audience schedule_kind run_at "
                           "recurrence timezone start_date end_date next_due_at state canary_size "
                           "dedupe_hash forced created_at updated_at job_synced institution_id")
    | {"created_by": _S},
    "broadcast_runs": _all(_N, "id broadcast_id due_at state total canary_size started_at "
                               "finished_at note created_at updated_at institution_id"),
    # A delivery keeps its outcome for the statistics; the chat address goes with the person.
    "deliveries": _all(_N, "id run_id broadcast_id position channel timezone use_template state "
                           "attempts next_attempt_at sending_at sent_at provider_id "
                           "provider_status error_code reason updated_at worker_id institution_id")
    | {"respondent_id": _L, "address": _P},
    # Broadcast worker processes (migration 0017): a machine name and a process number.
    "broadcast_workers": _all(_N, "id host pid started_at"),
    "import_batches": _all(_N, "id file_sha256 imported_at skip_invalid rows_total rows_added "
                               "rows_unchanged rows_rejected rows_flagged institution_id")
    | {"file_name": _S, "actor": _S},
    "import_issues": {"batch_id": _N, "unit_code": _N, "kind": _N, "count": _N,
                      "institution_id": _N},
    # Replies not yet accepted by the provider: a chat address and the reply's text. Rows
    # leave once sent; the person's unsent rows go with them at erasure and at the purge.
    "reply_outbox": _all(_P, "channel address reply image")
    | _all(_N, "id turn position sending_at after_sid created_at owner"),
    # Institutions are public bodies: their public contact is not a person's data.
    "institutions": _all(_N, "id code name kind timezone contact_phone contact_email "
                              "whatsapp_sender telegram_bot created_at updated_at"),
    # Staff accounts name staff, never a respondent; kept under the staff rule, not purged.
    "staff": _all(_S, "username display_name telegram_id whatsapp_phone")
    | _all(_N, "id institution_id role created_at disabled_at"),
    # The staff console (issue 16): hashes and counters of staff logins, no respondent.
    "staff_credentials": _all(_N, "staff_id password_hash totp_secret totp_last_step "
                                   "failed_attempts locked_until password_set_at updated_at"),
    "staff_sessions": _all(_N, "id token_hash staff_id form_token second_factor created_at "
                                "last_seen_at expires_at revoked_at"),
    "staff_tokens": _all(_N, "token_hash staff_id purpose created_at expires_at used_at"),
    # A list uploaded in the console, between its report and the confirmation: not linked to
    # anyone stored yet; deleted when imported or cancelled, an hour after upload at the latest.
    "staff_uploads": _all(_N, "id staff_id file_sha256 options created_at institution_id")
    | {"file_name": _S, "data": _U},
    # Web processes sharing a PostgreSQL database (a machine name and a process number).
    "server_processes": _all(_N, "id host pid started_at"),
    # Charts sent to staff on WhatsApp (counts only), for SPI_MEDIA_LINK_MINUTES.
    "media_links": _all(_N, "token png expires_at"),
}


def personal_columns(table: str) -> list[str]:
    return [column for column, kind in COLUMNS[table].items() if kind is Kind.PERSONAL]


# Blanked in the respondent row, which stays (erased) for the counts per unit and category.
_ERASE_RESPONDENT = ("UPDATE respondents SET "  # noqa: S608 - column names from COLUMNS
                     + ", ".join(f"{c} = NULL" for c in personal_columns("respondents"))
                     + ", status = 'erased', erased_at = :stamp, updated_at = :stamp")
# The person's chats, and any dialog in which someone typed their number or e-mail (a
# registration that got the number before its owner did, for one).
_CONVERSATIONS_OF = """
    SELECT channel, address FROM sessions WHERE EXISTS (SELECT 1 FROM channel_identities i
        WHERE i.channel = sessions.channel AND i.address = sessions.address
          AND i.respondent_id = :rid)
    OR address = (SELECT phone FROM respondents WHERE id = :rid)
    OR instr(data, (SELECT NULLIF(phone, '') FROM respondents WHERE id = :rid)) > 0
    OR instr(data, (SELECT NULLIF(email, '') FROM respondents WHERE id = :rid)) > 0
    UNION SELECT channel, address FROM channel_identities WHERE respondent_id = :rid"""


async def conversations_of(conn: Connection,
                           respondent_id: int) -> list[tuple[str, str]]:
    """(channel, address) of every conversation and chat account that belongs to this person."""
    async with conn.execute(_CONVERSATIONS_OF, {"rid": respondent_id}) as cur:
        return [(row[0], row[1]) for row in await cur.fetchall()]


async def _erase_where(conn: Connection, where: str, params: dict[str, Any]) -> None:
    """Erase the respondents matched by `where` (over `respondents r`, named parameters plus
    :stamp) in every table that holds something of theirs."""
    ids = f"SELECT r.id FROM respondents r WHERE {where}"  # noqa: S608 - fixed fragments
    await conn.execute(
        f"""DELETE FROM sessions WHERE EXISTS (SELECT 1 FROM channel_identities i
               WHERE i.channel = sessions.channel AND i.address = sessions.address
                 AND i.respondent_id IN ({ids}))
            OR address IN (SELECT r.phone FROM respondents r
                           WHERE r.phone IS NOT NULL AND {where})""",  # noqa: S608
        params)
    await conn.execute(
        f"UPDATE deliveries SET address = '' WHERE address != '' "  # noqa: S608
        f"AND respondent_id IN ({ids})", params)
    await conn.execute(
        f"DELETE FROM channel_identities WHERE respondent_id IN ({ids})", params)  # noqa: S608
    await conn.execute(f"{_ERASE_RESPONDENT} WHERE id IN ({ids})", params)


async def erase_respondent(
    conn: Connection, respondent_id: int, now: datetime, *, actor: str, via: str,
    pending: WriteBatch | None = None,
) -> list[tuple[str, str]]:
    """Erase one person's personal data everywhere; keep what the counts need.

    The audit log records that it happened and through which door, never the data itself.
    Returns the conversations dropped, so a running engine can forget them too. `pending`:
    the writes queued for this commit (a turn's `batch`), run first so they are erased too.
    """
    if pending is not None:
        await pending.flush(conn)
    owner = await fetch_value(conn, "SELECT institution_id FROM respondents WHERE id = ?",
                              (respondent_id,))
    dropped = await conversations_of(conn, respondent_id)
    await conn.executemany("DELETE FROM sessions WHERE channel = ? AND address = ?", dropped)
    await ReplyOutboxRepository().forget(conn, dropped)  # unsent replies: addresses, texts
    await _erase_where(conn, "r.id = :rid", {"rid": respondent_id, "stamp": to_text(now)})
    await AuditRepository().record(  # under the institution whose person it was
        conn, now, actor, "respondent.erased", f"respondent:{respondent_id}",
        scope=Scope(int(owner)) if owner is not None else None, via=via)
    return dropped


async def purge_respondents(conn: Connection, now: datetime,
                            created_before: datetime | None, *,
                            institution_id: int | None = None) -> None:
    """Erase every respondent recorded before `created_before` (None: everyone), and the
    conversations idle since then, also those of chats that never registered.
    `institution_id`: only that institution's respondents (staff purging their own); the
    shared conversations are then left to the daily purge of every institution."""
    if institution_id is not None:
        where = "r.status != 'erased' AND r.institution_id = :institution"
        params: dict[str, Any] = {"institution": institution_id, "stamp": to_text(now)}
        if created_before is not None:
            where += " AND r.created_at < :before"
            params["before"] = to_text(created_before)
        await _erase_where(conn, where, params)
        return
    if created_before is None:
        await _erase_where(conn, "r.status != 'erased'", {"stamp": to_text(now)})
        await conn.execute("DELETE FROM sessions")
        return
    before = to_text(created_before)
    await _erase_where(conn, "r.status != 'erased' AND r.created_at < :before",
                       {"before": before, "stamp": to_text(now)})
    await conn.execute("DELETE FROM sessions WHERE updated_at < ?", (before,))


async def expire_idle_conversations(conn: Connection, idle_since: datetime,
                                    default_language: str, limit: int) -> int:
    """What the engine does to a conversation idle past its timeout, done for up to `limit`
    of them, so half-typed names and numbers do not outlive the dialog. A chosen language
    stays (its row then holds no dialog); everything else goes. Returns how many went."""
    cutoff = to_text(idle_since)
    cur = await conn.execute(
        """DELETE FROM sessions WHERE (channel, address) IN (SELECT channel, address
               FROM sessions WHERE updated_at < ? AND language = ? LIMIT ?)""",
        (cutoff, default_language, limit))
    dropped = cur.rowcount
    cur = await conn.execute(
        """UPDATE sessions SET state = 'idle', data = '{}' WHERE (channel, address) IN
               (SELECT channel, address FROM sessions
                WHERE updated_at < ? AND (state != 'idle' OR data != '{}') LIMIT ?)""",
        (cutoff, max(limit - dropped, 0)))
    return dropped + cur.rowcount


@dataclass(frozen=True)
class Conversation:
    channel: str
    address: str
    state: str
    data: dict[str, Any]  # what was typed so far (offered choices left out)
    language: str
    updated_at: str


@dataclass(frozen=True)
class PersonalRecord:
    """Everything stored about one person: what `respondents show` and DATA SAYA list."""

    respondent: Mapping[str, Any]  # the row, with unit_name, unit_timezone, file_name
    identities: list[Mapping[str, Any]]
    conversations: list[Conversation]
    reminders_sent: int


async def record_of(conn: Connection, respondent_id: int) -> PersonalRecord | None:
    row = await fetch_one(
        conn, """SELECT r.*, u.name AS unit_name, u.timezone AS unit_timezone, b.file_name
                 FROM respondents r
                 JOIN units u ON u.code = r.unit_code
                 LEFT JOIN import_batches b ON b.id = r.import_batch_id
                 WHERE r.id = ?""", (respondent_id,))
    if row is None:
        return None
    identities = await fetch_all(
        conn, """SELECT channel, address, last_inbound_at, unreachable_at, created_at
                 FROM channel_identities WHERE respondent_id = ? ORDER BY channel, address""",
        (respondent_id,))
    sessions = await conn.execute_fetchall(
        f"""SELECT s.* FROM sessions s JOIN ({_CONVERSATIONS_OF}) c
            ON c.channel = s.channel AND c.address = s.address
            ORDER BY s.channel, s.address""",  # noqa: S608 - a fixed query
        {"rid": respondent_id})
    sent = await fetch_one(
        conn, "SELECT COUNT(*) FROM deliveries WHERE respondent_id = ? AND state = ?",
        (respondent_id, DeliveryState.SENT))
    conversations = []
    for s in sessions:
        data = {k: v for k, v in json.loads(s["data"]).items() if not k.startswith("_")}
        if s["state"] != "idle" or data:
            conversations.append(Conversation(s["channel"], s["address"], s["state"], data,
                                              s["language"], s["updated_at"]))
    return PersonalRecord(dict(row), [dict(i) for i in identities], conversations,
                          int(sent[0]) if sent else 0)
