"""Character maps used by normalization, built once from opencc and pypinyin and stored as data.

`python -m rules.charmaps` rebuilds ``rules/data/charmaps.json``; the runtime only reads that file,
so normalization needs neither opencc nor pypinyin at run time and stays a pure table lookup.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

CHARMAPS_PATH = Path(__file__).parent / "data" / "charmaps.json"

# Variant characters that opencc keeps but that only spell a common character differently.
_EXTRA_FOLDS = {"您": "你", "妳": "你", "她": "他", "祢": "你", "祂": "他", "牠": "它", "姊": "姐", "孃": "娘"}

CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF))


def _iter_cjk() -> list[str]:
    return [chr(cp) for lo, hi in CJK_RANGES for cp in range(lo, hi + 1)]


def build_charmaps() -> dict:
    """Compute the fold map (width, compatibility, traditional→simplified, case) and homophone map."""
    import opencc
    from pypinyin import Style, lazy_pinyin

    t2s = opencc.OpenCC("t2s")
    fold: dict[str, str] = {}
    for cp in range(0x20, 0x10000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        nf = unicodedata.normalize("NFKC", ch)
        out = nf if len(nf) == 1 else ch
        out = out.lower() if len(out.lower()) == 1 else out
        if "\u3400" <= out <= "\u9fff":
            conv = t2s.convert(out)
            if len(conv) == 1:
                out = conv
        out = _EXTRA_FOLDS.get(out, out)
        if out != ch:
            fold[ch] = out
    # Homophone representative: every CJK character maps to the first character (by code point)
    # that shares its toneless pinyin; latin pinyin syllables map to the same representative.
    syllable_rep: dict[str, str] = {}
    homophone: dict[str, str] = {}
    for ch in _iter_cjk():
        py = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
        if not py or not py[0].isascii() or not py[0].isalpha():
            continue
        syl = py[0].replace("ü", "v")
        rep = syllable_rep.setdefault(syl, ch)
        if rep != ch:
            homophone[ch] = rep
    return {
        "fold_src": "".join(fold.keys()),
        "fold_dst": "".join(fold.values()),
        "hom_src": "".join(homophone.keys()),
        "hom_dst": "".join(homophone.values()),
        "syllables": syllable_rep,
    }


def _dense_table(src: str, dst: str, identity: list[int]) -> list[int]:
    """A ``str.translate`` table as a list indexed by code point (identity where unmapped).

    ``str.translate`` with a dict raises and swallows a KeyError for every character the dict lacks, which
    made it several times slower than a full list on Chinese text; characters past the list's end are left
    unchanged by ``str.translate`` (it treats the IndexError as "no mapping").
    """
    size = max(len(identity), *(ord(c) + 1 for c in src)) if src else len(identity)
    table = identity + list(range(len(identity), size))
    for a, b in zip(src, dst, strict=True):
        table[ord(a)] = ord(b)
    return table


@lru_cache(maxsize=1)
def load_charmaps() -> dict:
    """Load the committed maps as ``str.translate`` tables plus the pinyin syllable map."""
    raw = json.loads(CHARMAPS_PATH.read_text(encoding="utf-8"))
    identity = list(range(0x10000))  # the basic multilingual plane; both tables share these int objects
    fold = _dense_table(raw["fold_src"], raw["fold_dst"], identity)
    hom = _dense_table(raw["hom_src"], raw["hom_dst"], identity)
    return {"fold": fold, "hom": hom, "syllables": raw["syllables"]}


def main() -> None:
    """Rebuild the committed character maps."""
    data = build_charmaps()
    CHARMAPS_PATH.parent.mkdir(parents=True, exist_ok=True)
    CHARMAPS_PATH.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"wrote {CHARMAPS_PATH} ({len(data['fold_src'])} folds, {len(data['hom_src'])} homophones)")


if __name__ == "__main__":
    main()
