#!/usr/bin/env python3
"""Set-up and everyday commands for a fresh machine that has only Python 3.11+.

    python3 dev.py run    # start the bot server (creates .venv and installs it on first use);
                          # extra words go to spi-bot: `python3 dev.py run units list`
    python3 dev.py test   # lint, type-check and run the whole test suite
    python3 dev.py bench  # run the benchmarks recorded in docs/benchmarks.md

Everything else is `.venv/bin/spi-bot --help`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def _python() -> str:
    return str(BIN / ("python.exe" if os.name == "nt" else "python"))


def ensure_venv() -> None:
    """Create .venv and (re)install the project whenever pyproject.toml changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not Path(_python()).exists():
        print("Membuat lingkungan Python di .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Memasang dependensi (sekali saja) …", flush=True)
    pip = [_python(), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True, cwd=ROOT)
    STAMP.write_text(wanted)


def run(args: list[str]) -> int:
    """The local try-out: the web chat is on unless SPI_WEB_CHAT is set here or in .env."""
    ensure_tesseract()
    env = dict(os.environ)
    dotenv = ROOT / ".env"
    if "SPI_WEB_CHAT" not in env and not (
            dotenv.exists() and "SPI_WEB_CHAT" in dotenv.read_text(encoding="utf-8")):
        env["SPI_WEB_CHAT"] = "true"
    return subprocess.call([str(BIN / "spi-bot"), *(args or ["run"])], cwd=ROOT, env=env)


def _apt_install(packages: list[str], why: str, without: str) -> None:
    """`apt-get install` Debian packages when we are root on a Debian-like system; otherwise
    say what is missing (`without`: what happens then)."""
    can_install = (hasattr(os, "geteuid") and os.geteuid() == 0
                   and shutil.which("apt-get") is not None)
    if not can_install:
        print(f"{' '.join(packages)} tidak ada dan apt-get (sebagai root) tidak tersedia: "
              f"{without}.", flush=True)
        return
    print(f"$ apt-get update && apt-get install -y {' '.join(packages)}  # {why}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    ok = subprocess.call(["apt-get", "update", "-q"], env=env) == 0 and subprocess.call(
        ["apt-get", "install", "-y", "-q", *packages], env=env) == 0
    if not ok:
        print(f"Pemasangan {' '.join(packages)} gagal: {without}.", flush=True)


def ensure_chromium() -> None:
    """The web chat's browser test needs Debian's chromium; install it when we can."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    _apt_install(["chromium", "chromium-driver"], "untuk tes browser obrolan web",
                 "tes browser obrolan web dilewati")


def _has_indonesian_ocr() -> bool:
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                            check=False)
    return "ind" in (listed.stdout + listed.stderr).split()


def ensure_tesseract() -> None:
    """Screenshots sent to the checker are read by Debian's tesseract with its Indonesian
    data (issue 13); without it the bot asks for the text instead and the OCR tests skip."""
    if _has_indonesian_ocr():
        return
    _apt_install(["tesseract-ocr", "tesseract-ocr-ind"], "membaca tangkapan layar (OCR)",
                 "bot tidak bisa membaca gambar dan tes OCR dilewati")


def test(args: list[str]) -> int:
    ensure_chromium()
    ensure_tesseract()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    steps = [
        [_python(), "-m", "ruff", "check", "."],
        [_python(), "-m", "mypy"],
        [str(BIN / "lint-imports")],
        [_python(), "-m", "pytest", *args],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else s for i, s in enumerate(step)),
              flush=True)
        code = subprocess.call(step, cwd=ROOT, env=env)
        if code != 0:
            return code
    return 0


def bench(args: list[str]) -> int:
    scripts = sorted((ROOT / "scripts").glob("bench_*.py"))
    for script in scripts:
        print(f"== {script.name}", flush=True)
        code = subprocess.call([_python(), str(script), *args], cwd=ROOT)
        if code != 0:
            return code
    return 0


COMMANDS = {"run": run, "test": test, "bench": bench}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    ensure_venv()
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
