"""Every template the code sends without a context renders without one (StrictUndefined would
turn a missing value into an error the farmer sees as 系统出了点问题), and every template the
code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.texts import create_text_environment

ROOT = Path(__file__).resolve().parents[1]
NAMED = re.compile(r'(Rejected\(|Answer\()?"([a-z_/]+\.j2)"(\))?')


def _named_templates() -> list[tuple[str, bool]]:
    """(template, sent without a context) for each place the code names one."""
    found = set()
    for folder in ("bot", "handlers"):
        for source in (ROOT / folder).glob("*.py"):
            for match in NAMED.finditer(source.read_text(encoding="utf-8")):
                # sent bare: Answer("x.j2") / Rejected("x.j2"); else named with its context
                found.add((match.group(2), bool(match.group(1) and match.group(3))))
    return sorted(found)


def test_the_code_names_templates() -> None:
    names = {name for name, _ in _named_templates()}
    assert "self_report/invalid_confirm.j2" in names and "farmer/my_cases.j2" in names
    assert len(names) > 30


@pytest.mark.parametrize(("name", "bare"), _named_templates())
def test_a_template_sent_without_context_needs_none(name: str, bare: bool) -> None:
    template = create_text_environment().get_template(name)  # exists
    if bare:
        assert template.render().strip(), name
