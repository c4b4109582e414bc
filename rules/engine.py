"""The rule engine: compiles the YAML packs once, scans normalized text, yields `Finding`s.

Keywords, anchors and the first parts of gap patterns go into Aho-Corasick automata (one for the ``norm``
view, one for the homophone view). Where a word occurs, its keyword becomes a candidate and its gap or
anchored patterns are matched at that spot. A rule's other ("free") patterns are eligible only in texts where
one of its anchors occurs; they are then skipped when a literal they require is absent (`rules.prefixes`
works out which literals every match needs), and tried only where the literals every match starts with occur
(the same matches ``finditer`` would return, far fewer attempts). Every candidate then passes the context
checks (lawful vetoes, required context, negation, word boundaries) before it becomes a finding; a debug scan
also returns vetoed candidates with the reason.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path

import ahocorasick_rs

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
from rules.prefixes import literal_prefixes, required_literals
from rules.schema import ContextPack, Rule, RulePack, load_yaml_model

PACKS_DIR = Path(__file__).parent / "packs"
CONTEXT_FILE = "_context.yaml"
_ASCII_LETTER = re.compile(r"[a-z]")


MIN_TRIGGER_CHARS = 2  # shortest literal worth trying a free pattern at (see _CompiledRule.triggers)
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
                if pattern[i + 1:i + 2] in ("?", "*", "{"):
                    return None  # an optional leading group: matches need not start with it
                inner = pattern[3:i]
                alternatives = inner.split("|")
                if all(a and re.escape(a) == a for a in alternatives):
                    return set(alternatives)
                return None
    return None


def _gap_regex(parts: list[list[str]], max_gap: int) -> str:
    sep = rf"[^。！？；!?;\n]{{0,{max_gap}}}?"
    return sep.join("(?:" + "|".join(re.escape(normalize_phrase(w)) for w in part) + ")" for part in parts)


class _Gate:
    """A necessary condition for a regex to match: for some top-level alternative, every one of its sets of
    automaton words has a member in the text. Checked before the regex runs; never changes a result."""

    __slots__ = ("alternatives",)

    def __init__(self, alternatives: list[tuple[frozenset[int], ...]]) -> None:
        # smaller sets first: they are usually the rarer words, so an absent one is found sooner
        self.alternatives = [tuple(sorted(sets, key=len)) for sets in alternatives]

    def open(self, present: set[int]) -> bool:
        """Whether the regex can possibly match a text whose automaton hits are ``present``."""
        for sets in self.alternatives:
            for words in sets:
                if words.isdisjoint(present):
                    break
            else:
                return True
        return False


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
        self.free = re.compile("|".join(f"(?:{p})" for p in free)) if free else None
        # When every match of the free patterns starts with a known literal, those literals go into the
        # automaton and the patterns are tried only there (same matches as finditer, far fewer attempts).
        self.triggers = literal_prefixes(self.free.pattern) if self.free else None
        if self.triggers and min(map(len, self.triggers)) < MIN_TRIGGER_CHARS:
            self.triggers = None  # a one-character trigger (你, 打 ...) fires so often that finditer is cheaper
        self.gaps = [re.compile(_gap_regex(g, rule.max_gap)) for g in rule.gaps]
        self.free_gate: _Gate | None = None  # set by the engine: words that must occur for `free` to match
        self.veto_rank: dict[int, int] = {}  # set by the engine: veto automaton word -> first index in vetoes
        self.labels = (label, *rule.also_labels)
        self.basis_ids = tuple(rule.legal_basis)
        self.basis_undated: dict[str, list[str]] = {}  # set by the engine: label -> citations, no date given
        self.vetoes = [normalize_phrase(v) for v in rule.vetoes]
        self.requires = [normalize_phrase(w) for w in rule.requires.words] if rule.requires else []
        self.requires_window = rule.requires.window if rule.requires else 0
        self.checks_sentence = bool(self.vetoes or self.requires)


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


_LINEAR_VETO_HITS = 16  # above this many veto occurrences in a text they are sorted and bisected


@dataclass(slots=True)
class ScanResult:
    """Findings, plus (in debug mode) candidates vetoed by context, with reasons."""

    findings: list[Finding]
    vetoed: list[dict] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)  # debug: every rule that produced a finding before merging


# What an automaton word means for a rule (payload entries are (kind, rule index, gap index)).
_KW, _GAP, _ANCHOR = range(3)


class _Automaton:
    """Aho-Corasick over a word list; every occurrence (overlapping) with the word's payload entries."""

    def __init__(self, words: dict[str, list[tuple[int, int, int]]]) -> None:
        self.words = list(words)
        self.payloads = [tuple(words[w]) for w in self.words]
        self._ac = ahocorasick_rs.AhoCorasick(self.words) if self.words else None

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(word index, start, end) of every occurrence, in order of end position."""
        if self._ac is None:
            return []
        return self._ac.find_matches_as_indexes(text, overlapping=True)


class RuleEngine:
    """Compiled rule packs; `scan` finds violations in one text."""

    def __init__(self, packs: list[RulePack], context: ContextPack, *, shortcuts: bool = True) -> None:
        """Compile ``packs``. ``shortcuts=False`` scans every free pattern with finditer (no trigger literals, no
        required-word gates): the same results, kept for tests and the benchmark's comparison."""
        self.packs = packs
        self.context = context
        self.compiled: list[_CompiledRule] = []
        norm_words: dict[str, list[tuple[int, int, int]]] = {}
        hom_words: dict[str, list[tuple[int, int, int]]] = {}
        for pack in packs:
            for rule in pack.rules:
                idx = len(self.compiled)
                compiled = _CompiledRule(rule, pack.label)
                self.compiled.append(compiled)
                for kw in rule.keywords:
                    norm_words.setdefault(normalize_phrase(kw), []).append((_KW, idx, 0))
                for kw in rule.homophone_keywords:
                    nkw = normalize_phrase(kw)
                    norm_words.setdefault(nkw, []).append((_KW, idx, 0))
                    hom_words.setdefault(to_homophones(nkw), []).append((_KW, idx, 0))
                for anchor in rule.anchors:
                    norm_words.setdefault(normalize_phrase(anchor), []).append((_ANCHOR, idx, 0))
                for gi, gap in enumerate(rule.gaps):
                    for first in gap[0]:
                        norm_words.setdefault(normalize_phrase(first), []).append((_GAP, idx, gi))
        # Words that free patterns start with or require join the automaton without steps of their own.
        for c in self.compiled:
            if not shortcuts:
                c.triggers = None
            for prefix in c.triggers or ():
                norm_words.setdefault(prefix, [])
        requirements = self._requirements(norm_words) if shortcuts else {}
        self._norm_ac = _Automaton(norm_words)
        plans = [self._plan(entries) for entries in self._norm_ac.payloads]
        self._steps = [steps for steps, _ in plans]
        self._free_rules = [free for _, free in plans]
        word_index = {w: i for i, w in enumerate(self._norm_ac.words)}
        for compiled, alternatives in requirements.items():
            compiled.free_gate = _Gate([tuple(frozenset(word_index[w] for w in words) for words in sets)
                                        for sets in alternatives])
        self._trigger_words = [
            frozenset(word_index[p] for p in c.triggers) if c.triggers else frozenset() for c in self.compiled
        ]
        self._hom_ac = _Automaton(hom_words)
        # Lawful-exception phrases of all rules in one automaton, searched once per text with candidates.
        veto_words: dict[str, list] = {}
        for c in self.compiled:
            for veto in c.vetoes:
                if not veto:
                    raise ValueError(f"rule {c.rule.id!r} has a veto phrase that normalizes to nothing")
                veto_words.setdefault(veto, [])
        self._veto_ac = _Automaton(veto_words)
        veto_index = {w: i for i, w in enumerate(self._veto_ac.words)}
        for c in self.compiled:
            for rank, veto in enumerate(c.vetoes):
                c.veto_rank.setdefault(veto_index[veto], rank)
        self._neg_re = _alternation(context.negation_cues)
        # the first characters of all negation cues: a prefix without any of them cannot be negated
        self._neg_first = re.compile(
            "[" + "".join(sorted({re.escape(normalize_phrase(c)[:1]) for c in context.negation_cues})) + "]")
        self._pseudo_re = _alternation(context.pseudo_negations) if context.pseudo_negations else None
        self._flip_re = _alternation(context.flip_cues or ["\uffff"])
        self._catalog = load_catalog()
        for c in self.compiled:  # citations when no date is given: the common case, resolved once
            c.basis_undated = {label: self._basis(c.basis_ids, label, None) for label in c.labels}
        self._tokenizer = None

    def _plan(self, entries: tuple[tuple[int, int, int], ...]) -> tuple[tuple[tuple, ...], frozenset[int]]:
        """What to do where a word occurs: candidate steps in pack order, (rule index, compiled rule, regex or
        None: the word itself is the candidate), and the rules whose free patterns become eligible."""
        steps: list[tuple] = []
        free: set[int] = set()
        for kind, idx, gi in entries:
            compiled = self.compiled[idx]
            if kind == _KW:
                steps.append((idx, compiled, None))
            elif kind == _GAP:
                steps.append((idx, compiled, compiled.gaps[gi]))
            else:
                if compiled.free is not None:
                    free.add(idx)
                if compiled.anchored is not None:
                    steps.append((idx, compiled, compiled.anchored))
        return tuple(steps), frozenset(free)

    def _requirements(self, words: dict[str, list]) -> dict[_CompiledRule, list]:
        """Literal requirements of every rule's free patterns, restricted to words of two or more characters
        (or already in ``words``), adding those to ``words``. A rule with an alternative that requires
        nothing we keep gets no gate."""
        out: dict[_CompiledRule, list] = {}
        for compiled in self.compiled:
            alternatives = required_literals(compiled.free.pattern) if compiled.free is not None else None
            if not alternatives:
                continue
            usable = [[ws for ws in sets if all(len(w) >= 2 or w in words for w in ws)] for sets in alternatives]
            if any(not sets for sets in usable):
                continue
            for sets in usable:
                for ws in sets:
                    for w in ws:
                        words.setdefault(w, [])
            out[compiled] = usable
        return out

    # ---- candidate generation -------------------------------------------------
    def _candidates(self, nt: NormalizedText) -> list[Candidate]:
        """Keyword hits directly; gap patterns tried only where their first part occurs; free regex patterns
        only in texts where one of their anchors occurs and all the words they require occur, and only at
        their trigger literals when those are known."""
        out: list[Candidate] = []
        seen: set[tuple[int, int, int]] = set()
        pattern_rules: set[int] = set()
        norm = nt.norm
        words = self._norm_ac.words
        steps = self._steps
        free_rules = self._free_rules
        hits = self._norm_ac.find(norm)
        for wi, start, stop in hits:
            if free_rules[wi]:
                pattern_rules |= free_rules[wi]
            for idx, rule, rx in steps[wi]:
                if rx is None:
                    m_stop, form = stop, words[wi]
                else:
                    m = rx.match(norm, start)
                    if m is None:
                        continue
                    m_stop, form = m.end(), m.group()
                key = (idx, start, m_stop)
                if m_stop > start and key not in seen:
                    seen.add(key)
                    out.append(Candidate(rule, start, m_stop, "norm", form))
        for wi, hstart, hstop in self._hom_ac.find(nt.hom):
            start, stop = nt.hom_to_norm(hstart, hstop)
            for _, idx, _ in self._hom_ac.payloads[wi]:
                key = (idx, start, stop)
                if stop > start and key not in seen:
                    seen.add(key)
                    out.append(Candidate(self.compiled[idx], start, stop, "hom", norm[start:stop]))
        if pattern_rules:
            self._free_candidates(norm, hits, sorted(pattern_rules), seen, out)
        return out

    def _free_candidates(self, norm: str, hits: list[tuple[int, int, int]], rule_ids: list[int],
                         seen: set[tuple[int, int, int]], out: list[Candidate]) -> None:
        """Matches of the free patterns of ``rule_ids`` (whose anchors occurred), appended to ``out``."""
        present = {wi for wi, _, _ in hits}
        for idx in rule_ids:
            rule = self.compiled[idx]
            if rule.free_gate is not None and not rule.free_gate.open(present):
                continue
            rx = rule.free
            if rule.triggers is None:
                matches = list(rx.finditer(norm))
            else:
                # non-overlapping, leftmost first: exactly what finditer would return
                trigger_words = self._trigger_words[idx]
                matches = []
                resume = 0
                for pos in sorted({s for wi, s, _ in hits if wi in trigger_words}):
                    if pos >= resume:
                        m = rx.match(norm, pos)
                        if m is not None:
                            matches.append(m)
                            resume = m.end()
            for m in matches:
                key = (idx, m.start(), m.end())
                if m.end() > m.start() and key not in seen:
                    seen.add(key)
                    out.append(Candidate(rule, m.start(), m.end(), "norm", m.group()))

    # ---- context checks -------------------------------------------------------
    def _negated(self, norm: str, cand: Candidate, breaks: _Breaks) -> str | None:
        clause_start = max(breaks.clause_start(cand.start), cand.start - NEGATION_LOOKBACK)
        prefix = norm[clause_start:cand.start]
        if not prefix or self._neg_first.search(prefix) is None or self._flip_re.search(prefix):
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

    def _check(self, nt: NormalizedText, cand: Candidate, breaks: _Breaks, vetoes: list[tuple[int, int, int]],
               veto_starts: list[int] | None) -> str | None:
        """Return the veto reason, or None when the candidate stands (cheap checks first). ``vetoes`` are the
        occurrences of veto phrases in the text; when ``veto_starts`` is given they are sorted by start and
        it lists those starts."""
        norm = nt.norm
        compiled = cand.compiled
        rule = compiled.rule
        if cand.form.isascii() and _ASCII_LETTER.search(cand.form):
            before = norm[cand.start - 1] if cand.start > 0 else ""
            after = norm[cand.end] if cand.end < len(norm) else ""
            if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                return "latin word boundary"
        if compiled.checks_sentence:
            s_start, s_end = breaks.sentence(cand.start, cand.end)
            if vetoes:  # occurrences of any rule's veto phrase: is one of this rule's inside the sentence?
                if veto_starts is not None:  # long list, sorted by start: only those inside the sentence
                    vetoes = vetoes[bisect_left(veto_starts, s_start):bisect_left(veto_starts, s_end)]
                rank = compiled.veto_rank
                first = None
                for vi, a, b in vetoes:
                    if vi in rank and a >= s_start and b <= s_end and (first is None or rank[vi] < first):
                        first = rank[vi]
                if first is not None:
                    return f"lawful exception {compiled.vetoes[first]!r}"
            if compiled.requires:
                window = compiled.requires_window
                around = norm[max(s_start, cand.start - window):min(s_end, cand.end + window)]
                for word in compiled.requires:
                    if word in around:
                        break
                else:
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
        if not candidates:
            return ScanResult(findings, vetoed, set())
        breaks = _Breaks(nt.norm)
        vetoes = self._veto_ac.find(nt.norm)
        veto_starts = None
        if len(vetoes) > _LINEAR_VETO_HITS:
            vetoes.sort(key=itemgetter(1))
            veto_starts = [hit[1] for hit in vetoes]
        to_original = nt.norm_to_original
        for cand in candidates:
            reason = self._check(nt, cand, breaks, vetoes, veto_starts)
            start, end = to_original(cand.start, cand.end)
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
        compiled = cand.compiled
        rule = compiled.rule
        how = "同音/拼音变体" if cand.view == "hom" else "关键词/模式"
        quote = text[start:end]
        explanation = f"{rule.description}（{how}命中：{cand.form}）"
        # positional arguments, in Finding's field order (this runs for every finding of every message)
        out = []
        for label in compiled.labels:
            basis = compiled.basis_undated[label] if when is None else self._basis(compiled.basis_ids, label, when)
            out.append(Finding(label, start, end, quote, "rule", rule.id, rule.confidence, rule.severity,
                               list(basis), explanation, cand.form))
        return out

    @lru_cache(maxsize=4096)  # noqa: B019 - one engine per process; bounded
    def _basis(self, ids: tuple[str, ...], label: str, when: date | None) -> list[str]:
        return self._catalog.resolve(ids, when) if ids else self._catalog.for_label(label, when)

    def rules(self) -> list[tuple[str, Rule]]:
        """All (label, rule) pairs in pack order."""
        return [(c.label, c.rule) for c in self.compiled]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Keep one finding per label and overlapping span: the most confident, then the longest."""
    if len(findings) < 2:
        return findings
    findings.sort(key=_strength)
    kept: list[Finding] = []
    spans: dict[str, tuple[list[int], list[int]]] = {}  # label -> starts and ends of its kept findings, sorted
    for f in findings:
        starts, ends = spans.setdefault(f.label, ([], []))
        # kept spans of one label never overlap, so the last one starting before f ends is the only candidate
        k = bisect_left(starts, f.end)
        if k and ends[k - 1] > f.start:
            continue
        starts.insert(k, f.start)
        ends.insert(k, f.end)
        kept.append(f)
    kept.sort(key=_position)
    return kept


def _strength(f: Finding) -> tuple:
    return f.label, -f.confidence, f.start - f.end, f.start


_position = attrgetter("start", "label")


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
