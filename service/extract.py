"""Case facts from the evidence texts: phone numbers, claimed organisations and identities, amounts, dates.

Patterns are deliberately simple and conservative: the report lists what was found with the item it came
from, and the user confirms it before filing. Never `\\b` on Chinese text: digits are bounded by look-arounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_NOT_DIGIT_BEFORE = r"(?<![0-9０-９])"
_NOT_DIGIT_AFTER = r"(?![0-9０-９])"
_SEP = r"[-\s ]?"
PHONE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mobile", re.compile(_NOT_DIGIT_BEFORE + r"(?:\+?86" + _SEP + r")?(1[3-9]\d" + _SEP + r"\d{4}" + _SEP
                          + r"\d{4})" + _NOT_DIGIT_AFTER)),
    ("service", re.compile(_NOT_DIGIT_BEFORE + r"((?:400|800)" + _SEP + r"\d{3}" + _SEP + r"\d{4})"
                           + _NOT_DIGIT_AFTER)),
    ("landline", re.compile(_NOT_DIGIT_BEFORE + r"(0\d{2,3}-\d{7,8})" + _NOT_DIGIT_AFTER)),
    ("short", re.compile(_NOT_DIGIT_BEFORE + r"(95\d{3,4}|106\d{5,17})" + _NOT_DIGIT_AFTER + r"(?!\s*[元块万.])")),
)
# Characters that never sit inside an organisation's name (function words, punctuation, digits).
_NAME_CHARS = (r"[^\s，。！？、；：,.!?;:“”\"'‘’（）()【】\[\]<>《》0-9０-９a-zA-Z"
               r"是的我你他她们在和与受由给被了把将向对请您就要会已再还不到]")
ORG_SUFFIXES: tuple[str, ...] = (
    "律师事务所", "律所", "法律服务所", "法务部", "法务中心", "调解中心", "调解委员会", "仲裁委员会", "仲裁委",
    "人民法院", "法院", "检察院", "公安局", "派出所", "资产管理有限公司", "资产管理公司", "信息咨询有限公司",
    "信息咨询公司", "商务咨询有限公司", "催收公司", "外包公司", "小额贷款有限公司", "小额贷款公司",
    "消费金融有限公司", "消费金融公司", "融资担保有限公司", "科技有限公司", "网络科技有限公司", "金融服务有限公司",
    "银行", "信用卡中心", "有限公司",
)
ORG_RE = re.compile(_NAME_CHARS + "{2,16}?(?:"
                    + "|".join(sorted(map(re.escape, ORG_SUFFIXES), key=len, reverse=True)) + ")")
SIGNATURE_RE = re.compile(r"【([^【】\s]{2,20})】")
IDENTITY_RE = re.compile(
    r"(?:我是|我们是|本人是|这里是|这边是|我这边是|我司是|我方是|我们这里是)([^，。！？,.!?\s]{2,24})")
PERSON_TITLE_RE = re.compile(r"(?:我(?:是|姓)|本人)([\u4e00-\u9fff]{1,3}?)"
                             r"(律师|法官|警官|经理|专员|主管|组长|调解员|法务)")
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
AMOUNT_RE = re.compile(
    r"(?:人民币|[¥￥])?\s*(" + r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?" + r"|[" + _CN_NUM + r"]{1,8}"
    + r")\s*(万元|元|块钱|块|万)")
AMOUNT_PREFIX_RE = re.compile(r"([¥￥])\s*(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)" + _NOT_DIGIT_AFTER)
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(_NOT_DIGIT_BEFORE + r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
    re.compile(_NOT_DIGIT_BEFORE + r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _NOT_DIGIT_AFTER),
    re.compile(_NOT_DIGIT_BEFORE + r"()(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
)


@dataclass
class FactHit:
    """One extracted value and the evidence items it appears in."""

    value: str
    kind: str = ""
    sources: list[int] = field(default_factory=list)
    count: int = 0


@dataclass
class CaseFacts:
    """Facts gathered across all texts of a case, each with the items it came from."""

    phones: list[FactHit] = field(default_factory=list)
    organisations: list[FactHit] = field(default_factory=list)
    identities: list[FactHit] = field(default_factory=list)
    amounts: list[FactHit] = field(default_factory=list)
    dates: list[FactHit] = field(default_factory=list)


def _digits(s: str) -> str:
    return re.sub(r"[^\d-]", "", s.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def extract_phones(text: str) -> list[tuple[str, str]]:
    """(number, kind) pairs in reading order; mobile numbers lose separators and the +86 prefix."""
    spans: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PHONE_PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span(1)
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            number = _digits(m.group(1))
            spans.append((s, number.replace("-", "") if kind in ("mobile", "service") else number, kind))
    return [(n, k) for _, n, k in sorted(spans)]


def extract_organisations(text: str) -> list[str]:
    """Names of agencies, law firms, courts and companies, plus SMS signatures such as 【某某金融】."""
    out = [m.group(1) for m in SIGNATURE_RE.finditer(text)]
    out += [m.group(0) for m in ORG_RE.finditer(text)]
    return out


def extract_identities(text: str) -> list[str]:
    """What the writer says they are: "我是XX律所的张律师", "这里是XX法院" → the claimed identity."""
    out = [m.group(1).rstrip("的") for m in IDENTITY_RE.finditer(text)]
    out += [m.group(1) + m.group(2) for m in PERSON_TITLE_RE.finditer(text)]
    return out


def extract_amounts(text: str) -> list[str]:
    """Money amounts as written ("5000元", "¥1,200.50", "两万块")."""
    out = [(m.start(), m.group(0).strip()) for m in AMOUNT_RE.finditer(text)]
    covered = [m.span() for m in AMOUNT_RE.finditer(text)]
    for m in AMOUNT_PREFIX_RE.finditer(text):
        if not any(s <= m.start() < e for s, e in covered):
            out.append((m.start(), m.group(0).strip()))
    return [v for _, v in sorted(out)]


def extract_dates(text: str) -> list[str]:
    """Calendar dates written in the text, as ISO ``YYYY-MM-DD`` (or ``MM-DD`` without a year)."""
    out: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            year, month, day = m.group(1), int(m.group(2)), int(m.group(3))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            taken.append(m.span())
            out.append((m.start(), f"{year}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"))
    return [v for _, v in sorted(out)]


def _add(bucket: dict[str, FactHit], value: str, source: int, kind: str = "") -> None:
    hit = bucket.setdefault(value, FactHit(value=value, kind=kind))
    hit.count += 1
    if source not in hit.sources:
        hit.sources.append(source)


def gather_facts(texts: Iterable[tuple[int, str]], numbers: Iterable[tuple[int, str]] = ()) -> CaseFacts:
    """Facts over ``(evidence_seq, text)`` pairs; ``numbers`` are sender numbers from metadata (message "from",
    contact logs) and count as collector numbers."""
    phones: dict[str, FactHit] = {}
    orgs: dict[str, FactHit] = {}
    ids: dict[str, FactHit] = {}
    amounts: dict[str, FactHit] = {}
    dates: dict[str, FactHit] = {}
    for seq, number in numbers:
        number = number.strip()
        if number:
            kind = "sender"
            found = extract_phones(number)
            _add(phones, found[0][0] if found else number, seq, kind)
    for seq, text in texts:
        for number, kind in extract_phones(text):
            _add(phones, number, seq, kind)
        for org in extract_organisations(text):
            _add(orgs, org, seq)
        for identity in extract_identities(text):
            _add(ids, identity, seq)
        for amount in extract_amounts(text):
            _add(amounts, amount, seq)
        for d in extract_dates(text):
            _add(dates, d, seq)
    return CaseFacts(phones=list(phones.values()), organisations=list(orgs.values()), identities=list(ids.values()),
                     amounts=list(amounts.values()), dates=sorted(dates.values(), key=lambda h: h.value))
