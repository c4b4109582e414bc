"""The rule engine: compiles the YAML packs once, scans normalized text, yields `Finding`s.

Keywords and regex anchors go into Aho-Corasick automata (one for the ``norm`` view, one for the
homophone view), so a message costs two automaton passes plus the few regexes whose anchors occurred.
Every candidate then passes the context checks (negation, lawful vetoes, required context, word
boundaries) before it becomes a finding; a debug scan also returns vetoed candidates with the reason.
"""

from __future__ import annotations

import re
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


def _gap_regex(parts: list[list[str]], max_gap: int) -> str:
    sep = rf"[^。！？；!?;\n]{{0,{max_gap}}}?"
    return sep.join("(?:" + "|".join(re.escape(normalize_phrase(w)) for w in part) + ")" for part in parts)


class _CompiledRule:
    def __init__(self, rule: Rule, label: str) -> None:
        self.rule = rule
        self.label = label
        regexes = list(rule.patterns) + [_gap_regex(g, rule.max_gap) for g in rule.gaps]
        self.regexes = [re.compile(p) for p in regexes]
        self.vetoes = [normalize_phrase(v) for v in rule.vetoes]
        self.requires = [normalize_phrase(w) for w in rule.requires.words] if rule.requires else []


@dataclass
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


@dataclass
class ScanResult:
    """Findings, plus (in debug mode) candidates vetoed by context, with reasons."""

    findings: list[Finding]
    vetoed: list[dict] = field(default_factory=list)


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
                    norm_words.setdefault(normalize_phrase(kw), []).append(("kw", idx))
                for kw in rule.homophone_keywords:
                    nkw = normalize_phrase(kw)
                    norm_words.setdefault(nkw, []).append(("kw", idx))
                    hom_words.setdefault(to_homophones(nkw), []).append(("kw", idx))
                anchors = list(rule.anchors) + [w for g in rule.gaps for w in g[0]]
                for anchor in anchors:
                    norm_words.setdefault(normalize_phrase(anchor), []).append(("anchor", idx))
        for word, payload in norm_words.items():
            self._norm_ac.add_word(word, (word, payload))
        for word, payload in hom_words.items():
            self._hom_ac.add_word(word, (word, payload))
        self._norm_ac.make_automaton()
        if hom_words:
            self._hom_ac.make_automaton()
        self._has_hom = bool(hom_words)
        self._neg = [normalize_phrase(c) for c in context.negation_cues]
        self._pseudo = [normalize_phrase(c) for c in context.pseudo_negations]
        self._flip = [normalize_phrase(c) for c in context.flip_cues]
        self._catalog = load_catalog()
        self._tokenizer = None

    # ---- candidate generation -------------------------------------------------
    def _candidates(self, nt: NormalizedText) -> list[Candidate]:
        out: list[Candidate] = []
        seen: set[tuple[int, int, int]] = set()
        regex_rules: set[int] = set()
        norm = nt.norm
        for end, (word, payload) in self._norm_ac.iter(norm):
            start = end + 1 - len(word)
            for kind, idx in payload:
                if kind == "anchor":
                    regex_rules.add(idx)
                elif (idx, start, end + 1) not in seen:
                    seen.add((idx, start, end + 1))
                    cr = self.compiled[idx]
                    out.append(Candidate(cr, start, end + 1, "norm", word))
        if self._has_hom:
            for end, (word, payload) in self._hom_ac.iter(nt.hom):
                hstart = end + 1 - len(word)
                start, stop = nt.hom_to_norm(hstart, end + 1)
                for _, idx in payload:
                    if (idx, start, stop) not in seen:
                        seen.add((idx, start, stop))
                        cr = self.compiled[idx]
                        out.append(Candidate(cr, start, stop, "hom", norm[start:stop]))
        for idx in sorted(regex_rules):
            cr = self.compiled[idx]
            for rx in cr.regexes:
                for m in rx.finditer(norm):
                    if m.end() > m.start() and (idx, m.start(), m.end()) not in seen:
                        seen.add((idx, m.start(), m.end()))
                        out.append(Candidate(cr, m.start(), m.end(), "norm", m.group()))
        return out

    # ---- context checks -------------------------------------------------------
    @staticmethod
    def _bounds(text: str, start: int, end: int, breaks: frozenset[str]) -> tuple[int, int]:
        s = start
        while s > 0 and text[s - 1] not in breaks:
            s -= 1
        e = end
        while e < len(text) and text[e] not in breaks:
            e += 1
        return s, e

    def _negated(self, norm: str, cand: Candidate) -> str | None:
        clause_start, _ = self._bounds(norm, cand.start, cand.end, CLAUSE_BREAKS)
        prefix = norm[clause_start:cand.start]
        for flip in self._flip:
            if flip in prefix:
                return None
        for pseudo in self._pseudo:
            prefix = prefix.replace(pseudo, "#" * len(pseudo))
        window = cand.rule.negation_window
        best = None
        for cue in self._neg:
            pos = prefix.rfind(cue)
            if pos >= 0 and len(prefix) - (pos + len(cue)) <= window:
                best = cue
                break
        return best

    def _word_aligned(self, norm: str, cand: Candidate) -> bool:
        if self._tokenizer is None:
            import jieba

            self._tokenizer = jieba.Tokenizer()
            self._tokenizer.setLogLevel(60)
        sent_start, sent_end = self._bounds(norm, cand.start, cand.end, SENTENCE_BREAKS)
        cuts = {sent_start}
        pos = sent_start
        for tok in self._tokenizer.cut(norm[sent_start:sent_end], HMM=False):
            pos += len(tok)
            cuts.add(pos)
        return cand.start in cuts and cand.end in cuts

    def _check(self, nt: NormalizedText, cand: Candidate) -> str | None:
        """Return the veto reason, or None when the candidate stands."""
        norm = nt.norm
        rule = cand.rule
        cr_vetoes = cand.compiled
        if cand.form.isascii() and _ASCII_LETTER.search(cand.form):
            before = norm[cand.start - 1] if cand.start > 0 else ""
            after = norm[cand.end] if cand.end < len(norm) else ""
            if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                return "latin word boundary"
        if rule.negation:
            cue = self._negated(norm, cand)
            if cue:
                return f"negated by {cue!r}"
        s_start, s_end = self._bounds(norm, cand.start, cand.end, SENTENCE_BREAKS)
        sentence = norm[s_start:s_end]
        for veto in cr_vetoes.vetoes:
            if veto in sentence:
                return f"lawful exception {veto!r}"
        if cr_vetoes.requires:
            lo = max(s_start, cand.start - rule.requires.window)
            hi = min(s_end, cand.end + rule.requires.window)
            around = norm[lo:hi]
            if not any(w in around for w in cr_vetoes.requires):
                return "required context missing"
        if rule.word_boundary and not self._word_aligned(norm, cand):
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
        for cand in self._candidates(nt):
            reason = self._check(nt, cand)
            start, end = nt.norm_to_original(cand.start, cand.end)
            if reason:
                if debug:
                    vetoed.append({"rule_id": cand.rule.id, "label": cand.label, "start": start, "end": end,
                                   "quote": text[start:end], "reason": reason})
                continue
            findings.extend(self._to_findings(text, cand, start, end, when))
        return ScanResult(_dedupe(findings), vetoed)

    def _to_findings(self, text: str, cand: Candidate, start: int, end: int,
                     when: date | None) -> list[Finding]:
        rule = cand.rule
        how = "同音/拼音变体" if cand.view == "hom" else "关键词/模式"
        out = []
        for label in (cand.label, *rule.also_labels):
            basis = (self._catalog.resolve(rule.legal_basis, when) if rule.legal_basis
                     else self._catalog.for_label(label, when))
            out.append(Finding(
                label=label, start=start, end=end, quote=text[start:end], source="rule", rule_id=rule.id,
                confidence=rule.confidence, severity=rule.severity, legal_basis=basis,
                explanation=f"{rule.description}（{how}命中：{cand.form}）", matched_form=cand.form,
            ))
        return out

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
