"""Bytes → text for uploaded files: BOMs, UTF-8, GB18030/GBK, then charset-normalizer as a last resort."""

from __future__ import annotations

from dataclasses import dataclass

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
# Share of the non-ASCII characters that must be ordinary CJK text for a GB18030 / guessed decoding to count.
MIN_CJK_SHARE = 0.9
# Highest charset-normalizer "chaos" (mess ratio) accepted for a guessed non-CJK encoding.
MAX_GUESS_CHAOS = 0.1


class DecodeError(ValueError):
    """The bytes are not text we can read (binary, or an encoding we cannot identify)."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text and the encoding it was read with."""

    text: str
    encoding: str


def _is_common_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x3000 <= cp <= 0x303F
            or 0xFF00 <= cp <= 0xFFEF or 0x2000 <= cp <= 0x206F or 0x00B7 == cp or 0x2E80 <= cp <= 0x2FDF)


def _control_count(text: str) -> int:
    return sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)


def _plausible_cjk(text: str) -> bool:
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if _control_count(text):
        return False
    if not non_ascii:
        return True
    return sum(map(_is_common_cjk, non_ascii)) / len(non_ascii) >= MIN_CJK_SHARE


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes: BOM first, then strict UTF-8, then GB18030 (covers GBK/GB2312), then a guess.

    Raises `DecodeError` for an empty file, binary content, or bytes no candidate encoding reads as text.
    """
    if not data:
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"file starts with a {encoding} byte-order mark but is not valid {encoding} "
                                  f"(byte {exc.start})") from exc
    if b"\x00" in data:
        raise DecodeError("binary file (contains NUL bytes); expected a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_count(text):
            raise DecodeError("binary file (contains control characters); expected a text file")
        return Decoded(text, "utf-8")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _plausible_cjk(text):
            return Decoded(text, "gb18030")
    return _guess(data)


def _guess(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _plausible_cjk(text) or (not _control_count(text) and best.chaos <= MAX_GUESS_CHAOS):
            return Decoded(text, best.encoding)
    raise DecodeError("cannot decode the file: it is neither UTF-8 nor GB18030/GBK text "
                      "(save it as UTF-8 and try again)")
