"""Who is speaking: collector, debtor, other or unknown, from the speaker label or from what each one says.

The lexicons below are data: extend them by adding words. A label is read by its longest known word
(``客户经理`` is staff, ``客户`` a debtor); a bare label (A/B, 说话人1, 甲/乙) is decided by scoring what
that speaker says against collector cues (账单, 逾期, 我们平台, 请问是…吗) and debtor cues (我没钱, 别打了, 你们).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

COLLECTOR, DEBTOR, OTHER, UNKNOWN = "collector", "debtor", "other", "unknown"
ROLES: tuple[str, ...] = (COLLECTOR, DEBTOR, OTHER, UNKNOWN)
CALLEE = "callee"  # a label such as 接听人: the debtor unless what they say shows a third party

LABEL_LEXICON: dict[str, str] = {
    **dict.fromkeys(["催收员", "催收", "催收专员", "坐席", "座席", "客服", "专员", "客户经理", "贷后", "律师", "法务",
                     "调解员", "业务员", "工作人员", "外呼", "机器人", "智能客服", "ai客服", "经理", "主管", "组长",
                     "银行", "平台", "机构", "工号", "agent", "collector", "staff", "operator"], COLLECTOR),
    **dict.fromkeys(["客户", "借款人", "借款方", "用户", "本人", "债务人", "欠款人", "持卡人", "来电客户", "当事人",
                     "先生", "女士", "debtor", "customer", "borrower", "client"], DEBTOR),
    **dict.fromkeys(["家属", "联系人", "紧急联系人", "亲属", "同事", "朋友", "配偶", "妻子", "丈夫", "老婆", "老公",
                     "母亲", "父亲", "妈妈", "爸爸", "儿子", "女儿", "哥哥", "姐姐", "弟弟", "妹妹", "领导", "老板",
                     "第三方", "第三人", "担保人", "family", "contact", "third party"], OTHER),
    **dict.fromkeys(["接听人", "接听方", "接听者", "对方", "被叫方"], CALLEE),
}
_LEXICON_BY_LENGTH = sorted(LABEL_LEXICON, key=len, reverse=True)
BARE_LABEL = re.compile(r"^(?:[a-z]|[甲乙丙丁]|(?:说话人|发言人|讲话人|角色|通话方|声道|speaker|spk|channel|ch|s)"
                        r"[\s_\-#]*\d{1,2}|主叫|被叫|主叫方)$")

COLLECTOR_CUES: tuple[str, ...] = (
    r"你的(?:账单|借款|欠款|贷款|信用卡|分期|额度|账户|合同|还款)", r"逾期", r"还款", r"应还", r"欠款", r"本金",
    r"利息", r"罚息", r"违约金", r"滞纳金", r"征信", r"我们(?:公司|平台|这边|机构|中心|银行)", r"平台", r"请你",
    r"这边是", r"这里是",
    r"我是.{0,14}?(?:客服|专员|工作人员|坐席|律师|催收|贷后|法务|调解|中心|公司|平台|民警|警官|法院)",
    r"工号", r"请问(?:你)?是.{1,8}?(?:吗|本人)", r"(?:先生|女士)你好", r"合同", r"催收", r"贷后", r"核实",
    r"协商", r"减免", r"配合", r"立案", r"传票", r"起诉", r"保证金", r"转到", r"打扰",
)
DEBTOR_CUES: tuple[str, ...] = (
    r"没钱", r"我会还", r"我(?:一定|肯定|尽快|马上|下个月|月底)(?:会)?还", r"我还(?:不上|不起|了|过了)", r"你们",
    r"别(?:再)?打", r"不要再打", r"手头", r"工资", r"宽限", r"再给我", r"哪位", r"什么事", r"^是我", r"你是谁",
    r"骗子", r"报警", r"110", r"投诉", r"高利贷", r"我知道", r"失业", r"生病", r"住院", r"打错了", r"滚",
    r"烦不烦", r"凭什么", r"我不管", r"^喂[？?。]?$",
)
OTHER_CUES: tuple[str, ...] = (
    r"我不是(?:他|本人)", r"打错了", r"不认识", r"他是我(?:的)?",
    r"我是他(?:的)?(?:妈|爸|老婆|老公|家人|同事|朋友|姐|哥|弟|妹)",
    r"转告", r"他(?:个人|自己)的事", r"跟我(?:说|有什么关系|没关系)", r"他(?:不在|出去|出门|出差|出外勤|今天不在)",
    r"你找他", r"我只是他",
)
_COLLECTOR_RX = [re.compile(p) for p in COLLECTOR_CUES]
_DEBTOR_RX = [re.compile(p) for p in DEBTOR_CUES]
_OTHER_RX = [re.compile(p) for p in OTHER_CUES]


class SpokenTurn(Protocol):
    """What role inference needs from a turn."""

    speaker: str
    text: str


@dataclass
class SpeakerRoles:
    """The role of every speaker, how it was decided, and the cue scores for bare labels."""

    roles: dict[str, str]
    method: dict[str, str]
    scores: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def role(self, speaker: str) -> str:
        """The role of one speaker (``unknown`` for a label never seen)."""
        return self.roles.get(speaker, UNKNOWN)


def normalize_label(label: str) -> str:
    """Width-folded, lower-case, trimmed label with 您 read as 你 (ＡＢ → ab)."""
    return unicodedata.normalize("NFKC", label).strip().lower().replace("您", "你")


def role_from_label(label: str) -> str | None:
    """Role named by the label itself (collector/debtor/other/callee), or None for a bare or unknown label."""
    norm = normalize_label(label)
    if not norm or BARE_LABEL.match(norm):
        return None
    for word in _LEXICON_BY_LENGTH:
        if norm.startswith(word):
            return LABEL_LEXICON[word]
    hits = [(norm.find(w), -len(w), w) for w in _LEXICON_BY_LENGTH if w in norm]
    return LABEL_LEXICON[min(hits)[2]] if hits else None


def is_bare_label(label: str) -> bool:
    """True for labels that say nothing about the role: A/B, 甲/乙, 说话人1, Speaker 2, 主叫/被叫."""
    return bool(BARE_LABEL.match(normalize_label(label)))


def is_known_speaker_label(label: str) -> bool:
    """A label that certainly names a speaker (a role word or a bare speaker label)."""
    return is_bare_label(label) or role_from_label(label) is not None


def _count(patterns: list[re.Pattern[str]], texts: list[str]) -> int:
    return sum(1 for text in texts for rx in patterns if rx.search(text))


def _cue_scores(turns: Sequence[SpokenTurn]) -> dict[str, dict[str, int]]:
    by_speaker: dict[str, list[str]] = {}
    for turn in turns:
        by_speaker.setdefault(turn.speaker, []).append(normalize_label(turn.text).replace("她", "他"))
    return {spk: {COLLECTOR: _count(_COLLECTOR_RX, texts), DEBTOR: _count(_DEBTOR_RX, texts),
                  OTHER: _count(_OTHER_RX, texts)} for spk, texts in by_speaker.items()}


def _match_override(collector: str, speakers: list[str]) -> list[str]:
    exact = [s for s in speakers if s == collector]
    if exact:
        return exact
    wanted = normalize_label(collector).replace(" ", "")
    folded = [s for s in speakers if normalize_label(s).replace(" ", "") == wanted]
    if folded:
        return folded
    return [s for s in speakers if normalize_label(s).replace(" ", "").startswith(wanted)]


def infer_roles(turns: Sequence[SpokenTurn], collector: str | None = None) -> SpeakerRoles:
    """Assign a role to every speaker in ``turns``.

    ``collector`` (the ``--collector`` option) names the collector's speaker label and overrides inference;
    it raises ``ValueError`` when no speaker matches. Otherwise labels decide where they can, and bare labels
    are decided by cue scores; a tie leaves the speakers ``unknown`` with a warning.
    """
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    scores = _cue_scores(turns)
    roles: dict[str, str] = {}
    method: dict[str, str] = {}
    warnings: list[str] = []
    if collector is not None:
        chosen = _match_override(collector, speakers)
        if not chosen:
            raise ValueError(f"--collector {collector!r} is not a speaker in this transcript; "
                             f"speakers: {', '.join(speakers)}")
        for spk in chosen:
            roles[spk], method[spk] = COLLECTOR, "override"
    for spk in speakers:
        if spk in roles:
            continue
        by_label = role_from_label(spk)
        if by_label == COLLECTOR and collector is not None:
            by_label = None  # the override names the collector; other staff-looking labels are decided by content
        if by_label == CALLEE:
            roles[spk] = OTHER if scores[spk][OTHER] else DEBTOR
            method[spk] = "label+content"
        elif by_label is not None:
            roles[spk], method[spk] = by_label, "label"
    _decide_by_content([s for s in speakers if s not in roles], roles, method, scores, warnings)
    return SpeakerRoles(roles, method, scores, warnings)


def _decide_by_content(bare: list[str], roles: dict[str, str], method: dict[str, str],
                       scores: dict[str, dict[str, int]], warnings: list[str]) -> None:
    if not bare:
        return
    if COLLECTOR not in roles.values():
        net = {s: scores[s][COLLECTOR] - scores[s][DEBTOR] for s in bare}
        ranked = sorted(bare, key=lambda s: net[s], reverse=True)
        top = ranked[0]
        runner_up = net[ranked[1]] if len(ranked) > 1 else 0
        if net[top] > 0 and net[top] > runner_up:
            roles[top], method[top] = COLLECTOR, "content"
            bare = ranked[1:]
        else:
            warnings.append("could not tell which speaker is the collector (" + ", ".join(bare)
                            + "); pass --collector SPEAKER")
            for spk in bare:
                roles[spk], method[spk] = UNKNOWN, "content"
            return
    if not bare:
        return
    if DEBTOR in roles.values():
        for spk in bare:
            roles[spk], method[spk] = OTHER, "content"
        return
    debtor = max(bare, key=lambda s: (scores[s][DEBTOR] - scores[s][OTHER], -bare.index(s)))
    for spk in bare:
        roles[spk] = DEBTOR if spk == debtor else OTHER
        method[spk] = "content"
