"""What a regex's matches must start with, and what they must contain, worked out from the parsed pattern.

`literal_prefixes`: literal strings every match starts with. The engine feeds them into its Aho-Corasick
automaton and tries a pattern only where one of them occurs (``pattern.match(text, pos)``) instead of letting
``finditer`` try every position. `required_literals`: per top-level alternative, sets of literals a match must
contain one member of; the engine skips a pattern when some set has no member in the text. Both are only
sound if they hold for *every* match, so whatever cannot be reasoned about (large, negated or digit character
classes, longer optional repeats, inline flags, back-references) ends the analysis there: a shorter prefix,
fewer requirements, or None, and the engine falls back to scanning the whole text.
"""

from __future__ import annotations

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MAX_PREFIXES = 400  # beyond this many alternatives a prefix set stops growing (it stays sound, just shorter)
MAX_CLASS_CHARS = 16  # a character class is expanded into literals only up to this size
# Digits are never used as trigger literals: amounts, dates and phone numbers put dozens in a message.
_NO_EXPAND = frozenset("0123456789")

_LITERAL = sre_constants.LITERAL
_IN = sre_constants.IN
_SUBPATTERN = sre_constants.SUBPATTERN
_BRANCH = sre_constants.BRANCH
_ZERO_WIDTH = {sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.AT}
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
if _POSSESSIVE is not None:
    _REPEATS.add(_POSSESSIVE)


def _class_chars(items: list) -> list[str] | None:
    """The characters of a small, positive character class; None for anything else."""
    chars: list[str] = []
    for op, av in items:
        if op is _LITERAL:
            chars.append(chr(av))
        elif op is sre_constants.RANGE and av[1] - av[0] < MAX_CLASS_CHARS:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY (\s, \d ...), big ranges
            return None
        if len(chars) > MAX_CLASS_CHARS:
            return None
    if _NO_EXPAND.intersection(chars):
        return None
    return chars


def _cross(prefixes: set[str], tails: set[str] | list[str]) -> set[str] | None:
    """Every prefix extended by every tail; None when that would exceed MAX_PREFIXES."""
    if len(prefixes) * len(tails) > MAX_PREFIXES:
        return None
    return {p + t for p in prefixes for t in tails}


def _sequence(items) -> tuple[set[str], bool]:
    """Prefixes of a parsed sequence, and whether the whole sequence was consumed as literals."""
    prefixes = {""}
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the prefixes found so far still start every match
        if op is _LITERAL:
            tails: set[str] | list[str] | None = [chr(av)]
            complete = True
        elif op is _IN:
            tails = _class_chars(av)
            complete = True
        elif op is _SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return prefixes, False
            tails, complete = _sequence(sub)
        elif op is _BRANCH:
            tails, complete = set(), True
            for alternative in av[1]:
                alt_prefixes, alt_complete = _sequence(alternative)
                tails |= alt_prefixes
                complete = complete and alt_complete
        elif op in _REPEATS and av[0] >= 1:
            tails, _ = _sequence(av[2])
            complete = False  # one mandatory repetition is known; what follows it is not
        elif op in _REPEATS and av[1] == 1:  # X? : either X or nothing
            tails, complete = _sequence(av[2])
            tails = tails | {""}
        else:  # longer optional repeats, back-references, categories, ANY ...
            return prefixes, False
        if complete and tails == {""}:
            continue  # a group of assertions only, e.g. (?:^|(?<=[，。]))
        if not tails or tails == {""}:
            return prefixes, False
        extended = _cross(prefixes, tails)
        if extended is None:
            return prefixes, False
        prefixes = extended
        if not complete:
            return prefixes, False
    return prefixes, True


def _parse(pattern: str):
    """The parsed pattern, or None when it cannot be analysed (unparsable, or flags other than unicode)."""
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - an unparsable pattern is simply not analysed
        return None
    if parsed.state.flags & ~(sre_constants.SRE_FLAG_UNICODE):
        return None
    return parsed


def literal_prefixes(pattern: str) -> set[str] | None:
    """Non-empty literal strings such that every match of ``pattern`` starts with one of them, or None."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    prefixes, _ = _sequence(parsed)
    if not prefixes or "" in prefixes:
        return None
    return prefixes


def _required(items) -> list[set[str]]:
    """Sets of literals such that every match of the parsed sequence contains a member of each set."""
    out: list[set[str]] = []
    run = ""
    for op, av in items:
        if op is _LITERAL:
            run += chr(av)
            continue
        if run:
            out.append({run})
            run = ""
        if op is _SUBPATTERN and not (av[1] or av[2]):
            out.extend(_required(av[3]))
        elif op is _BRANCH:
            union: set[str] = set()
            for alternative in av[1]:
                prefixes, _ = _sequence(alternative)
                if "" in prefixes:
                    union = set()
                    break
                union |= prefixes
            if union:
                out.append(union)
        elif op in _REPEATS and av[0] >= 1:
            out.extend(_required(av[2]))
        # anything else (optional parts, classes, assertions) requires nothing we can name
    if run:
        out.append({run})
    return out


def required_literals(pattern: str) -> list[list[set[str]]] | None:
    """For each top-level alternative of ``pattern``, the literal sets a match must contain one member of.

    A match of the pattern is possible only if, for some alternative, every one of its sets has a member in
    the text. None when the pattern cannot be analysed (then nothing may be skipped).
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    items = list(parsed)
    if len(items) == 1 and items[0][0] is _BRANCH:
        return [_required(alternative) for alternative in items[0][1][1]]
    return [_required(items)]
