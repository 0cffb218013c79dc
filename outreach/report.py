"""Staff-facing texts for previews, lists and progress, in the catalogue's words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.audience import AudienceFilter
from outreach.firing import schedule_of
from outreach.progress import RunProgress
from outreach.schedule import zone_label
from outreach.service import BroadcastRefused, Preview
from storage.repositories.audit import AuditEntry
from storage.repositories.broadcasts import Broadcast

Text = Callable[..., str]  # t(key, **values)


def local_time(moment: datetime | None, zone_name: str) -> str:
    if moment is None:
        return "-"
    return f"{moment.astimezone(ZoneInfo(zone_name)):%Y-%m-%d %H:%M} {zone_label(zone_name)}"


def summary(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def refusal_text(t: Text, exc: BroadcastRefused) -> str:
    """The reason in words; a broadcast state is named the way staff see it in lists."""
    values = dict(exc.values)
    if "state" in values:
        values["state"] = t(f"broadcast.state_{values['state']}")
    return t(exc.key, **values)


def preview_text(t: Text, p: Preview, canary: int) -> str:
    channels = ", ".join(f"{c} {n}" for c, n in sorted(p.per_channel.items()))
    sample = p.sample_text or ""
    if p.sample_template is not None:
        variables = ", ".join(f"{k}={v}" for k, v in sorted(p.sample_template.items()))
        sample = f"[templat] {variables}"
    text = t("broadcast.preview", audience=p.audience_text, schedule=p.schedule_text,
             total=p.total, channels=channels, closed=p.closed_window,
             sample_channel=p.sample_channel or "-", sample=sample)
    if canary:
        text += "\n" + t("broadcast.preview_canary", count=canary)
    return text


def list_text(t: Text, broadcasts: Sequence[Broadcast]) -> str:
    if not broadcasts:
        return t("broadcast.list_empty")
    return "\n".join(
        t("broadcast.list_line", id=b.id, state=t(f"broadcast.state_{b.state}"),
          schedule=schedule_of(b).describe(), summary=summary(b.text, 40))
        for b in broadcasts)


def show_text(t: Text, b: Broadcast, runs: Sequence[RunProgress],
              alerts: Sequence[AuditEntry] = ()) -> str:
    lines = [t("broadcast.show_header", id=b.id, state=t(f"broadcast.state_{b.state}"),
               schedule=schedule_of(b).describe(),
               next_due=local_time(b.next_due_at, b.timezone),
               audience=AudienceFilter.from_json(b.audience).describe(),
               summary=summary(b.text, 200))]
    if not runs:
        lines.append(t("broadcast.show_no_runs"))
    for r in runs:
        eta = t("broadcast.show_eta", eta=local_time(r.eta, b.timezone)) if r.eta else ""
        lines.append(t("broadcast.show_run", due=local_time(r.run.due_at, b.timezone),
                       run_state=t(f"broadcast.run_{r.run.state}"), queued=r.queued,
                       sent=r.sent, delivered=r.delivered, read=r.read, failed=r.failed,
                       skipped=r.skipped, unknown=r.unknown, eta=eta))
        if r.reasons:
            reasons = ", ".join(f"{k} {n}" for k, n in sorted(r.reasons.items()))
            lines.append(t("broadcast.show_reasons", reasons=reasons))
    for entry in alerts:
        key = str(entry.detail.get("alert", ""))
        values = {k: v for k, v in entry.detail.items() if k != "alert"}
        try:
            text = t(key, **values)
        except (KeyError, ValueError):
            text = key
        lines.append(t("broadcast.show_alert", at=local_time(entry.at, b.timezone), text=text))
    return "\n".join(lines)
