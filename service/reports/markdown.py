"""The evidence report as Markdown."""

from __future__ import annotations

from service.reports.model import Report
from service.reports.templates import render


def render_markdown(report: Report) -> str:
    """Markdown with tables for findings, timeline, contact figures and hashes."""
    return render("report.md.j2", r=report)
