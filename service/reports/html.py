"""The evidence report as a standalone HTML page (inline CSS, no external resources)."""

from __future__ import annotations

from service.reports.model import Report
from service.reports.templates import render


def render_html(report: Report) -> str:
    """Self-contained HTML; every value is escaped by the template engine."""
    return render("report.html.j2", r=report)
