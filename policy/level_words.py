"""Reading a warning level as people write it, and the cadre's "改级" chat command.

A level is written 一级…五级, 1级…5级, I…V (or Ⅰ…Ⅴ), or by its colour 红 蓝 紫 黄 绿, each
optionally followed by 色 and 预警 / 标识: "二级", "II", "蓝色预警" all mean level II.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policy.levels import LEVELS, Level

_WORDS: dict[str, Level] = {}
for _i, (_lv, _cn, _roman, _colour) in enumerate(
    zip(LEVELS, "一二三四五", ("I", "II", "III", "IV", "V"), "红蓝紫黄绿", strict=True)
):
    _WORDS.update({f"{_cn}级": _lv, f"{_i + 1}级": _lv, _roman: _lv, "ⅠⅡⅢⅣⅤ"[_i]: _lv,
                   _colour: _lv, f"{_colour}色": _lv})
_SUFFIXES = ("预警", "标识")
_LEVEL = "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True))
_COMMAND = re.compile(
    rf"^\s*改级\s*(?P<number>\d{{4}}-\d{{6}})?\s*(?P<level>(?:{_LEVEL})(?:{'|'.join(_SUFFIXES)})?)?"
    r"\s*[，,：:;；]?\s*(?:理由\s*[：:]?\s*)?(?P<reason>.*)$",
    re.IGNORECASE | re.DOTALL,
)
OVERRIDE_USAGE = "改级 申报编号 等级 理由，例如：改级 2026-000001 二级 家里已有稳定务工收入"


def parse_level(text: str) -> Level | None:
    """The level a word names, or None."""
    word = (text or "").strip().upper()
    for suffix in _SUFFIXES:
        word = word.removesuffix(suffix)
    return _WORDS.get(word)


@dataclass(frozen=True, slots=True)
class OverrideCommand:
    number: str | None
    level: Level | None
    reason: str
    level_text: str  # what stood where the level should be, when no level was recognised

    @property
    def problem(self) -> str:
        """What is wrong with the command's form ("" if nothing); the reason is checked later."""
        if self.number is None:
            return "没有认出申报编号（形如 2026-000001）"
        if self.level is None:
            return f"没有认出等级“{self.level_text}”" if self.level_text else "缺少等级"
        return ""


# Full-width digits and dashes from Chinese keyboards, and the traditional 級.
_NORMAL_FORMS = str.maketrans("０１２３４５６７８９－—級", "0123456789--级")


def parse_override_command(text: str) -> OverrideCommand | None:
    """Split "改级 2026-000001 二级 理由……"; None when the text is not a 改级 command."""
    m = _COMMAND.match((text or "").translate(_NORMAL_FORMS))
    if m is None:
        return None
    level_word, reason = m["level"], m["reason"].strip()
    level = parse_level(level_word) if level_word else None
    level_text = "" if level else (reason.split() or [""])[0]
    return OverrideCommand(m["number"], level, reason, level_text)


_CONFIRM = re.compile(r"^\s*确认(?:评估|等级)?\s*(?P<number>\d{4}-\d{6})?\s*$")
CONFIRM_USAGE = "确认 申报编号，例如：确认 2026-000001"


def parse_confirm_command(text: str) -> str | None:
    """The case number of "确认 2026-000001" ("" when the number is missing or malformed);
    None when the text is not a 确认 command."""
    normal = (text or "").translate(_NORMAL_FORMS)
    if not normal.strip().startswith("确认"):
        return None
    m = _CONFIRM.match(normal)
    return (m["number"] or "") if m else ""
