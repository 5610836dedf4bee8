"""Finding the village (and group) a farmer names in free text: "红龙村7组", "翠华镇红龙村3组"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policy.amounts import parse_numeral
from policy.roles import AreaLevel
from storage.models import Area


def _named(areas: Sequence[Area], text: str) -> list[Area]:
    """Areas whose whole name stands in the text (so "7组" is not found in "17组")."""
    found = []
    for area in areas:
        pattern = r"(?<![0-9０-９一二三四五六七八九十])" + re.escape(area.name)
        if re.search(pattern, text):
            found.append(area)
    return found


def _group_numerals(text: str) -> str:
    """"四组" → "4组", as the registry writes groups."""
    def digits(match: re.Match[str]) -> str:
        number = parse_numeral(match.group(1))
        return f"{number}组" if number is not None else match.group(0)

    return re.sub(r"([零一二三四五六七八九十两]+)组", digits, text)


async def _parents(session: AsyncSession, areas: Sequence[Area]) -> dict[int, Area]:
    ids = {area.parent_id for area in areas if area.parent_id is not None}
    rows = await session.scalars(select(Area).where(Area.id.in_(ids)))
    return {area.id: area for area in rows}


async def place_named_in(session: AsyncSession, text: str) -> Area | None:
    """The group, else the village, named in `text`; None when none or several match."""
    villages = (await session.scalars(
        select(Area).where(Area.level == AreaLevel.village))).all()
    named = _named(villages, text)
    if len(named) > 1:  # the same village name in two townships: the township must be said
        parents = await _parents(session, named)
        named = [v for v in named if v.parent_id in parents and parents[v.parent_id].name in text]
    if len(named) != 1:
        return None
    village = named[0]
    rest = _group_numerals(text.replace(village.name, " "))
    groups = (await session.scalars(
        select(Area).where(Area.parent_id == village.id, Area.level == AreaLevel.group))).all()
    matching = _named(groups, rest)
    return matching[0] if len(matching) == 1 else village
