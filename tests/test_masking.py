"""Phone numbers and e-mails never reach a log line unmasked."""

from __future__ import annotations

import logging

import pytest

from core.masking import (
    MaskingFilter,
    configure_logging,
    mask_email,
    mask_phone,
    mask_text,
)


def test_mask_phone_keeps_enough_to_tell_numbers_apart() -> None:
    assert mask_phone("+6281234567890") == "+62812****7890"
    assert mask_phone("081234567890") == "08123***7890"


def test_mask_email() -> None:
    assert mask_email("budi.santoso@mail.com") == "b***@mail.com"


@pytest.mark.parametrize("raw", ["+62 812-3456-7890", "6281234567890", "whatsapp:+6281234567890",
                                 "0812.3456.7890"])
def test_mask_text_catches_numbers_in_any_form(raw: str) -> None:
    assert "3456" not in mask_text(f"kirim ke {raw} ya")


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("pesan dari %s <%s>", "+6281234567890", "siti@contoh.id")
    assert caplog.messages == ["pesan dari +62812****7890 <s***@contoh.id>"]


@pytest.mark.parametrize("text", ["Uvicorn running on http://127.0.0.1:8080",
                                  "update 12345678 diproses", "versi 2026-11-21"])
def test_addresses_ids_and_dates_stay_readable(text: str) -> None:
    assert mask_text(text) == text


def test_tracebacks_and_third_party_loggers_are_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A phone and an e-mail once appeared at ERROR inside a traceback."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("DEBUG")
        phone, email = "+6281234567890", "siti.aminah@contoh.id"
        try:
            raise ValueError(f"nomor {phone} ditolak untuk {email}")
        except ValueError:
            logging.getLogger("uvicorn.error").exception("Gagal memproses")
        logging.getLogger("telegram.ext.Application").debug("update dari Siti Aminah")
        err = capsys.readouterr().err
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    assert "Traceback" in err
    assert "ValueError" in err
    assert "3456" not in err
    assert "siti.aminah" not in err
    assert "Siti Aminah" not in err  # python-telegram-bot's DEBUG updates stay out
