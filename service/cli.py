"""The `cuishou` command line: each command parses its arguments, calls one library function, prints."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from classifier.commands import register as register_training_commands

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="催收合规卫士 cuishou-guard: find unlawful debt-collection conduct and build evidence.")
err = Console(stderr=True)
register_training_commands(app)


def _fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr (no markup, no wrapping) and return the exit-2 exception to raise."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _read_input_file(path: Path) -> bytes:
    """The bytes of an input file, or exit 2 with a message on stderr."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from exc


def _analyse_file(file: Path, analyse: Callable[[bytes], dict], render: Callable[[dict, Console], None],
                  as_json: bool) -> None:
    """Read ``file``, analyse its bytes and print the result as JSON or rendered; a reader error exits 2."""
    from service.readers.errors import LineError

    data = _read_input_file(file)
    try:
        result = analyse(data)
    except LineError as exc:
        raise _fail(f"{file}: {exc}") from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        render(result, Console())


@app.command()
def classify(
    input: Path = typer.Argument(..., help="JSONL file: one {\"id\", \"text\", \"channel\"?} per line"),
    output: Path = typer.Option(..., "-o", "--output", help="where to write the JSONL results"),
    rules_only: bool = typer.Option(False, "--rules-only", help="skip the classifier (rules only)"),
    verbose: bool = typer.Option(False, "--verbose", help="add explanations and vetoed candidates"),
    progress: bool = typer.Option(None, "--progress/--no-progress", help="progress bar (default: on a terminal)"),
) -> None:
    """Classify messages in bulk (CONTRACT §1): one output line per input line, same order."""
    from service.batch import BatchInputError, classify_file

    try:
        stats = classify_file(input, output, use_model=not rules_only, verbose=verbose,
                              show_progress=sys.stderr.isatty() if progress is None else progress)
    except BatchInputError as exc:
        raise _fail(str(exc)) from exc
    err.print(f"classified {stats.lines} lines ({stats.errors} with errors, {stats.flagged} flagged) → {output}")


@app.command()
def analyze(
    text: str = typer.Argument(..., help="the message text (use - to read standard input)"),
    channel: str = typer.Option(None, "--channel", "-c", help="sms | wechat | call_utterance"),
    as_json: bool = typer.Option(False, "--json", help="print the classify object as JSON"),
    rules_only: bool = typer.Option(False, "--rules-only", help="skip the classifier"),
) -> None:
    """Analyse one message and print a readable, colored result."""
    from service.pipeline import InputError
    from service.pipeline import analyze as run_analyze
    from service.render_console import render_analysis

    if text == "-":
        text = sys.stdin.read()
    try:
        result = run_analyze(text, channel, use_model=not rules_only, verbose=True)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        render_analysis(text, result, Console())


def main() -> None:
    """Console-script entry point."""
    app()


@app.command()
def transcript(
    file: Annotated[Path, typer.Argument(help="transcript: .txt with speaker prefixes, .srt, .vtt or .json")],
    fmt: Annotated[str, typer.Option("--format", help="auto | txt | srt | vtt | json")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="print the CONTRACT §2 object as JSON")] = False,
    collector: Annotated[str | None, typer.Option(
        "--collector", help="speaker label of the collector (overrides inference)")] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="skip the classifier")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="add explanations to every finding")] = False,
    model_findings: Annotated[bool, typer.Option(
        "--model-findings", help="let the classifier add labels of its own (default: it only confirms rules)")] = False,
) -> None:
    """Analyse a call transcript turn by turn (CONTRACT §2); only the collector's words count as violations."""
    from service.render_calls import render_transcript
    from service.transcript import analyze_transcript

    _analyse_file(file, lambda data: analyze_transcript(data, fmt, collector, use_model=not rules_only,
                                                        verbose=verbose, model_findings=model_findings),
                  render_transcript, as_json)


@app.command()
def contacts(
    file: Annotated[Path, typer.Argument(help="contact log: {\"contacts\": [...]} JSON, or a CSV call log")],
    as_json: Annotated[bool, typer.Option("--json", help="print the CONTRACT §3 object as JSON")] = False,
    tz: Annotated[str, typer.Option("--tz", help="local time zone (IANA name or +08:00)")] = "Asia/Shanghai",
    night_start: Annotated[str, typer.Option("--night-start", help="quiet window start, local time")] = "22:00",
    night_end: Annotated[str, typer.Option("--night-end", help="quiet window end, local time")] = "08:00",
    max_connected: Annotated[int | None, typer.Option(
        "--max-connected", help="connected calls allowed per day (default 3)")] = None,
    max_unanswered: Annotated[int | None, typer.Option(
        "--max-unanswered", help="unanswered attempts allowed per number per day (default 6)")] = None,
    burst_count: Annotated[int | None, typer.Option(
        "--burst-count", help="contacts that make a burst (default 5)")] = None,
    burst_minutes: Annotated[int | None, typer.Option(
        "--burst-minutes", help="burst window in minutes (default 30)")] = None,
    rotation_numbers: Annotated[int | None, typer.Option(
        "--rotation-numbers", help="distinct calling numbers in a day that count as rotation (default 4)")] = None,
    max_per_day: Annotated[int | None, typer.Option(
        "--max-per-day", help="contacts allowed per day (default: no cap)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto | json | csv")] = "auto",
) -> None:
    """Analyse a contact log (CONTRACT §3): night contacts, daily caps, bursts and number rotation."""
    from service.contact_log import analyze_contacts
    from service.render_calls import render_contacts

    _analyse_file(file, lambda data: analyze_contacts(
        data, tz, night_start, night_end, fmt=fmt, max_connected_calls_per_day=max_connected,
        max_unanswered_per_number_per_day=max_unanswered, burst_count=burst_count, burst_minutes=burst_minutes,
        rotation_numbers_per_day=rotation_numbers, max_contacts_per_day=max_per_day), render_contacts, as_json)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="bind address (default CUISHOU_HOST or 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="port (default CUISHOU_PORT or 8000)")] = None,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="SQLAlchemy URL of the case store (default: SQLite under CUISHOU_DATA_DIR)")] = None,
    log_level: Annotated[str | None, typer.Option("--log-level", help="debug | info | warning | error")] = None,
) -> None:
    """Start the HTTP API and web page (CONTRACT §4); OpenAPI docs at /docs."""
    import uvicorn

    from service.api.app import create_app
    from service.settings import get_settings

    overrides = {k: v for k, v in {"host": host, "port": port, "database_url": database_url,
                                   "log_level": log_level}.items() if v is not None}
    settings = get_settings().model_copy(update=overrides)
    err.print(f"cuishou-guard API on http://{settings.host}:{settings.port} (docs at /docs)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level.lower())


if __name__ == "__main__":
    main()
