"""Names and places for the demo county: 禄劝彝族苗族自治县 as the sample registry shows it.

Place names are the townships and villages of the sample registry export
(`shared/data/registry/`); codes are hierarchical demo codes under the real county code 530128
(township +3 digits, village +3, group +2), not official statistical codes.
Personal names mix common Han surnames with surnames frequent among the Yi (彝族) and Miao (苗族)
families of the area; given names follow the fashion of the birth decade.
"""

from __future__ import annotations

import random

COUNTY_CODE = "530128"
COUNTY_NAME = "禄劝彝族苗族自治县"
COUNTY_SHORT_NAME = "禄劝县"

# (township code suffix, township, ((village code suffix, village, number of groups), ...))
PLACES: tuple[tuple[str, str, tuple[tuple[str, str, int], ...]], ...] = (
    ("101", "翠华镇", (("201", "红龙村", 9), ("202", "红竹村", 7), ("203", "黑和村", 8))),
    ("001", "屏山街道", (("201", "平凤村", 8), ("202", "龙凤村", 6), ("203", "和小村", 7))),
    ("102", "茂山镇", (("201", "凤平村", 9), ("202", "和松村", 6), ("203", "松竹村", 8))),
    ("103", "转龙镇", (("201", "新红村", 9), ("202", "石和村", 7))),
)

_HAN_SURNAMES = "王李张刘陈杨赵黄周吴徐孙朱马胡郭何高林罗"
_YI_MIAO_SURNAMES = "普起者阿沙毕鲁自龙陶熊项侯余"
_SURNAMES = _HAN_SURNAMES + _YI_MIAO_SURNAMES

# (born before this year, male characters, female characters)
_GIVEN_BY_ERA: tuple[tuple[int, str, str], ...] = (
    (
        1975,
        "发国明华学文荣德志强成福军海光平正有金春云开富贵昌祥忠顺兴",
        "秀英兰芳梅丽红玉春云琼珍凤美仙翠芬花桂会",
    ),
    (2000, "建伟勇俊杰涛斌磊超刚辉林波军明华永红亮", "艳燕娟丽霞敏静萍婷莉琴蓉梅芳慧雪丹"),
    (9999, "浩宇轩睿博子一梓俊航晨泽宏宸杰豪", "欣怡涵萱雨诗佳琪悦思梦妍可馨婷语"),
)


def surname(rng: random.Random, *, avoid: str = "") -> str:
    """A surname; `avoid` keeps spouses from sharing one (they rarely do)."""
    while True:
        chosen = rng.choice(_SURNAMES)
        if chosen != avoid:
            return chosen


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    """One or two characters, in the fashion of the birth decade; sex is "男" or "女"."""
    chars = _given_characters(sex, birth_year)
    if rng.random() < 0.25:
        return rng.choice(chars)
    first = rng.choice(chars)
    return first + rng.choice(chars)


def _given_characters(sex: str, birth_year: int) -> str:
    for before, male, female in _GIVEN_BY_ERA:
        if birth_year < before:
            return male if sex == "男" else female
    return _GIVEN_BY_ERA[-1][1 if sex == "男" else 2]


def full_name(rng: random.Random, family: str, sex: str, birth_year: int) -> str:
    return family + given_name(rng, sex, birth_year)
