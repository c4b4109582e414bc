"""Bulk classification of a JSONL file (CONTRACT §1), robust to bad lines and mixed encodings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.pipeline import InputError, analyze


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


def classify_record(raw: bytes, line_no: int, *, use_model: bool = True, verbose: bool = False) -> dict[str, Any]:
    """Classify one raw JSONL line; every failure becomes ``{"id", "error"}`` instead of an exception."""
    record_id: Any = None
    try:
        line = decode_line(raw)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {line_no}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(obj, dict):
            raise ValueError(f"line {line_no}: expected a JSON object, got {type(obj).__name__}")
        record_id = obj.get("id")
        if "text" not in obj:
            raise ValueError(f"line {line_no}: missing field 'text'")
        text = obj["text"]
        if not isinstance(text, str):
            raise ValueError(f"line {line_no}: 'text' must be a string")
        channel = obj.get("channel")
        result = analyze(text, channel if channel else None, use_model=use_model, verbose=verbose)
        return {"id": record_id, **result}
    except (ValueError, InputError) as exc:
        msg = str(exc)
        if not msg.startswith("line "):
            msg = f"line {line_no}: {msg}"
        return {"id": record_id, "error": msg}


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
    try:
        with tmp.open("w", encoding="utf-8") as out:
            for line_no, raw in enumerate(_iter_lines(input_path), start=1):
                if progress is not None:
                    progress.advance(task, len(raw) + 1)
                if not raw.strip():
                    continue
                result = classify_record(raw, line_no, use_model=use_model, verbose=verbose)
                stats.lines += 1
                if "error" in result:
                    stats.errors += 1
                elif result["labels"] != ["compliant"]:
                    stats.flagged += 1
                out.write(json.dumps(result, ensure_ascii=False) + "\n")
        tmp.replace(output_path)
    finally:
        if progress is not None:
            progress.stop()
        if tmp.exists():
            tmp.unlink()
    return stats
