"""Analyse a contact log (CONTRACT §3): night contacts, daily caps, bursts and number rotation."""

from __future__ import annotations

from datetime import time, tzinfo
from typing import Any

from rules.contacts import ContactAnalysis, ContactSettings, LocalContact, analyze_contact_log
from rules.findings import labels_from_findings
from service.readers.contacts import (
    DEFAULT_TZ,
    ContactLog,
    ContactLogError,
    contacts_from_items,
    read_contacts,
    resolve_tz,
)


def parse_clock_option(value: str | time, what: str) -> time:
    """``22:00`` / ``8:00`` / ``22:00:00`` → `time`; raises `ContactLogError` naming the option."""
    if isinstance(value, time):
        return value
    try:
        parts = [int(p) for p in str(value).strip().replace("：", ":").split(":")]
        if not 2 <= len(parts) <= 3:
            raise ValueError
        return time(*parts)
    except (ValueError, TypeError):
        raise ContactLogError(f"{what}: expected a local time such as 22:00, got {value!r}") from None


def build_settings(night_start: str | time = "22:00", night_end: str | time = "08:00",
                   **thresholds: int | None) -> ContactSettings:
    """`ContactSettings` from option values; unknown or invalid thresholds raise `ContactLogError`."""
    try:
        return ContactSettings(night_start=parse_clock_option(night_start, "night start"),
                               night_end=parse_clock_option(night_end, "night end"),
                               **{k: v for k, v in thresholds.items() if v is not None})
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ContactLogError):
            raise
        raise ContactLogError(str(exc)) from None


def _contact_dict(lc: LocalContact) -> dict[str, Any]:
    c = lc.contact
    return {"index": lc.index, "time": c.time.isoformat(), "local_time": lc.local.isoformat(),
            "channel": c.channel, "direction": c.direction, "from": c.number,
            "duration_s": int(c.duration_s) if float(c.duration_s).is_integer() else c.duration_s,
            "connected": c.connected, "night": lc.night, "line": c.line}


def render_analysis(analysis: ContactAnalysis, tz: tzinfo, log: ContactLog | None = None,
                    ignored_outbound: int = 0, notes: list[str] | None = None) -> dict[str, Any]:
    """The §3 result object for a finished analysis."""
    figures = analysis.figures
    numbers = list(dict.fromkeys(lc.contact.number for lc in analysis.contacts))
    return {
        **figures,
        "findings": [f.to_dict(verbose=True) for f in analysis.findings],
        "labels": labels_from_findings(list(analysis.findings)),
        "tz": str(tz),
        "quiet_window": analysis.settings.quiet_window(),
        "settings": analysis.settings.describe(),
        "n_contacts": len(analysis.contacts),
        "ignored_outbound": ignored_outbound,
        "numbers": numbers,
        "per_day": [d.to_dict() for d in analysis.days],
        "bursts": [b.to_dict() for b in analysis.bursts],
        "contacts": [_contact_dict(lc) for lc in analysis.contacts],
        "format": log.format if log else "json",
        "encoding": log.encoding if log else None,
        "notes": notes or [],
    }


def analyze_contacts(data: bytes, tz: str | tzinfo = DEFAULT_TZ, night_start: str | time = "22:00",
                     night_end: str | time = "08:00", *, fmt: str = "auto",
                     **thresholds: int | None) -> dict[str, Any]:
    """Read a contact log file's bytes (JSON per CONTRACT §3, or a CSV call log) and analyse it.

    Times are converted to ``tz``; night is [night_start, night_end) on the local clock; ``thresholds`` are
    `ContactSettings` fields (max_connected_calls_per_day, max_unanswered_per_number_per_day, burst_count,
    burst_minutes, rotation_numbers_per_day, max_contacts_per_day). Raises `ContactLogError`.
    """
    settings = build_settings(night_start, night_end, **thresholds)
    zone = resolve_tz(tz)
    log = read_contacts(data, zone, fmt)
    analysis = analyze_contact_log(log.contacts, zone, settings)
    outbound = sum(1 for c in log.contacts if c.direction == "outbound")
    return render_analysis(analysis, zone, log, outbound, log.notes)


def analyze_contact_items(items: list[dict[str, Any]], tz: str | tzinfo = DEFAULT_TZ,
                          night_start: str | time = "22:00", night_end: str | time = "08:00",
                          **thresholds: int | None) -> dict[str, Any]:
    """The same analysis for contacts already parsed from JSON (e.g. the ``contacts`` of a case)."""
    settings = build_settings(night_start, night_end, **thresholds)
    zone = resolve_tz(tz)
    contacts, notes = contacts_from_items(items, zone)
    analysis = analyze_contact_log(contacts, zone, settings)
    outbound = sum(1 for c in contacts if c.direction == "outbound")
    return render_analysis(analysis, zone, None, outbound, notes)
