"""The command line as staff and deployers use it: real processes, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def spi_bot(*args: str, db: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    environ.update({"SPI_DATABASE_PATH": str(db), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=db.parent, env=environ, timeout=60, check=False,
    )


def test_scripted_chat_registers_through_a_pipe(tmp_path: Path) -> None:
    script = "halo\n1\n6\n1\nSiti Aminah\n1\n2\nbulan lalu\n/kontak\nLEWATI\n1\n1\n"
    result = spi_bot("chat", "--channel", "telegram", "--phone", "081234567890",
                     db=tmp_path / "bot.db", stdin=script)
    assert result.returncode == 0, result.stderr
    assert "» halo" in result.stdout
    assert "Anda terdaftar sebagai calon responden SPI untuk Dinas Perhubungan" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_first_start_loads_the_sample_units_and_says_so(tmp_path: Path) -> None:
    result = spi_bot("units", "list", db=tmp_path / "bot.db")
    assert result.returncode == 0
    assert "DISDUKCAPIL" in result.stdout and "WITA" in result.stdout
    assert "7 unit dimuat" in result.stderr


def test_units_import_accepts_a_good_file_and_refuses_a_bad_one_whole(tmp_path: Path) -> None:
    good = tmp_path / "units.csv"
    good.write_text("Kode,Nama,Wilayah,Zona Waktu,Layanan\n"
                    "PUSKESMAS1,Puskesmas Kota,Kota Merauke,WIT,Rawat jalan;Imunisasi\n"
                    "DISDUKCAPIL,Disdukcapil Baru,Kabupaten Sukamaju,wita,KTP elektronik\n")
    result = spi_bot("units", "import", str(good), db=tmp_path / "bot.db")
    assert result.returncode == 0, result.stderr
    assert "1 baru, 1 diperbarui" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("kode,nama,wilayah,zona_waktu,layanan\n"
                   "OK1,Unit Baik,X,WIB,A\n"
                   "bad code,,X,GMT,\n")
    result = spi_bot("units", "import", str(bad), db=tmp_path / "bot.db")
    assert result.returncode == 1
    assert "baris 3" in result.stdout and "zona_waktu harus WIB, WITA atau WIT" in result.stdout
    listing = spi_bot("units", "list", db=tmp_path / "bot.db").stdout
    assert "PUSKESMAS1" in listing and "WIT " in listing
    assert "Disdukcapil Baru" in listing and "OK1" not in listing


@pytest.mark.parametrize(("name", "value"), [("SPI_SESSION_IDLE_MINUTES", "lama"),
                                             ("SPI_ADMINS", "bukan-format")])
def test_a_wrong_setting_stops_with_a_message_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    result = spi_bot("units", "list", db=tmp_path / "bot.db", **{name: value})
    assert result.returncode == 2
    assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_logs_mask_personal_data(tmp_path: Path) -> None:
    script = "DAFTAR RSUD\n1\nSiti Aminah\n1\n1\nbulan lalu\n1\nsiti.aminah@contoh.id\n1\n1\n"
    result = spi_bot("--log-level", "DEBUG", "chat", "--channel", "whatsapp", "--phone",
                     "081234567890", db=tmp_path / "bot.db", stdin=script)
    assert result.returncode == 0, result.stderr
    assert "terdaftar" in result.stdout
    assert "81234567890" not in result.stderr
    assert "siti.aminah@" not in result.stderr
    assert "Siti Aminah" not in result.stderr
