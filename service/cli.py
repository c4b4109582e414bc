"""The `cuishou` command line: each command parses its arguments, calls one library function, prints."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from classifier.commands import register as register_training_commands

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="催收合规卫士 cuishou-guard: find unlawful debt-collection conduct and build evidence.")
err = Console(stderr=True)
register_training_commands(app)


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
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    err.print(f"classified {stats.lines} lines ({stats.errors} with errors, {stats.flagged} flagged) → {output}")


@app.command()
def analyze(
    text: str = typer.Argument(..., help="the message text (use - to read standard input)"),
    channel: str = typer.Option(None, "--channel", "-c", help="sms | wechat | call_utterance"),
    as_json: bool = typer.Option(False, "--json", help="print the classify object as JSON"),
    rules_only: bool = typer.Option(False, "--rules-only", help="skip the classifier"),
) -> None:
    """Analyse one message and print a readable, colored result."""
    from service.pipeline import InputError, analyze as run_analyze
    from service.render_console import render_analysis

    if text == "-":
        text = sys.stdin.read()
    try:
        result = run_analyze(text, channel, use_model=not rules_only, verbose=True)
    except InputError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        render_analysis(text, result, Console())


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
