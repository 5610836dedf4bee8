"""Levels as people write them, and the cadre's "改级" command."""

from __future__ import annotations

import pytest

from policy.level_words import parse_level, parse_override_command
from policy.levels import LEVELS, Level


@pytest.mark.parametrize("rank", range(1, 6))
def test_every_way_of_writing_a_level(rank: int) -> None:
    level = Level.from_rank(rank)
    words = ("一二三四五"[rank - 1] + "级", f"{rank}级", level.value, level.value.lower(),
             "ⅠⅡⅢⅣⅤ"[rank - 1], level.colour, level.colour + "色", level.colour + "色预警")
    assert [parse_level(w) for w in words] == [level] * len(words)


@pytest.mark.parametrize("word", ["", "六级", "VI", "橙", "2", "level II"])
def test_unknown_words_are_no_level(word: str) -> None:
    assert parse_level(word) is None


@pytest.mark.parametrize(
    ("text", "number", "level", "reason", "problem"),
    [
        ("改级 2026-000001 二级 理由：家有稳定收入", "2026-000001", Level.II, "家有稳定收入", ""),
        ("改级2026-000001蓝色预警，已核实务工收入", "2026-000001", Level.II, "已核实务工收入", ""),
        ("改级 2026-000001 iv 发展意愿不足", "2026-000001", Level.IV, "发展意愿不足", ""),
        ("改级 2026-000001 绿", "2026-000001", Level.V, "", ""),
        ("改级 2026-000001 三 理由什么", "2026-000001", None, "三 理由什么", "没有认出等级“三”"),
        ("改级 2026-000001", "2026-000001", None, "", "缺少等级"),
        ("改级 二级 已核实", None, Level.II, "已核实", "没有认出申报编号（形如 2026-000001）"),
    ],
)
def test_override_command(text, number, level, reason, problem) -> None:
    command = parse_override_command(text)
    assert command is not None
    assert (command.number, command.level, command.reason, command.problem) == (
        number, level, reason, problem)


def test_other_text_is_not_a_command() -> None:
    assert parse_override_command("待办") is None
    assert len(LEVELS) == 5
