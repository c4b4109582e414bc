"""The police-report evidence summary (报案材料) for 110 or the local 派出所."""

from __future__ import annotations

from datetime import datetime

from service.reports.letter import Letter, Recipient, group_findings
from service.reports.model import Citation, Report, date_zh
from service.reports.templates import render

POLICE_INSTRUMENT_PREFIXES: tuple[str, ...] = ("中华人民共和国刑法", "中华人民共和国治安管理处罚法")


def police_citations(cites: list[Citation]) -> list[Citation]:
    """Only criminal law and public-security administration: what the police act on."""
    return [c for c in cites if c.instrument.startswith(POLICE_INSTRUMENT_PREFIXES)]


def suspected_conduct(report: Report) -> str:
    """案由 wording: ``涉嫌寻衅滋事罪、招摇撞骗罪及违反治安管理的行为`` (crimes from 刑法 titles)."""
    cites = police_citations(report.legal)
    crimes: list[str] = []
    for c in cites:
        if c.instrument.startswith("中华人民共和国刑法") and c.title not in crimes:
            crimes.append(c.title)
    psl = any(c.instrument.startswith("中华人民共和国治安管理处罚法") for c in cites)
    if crimes:
        return "涉嫌" + "、".join(crimes) + ("及违反治安管理的行为" if psl else "")
    return "涉嫌违反治安管理的行为" if psl else "催收过程中的滋扰行为"


def build_police_report(report: Report, *, station: str | None = None, today: datetime | None = None) -> Letter:
    """A formal 报案材料 summarising the facts, the suspected offences and the evidence with hashes."""
    facts = report.facts
    groups = group_findings(report, limit=12)
    for g in groups:
        g["citations"] = police_citations(g["citations"])
    name = station or (f"{facts.region}公安局（派出所）" if facts.region else "＿＿＿＿公安局＿＿＿＿派出所")
    to = Recipient("police", name, "拨打 110 报警，或携带本材料及原始证据到所在地派出所报案",
                   "威胁、公然侮辱、冒充公检法、上门滋扰、散布隐私、诈骗等行为由公安机关处理")
    when = today or datetime.now()
    conduct = suspected_conduct(report)
    text = render("police.txt.j2", r=report, f=facts, to=to, groups=groups, conduct=conduct,
                  date=date_zh(when),
                  lender=facts.lender or facts.platform or "贷款机构")
    title = "报案材料"
    return Letter(kind="police", title=title, recipient=to, text=text.strip("\n") + "\n",
                  attachments=report.evidence, recipients=[to], case_id=report.case_id)
