"""A generated document (complaint letter, police-report summary) and its output formats."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from service.reports.model import EvidenceRow, Report
from service.reports.templates import render

LETTER_FORMATS: tuple[str, ...] = ("txt", "md", "html", "pdf", "json")


@dataclass
class Recipient:
    """A body a document can be addressed to and how to reach it."""

    id: str
    name: str
    channel: str
    reason: str


@dataclass
class Letter:
    """The text of one document plus what it was built from; ``text`` is what the user may edit."""

    kind: str
    title: str
    recipient: Recipient
    text: str
    attachments: list[EvidenceRow]
    recipients: list[Recipient] = field(default_factory=list)
    case_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def group_findings(report: Report, limit: int = 8) -> list[dict[str, Any]]:
    """Findings grouped by label (taxonomy order) with the union of their citations; ``limit`` rows per group."""
    groups: list[dict[str, Any]] = []
    for label, zh, count in report.label_counts:
        rows = [f for f in report.findings if f.label == label]
        cites: list[Any] = []
        for f in rows:
            for c in f.legal_basis:
                if c.id not in {x.id for x in cites}:
                    cites.append(c)
        groups.append({"label": label, "zh": zh, "count": count, "rows": rows[:limit],
                       "more": max(0, len(rows) - limit), "citations": cites})
    return groups


def render_letter(letter: Letter, fmt: str) -> tuple[bytes, str]:
    """(body, media type) of a document in ``fmt`` (txt | md | html | pdf | json)."""
    if fmt == "txt":
        return (letter.title + "\n\n" + letter.text).encode("utf-8"), "text/plain; charset=utf-8"
    if fmt == "md":
        body = "\n".join(line + "  " if line.strip() else line for line in letter.text.split("\n"))
        return f"# {letter.title}\n\n{body}\n".encode(), "text/markdown; charset=utf-8"
    if fmt == "html":
        return render("letter.html.j2", title=letter.title, text=letter.text).encode(), "text/html; charset=utf-8"
    if fmt == "pdf":
        from service.reports.pdf import render_text_pdf

        return render_text_pdf(letter.title, letter.text, f"{letter.title}　案件 {letter.case_id}"), "application/pdf"
    if fmt == "json":
        return json.dumps(letter.to_dict(), ensure_ascii=False, indent=2).encode(), "application/json"
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(LETTER_FORMATS)}")
