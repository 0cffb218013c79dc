#!/usr/bin/env python3
"""Benchmark: import 100,000 respondent rows (5% bad, 5% duplicates) with --skip-invalid.

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--no-xlsx]

Each import runs in its own process (`spi-bot respondents import`), on a fresh database, so
the peak memory printed is that import's alone (ru_maxrss). Targets: < 10 s, < 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from bot.cli import main as spi_bot

UNITS = ["DISDUKCAPIL", "DPMPTSP", "RSUD", "BAPENDA", "DISHUB", "BKPSDM", "PBJ"]
CATEGORIES = ["internal", "eksternal", "eksper"]
HEADER = ["Nama Lengkap", "No. HP / WA", "E-mail", "Kode Unit", "Kategori", "Tanggal Mulai"]
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rina", "Ahmad", "Eko", "Sri", "Joko", "Ani", "Putri"]
LAST = ["Santoso", "Aminah", "Wijaya", "Lestari", "Hartono", "Yani", "Saputra", "Rahayu"]
DOMAINS = ["gmail.com", "yahoo.co.id", "contoh.go.id", "mail.com", "outlook.com"]


def make_rows(count: int, seed: int = 2026) -> list[list[str]]:
    rng = random.Random(seed)
    rows: list[list[str]] = []
    bad_every, dup_every = 20, 20  # 5% each
    for i in range(count):
        if i % dup_every == 7 and rows:
            dup = list(rng.choice(rows[: max(1, len(rows) - 1)]))
            dup[1] = dup[1].replace("08", "+62 8", 1) if dup[1].startswith("08") else dup[1]
            rows.append(dup)
            continue
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        phone = f"08{rng.choice('1235')}{i:09d}"[:13]
        row = [name, phone, f"user{i}@{rng.choice(DOMAINS)}" if rng.random() < 0.8 else "",
               rng.choice(UNITS), rng.choice(CATEGORIES),
               f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
        if i % bad_every == 3:
            kind = (i // bad_every) % 5
            if kind == 0:
                row[1] = "0812"
            elif kind == 1:
                row[0] = ""
            elif kind == 2:
                row[2] = "bukan-email@"
            elif kind == 3:
                row[3] = "UNIT_FIKTIF"
            else:
                row[5] = "31/31/2020"
        rows.append(row)
    return rows


def write_csv(rows: list[list[str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_xlsx(rows: list[list[str]], path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Responden")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


def child(file: str) -> None:
    """Run the real command in this process and report its time and peak memory."""
    started = time.perf_counter()
    code = spi_bot(["--log-level", "WARNING", "respondents", "import", file, "--skip-invalid"])
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"code": code, "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime}), file=sys.stderr)


def run(file: Path, workdir: Path) -> dict[str, float]:
    db = workdir / f"{file.suffix.lstrip('.')}.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    env["SPI_DATABASE_PATH"] = str(db)
    done = subprocess.run([sys.executable, __file__, "--child", str(file)], cwd=workdir,
                          env=env, capture_output=True, text=True, check=False)
    result: dict[str, float] = json.loads(done.stderr.strip().splitlines()[-1])
    summary = [line for line in done.stdout.splitlines() if line.startswith(("  ", "Berkas"))]
    print("\n".join(summary[:6]))
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-xlsx", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    rows = make_rows(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        formats = [("csv", write_csv)] + ([] if args.no_xlsx else [("xlsx", write_xlsx)])
        for suffix, writer in formats:
            path = workdir / f"responden.{suffix}"
            writer(rows, path)
            result = run(path, workdir)
            ok = result["code"] == 0
            print(f"{suffix}: {args.rows} rows imported in {result['seconds']:.2f} s "
                  f"(CPU {result['cpu_seconds']:.2f} s), peak memory "
                  f"{result['peak_mb']:.0f} MB (exit {result['code']}"
                  f"{'' if ok else ', FAILED'}; load average {os.getloadavg()[0]:.1f})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
