"""Fact paths (`income.wage`, `members[2].labour`) in plain Chinese, for people who act on them."""

from __future__ import annotations

import re
from collections.abc import Iterable

FACT_NAMES_ZH: dict[str, str] = {
    "year": "年份", "category": "户类型", "members": "家庭成员", "labour": "家庭成员的劳动能力",
    "income": "各项收入", "income_total": "全年收入", "income_last_year": "上年收入",
    "rigid_expense": "刚性支出", "causes": "困难原因", "income_stable": "收入是否稳定",
    "project_driven": "收入是否靠项目带动", "guarantees": "两不愁三保障和饮水安全",
    "motivation": "发展意愿", "has_plan": "是否有发展计划",
    "income.wage": "工资性收入", "income.production": "生产经营性收入",
    "income.transfer": "转移性收入", "income.property": "财产性收入",
    "guarantees.food_clothing": "吃穿保障", "guarantees.education": "义务教育保障",
    "guarantees.medical": "基本医疗保障", "guarantees.housing": "住房安全保障",
    "guarantees.water": "饮水安全保障",
}  # fmt: skip
_MEMBER = re.compile(r"^members\[\d+\]\.(\w+)$")


def fact_names_zh(paths: Iterable[str]) -> list[str]:
    """Each path's Chinese name once, in order (every member's labour is one item)."""
    names: list[str] = []
    for path in paths:
        member = _MEMBER.match(path)
        name = FACT_NAMES_ZH.get(member[1] if member else path, path)
        if name not in names:
            names.append(name)
    return names
