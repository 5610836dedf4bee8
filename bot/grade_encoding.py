"""The output line of `fangpin grade`, encoded from cached fragments (spec/grading.md).

`encode_grading(g)` equals `json.dumps(g.to_dict(), ensure_ascii=False)`; the fast path
(`bot.grade_fastpath`) builds its verdicts from the same fragments (`rule_json`, `rules_head`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from policy.grading import R_INCOME, R_STABLE, Grading, RuleResult
from policy.levels import LEVELS, Level

encode = json.JSONEncoder(ensure_ascii=False).encode
encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


def encode_grading(g: Grading) -> str:
    """`json.dumps(g.to_dict(), ensure_ascii=False)`, from cached fragments where possible."""
    parts = []
    for r in g.rules:
        text = r.json
        if text is None:  # cached rule results keep their encoding for the next household
            text = r.json = rule_json(r.rule, r.figures or {}, r.text, r)
        parts.append(text)
    return (
        f"{_PREFIX[g.level, g.provisional]}{_list_json(g.missing)}, "
        f'"rules": [{", ".join(parts)}], "measures": {g.proposal.json}, '
        f'"parameters": {str_json(g.parameters)}}}'
    )


def rule_json(
    rule: str, figures: dict[str, Any], text: str, result: RuleResult | None = None
) -> str:
    """One fired rule's output object; `result` is needed unless the figures are numeric."""
    if rule in _NUMERIC_FIGURES:  # the per-household rules: format numbers directly
        figs = ", ".join([f'"{k}": {v!r}' for k, v in figures.items()])
        return f'{{"rule": "{rule}", "figures": {{{figs}}}, "text": {encode_str(text)}}}'
    assert result is not None
    return encode(result.to_dict())


def rules_head(level: Level, provisional: bool, missing: tuple[str, ...]) -> str:
    """The output up to and including `"rules": [`."""
    return f'{_PREFIX[level, provisional]}{_list_json(missing)}, "rules": ['


@lru_cache(maxsize=64)
def str_json(text: str) -> str:
    return encode(text)


# Rules whose figures are only int and float (whose repr is their JSON) by construction.
_NUMERIC_FIGURES = frozenset({R_INCOME, R_STABLE})

_PREFIX = {
    (lv, prov): encode({"level": lv.value, "colour": lv.colour, "provisional": prov})[:-1]
    + ', "missing": '
    for lv in LEVELS
    for prov in (False, True)
}


@lru_cache(maxsize=1024)
def _list_json(items: tuple[str, ...]) -> str:
    return encode(list(items))
