"""The complaint letter (投诉信) to the lender, its regulator or the industry association."""

from __future__ import annotations

from datetime import datetime

from service.reports.letter import Letter, group_findings
from service.reports.model import Report, date_zh
from service.reports.recipients import default_recipient, recipient, recommended
from service.reports.templates import render

REQUESTS: dict[str, str] = {
    "third_party_contact": "立即停止联系与借款无关的第三人，停止使用本人通讯录等个人信息进行催收；",
    "privacy_exposure": "立即停止公开、散布本人借款信息及个人信息，删除已发布的相关内容；",
    "illegal_fees": "核查并纠正合同约定以外的收费，停止收取任何不当费用；",
    "suspicious_payment": "核实上述要求向个人账户或非官方渠道付款的行为，明确官方还款渠道；",
    "impersonation_false_authority": "核查催收人员冒充司法机关、律师或作出虚假法律陈述的行为；",
    "harassment_frequency": "规范催收时间与频次，停止夜间及高频骚扰；",
    "home_visit_stalking": "立即停止上门恐吓、跟踪等行为；",
}


def build_complaint(report: Report, to: str | None = None, *, nifa_member: bool = False,
                    today: datetime | None = None) -> Letter:
    """A formal complaint addressed to ``to`` (lender | nfra | local_regulator | nifa; default: the regulator)."""
    facts = report.facts
    addressee = recipient(to, facts) if to else default_recipient(facts, nifa_member)
    groups = group_findings(report)
    requests = ["责令相关机构立即停止上述违规催收行为，并对其委托的催收机构及人员依法依规处理；"]
    requests += [REQUESTS[g["label"]] for g in groups if g["label"] in REQUESTS]
    requests.append("将调查处理结果书面告知投诉人。")
    when = today or datetime.now()
    text = render("complaint.txt.j2", r=report, f=facts, to=addressee, groups=groups, requests=requests,
                  user_requests=facts.requests, date=date_zh(when), lender=facts.lender or facts.platform or "贷款机构")
    title = f"关于{facts.platform or facts.lender or '贷款平台'}违规催收行为的投诉信"
    return Letter(kind="complaint", title=title, recipient=addressee, text=text.strip("\n") + "\n",
                  attachments=report.evidence, recipients=recommended(facts, nifa_member), case_id=report.case_id)
