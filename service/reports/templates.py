"""The Jinja2 environment shared by the Markdown, HTML and letter renderers (templates/ is data: edit freely)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES_DIR = Path(__file__).parent / "templates"


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, line breaks flattened."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Templates with HTML autoescaping (``*.html.j2``) and strict undefined variables."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html.j2"]),
                      undefined=StrictUndefined, extensions=["jinja2.ext.do"], trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = md_cell
    return env


def render(name: str, **context: object) -> str:
    """Render one template by file name."""
    return environment().get_template(name).render(**context)
