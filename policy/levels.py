"""The five warning levels (五级预警) and the assistance word of each (五类救助: 帮扶带引提).

Level I is the highest (most severe); V is a green mark, not a warning. Compare severity with
`Level.rank` (1 = I … 5 = V) or the helpers below, never with the Roman string.
"""

from __future__ import annotations

import enum


class Level(enum.StrEnum):
    I = "I"  # noqa: E741 - the seed's own name for the level
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"

    @property
    def rank(self) -> int:
        """1 for I (most severe) … 5 for V."""
        return _RANK[self]

    @property
    def colour(self) -> str:
        """红 蓝 紫 黄 绿."""
        return _COLOUR[self]

    @property
    def name_zh(self) -> str:
        """E.g. "一级（红色）预警"; V is "五级（绿色）标识" (a mark, not a warning)."""
        return _NAME_ZH[self]

    @property
    def word(self) -> str:
        """The assistance word of the level: 帮 扶 带 引 提."""
        return _WORD[self]

    @property
    def is_warning(self) -> bool:
        return self is not Level.V

    def more_severe_than(self, other: Level) -> bool:
        return self.rank < other.rank

    @classmethod
    def from_rank(cls, rank: int) -> Level:
        return _BY_RANK[rank]

    @classmethod
    def from_word(cls, word: str) -> Level:
        return _BY_WORD[word]


LEVELS: tuple[Level, ...] = (Level.I, Level.II, Level.III, Level.IV, Level.V)
WORDS: tuple[str, ...] = ("帮", "扶", "带", "引", "提")

_RANK = {lv: i + 1 for i, lv in enumerate(LEVELS)}
_BY_RANK = {i + 1: lv for i, lv in enumerate(LEVELS)}
_COLOUR = dict(zip(LEVELS, ("红", "蓝", "紫", "黄", "绿"), strict=True))
_NAME_ZH = dict(
    zip(
        LEVELS,
        (
            "一级（红色）预警",
            "二级（蓝色）预警",
            "三级（紫色）预警",
            "四级（黄色）预警",
            "五级（绿色）标识",
        ),
        strict=True,
    )
)
_WORD = dict(zip(LEVELS, WORDS, strict=True))
_BY_WORD = {w: lv for lv, w in _WORD.items()}
