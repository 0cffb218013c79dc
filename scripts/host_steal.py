"""How much CPU the virtual machine's host took away during a measurement (Linux only).

On a shared VM, "steal" is time our virtual CPUs were ready to run but the host ran someone
else; latency figures are only comparable between runs with similar steal.
"""

from __future__ import annotations

from pathlib import Path


def _cpu_times() -> tuple[int, int] | None:
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    steal = values[7] if len(values) > 7 else 0
    return sum(values[:8]), steal


class StealMeter:
    def __init__(self) -> None:
        self._start = _cpu_times()

    def percent(self) -> float | None:
        end = _cpu_times()
        if self._start is None or end is None or end[0] == self._start[0]:
            return None
        return 100 * (end[1] - self._start[1]) / (end[0] - self._start[0])

    def text(self) -> str:
        value = self.percent()
        return "host steal n/a" if value is None else f"host steal {value:.1f}%"
