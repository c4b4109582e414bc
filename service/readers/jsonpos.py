"""Line numbers for the items of a JSON array, so that errors can point at the line a user must fix."""

from __future__ import annotations

import json
import re

_WS = " \t\r\n"


def array_item_lines(text: str, key: str | None = None) -> list[int] | None:
    """1-based line of each item of the top-level array, or of the array under ``key`` in the top object.

    Returns None when the array cannot be located (the caller then reports item numbers only).
    """
    if key is None:
        pos = len(text) - len(text.lstrip(_WS))
        if not text.startswith("[", pos):
            return None
    else:
        m = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
        if m is None:
            return None
        pos = m.end() - 1
    decoder = json.JSONDecoder()
    lines: list[int] = []
    line, counted = 1, 0
    pos += 1
    try:
        while True:
            while pos < len(text) and text[pos] in _WS:
                pos += 1
            if pos >= len(text):
                return None
            if text[pos] == "]":
                return lines
            line += text.count("\n", counted, pos)
            counted = pos
            lines.append(line)
            _, pos = decoder.raw_decode(text, pos)
            while pos < len(text) and text[pos] in _WS:
                pos += 1
            if pos < len(text) and text[pos] == ",":
                pos += 1
    except (json.JSONDecodeError, IndexError):
        return None
