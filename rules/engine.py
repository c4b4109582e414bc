"""The rule engine: compiles the YAML packs once, scans normalized text, yields `Finding`s.

Keywords and regex anchors go into Aho-Corasick automata (one for the ``norm`` view, one for the
homophone view), so a message costs two automaton passes plus the few regexes whose anchors occurred.
Every candidate then passes the context checks (negation, lawful vetoes, required context, word
boundaries) before it becomes a finding; a debug scan also returns vetoed candidates with the reason.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import ahocorasick

from rules.findings import Finding
from rules.legal import load_catalog
from rules.normalize import (
    CLAUSE_BREAKS,
    SENTENCE_BREAKS,
    NormalizedText,
    normalize,
    normalize_phrase,
    to_homophones,
)
from rules.schema import ContextPack, Rule, RulePack, load_yaml_model

PACKS_DIR = Path(__file__).parent / "packs"
CONTEXT_FILE = "_context.yaml"
_ASCII_LETTER = re.compile(r"[a-z]")


_REGEX_META = set(".^$*+?{}[]\\|()")


def _leading_literals(pattern: str) -> set[str] | None:
    """The literal alternatives a pattern must start with: a leading ``(?:a|b|c)`` group, or a plain literal
    prefix (followed by something other than a quantifier); None when the pattern starts otherwise."""
    if not pattern.startswith("(?:"):
        k = 0
        while k < len(pattern) and pattern[k] not in _REGEX_META:
            k += 1
        if k == 0 or (k < len(pattern) and pattern[k] in "*+?{"):
            return None
        return {pattern[:k]}
    depth = 0
    for i, ch in enumerate(pattern):
        if ch == "(" and (i == 0 or pattern[i - 1] != "\\"):
            depth += 1
        elif ch == ")" and pattern[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                inner = pattern[3:i]
                alternatives = inner.split("|")
                if all(a and re.escape(a) == a for a in alternatives):
                    return set(alternatives)
                return None
    return None


def _gap_regex(parts: list[list[str]], max_gap: int) -> str:
    sep = rf"[^。！？；!?;\n]{{0,{max_gap}}}?"
    return sep.join("(?:" + "|".join(re.escape(normalize_phrase(w)) for w in part) + ")" for part in parts)


class _CompiledRule:
    def __init__(self, rule: Rule, label: str) -> None:
        self.rule = rule
        self.label = label
        # Patterns that begin with exactly the rule's anchors are tried only AT the anchor occurrences (like
        # gaps); the others are joined into one alternation: one pass over the text instead of one each.
        anchors = {normalize_phrase(a) for a in rule.anchors}
        anchored = [p for p in rule.patterns if _leading_literals(p) == anchors]
        free = [p for p in rule.patterns if p not in anchored]
        self.anchored = re.compile("|".join(f"(?:{p})" for p in anchored)) if anchored else None
        self.patterns = [re.compile("|".join(f"(?:{p})" for p in free))] if free else []
        self.gaps = [re.compile(_gap_regex(g, rule.max_gap)) for g in rule.gaps]
        self.vetoes = [normalize_phrase(v) for v in rule.vetoes]
        self.requires = [normalize_phrase(w) for w in rule.requires.words] if rule.requires else []


@dataclass(slots=True)
class Candidate:
    """A raw match before context checks, in ``norm`` coordinates."""

    compiled: _CompiledRule
    start: int
    end: int
    view: str
    form: str

    @property
    def rule(self) -> Rule:
        """The pack rule behind this candidate."""
        return self.compiled.rule

    @property
    def label(self) -> str:
        """The label of the rule's pack."""
        return self.compiled.label


_CLAUSE_BREAK_RE = re.compile("[" + re.escape("".join(sorted(CLAUSE_BREAKS))) + "]")
NEGATION_LOOKBACK = 24  # characters of the clause before a match searched for negation cues


def _alternation(phrases: list[str]) -> re.Pattern[str]:
    """One regex matching any of the (normalized) phrases, longest first."""
    words = sorted({normalize_phrase(p) for p in phrases}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


class _Breaks:
    """Clause and sentence boundaries of one normalized text, found once and looked up by bisection."""

    def __init__(self, norm: str) -> None:
        self.length = len(norm)
        self.clause = [m.start() for m in _CLAUSE_BREAK_RE.finditer(norm)]
        self.sentence_pos = [i for i in self.clause if norm[i] in SENTENCE_BREAKS]

    def clause_start(self, start: int) -> int:
        """Index just after the last clause break before ``start`` (0 if none)."""
        k = bisect_left(self.clause, start)
        return self.clause[k - 1] + 1 if k else 0

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around ``[start, end)``, without its closing punctuation."""
        k = bisect_left(self.sentence_pos, start)
        s = self.sentence_pos[k - 1] + 1 if k else 0
        k2 = bisect_left(self.sentence_pos, end)
        e = self.sentence_pos[k2] if k2 < len(self.sentence_pos) else self.length
        return s, e


@dataclass
class ScanResult:
    """Findings, plus (in debug mode) candidates vetoed by context, with reasons."""

    findings: list[Finding]
    vetoed: list[dict] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)  # debug: every rule that produced a finding before merging


class RuleEngine:
    """Compiled rule packs; `scan` finds violations in one text."""

    def __init__(self, packs: list[RulePack], context: ContextPack) -> None:
        self.packs = packs
        self.context = context
        self.compiled: list[_CompiledRule] = []
        self._norm_ac = ahocorasick.Automaton()
        self._hom_ac = ahocorasick.Automaton()
        norm_words: dict[str, list] = {}
        hom_words: dict[str, list] = {}
        for pack in packs:
            for rule in pack.rules:
                idx = len(self.compiled)
                self.compiled.append(_CompiledRule(rule, pack.label))
                for kw in rule.keywords:
                    norm_words.setdefault(normalize_phrase(kw), []).append(("kw", idx, 0))
                for kw in rule.homophone_keywords:
                    nkw = normalize_phrase(kw)
                    norm_words.setdefault(nkw, []).append(("kw", idx, 0))
                    hom_words.setdefault(to_homophones(nkw), []).append(("kw", idx, 0))
                for anchor in rule.anchors:
                    norm_words.setdefault(normalize_phrase(anchor), []).append(("anchor", idx, 0))
                for gi, gap in enumerate(rule.gaps):
                    for first in gap[0]:
                        norm_words.setdefault(normalize_phrase(first), []).append(("gap", idx, gi))
        for word, payload in norm_words.items():
            self._norm_ac.add_word(word, (word, payload))
        for word, payload in hom_words.items():
            self._hom_ac.add_word(word, (word, payload))
        self._norm_ac.make_automaton()
        if hom_words:
            self._hom_ac.make_automaton()
        self._has_hom = bool(hom_words)
        self._neg_re = _alternation(context.negation_cues)
        self._pseudo_re = _alternation(context.pseudo_negations) if context.pseudo_negations else None
        self._flip_re = _alternation(context.flip_cues or ["\uffff"])
        self._catalog = load_catalog()
        self._tokenizer = None

    # ---- candidate generation -------------------------------------------------
    def _candidates(self, nt: NormalizedText) -> list[Candidate]:
        """Keyword hits directly; gap patterns tried only where their first part occurs; regex patterns
        only in texts where one of their anchors occurs."""
        out: list[Candidate] = []
        seen: set[tuple[int, int, int]] = set()
        pattern_rules: set[int] = set()
        norm = nt.norm
        compiled = self.compiled

        def add(idx: int, start: int, stop: int, view: str, form: str) -> None:
            if stop > start and (idx, start, stop) not in seen:
                seen.add((idx, start, stop))
                out.append(Candidate(compiled[idx], start, stop, view, form))

        for end, (word, payload) in self._norm_ac.iter(norm):
            start = end + 1 - len(word)
            for kind, idx, gi in payload:
                if kind == "kw":
                    add(idx, start, end + 1, "norm", word)
                elif kind == "gap":
                    m = compiled[idx].gaps[gi].match(norm, start)
                    if m:
                        add(idx, start, m.end(), "norm", m.group())
                else:
                    anchored = compiled[idx].anchored
                    if anchored is not None:
                        m = anchored.match(norm, start)
                        if m:
                            add(idx, start, m.end(), "norm", m.group())
                    if compiled[idx].patterns:
                        pattern_rules.add(idx)
        if self._has_hom:
            for end, (word, payload) in self._hom_ac.iter(nt.hom):
                start, stop = nt.hom_to_norm(end + 1 - len(word), end + 1)
                for _, idx, _ in payload:
                    add(idx, start, stop, "hom", norm[start:stop])
        for idx in pattern_rules:
            for rx in compiled[idx].patterns:
                for m in rx.finditer(norm):
                    add(idx, m.start(), m.end(), "norm", m.group())
        return out

    # ---- context checks -------------------------------------------------------
    def _negated(self, norm: str, cand: Candidate, breaks: _Breaks) -> str | None:
        clause_start = max(breaks.clause_start(cand.start), cand.start - NEGATION_LOOKBACK)
        prefix = norm[clause_start:cand.start]
        if not prefix or self._flip_re.search(prefix):
            return None
        if self._pseudo_re is not None:
            prefix = self._pseudo_re.sub(lambda m: "#" * len(m.group()), prefix)
        last = None
        for m in self._neg_re.finditer(prefix):
            last = m
        if last is not None and len(prefix) - last.end() <= cand.rule.negation_window:
            return last.group()
        return None

    def _word_aligned(self, norm: str, cand: Candidate, breaks: _Breaks) -> bool:
        if self._tokenizer is None:
            import jieba

            jieba.setLogLevel(60)
            self._tokenizer = jieba.Tokenizer()
        sent_start, sent_end = breaks.sentence(cand.start, cand.end)
        cuts = {sent_start}
        pos = sent_start
        for tok in self._tokenizer.cut(norm[sent_start:sent_end], HMM=False):
            pos += len(tok)
            cuts.add(pos)
        return cand.start in cuts and cand.end in cuts

    def _check(self, nt: NormalizedText, cand: Candidate, breaks: _Breaks) -> str | None:
        """Return the veto reason, or None when the candidate stands (cheap checks first)."""
        norm = nt.norm
        rule = cand.rule
        compiled = cand.compiled
        if cand.form.isascii() and _ASCII_LETTER.search(cand.form):
            before = norm[cand.start - 1] if cand.start > 0 else ""
            after = norm[cand.end] if cand.end < len(norm) else ""
            if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                return "latin word boundary"
        if compiled.vetoes or compiled.requires:
            s_start, s_end = breaks.sentence(cand.start, cand.end)
            sentence = norm[s_start:s_end]
            for veto in compiled.vetoes:
                if veto in sentence:
                    return f"lawful exception {veto!r}"
            if compiled.requires:
                lo = max(s_start, cand.start - rule.requires.window)
                hi = min(s_end, cand.end + rule.requires.window)
                around = norm[lo:hi]
                if not any(w in around for w in compiled.requires):
                    return "required context missing"
        if rule.negation:
            cue = self._negated(norm, cand, breaks)
            if cue:
                return f"negated by {cue!r}"
        if rule.word_boundary and not self._word_aligned(norm, cand, breaks):
            return "not a whole word"
        return None

    # ---- public API ------------------------------------------------------------
    def scan(self, text: str, *, debug: bool = False, normalized: NormalizedText | None = None,
             when: date | None = None) -> ScanResult:
        """Find rule violations in ``text``; offsets refer to the original string.

        ``when`` is the date of the conduct, used to cite the law in force then.
        """
        nt = normalized or normalize(text)
        findings: list[Finding] = []
        vetoed: list[dict] = []
        candidates = self._candidates(nt)
        breaks = _Breaks(nt.norm) if candidates else None
        for cand in candidates:
            reason = self._check(nt, cand, breaks)
            start, end = nt.norm_to_original(cand.start, cand.end)
            if reason:
                if debug:
                    vetoed.append({"rule_id": cand.rule.id, "label": cand.label, "start": start, "end": end,
                                   "quote": text[start:end], "reason": reason})
                continue
            findings.extend(self._to_findings(text, cand, start, end, when))
        fired = {f.rule_id for f in findings} if debug else set()
        return ScanResult(_dedupe(findings), vetoed, fired)

    def _to_findings(self, text: str, cand: Candidate, start: int, end: int,
                     when: date | None) -> list[Finding]:
        rule = cand.rule
        how = "同音/拼音变体" if cand.view == "hom" else "关键词/模式"
        out = []
        for label in (cand.label, *rule.also_labels):
            basis = self._basis(tuple(rule.legal_basis), label, when)
            out.append(Finding(
                label=label, start=start, end=end, quote=text[start:end], source="rule", rule_id=rule.id,
                confidence=rule.confidence, severity=rule.severity, legal_basis=list(basis),
                explanation=f"{rule.description}（{how}命中：{cand.form}）", matched_form=cand.form,
            ))
        return out

    @lru_cache(maxsize=4096)  # noqa: B019 - one engine per process; bounded
    def _basis(self, ids: tuple[str, ...], label: str, when: date | None) -> list[str]:
        return self._catalog.resolve(ids, when) if ids else self._catalog.for_label(label, when)

    def rules(self) -> list[tuple[str, Rule]]:
        """All (label, rule) pairs in pack order."""
        return [(c.label, c.rule) for c in self.compiled]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Keep one finding per label and overlapping span: the most confident, then the longest."""
    findings.sort(key=lambda f: (f.label, -f.confidence, -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in findings:
        if any(k.label == f.label and k.start < f.end and f.start < k.end for k in kept):
            continue
        kept.append(f)
    kept.sort(key=lambda f: (f.start, f.label))
    return kept


def load_packs(directory: Path = PACKS_DIR) -> tuple[list[RulePack], ContextPack]:
    """Load every ``*.yaml`` pack in ``directory``; rule ids must be unique across packs."""
    context = load_yaml_model(directory / CONTEXT_FILE, ContextPack)
    packs = [load_yaml_model(p, RulePack) for p in sorted(directory.glob("*.yaml")) if p.name != CONTEXT_FILE]
    ids: set[str] = set()
    for pack in packs:
        for rule in pack.rules:
            if rule.id in ids:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            ids.add(rule.id)
    return packs, context


@lru_cache(maxsize=4)
def get_engine(directory: str | None = None) -> RuleEngine:
    """The engine for the built-in packs (or a directory), compiled once per process."""
    packs, context = load_packs(Path(directory) if directory else PACKS_DIR)
    return RuleEngine(packs, context)
