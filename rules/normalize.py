"""Evasion-resistant views of a text, each with a map back to the ORIGINAL character offsets.

Views:
- ``folded``: one character per original character (NFKC width/compatibility forms, traditional→simplified,
  lower case). Offsets are identical to the original.
- ``norm``: ``folded`` with separators, zero-width characters and emoji removed when they sit between
  letters or Chinese characters (打 断/你.的*腿 → 打断你的腿), emoji removed everywhere and repeated
  punctuation collapsed. ``norm_map[i]`` is the original index of ``norm[i]``.
- ``hom``: ``norm`` with every Chinese character replaced by a representative of its toneless pinyin, and
  latin pinyin runs (nong si ni, sha bi) turned into those representatives; matches homophone spellings.

`span_to_original` turns a span in any view back into an original ``(start, end)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rules.charmaps import load_charmaps

_CJK = "\u3400-\u9fff"
_EMOJI = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\ufe0e\u200d\u20e3"
    "\U0001f3fb-\U0001f3ff\u2190-\u21ff\u25a0-\u25ff"
)
_ZERO_WIDTH = "\u200b\u200c\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad"
_SEPARATORS = r"\s\.\*\-_|/\\~·•+=#@^`'\"°`※§¦┆丨\u30fb\uff65" + _ZERO_WIDTH + _EMOJI
_WORD = _CJK + "a-z"

_STRIP_RE = re.compile(
    rf"(?P<sep>(?<=[{_WORD}])[{_SEPARATORS}]+(?=[{_WORD}]))"
    rf"|(?P<junk>[{_ZERO_WIDTH}{_EMOJI}]+)"
    r"|(?P<rep>(?P<punct>[!?,;:~。，！？；：…])(?P=punct)+)"
)
# Cheap tests that rule out any work for most messages (a single character class scans far faster than the
# three-branch regex above, which the regex engine must try at every position).
_SEPARATOR_RE = re.compile(rf"[{_SEPARATORS}]")
_REPEATED_PUNCT_RE = re.compile(r"([!?,;:~。，！？；：…])\1")  # two regexes: each can skip ahead by character
_LATIN_RUN_RE = re.compile(r"[a-z]{3,}")  # shorter runs are never read as pinyin

CLAUSE_BREAKS = frozenset("。！？；!?;\n，,：:")
SENTENCE_BREAKS = frozenset("。！？；!?;\n")


@dataclass(slots=True)
class NormalizedText:
    """An original text and its normalized views with offset maps."""

    original: str
    folded: str
    norm: str
    norm_map: tuple[int, ...] | None  # None: norm is folded (identity map)
    hom: str
    hom_map: tuple[tuple[int, int], ...] | None  # None: hom[i] comes from norm[i]

    def norm_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``norm`` span to the original span covering the same characters."""
        if end <= start:
            return start, start
        if self.norm_map is None:
            return start, end
        return self.norm_map[start], self.norm_map[end - 1] + 1

    def hom_to_norm(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``hom`` span to a ``norm`` span."""
        if self.hom_map is None or end <= start:
            return start, end
        return self.hom_map[start][0], self.hom_map[end - 1][1]

    def span_to_original(self, view: str, start: int, end: int) -> tuple[int, int]:
        """Map a span in ``view`` ("folded", "norm" or "hom") to original offsets."""
        if view == "folded":
            return start, end
        if view == "hom":
            start, end = self.hom_to_norm(start, end)
        return self.norm_to_original(start, end)

    def view(self, name: str) -> str:
        """The text of a view by name."""
        return getattr(self, name)


def fold(text: str) -> str:
    """Width, compatibility, traditional→simplified and case folding, one character per character."""
    return text.translate(load_charmaps()["fold"])


def _strip(folded: str) -> tuple[str, tuple[int, ...] | None]:
    if _SEPARATOR_RE.search(folded) is None and _REPEATED_PUNCT_RE.search(folded) is None:
        return folded, None
    deletions: list[tuple[int, int]] = []
    for m in _STRIP_RE.finditer(folded):
        if m.group("rep") is not None:
            deletions.append((m.start() + 1, m.end()))
        else:
            deletions.append((m.start(), m.end()))
    if not deletions:
        return folded, None
    keep: list[int] = []
    pos = 0
    for s, e in deletions:
        keep.extend(range(pos, s))
        pos = e
    keep.extend(range(pos, len(folded)))
    return "".join(folded[i] for i in keep), tuple(keep)


@lru_cache(maxsize=4096)
def _segment_pinyin(run: str) -> tuple[tuple[int, int, str], ...] | None:
    """Split a latin run into pinyin syllables (longest match first); None unless it splits fully."""
    syllables = load_charmaps()["syllables"]
    n = len(run)
    # dynamic programming over positions, preferring fewer, longer syllables
    best: list[tuple[tuple[int, int, str], ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(min(n, i + 6), i, -1):
            rep = syllables.get(run[i:j])
            if rep is None:
                continue
            cand = (*best[i], (i, j, rep))
            if best[j] is None or len(cand) < len(best[j]):
                best[j] = cand
    return best[n] if best[n] and len(best[n]) >= 2 else None


def _homophone_view(norm: str) -> tuple[str, tuple[tuple[int, int], ...] | None]:
    base = norm.translate(load_charmaps()["hom"])
    if _LATIN_RUN_RE.search(norm) is None:
        return base, None
    replacements = []
    for m in _LATIN_RUN_RE.finditer(norm):
        seg = _segment_pinyin(m.group())
        if seg:
            replacements.append((m.start(), seg))
    if not replacements:
        return base, None
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for run_start, seg in replacements:
        for i in range(pos, run_start):
            out.append(base[i])
            spans.append((i, i + 1))
        for s, e, rep in seg:
            out.append(rep)
            spans.append((run_start + s, run_start + e))
        pos = run_start + seg[-1][1]
    for i in range(pos, len(base)):
        out.append(base[i])
        spans.append((i, i + 1))
    return "".join(out), tuple(spans)


def to_homophones(text: str) -> str:
    """The homophone representative spelling of an already normalized string (used for keywords)."""
    return _homophone_view(text)[0]


def normalize(text: str) -> NormalizedText:
    """Build all views of ``text`` with their offset maps."""
    folded = fold(text)
    norm, norm_map = _strip(folded)
    hom, hom_map = _homophone_view(norm)
    return NormalizedText(text, folded, norm, norm_map, hom, hom_map)


def normalize_phrase(phrase: str) -> str:
    """Normalize a rule keyword the same way as message text (``norm`` view)."""
    return normalize(phrase).norm
