"""The error type shared by the file readers: a message plus the 1-based line to fix, when there is one."""

from __future__ import annotations


class LineError(ValueError):
    """An input file that cannot be read; ``line`` is the 1-based line to fix, when there is one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line else message)
