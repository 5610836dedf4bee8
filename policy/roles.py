"""Roles and area levels of the monitoring mechanism."""

from __future__ import annotations

import enum


class AreaLevel(enum.StrEnum):
    city = "city"
    county = "county"
    township = "township"
    village = "village"
    group = "group"


class Role(enum.StrEnum):
    farmer = "farmer"
    helper = "helper"
    village_cadre = "village_cadre"
    township_officer = "township_officer"
    county_officer = "county_officer"
    data_operator = "data_operator"
    admin = "admin"


ROLE_NAMES_ZH: dict[Role, str] = {
    Role.farmer: "农户",
    Role.helper: "帮扶责任人",
    Role.village_cadre: "村干部",
    Role.township_officer: "乡镇干部",
    Role.county_officer: "县级干部",
    Role.data_operator: "数据专员",
    Role.admin: "管理员",
}

STAFF_ROLES = frozenset(set(Role) - {Role.farmer})
