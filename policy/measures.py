"""Assistance measures (五类救助) and which ones to propose for a graded household.

The catalogue is data (`measures.toml`): each measure has one level word (帮 扶 带 引 提), the
needs it answers and the department responsible. `propose_measures` applies 缺什么补什么: the
household's causes, its unmet guarantees and the need of its level (I hardship, II no labour,
III weak labour, IV weak drive, V green) select measures; those of the level's word come first,
then the others in catalogue order (at level V the green ones last). A household in which nobody
can work is never proposed a measure that needs a worker.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

from policy.levels import WORDS, Level

CATALOGUE_PATH = Path(__file__).resolve().parent / "measures.toml"

CAUSES: tuple[str, ...] = (
    "illness",
    "disability",
    "disaster",
    "schooling",
    "accident",
    "job_loss",
    "other",
)
# 两不愁三保障 and drinking water, in the order grading keeps them.
GUARANTEES: tuple[str, ...] = ("food_clothing", "education", "medical", "housing", "water")
GUARANTEE_NEEDS: tuple[str, ...] = tuple(f"guarantee.{g}" for g in GUARANTEES)
LEVEL_NEED: Mapping[Level, str] = {
    Level.I: "hardship",
    Level.II: "no_labour",
    Level.III: "weak_labour",
    Level.IV: "weak_drive",
    Level.V: "green",
}
NEEDS: frozenset[str] = frozenset((*CAUSES, *GUARANTEE_NEEDS, *LEVEL_NEED.values()))


class CatalogueError(ValueError):
    """The measures catalogue is malformed (the message names the measure and key)."""


class _HasGuarantees(Protocol):
    def unmet_guarantees(self) -> tuple[str, ...]: ...  # names from GUARANTEES


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    name: str
    word: str
    answers: tuple[str, ...]
    department: str
    description: str = ""
    needs_labour: bool = False  # someone must be able to work (a job, training, a loan)

    @property
    def level(self) -> Level:
        return Level.from_word(self.word)

    def to_dict(self) -> dict[str, str]:
        """The shape `fangpin grade` writes: id, name, word, department."""
        return {"id": self.id, "name": self.name, "word": self.word, "department": self.department}


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    measures: tuple[Measure, ...]

    def by_id(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)

    def answering(self, need: str) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if need in m.answers)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read a catalogue file; `None` reads the packaged one (cached)."""
    if path is None:
        return _default_catalogue()
    with Path(path).open("rb") as fh:
        return parse_catalogue(tomllib.load(fh))


@cache
def _default_catalogue() -> Catalogue:
    with CATALOGUE_PATH.open("rb") as fh:
        return parse_catalogue(tomllib.load(fh))


def parse_catalogue(data: Mapping[str, Any]) -> Catalogue:
    version = data.get("version")
    if not isinstance(version, str):
        raise CatalogueError("measures: 缺少 version")
    seen: set[str] = set()
    measures = []
    for i, raw in enumerate(data.get("measure", [])):
        m = _parse_measure(raw, i)
        if m.id in seen:
            raise CatalogueError(f"measure[{i}]: 重复的 id {m.id!r}")
        seen.add(m.id)
        measures.append(m)
    return Catalogue(version=version, measures=tuple(measures))


def _parse_measure(raw: Any, i: int) -> Measure:
    where = f"measure[{i}]"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where} 应为一个表")
    for key in ("id", "name", "word", "department"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise CatalogueError(f"{where}.{key} 缺失或不是字符串")
    if raw["word"] not in WORDS:
        raise CatalogueError(f"{where}.word 应为 帮 扶 带 引 提 之一")
    answers = raw.get("answers", [])
    bad = [a for a in answers if a not in NEEDS] if isinstance(answers, list) else [answers]
    if bad or not answers:
        raise CatalogueError(f"{where}.answers 为空或含未知的需要：{bad!r}")
    needs_labour = raw.get("needs_labour", False)
    if not isinstance(needs_labour, bool):
        raise CatalogueError(f"{where}.needs_labour 应为 true 或 false")
    return Measure(
        id=raw["id"],
        name=raw["name"],
        word=raw["word"],
        answers=tuple(answers),
        department=raw["department"],
        description=str(raw.get("description", "")),
        needs_labour=needs_labour,
    )


def household_needs(
    level: Level, causes: Iterable[str] | None, unmet_guarantees: Iterable[str] = ()
) -> tuple[str, ...]:
    """The level's need, then the causes, then unmet guarantees (no duplicates)."""
    needs = [LEVEL_NEED[level]]
    needs.extend(c for c in causes or () if c not in needs)
    needs.extend(f"guarantee.{g}" for g in unmet_guarantees)
    return tuple(dict.fromkeys(needs))


def propose_measures(
    level: Level,
    causes: Iterable[str] | None,
    facts: _HasGuarantees | None = None,
    catalogue: Catalogue | None = None,
    no_labour: bool = False,
) -> list[Measure]:
    """Measures for a household at `level` with `causes` and (from `facts`) unmet guarantees;
    `no_labour`: no member is able to work (see `_propose`)."""
    unmet = facts.unmet_guarantees() if facts is not None else ()
    needs = frozenset(household_needs(level, causes, unmet))
    return list(_propose(level, needs, catalogue or _default_catalogue(), no_labour))


def has_no_labour(labour: Iterable[str | None] | None) -> bool:
    """Every member's labour capacity known and none able to work (all `lost` or `none`)."""
    values = tuple(labour or ())
    return bool(values) and all(value in NO_LABOUR_CAPACITY for value in values)


NO_LABOUR_CAPACITY = frozenset({"lost", "none"})


def _propose(
    level: Level, needs: frozenset[str], catalogue: Catalogue, no_labour: bool = False
) -> tuple[Measure, ...]:
    """The level's own word first; at level V the green incentives come after the help for the
    household's causes. A household in which nobody can work gets the no-labour measures (低保
    兜底…) and none that needs a worker (a job, training, a business loan)."""
    if no_labour:
        needs = needs | {LEVEL_NEED[Level.II]}
    chosen = [m for m in catalogue.measures
              if needs.intersection(m.answers) and not (no_labour and m.needs_labour)]
    own = [m for m in chosen if m.word == level.word]
    others = [m for m in chosen if m.word != level.word]
    return tuple(others + own if level is Level.V else own + others)


@dataclass(frozen=True, slots=True)
class Proposal:
    """Proposed measures with their output form, precomputed (shared: do not mutate)."""

    measures: tuple[Measure, ...]
    dicts: tuple[Mapping[str, str], ...]
    json: str  # the output list, encoded once


@lru_cache(maxsize=1024)
def proposal_for(
    level: Level, causes: tuple[str, ...] | None, guarantees: tuple[bool | None, ...],
    no_labour: bool = False,
) -> Proposal:
    """Cached proposal from the default catalogue; `guarantees` in GUARANTEES order."""
    unmet = [g for g, v in zip(GUARANTEES, guarantees, strict=True) if v is False]
    measures = _propose(
        level, frozenset(household_needs(level, causes, unmet)), _default_catalogue(), no_labour
    )
    dicts = tuple(m.to_dict() for m in measures)
    return Proposal(measures, dicts, json.dumps(list(dicts), ensure_ascii=False))
