"""Bulk classification of a JSONL file (CONTRACT §1), robust to bad lines and mixed encodings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.pipeline import analyze_many_findings, to_contract, validate_input

BATCH_SIZE = 64


class BatchInputError(OSError):
    """The input file itself cannot be read (the only case with a non-zero exit)."""


@dataclass
class BatchStats:
    """Counts reported at the end of a run."""

    lines: int = 0
    errors: int = 0
    flagged: int = 0


def decode_line(raw: bytes) -> str:
    """Decode one line: UTF-8 (BOM tolerated), else GB18030; raise ValueError when neither fits."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValueError("line is neither UTF-8 nor GB18030 text") from exc


def parse_record(raw: bytes, line_no: int) -> tuple[Any, str, str | None]:
    """Decode and validate one JSONL line into (id, text, channel); raise ValueError naming the line."""
    record_id: Any = None
    try:
        line = decode_line(raw)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(obj, dict):
            raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
        record_id = obj.get("id")
        if "text" not in obj:
            raise ValueError("missing field 'text'")
        text = obj["text"]
        if not isinstance(text, str):
            raise ValueError("'text' must be a string")
        channel = obj.get("channel") or None
        validate_input(text, channel)  # the pipeline's own checks (channel, length); InputError is a ValueError
        return record_id, text, channel
    except ValueError as exc:
        raise RecordError(record_id, f"line {line_no}: {exc}") from exc


class RecordError(ValueError):
    """One unreadable line; carries the record id when it was readable."""

    def __init__(self, record_id: Any, message: str) -> None:
        super().__init__(message)
        self.record_id = record_id


def _flush(pending: list[tuple[Any, str]], out, stats: BatchStats, *, use_model: bool, verbose: bool) -> None:
    texts = [text for _, text in pending]
    results = analyze_many_findings(texts, use_model=use_model, debug=verbose)
    for (record_id, _), result in zip(pending, results, strict=True):
        row = {"id": record_id, **to_contract(result, verbose)}
        if row["labels"] != ["compliant"]:
            stats.flagged += 1
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    pending.clear()


def _iter_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        for raw in fh:
            yield raw.rstrip(b"\r\n")


def classify_file(input_path: Path, output_path: Path, *, use_model: bool = True, verbose: bool = False,
                  show_progress: bool = False) -> BatchStats:
    """Classify every line of ``input_path`` into ``output_path``; blank lines are skipped."""
    if not input_path.is_file():
        raise BatchInputError(f"cannot read input file {input_path}: no such file")
    try:
        total = input_path.stat().st_size
        input_path.open("rb").close()
    except OSError as exc:
        raise BatchInputError(f"cannot read input file {input_path}: {exc.strerror}") from exc
    stats = BatchStats()
    progress = None
    if show_progress:
        from rich.progress import BarColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

        progress = Progress("[progress.description]{task.description}", BarColumn(), TransferSpeedColumn(),
                            TimeRemainingColumn(), transient=True)
        task = progress.add_task("classifying", total=total)
        progress.start()
    tmp = output_path.with_name(output_path.name + ".part")
    pending: list[tuple[Any, str]] = []
    try:
        with tmp.open("w", encoding="utf-8") as out:
            for line_no, raw in enumerate(_iter_lines(input_path), start=1):
                if progress is not None:
                    progress.advance(task, len(raw) + 1)
                if not raw.strip():
                    continue
                stats.lines += 1
                try:
                    record_id, text, _ = parse_record(raw, line_no)
                except RecordError as exc:
                    _flush(pending, out, stats, use_model=use_model, verbose=verbose)
                    stats.errors += 1
                    out.write(json.dumps({"id": exc.record_id, "error": str(exc)}, ensure_ascii=False) + "\n")
                    continue
                pending.append((record_id, text))
                if len(pending) >= BATCH_SIZE:
                    _flush(pending, out, stats, use_model=use_model, verbose=verbose)
            _flush(pending, out, stats, use_model=use_model, verbose=verbose)
        tmp.replace(output_path)
    finally:
        if progress is not None:
            progress.stop()
        if tmp.exists():
            tmp.unlink()
    return stats
