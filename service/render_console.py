"""Human-readable terminal rendering of an analysis (used by `cuishou analyze`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rules.findings import LABEL_ZH
from rules.legal import load_catalog

_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def render_analysis(text: str, result: dict[str, Any], console: Console) -> None:
    """Print the text with violations highlighted, then a table of findings with their legal basis."""
    findings = result["findings"]
    if result["labels"] == ["compliant"]:
        console.print(Text("✔ 未发现违规（合规）", style="bold green"))
        console.print(Text(text))
        return
    labels = "、".join(f"{LABEL_ZH[x]}({x})" for x in result["labels"])
    console.print(Text(f"✘ 发现违规：{labels}", style="bold red"))
    highlighted = Text(text)
    for f in findings:
        highlighted.stylize(_SEVERITY_STYLE.get(f.get("severity", "medium"), "yellow") + " underline",
                            f["start"], f["end"])
    console.print(highlighted)
    catalog = load_catalog()
    table = Table(show_lines=True)
    for col in ("类别", "原文", "位置", "来源/规则", "置信度", "法律依据"):
        table.add_column(col)
    for f in findings:
        basis = "\n".join(catalog.get(b).citation for b in f.get("legal_basis", []) if b in catalog.instruments)
        table.add_row(LABEL_ZH.get(f["label"], f["label"]), f["quote"], f"{f['start']}–{f['end']}",
                      f"{f['source']}: {f['rule_id']}", f"{f['confidence']:.2f}", basis)
    console.print(table)
    if result.get("scores"):
        scores = ", ".join(f"{k}={v:.2f}" for k, v in sorted(result["scores"].items(), key=lambda kv: -kv[1])[:3])
        console.print(Text(f"模型得分（前三）：{scores}", style="dim"))
