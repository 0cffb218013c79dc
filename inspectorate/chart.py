"""The registrations-over-time chart (PNG), drawn with matplotlib's Agg backend."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from itertools import accumulate


def registrations_chart(daily: Sequence[tuple[date, str, int]]) -> bytes:
    """Cumulative registrations through the bot per unit, one line each."""
    import numpy  # noqa: PLC0415
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - heavy
    from matplotlib.figure import Figure  # noqa: PLC0415

    # A bare Figure on an Agg canvas: no pyplot global state, safe in a worker thread.
    figure = Figure(figsize=(9, 5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    units = sorted({unit for _day, unit, _n in daily})
    for unit in units:
        points = [(day, n) for day, u, n in daily if u == unit]
        axes.step(numpy.array([day for day, _n in points], dtype="datetime64[D]"),
                  list(accumulate(n for _day, n in points)),
                  where="post", marker="o", label=unit)
    if units:
        axes.legend(fontsize="small", loc="upper left")
    else:
        axes.text(0.5, 0.5, "Belum ada pendaftaran", ha="center", va="center",
                  transform=axes.transAxes)
    axes.set_title("Pendaftaran calon responden SPI lewat bot (kumulatif)")
    axes.set_xlabel("Tanggal")
    axes.set_ylabel("Jumlah pendaftar")
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
