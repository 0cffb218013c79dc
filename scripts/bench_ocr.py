"""Benchmark: time to read one picture with OCR (issue 13; target under 2 s per photo), and
whether each picture gets the verdict of its text.

    .venv/bin/python scripts/bench_ocr.py [--rounds 3]

Pictures are drawn with Pillow (tests/support/screenshots.py): phone screenshots (PNG, as
phones save them; JPEG, as Telegram and WhatsApp re-encode them), dark mode, a narrow one,
photos of a screen, a blurred one and turned ones. Each is read `rounds` times in a row, one
at a time (the figure is the time for one person's picture on an idle server; under load
CONCURRENT readings share the cores). Prints the load average too: the machine is shared,
so it also prints the CPU time each reading used (this process + its tesseract processes),
which is what the wall time comes to on an idle core.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers import ocr  # noqa: E402
from handlers.check.checker import check_text  # noqa: E402
from handlers.check.registry import load_registry  # noqa: E402
from tests.support.screenshots import (  # noqa: E402
    FAKE_FEE,
    FAKE_LINK,
    GENUINE,
    blurred,
    encoded,
    photographed,
    screenshot,
    turned,
)


def pictures() -> list[tuple[str, str, bytes]]:
    out = []
    for name, text in (("fake link", FAKE_LINK), ("fee + OTP", FAKE_FEE), ("genuine", GENUINE)):
        shot = screenshot(text)
        out += [
            (f"{name}: screenshot PNG", text, encoded(shot)),
            (f"{name}: screenshot JPEG q80", text, encoded(shot, "JPEG", quality=80)),
            (f"{name}: dark mode", text, encoded(screenshot(text, dark=True))),
            (f"{name}: 540 px wide", text, encoded(screenshot(text, width=540))),
            (f"{name}: photo of screen", text,
             encoded(photographed(shot), "JPEG", quality=85)),
            (f"{name}: blurred", text, encoded(blurred(shot))),
            (f"{name}: turned 90°", text, encoded(turned(shot, 90))),
            (f"{name}: upside down", text, encoded(turned(shot, 180))),
        ]
    return out


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not ocr.ocr_available():
        print("tesseract with Indonesian data is not installed (apt-get install tesseract-ocr "
              "tesseract-ocr-ind): nothing to measure")
        return 0
    registry = load_registry()
    year = 2026
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}")
    upright: list[float] = []
    everything: list[float] = []
    upright_cpu: list[float] = []
    turned_cpu: list[float] = []
    same = total = 0
    print(f"{'picture':34} {'median s':>8} {'max s':>6} {'CPU s':>6}  verdict (text -> picture)")
    for name, text, data in pictures():
        times = []
        cpu = []
        for _ in range(args.rounds):
            started, cpu_started = time.perf_counter(), cpu_seconds()
            reading = ocr.read_image_sync(data)
            times.append(time.perf_counter() - started)
            cpu.append(cpu_seconds() - cpu_started)
        want = check_text(text, registry, year=year).verdict
        got = check_text(reading.text, registry, year=year).verdict if reading.text \
            else f"({reading.problem})"
        total += 1
        same += got == want
        everything += times
        if "turned" not in name and "upside" not in name:
            upright += times
            upright_cpu += cpu
        else:
            turned_cpu += cpu
        print(f"{name:34} {statistics.median(times):8.2f} {max(times):6.2f} "
              f"{statistics.median(cpu):6.2f}  {want} -> {got}")
    print(f"\nupright pictures: median {statistics.median(upright):.2f} s, "
          f"max {max(upright):.2f} s per picture ({len(upright)} readings)")
    print(f"all pictures incl. turned: median {statistics.median(everything):.2f} s, "
          f"max {max(everything):.2f} s")
    print(f"CPU per picture: upright median {statistics.median(upright_cpu):.2f} s, max "
          f"{max(upright_cpu):.2f} s; turned median {statistics.median(turned_cpu):.2f} s, max "
          f"{max(turned_cpu):.2f} s")
    print(f"same verdict as the text: {same}/{total}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
