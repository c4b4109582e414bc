"""Which body a complaint goes to, from the lender type (see shared legal_basis.md: where a victim reports)."""

from __future__ import annotations

from service.reports.letter import Recipient
from service.reports.model import Facts

LENDER_TYPES: tuple[str, ...] = ("bank", "credit_card", "consumer_finance", "microloan", "online_platform", "other")
RECIPIENT_IDS: tuple[str, ...] = ("lender", "nfra", "local_regulator", "nifa")
_NAME_HINTS: tuple[tuple[str, str], ...] = (
    ("信用卡", "credit_card"), ("银行", "bank"), ("消费金融", "consumer_finance"), ("小额贷款", "microloan"),
    ("小贷", "microloan"),
)


def infer_lender_type(facts: Facts) -> str:
    """The lender type the user gave, else one guessed from the lender's or platform's name, else ``other``."""
    if facts.lender_type in LENDER_TYPES:
        return facts.lender_type
    names = f"{facts.lender} {facts.platform}"
    for hint, kind in _NAME_HINTS:
        if hint in names:
            return kind
    return "other"


def recipient(rid: str, facts: Facts) -> Recipient:
    """One addressee, its channel and why it is the right one."""
    lender = facts.lender or facts.platform or "贷款机构"
    region = facts.region
    if rid == "lender":
        return Recipient("lender", f"{lender}客户服务部门", "平台App内在线客服、官方客服热线或官方投诉邮箱",
                         "应首先要求贷款机构停止其委外催收人员的违规行为并书面答复")
    if rid == "nfra":
        name = f"国家金融监督管理总局{region}监管局" if region else "国家金融监督管理总局"
        return Recipient("nfra", name, "银行保险消费者投诉维权热线 12378，或国家金融监督管理总局官方网站",
                         "商业银行、信用卡中心、消费金融公司由国家金融监督管理总局及其派出机构监管")
    if rid == "local_regulator":
        name = f"{region}地方金融管理局" if region else "（所在地）地方金融管理局"
        return Recipient("local_regulator", name, "当地地方金融管理部门官方网站或投诉热线",
                         "小额贷款公司等地方持牌机构由所在地地方金融管理部门监管")
    if rid == "nifa":
        return Recipient("nifa", "中国互联网金融协会", "中国互联网金融举报信息平台（协会官方网站）",
                         "会员平台及其委外催收机构受《互联网金融逾期债务催收自律公约（试行）》约束")
    raise ValueError(f"unknown recipient {rid!r}; expected one of {', '.join(RECIPIENT_IDS)}")


def recommended(facts: Facts, nifa_member: bool = False) -> list[Recipient]:
    """Addressees in the order to use them: the lender first, then its regulator, then the association."""
    kind = infer_lender_type(facts)
    ids = ["lender"]
    if kind in ("bank", "credit_card", "consumer_finance"):
        ids.append("nfra")
    elif kind == "microloan":
        ids.append("local_regulator")
    if nifa_member or kind == "online_platform":
        ids.append("nifa")
    return [recipient(i, facts) for i in ids]


def default_recipient(facts: Facts, nifa_member: bool = False) -> Recipient:
    """The regulator when the lender type names one, else the lender's own customer service."""
    recs = recommended(facts, nifa_member)
    return recs[1] if len(recs) > 1 else recs[0]
