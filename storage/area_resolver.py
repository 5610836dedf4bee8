"""Areas by the names an export writes (县 / 乡镇 / 村 / 组): found, or created on import.

An area is the child of its parent with that name, so a registry imported over the demo county
(or a previous import) lands in the same areas. New areas get hierarchical codes: the county the
6-digit prefix of its household codes when free, each level below its parent's code plus a
3-digit number.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policy.roles import AreaLevel
from storage.models import Area

LEVELS = (AreaLevel.county, AreaLevel.township, AreaLevel.village, AreaLevel.group)
_CODE_LIMIT = 32


@dataclass(frozen=True, slots=True)
class KnownArea:
    id: int
    code: str
    name: str
    level: AreaLevel
    parent_id: int | None


class AreaResolver:
    """Caches every area of the database; creates missing ones inside the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._by_id: dict[int, KnownArea] = {}
        self._by_parent_name: dict[tuple[int | None, str], int] = {}
        self._codes: set[str] = set()
        self._children: Counter[int | None] = Counter()
        self._counties: dict[str, int] = {}
        self.created = 0

    async def load(self) -> AreaResolver:
        rows = await self._session.execute(
            select(Area.id, Area.code, Area.name, Area.level, Area.parent_id)
        )
        for row in rows:
            self._remember(KnownArea(*row))
        return self

    def _remember(self, area: KnownArea) -> None:
        self._by_id[area.id] = area
        self._by_parent_name.setdefault((area.parent_id, area.name), area.id)
        self._codes.add(area.code)
        self._children[area.parent_id] += 1
        if area.level == AreaLevel.county:
            self._counties.setdefault(area.code, area.id)

    def get(self, area_id: int) -> KnownArea:
        return self._by_id[area_id]

    def ancestor(self, area_id: int, level: AreaLevel) -> KnownArea | None:
        area: KnownArea | None = self._by_id.get(area_id)
        while area is not None and area.level != level:
            area = self._by_id.get(area.parent_id) if area.parent_id is not None else None
        return area

    def only_county(self) -> int | None:
        counties = list(self._counties.values())
        return counties[0] if len(counties) == 1 else None

    def county_by_code(self, code: str) -> int | None:
        return self._counties.get(code)

    async def resolve(self, path: tuple[str, str, str, str], code_hint: str = "") -> int | None:
        """The deepest area of (county, township, village, group), creating what is missing.

        Empty names are skipped (a village directly under its county); a path without a county
        goes under the database's only county, or resolves to None.
        """
        county_name = path[0]
        parent = self.only_county() if not county_name else None
        if not county_name and parent is None:
            return None
        for level, name in zip(LEVELS, path, strict=True):
            if not name:
                continue
            parent = self._by_parent_name.get((parent, name)) or await self._create(
                parent, name, level, code_hint
            )
        return parent

    def find(self, township: str, village: str) -> int | None:
        """An existing area named by a department row (no creation; ambiguous gives None)."""
        candidates = [a for a in self._by_id.values()
                      if (village and a.name == village and a.level == AreaLevel.village)
                      or (not village and township and a.name == township
                          and a.level == AreaLevel.township)]  # fmt: skip
        if township and village:
            candidates = [a for a in candidates if a.parent_id is not None
                          and self._by_id[a.parent_id].name == township]  # fmt: skip
        return candidates[0].id if len(candidates) == 1 else None

    async def _create(self, parent: int | None, name: str, level: AreaLevel, hint: str) -> int:
        code = self._new_code(parent, name, hint)
        area = Area(code=code, name=name, level=level, parent_id=parent)
        self._session.add(area)
        await self._session.flush()
        self._remember(KnownArea(area.id, code, name, level, parent))
        self.created += 1
        return area.id

    def _new_code(self, parent: int | None, name: str, hint: str) -> str:
        prefix = hint[:6]
        if parent is None and len(prefix) == 6 and prefix.isdigit() and prefix not in self._codes:
            return prefix
        base = "C" if parent is None else self._by_id[parent].code
        number = self._children[parent]
        for candidate in range(number + 1, number + 1000):
            code = f"{base}{candidate:03d}"
            if code not in self._codes and len(code) <= _CODE_LIMIT:
                return code
        digest = hashlib.sha1(f"{base}/{name}".encode()).hexdigest()[:15]
        return f"A{digest}"
