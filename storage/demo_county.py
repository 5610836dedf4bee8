"""What a demo county is: areas, households (see demo_households) and staff personas.

Plain frozen dataclasses, so two generations from the same seed compare equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from policy.roles import AreaLevel, Role
from storage.demo_households import DemoHousehold
from storage.demo_names import COUNTY_CODE, COUNTY_NAME, PLACES

FARMER_01, FARMER_02, FARMER_03 = "demo-farmer-01", "demo-farmer-02", "demo-farmer-03"
FARMER_NEW, HELPER_01, CADRE_01 = "demo-farmer-new", "demo-helper-01", "demo-cadre-01"
TOWNSHIP_01, COUNTY_01 = "demo-township-01", "demo-county-01"
PERSONA_OPENIDS = (
    FARMER_01, FARMER_02, FARMER_03, FARMER_NEW, HELPER_01, CADRE_01, TOWNSHIP_01, COUNTY_01,
)  # fmt: skip
_BELOW_COUNTY = (AreaLevel.township, AreaLevel.village, AreaLevel.group)


@dataclass(frozen=True)
class DemoArea:
    code: str
    name: str
    level: AreaLevel
    parent_code: str | None


@dataclass(frozen=True)
class DemoPersona:
    """A WeChat user of the demo; farmers point at a household, staff at an area."""

    openid: str
    role: Role
    display_name: str
    area_code: str | None = None
    household_code: str | None = None
    paired_household_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoCounty:
    seed: int
    as_of: dt.date
    areas: tuple[DemoArea, ...]
    households: tuple[DemoHousehold, ...]
    personas: tuple[DemoPersona, ...]
    unregistered_id_number: str
    """A valid ID number of the county that no member has (try it as demo-farmer-new)."""

    @property
    def county(self) -> DemoArea:
        return self.areas[0]

    @property
    def member_count(self) -> int:
        return sum(len(household.members) for household in self.households)

    @cached_property
    def _areas_by_code(self) -> dict[str, DemoArea]:
        return {area.code: area for area in self.areas}

    def area(self, code: str) -> DemoArea:
        return self._areas_by_code[code]

    def ancestor(self, area_code: str, level: AreaLevel) -> DemoArea:
        """The area itself or the one above it at `level`."""
        area = self.area(area_code)
        while area.level != level:
            if area.parent_code is None:
                raise KeyError(f"{area_code} has no {level} above it")
            area = self.area(area.parent_code)
        return area

    def place_of(self, area_code: str, down_to: AreaLevel = AreaLevel.group) -> str:
        """Names below the county, township first: "翠华镇红龙村7组" (or "翠华镇红龙村")."""
        path: list[DemoArea] = []
        area = self.area(area_code)
        while area.parent_code is not None:
            path.append(area)
            area = self.area(area.parent_code)
        keep = _BELOW_COUNTY[: _BELOW_COUNTY.index(down_to) + 1]
        return "".join(area.name for area in reversed(path) if area.level in keep)

    def household(self, code: str) -> DemoHousehold:
        return next(household for household in self.households if household.code == code)

    def persona(self, openid: str) -> DemoPersona:
        return next(persona for persona in self.personas if persona.openid == openid)


def demo_areas() -> tuple[DemoArea, ...]:
    """County, townships, villages and groups, each parent before its children."""
    areas = [DemoArea(COUNTY_CODE, COUNTY_NAME, AreaLevel.county, None)]
    for township_suffix, township_name, villages in PLACES:
        township_code = COUNTY_CODE + township_suffix
        areas.append(DemoArea(township_code, township_name, AreaLevel.township, COUNTY_CODE))
        for village_suffix, village_name, group_count in villages:
            village_code = township_code + village_suffix
            areas.append(DemoArea(village_code, village_name, AreaLevel.village, township_code))
            areas.extend(
                DemoArea(
                    f"{village_code}{number:02d}", f"{number}组", AreaLevel.group, village_code
                )
                for number in range(1, group_count + 1)
            )
    return tuple(areas)
