"""The evidence report as JSON."""

from __future__ import annotations

import json

from service.reports.model import Report


def render_json(report: Report) -> str:
    """UTF-8 JSON (non-ASCII kept readable)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
