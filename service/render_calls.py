"""Readable terminal summaries for `cuishou transcript` and `cuishou contacts` (without --json)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rules.findings import LABEL_ZH
from rules.legal import load_catalog

_ROLE_ZH = {"collector": "催收方", "debtor": "债务人", "other": "第三方", "unknown": "未知"}


def _citations(ids: list[str]) -> str:
    catalog = load_catalog()
    return "；".join(catalog.get(b).title for b in ids if b in catalog.instruments)


def _labels_line(labels: list[str]) -> Text:
    if labels == ["compliant"]:
        return Text("✔ 催收方未发现违规（合规）", style="bold green")
    return Text("✘ 发现违规：" + "、".join(f"{LABEL_ZH.get(x, x)}({x})" for x in labels), style="bold red")


def render_transcript(result: dict[str, Any], console: Console) -> None:
    """Speakers and roles, the verdict, then a table of the collector's findings and the other side's abuse."""
    summary = result["summary"]
    console.print(f"格式 {result['format']} · 编码 {result['encoding']} · {summary['n_turns']} 个话轮")
    for spk in summary["speakers"]:
        console.print(f"  {spk['speaker']}：{_ROLE_ZH.get(spk['role'], spk['role'])}"
                      f"（{spk['method']}，{spk['turns']} 轮）")
    for warning in summary["warnings"]:
        console.print(Text(f"注意：{warning}", style="yellow"))
    console.print(_labels_line(result["labels"]))
    rows = [(t, f) for t in result["turns"] for f in t["findings"]]
    if rows:
        table = Table(show_lines=True)
        for col in ("话轮", "时间", "说话人", "类别", "原文", "规则", "法律依据"):
            table.add_column(col)
        for t, f in rows:
            table.add_row(str(t["index"]), t["time"] or "", t["speaker"], LABEL_ZH.get(f["label"], f["label"]),
                          f["quote"], f["rule_id"], _citations(f.get("legal_basis", [])))
        console.print(table)
    context = summary["debtor_abuse"] + summary["other_context"]
    if context:
        console.print(Text("对方言语（仅作背景，不计为催收违规）：", style="cyan"))
        for f in context:
            console.print(f"  话轮 {f['turn']} {f.get('speaker', '')}：{f['quote']}（{LABEL_ZH.get(f['label'], '')}）")


def render_contacts(result: dict[str, Any], console: Console) -> None:
    """Headline counts, per-day table and the findings with the rule and legal basis applied."""
    console.print(f"时区 {result['tz']} · 静默时段 {result['quiet_window']} · 共 {result['n_contacts']} 次联系，"
                  f"{result['distinct_numbers']} 个号码")
    console.print(f"夜间联系 {result['night_contacts']} 次；单日最多 {result['max_contacts_per_day']} 次；"
                  f"单日最多接通 {result['max_connected_calls_per_day']} 次；"
                  f"同一号码单日最多未接通 {result['max_unanswered_per_number_per_day']} 次")
    for note in result["notes"]:
        console.print(Text(f"注意：{note}", style="yellow"))
    if result["per_day"]:
        table = Table()
        for col in ("日期", "联系", "接通", "未接通", "短信", "夜间", "号码数"):
            table.add_column(col)
        for d in result["per_day"]:
            table.add_row(d["date"], str(d["contacts"]), str(d["connected_calls"]), str(d["unanswered_calls"]),
                          str(d["sms"]), str(d["night_contacts"]), str(d["distinct_numbers"]))
        console.print(table)
    console.print(_labels_line(result["labels"]))
    if result["findings"]:
        table = Table(show_lines=True)
        for col in ("规则", "事实", "法律依据"):
            table.add_column(col)
        for f in result["findings"]:
            table.add_row(f["rule_id"].rsplit(".", 1)[-1], f["quote"], _citations(f.get("legal_basis", [])))
        console.print(table)
