"""Secrets of the staff console, without storage: passwords, random tokens, TOTP codes, limits.

Passwords are hashed with Argon2id by argon2-cffi (its defaults follow RFC 9106's second
recommendation); cookies and one-time links are random values of which only the SHA-256 is
stored; the optional second factor is RFC 6238 TOTP by pyotp, each 30-second code accepted
once. Where the rows live: bot/console/data.py (`AccountStore`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.roles import StaffRole

# A session ends after this long without a request, and at the latest after MAX_AGE.
IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)
# last_seen_at is written at most this often (one write a minute, not one per page).
TOUCH_EVERY = timedelta(seconds=60)
# Five wrong passwords in a row lock the account for LOCK_FOR (counted in the database, so
# across processes); each address also has its own moving-window limit (bot/console/web.py).
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
LINK_VALID = timedelta(hours=72)
MIN_PASSWORD = 10
MAX_PASSWORD = 256  # Argon2 would hash a megabyte too, slowly: refused before any work
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
TOTP_ISSUER = "SPI Bot"

_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    """A random value for a cookie, a form or a one-time link (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """True when `password` is the one hashed in `stored`; None (no password yet) never
    matches but costs the same time."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def password_problem(password: str, confirm: str, username: str) -> str | None:
    """Why a new password is refused, in Indonesian; None when it is fine."""
    if password != confirm:
        return "Kedua isian kata sandi tidak sama."
    if len(password) < MIN_PASSWORD:
        return f"Kata sandi minimal {MIN_PASSWORD} karakter."
    if len(password) > MAX_PASSWORD:
        return f"Kata sandi maksimal {MAX_PASSWORD} karakter."
    if username and username.lower() in password.lower():
        return "Kata sandi tidak boleh memuat nama pengguna."
    if len(set(password)) < 5:
        return "Kata sandi terlalu mudah ditebak; pakai kalimat pendek yang hanya Anda tahu."
    return None


def username_problem(username: str) -> str | None:
    if not USERNAME.match(username):
        return ("Nama pengguna 3–32 karakter: huruf kecil a–z, angka, titik, garis bawah atau "
                "tanda hubung, diawali huruf atau angka.")
    return None


# --- TOTP (optional second factor for admins) ------------------------------------------------

def new_totp_secret() -> str:
    import pyotp  # noqa: PLC0415 - only when a second factor is set up

    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    import pyotp  # noqa: PLC0415

    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, last_step: int | None, at: float) -> int | None:
    """The 30-second step `code` belongs to (this one or its neighbour, for clock drift) when
    it is right and newer than `last_step`; None otherwise (a code works once)."""
    import pyotp  # noqa: PLC0415

    code = code.strip().replace(" ", "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(at // totp.interval)
    for step in (now_step, now_step - 1, now_step + 1):
        if same(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            return step
    return None


@dataclass(frozen=True, slots=True)
class StaffMember:
    """The logged-in staff member as the console sees them."""

    id: int
    institution_id: int | None
    institution_code: str | None
    institution_name: str | None
    role: StaffRole
    username: str
    display_name: str
    has_totp: bool

    @property
    def actor(self) -> str:
        """How the audit log names them (never their name: staff:<id>)."""
        return f"staff:{self.id}"
