"""Every text the service sends is a Jinja2 template under templates/ (StrictUndefined)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Answer:
    """What a handler wants said: a template name and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


def create_text_environment(directory: Path = TEMPLATES_DIR) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(directory)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # read once per process: no stat() of the file for every reply
    )
    environment.filters["yuan"] = format_yuan
    return environment


def format_yuan(value: int | float | None) -> str:
    if value is None:
        return "未填"
    return f"{int(value):,}元"


def render_answer(environment: Environment, answer: Answer) -> str:
    text = environment.get_template(answer.template).render(**answer.context)
    return text.strip()
