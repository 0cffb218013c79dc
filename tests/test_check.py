"""Authenticity checker: registry normalisation, lookalikes, scam signs, mixed messages,
chat routing, anonymity, and the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from core.messages import Channel
from handlers.check.checker import check_text
from handlers.check.registry import (
    RegistryError,
    load_registry,
    normalize_domain,
    normalize_phone,
    parse_registry,
)
from handlers.check.signs import manipulation_sign_ids, scam_sign_ids
from tests.support.dialog import User

REGISTRY = load_registry()
YEAR = 2026  # the year of the test clock (tests/conftest.py)


@pytest.mark.parametrize("written", [
    "081119194761", "0811-1919-4761", "0811 1919 4761", "+62 811-1919-4761", "+6281119194761",
    "6281119194761", "62 811 1919 4761", "(0811) 1919 4761", "+62 (811) 1919-4761",
    "wa.me/6281119194761", "https://wa.me/6281119194761",
    "https://api.whatsapp.com/send?phone=6281119194761",
])
def test_official_sender_is_recognised_however_written(written: str) -> None:
    result = check_text(written, REGISTRY, year=2024)
    assert result.verdict == "official", result
    assert [i.kind for i in result.items] == ["phone"]


def test_a_sender_number_is_official_only_in_its_year() -> None:
    result = check_text("wa.me/6281119194761", REGISTRY, year=2026)
    assert result.verdict == "unknown"
    assert result.items[0].reason == "past_sender"
    assert result.items[0].values["year"] == "2024"


def test_a_link_official_in_2023_is_reported_as_2023s_and_compared_case_sensitively() -> None:
    assert check_text("bit.ly/PendaftaranSPI2023", REGISTRY, year=2023).verdict == "official"
    now = check_text("bit.ly/PendaftaranSPI2023", REGISTRY, year=YEAR)
    assert (now.verdict, now.items[0].reason) == ("unknown", "past_link")
    other_case = check_text("bit.ly/pendaftaranspi2023", REGISTRY, year=2023)
    assert (other_case.verdict, other_case.items[0].reason) == ("unknown", "short_link")


@pytest.mark.parametrize("written", ["0811959575", "+62 811 959 575", "08558575575",
                                     "62-855-8575-575", "198", "CEK 198"])
def test_kpk_contact_numbers_are_official_in_the_year_they_were_seen(written: str) -> None:
    assert check_text(written, REGISTRY, year=2021).verdict == "official"


def test_the_call_centre_is_a_standing_channel_and_2021_numbers_are_dated() -> None:
    assert check_text("198", REGISTRY, year=YEAR).verdict == "official"
    result = check_text("0811959575", REGISTRY, year=YEAR)
    assert (result.verdict, result.items[0].reason) == ("unknown", "past_phone")


def test_phone_normalisation_gives_one_form() -> None:
    forms = {normalize_phone(x) for x in ("081119091198", "+62 811-1909-1198", "62811 1909 1198")}
    assert forms == {"+6281119091198"}


@pytest.mark.parametrize("written", [
    "kpk.go.id", "KPK.GO.ID", "https://kpk.go.id", "http://www.kpk.go.id/", "spi.kpk.go.id",
    "HTTPS://SPI.KPK.GO.ID:443/s/AbC?x=1", "kws.kpk.go.id/", "jaga.id", "https://www.jaga.id/x",
    "stranaspk.id", "kpk.go.id.", "https://spi.kpk.go.id:8443/path#frag",
])
def test_official_domains_in_every_form(written: str) -> None:
    assert check_text(written, REGISTRY, year=YEAR).verdict == "official", written


def test_domain_normalisation() -> None:
    assert normalize_domain("HTTPS://WWW.KPK.GO.ID:443/a") == "kpk.go.id"


@pytest.mark.parametrize("address", ["pengaduan@kpk.go.id", "198@KPK.GO.ID",
                                     "informasi@kpk.go.id"])
def test_official_email_domain(address: str) -> None:
    assert check_text(address, REGISTRY, year=YEAR).verdict == "official"


@pytest.mark.parametrize(("text", "reason"), [
    ("kpk-go.id", "typo"),                       # edit distance
    ("kpkgo.id", "typo"),
    ("strnaspk.id", "typo"),
    ("jagaa.id", "typo"),
    ("kpk.g0.id", "homoglyph"),                  # digit for letter
    ("https://xn--kk-lmc.go.id/spi", "idn_lookalike"),  # punycode of Cyrillic р
    ("https://kрk.go.id/spi", "idn_lookalike"),  # raw Cyrillic р
    ("kpk.go.id.evil.xyz", "embedded"),          # official name inside another domain
    ("https://spi.kpk.go.id.survei-online.com/isi", "embedded"),
    ("infokpk.com", "embedded_name"),
    ("survei-spi.net", "embedded_name"),
    ("https://kpk.go.id@evil.xyz/spi", "userinfo"),  # the user@host trick
    ("kpk.go.id@evil.xyz", "userinfo"),
    ("kpk.gov.id", "swapped_suffix"),            # swapped suffixes
    ("kpk.co.id", "swapped_suffix"),
    ("kpk.id", "swapped_suffix"),
    ("jaga.co.id", "swapped_suffix"),
    ("ѕрі.kрк.gо.іd", "idn_lookalike"),          # every letter Cyrillic, even the suffix
    ("hxxps://spi-kpk[.]com", "embedded_name"),  # defanged, as warnings quote scam links
    ("https://evil.example/spi.kpk.go.id/isi", "official_in_path"),
    ("https://login.example?next=https://spi.kpk.go.id", "official_in_path"),
])
def test_each_lookalike_family_is_suspicious(text: str, reason: str) -> None:
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict == "suspicious"
    assert result.items[0].reason == reason, result.items


@pytest.mark.parametrize("written", ["kpk。go。id", "ｋｐｋ.ｇｏ.ｉｄ", "https://kpk.go.id#@x.example"])
def test_forms_a_browser_opens_as_the_official_domain_are_official(written: str) -> None:
    assert check_text(written, REGISTRY, year=YEAR).verdict == "official"


@pytest.mark.parametrize("text", ["http://[bad/x", "https://spi.kpk.go.id:99999/x",
                                  "https://[::1]/x", "cek " + "a." * 300 + "id"])
def test_odd_input_gets_a_verdict_not_a_crash(text: str) -> None:
    assert check_text(text, REGISTRY, year=YEAR).verdict in ("suspicious", "unknown")


def test_foreign_numbers_are_never_official() -> None:
    result = check_text("SPI KPK: hubungi +44 20 7946 0958", REGISTRY, year=YEAR)
    assert [i.verdict for i in result.items] == ["unknown"]
    assert result.verdict == "suspicious"  # claims KPK with a number that is not KPK's


def test_other_government_domains_are_not_called_lookalikes() -> None:
    for host in ("bpk.go.id", "kpu.go.id"):
        result = check_text(host, REGISTRY, year=YEAR)
        assert result.verdict == "unknown"
        assert result.items[0].reason == "other_government"


SIGN_CASES = [
    ("Silakan transfer Rp 50.000 untuk aktivasi", "payment"),
    ("ada biaya admin sebelum mengisi", "admin_fee"),
    ("Selamat! Anda memenangkan hadiah undian", "prize"),
    ("Rahasiakan pesan ini, jangan beritahu siapa pun termasuk atasan", "secrecy"),
    ("Link ini hanya berlaku 2 jam, segera isi", "urgency"),
    ("kirimkan kode OTP yang masuk ke HP Anda", "credentials"),
    ("balas dengan PIN ATM", "credentials"),
    ("masukkan password email anda", "credentials"),
    ("balas dengan kode yang baru masuk lewat SMS", "credentials"),
    ("sebutkan nama ibu kandung Anda untuk verifikasi", "mother_name"),
    ("login ke aplikasi DANA Anda lewat tautan berikut", "bank_login"),
    ("sebutkan nomor rekening anda", "bank_account"),
    ("kirim foto KTP dan selfie", "id_photo"),
    ("install aplikasi SPI.apk berikut", "apk"),
    ("jika tidak mengisi hari ini, nomor Anda akan diblokir", "threat"),
    ("survei ini wajib diisi seluruh pegawai", "false_duty"),
]
MANIPULATION_CASES = [
    ("Yang sudah dapat WA dari KPK mohon lapor ke bagian umum", "report_receipt"),
    ("Setelah mengisi, kirimkan screenshot ke grup", "collect_answers"),
    ("Isi google form ini terlebih dahulu sebelum survei", "form_first"),
    ("Pegawai berkumpul di aula jam 9 untuk pengisian survei", "gather"),
    ("Kasih nilai bagus ya di survei", "rate_well"),
]


@pytest.mark.parametrize(("text", "sign"), [
    *SIGN_CASES,
    ("Tidak perlu khawatir, kirimkan kode OTP Anda", "credentials"),
])
def test_each_scam_sign_makes_a_text_suspicious(text: str, sign: str) -> None:
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict == "suspicious"
    assert sign in result.signs


@pytest.mark.parametrize(("text", "sign"), MANIPULATION_CASES)
def test_each_manipulation_sign_gives_the_manipulation_verdict(text: str, sign: str) -> None:
    result = check_text(text + " https://spi.kpk.go.id/s/Ab1", REGISTRY, year=YEAR)
    assert result.verdict == "manipulation", result
    assert sign in result.manipulation


def test_every_sign_has_a_test_and_a_reason(app: App) -> None:
    assert {sign for _, sign in SIGN_CASES} == set(scam_sign_ids())
    assert {sign for _, sign in MANIPULATION_CASES} == set(manipulation_sign_ids())
    catalog = app.deps.catalog
    for sign in scam_sign_ids():
        assert catalog.text("id", f"check_sign.{sign}")
        assert catalog.text("en", f"check_sign.{sign}")
    for sign in manipulation_sign_ids():
        assert catalog.text("id", f"check_manipulation.{sign}")
        assert catalog.text("en", f"check_manipulation.{sign}")


def test_a_fake_is_never_official_even_next_to_an_official_link() -> None:
    text = "Survei KPK resmi di https://spi.kpk.go.id, konfirmasi di https://kpk-go.id/konfirmasi"
    assert check_text(text, REGISTRY, year=YEAR).verdict == "suspicious"


def test_genuine_invitation_is_official() -> None:
    text = ("Yth. Bapak/Ibu, Anda terpilih sebagai responden Survei Penilaian Integritas (SPI) "
            "KPK 2024. Silakan isi di https://spi.kpk.go.id/s/Ab12Cd. Info: call center 198.")
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict == "official"
    assert result.signs == []


def test_a_denied_sign_is_not_a_sign() -> None:
    text = "Survei SPI KPK di https://spi.kpk.go.id/s/x gratis. KPK tidak pernah meminta uang."
    assert check_text(text, REGISTRY, year=YEAR).verdict == "official"


def test_official_link_with_a_scam_sign_is_suspicious() -> None:
    text = "Isi survei di spi.kpk.go.id lalu transfer biaya admin ke rekening 1234567890"
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict == "suspicious"
    assert {"payment", "admin_fee", "bank_account"} <= set(result.signs)


def test_claiming_kpk_with_an_unknown_link_is_suspicious() -> None:
    result = check_text("Survei SPI KPK 2025, isi di bit.ly/spi-2025", REGISTRY, year=YEAR)
    assert result.verdict == "suspicious" and result.unverified_claim


def test_short_link_alone_is_unknown_and_says_why() -> None:
    result = check_text("cek bit.ly/abc123", REGISTRY, year=YEAR)
    assert result.verdict == "unknown" and result.items[0].reason == "short_link"


def test_mixed_official_and_unknown_without_claim_is_unknown() -> None:
    result = check_text("kpk.go.id dan 0812 3456 7890", REGISTRY, year=YEAR)
    assert result.verdict == "unknown"
    assert [i.verdict for i in result.items] == ["official", "unknown"]


def test_every_item_is_extracted_once() -> None:
    text = ("Hubungi pengaduan@kpk.go.id atau wa.me/6281119194761, buka https://jaga.id/x "
            "dan www.kpk.go.id, atau telp +62 811-1919-9198.")
    result = check_text(text, REGISTRY, year=2024)
    assert [(i.kind, i.verdict) for i in result.items] == [
        ("email", "official"), ("phone", "official"), ("url", "official"),
        ("url", "official"), ("phone", "official")]
    assert result.verdict == "official"


def test_nothing_to_check_is_unknown() -> None:
    result = check_text("CEK pesan ini dong", REGISTRY, year=YEAR)
    assert result.verdict == "unknown" and result.items == []


def test_registry_entries_need_year_and_source() -> None:
    with pytest.raises(RegistryError, match="source"):
        parse_registry('[[domain]]\nvalue = "kpk.go.id"\nrole = "x"\nyear = "2024"\n')


def test_custom_registry_file_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    custom = tmp_path / "registry.toml"
    custom.write_text(
        '[[domain]]\nvalue = "kpk.go.id"\nrole = "situs KPK"\nyear = "2026"\nsource = "s"\n'
        '[[phone]]\nvalue = "0811 2222 3333"\nrole = "pengirim SPI 2026"\nyear = "2026"\n'
        'source = "surat KPK"\nsender = true\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_REGISTRY_FILE", str(custom))
    monkeypatch.setenv("SPI_DATABASE_PATH", str(tmp_path / "x.db"))
    assert main(["check", "--json", "+62 811-2222-3333"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "official"
    assert main(["faq", "nomor wa resmi spi apa"]) == 0
    assert "0811 2222 3333" in capsys.readouterr().out


async def test_chat_routes_links_numbers_and_cek_to_the_checker(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "check-1")
    await user.say("ini asli gak? https://spi.kpk.go.id/s/abc")
    assert "RESMI" in user.text
    await user.say("CEK kpk-go.id")
    assert "MENCURIGAKAN" in user.text and "kws.kpk.go.id" in user.text
    assert "aduannomor.id" in user.text
    await user.say("0812 3456 7890")
    assert "BELUM BISA DIPASTIKAN" in user.text and "198" in user.text
    await user.say("awas link hxxps://kpk-go[.]id ya")
    assert "MENCURIGAKAN" in user.text


async def test_menu_check_sends_the_next_message_to_the_checker(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "check-2")
    await user.say("halo")
    await user.say(str(user.choices.index("menu:check") + 1))
    await user.say("Selamat anda dapat hadiah, kirim kode OTP sekarang")
    assert "MENCURIGAKAN" in user.text and "OTP" in user.text
    await user.say("apakah survei ini wajib")  # the flow ended: back to the FAQ
    assert "sukarela" in user.text


async def test_a_scanned_qr_code_while_waiting_for_a_check_starts_registration(
    app: App,
) -> None:
    user = User(app.engine, Channel.TELEGRAM, "check-3")
    await user.say("CEK")
    assert "Tempel tautan" in user.text
    await user.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    assert "Daftar calon responden" in user.text


async def test_checks_are_anonymous(app: App) -> None:
    sender, secret = "+6281377776666", "https://rahasia-unik-7788.example.com/x"
    user = User(app.engine, Channel.WHATSAPP, sender, sender)
    await user.say("halo")
    await user.say(str(user.choices.index("menu:check") + 1))
    await user.say(f"KPK SPI: isi di {secret}")
    assert "MENCURIGAKAN" in user.text
    await user.say(f"cek {secret}")
    async with app.db.reading() as conn:
        assert await app.deps.check_stats.daily(conn) == [("2026-11-21", "suspicious", 1),
                                                          ("2026-11-21", "unknown", 1)]
    with sqlite3.connect(app.settings.database_path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):  # noqa: S608 - names from sqlite
                dump = " ".join(str(v) for v in row)
                assert "77776666" not in dump, table
                assert "rahasia-unik" not in dump, table


def test_cli_check_json_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_DATABASE_PATH", str(tmp_path / "x.db"))
    assert main(["check", "--json", "transfer biaya admin ke kpk-go.id"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"text", "verdict", "reasons", "items"}
    assert result["verdict"] == "suspicious" and result["reasons"]
    assert result["items"] == [{"kind": "url", "value": "kpk-go.id", "verdict": "suspicious",
                                "reason": result["items"][0]["reason"]}]
    assert not (tmp_path / "x.db").exists()


def test_cli_check_batch_and_plain_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_DATABASE_PATH", str(tmp_path / "x.db"))
    batch = tmp_path / "b.txt"
    batch.write_text("kpk.go.id\n0812 3456 7890\nkpk.go.id.evil.xyz\n")
    assert main(["check", "--batch", str(batch)]) == 0
    verdicts = [json.loads(x)["verdict"] for x in capsys.readouterr().out.splitlines()]
    assert verdicts == ["official", "unknown", "suspicious"]
    assert main(["check", "kpk.go.id"]) == 0
    assert "RESMI" in capsys.readouterr().out


def test_registry_rejects_a_number_that_is_not_a_phone_number() -> None:
    with pytest.raises(RegistryError, match="bukan nomor telepon"):
        parse_registry('[[phone]]\nvalue = "12"\nrole = "x"\nyear = "2024"\nsource = "s"\n')


def test_cli_reports_an_unusable_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "registry.toml"
    broken.write_text("[[domain]\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_REGISTRY_FILE", str(broken))
    assert main(["check", "kpk.go.id"]) == 2
    assert "Registri resmi tidak bisa dipakai" in capsys.readouterr().err
