"""Synthetic files for bench/screening.py: a registry export and a department export with the
same kinds of mess as the samples (title rows, GBK, spaces, tabs, full-width digits, lowercase
x, old 15-digit numbers, wrong check digits, Excel floats, blank rows, repeated rows, people not
in the registry, a totals row). Deterministic for a seed; written row by row (little memory).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from policy.idnumber import check_digit

REGISTRY_HEADER = ["户编号", "县", "乡(镇)", "行政村", "自然村/组", "户类型", "脱贫年度", "姓名",
                   "证件号码", "与户主关系", "家庭人口数", "劳动技能", "健康状况", "在校生状况",
                   "是否享受低保", "是否特困供养", "家庭年人均纯收入(元)", "工资性收入(元)",
                   "生产经营性收入(元)", "转移性收入(元)", "财产性收入(元)", "联系电话"]
DISABILITY_HEADER = ["姓名", "身份证号", "残疾类别", "残疾等级", "致残原因", "发证日期"]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙朱马胡郭何高林罗普起者阿沙毕鲁自龙"
_GIVEN = "发国明华学文荣德志强成福军海光平正秀英兰芳梅丽红玉春云"
_LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
_HEALTH = ("健康", "健康", "健康", "长期慢性病", "患有大病", "残疾")
_CATEGORY = ("脱贫户", "脱贫户", "脱贫户", "监测户", "一般农户")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def make_id(rng: random.Random, region: str = "530128") -> str:
    born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 33000))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + check_digit(body)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))


def _unique_id(rng: random.Random, taken: set[str]) -> str:
    number = make_id(rng)
    while number in taken:
        number = make_id(rng)
    taken.add(number)
    return number


def _household_rows(rng: random.Random, index: int, people: int,
                    taken: set[str]) -> list[list[str]]:  # fmt: skip
    township, village, group = index % 12, (index // 12) % 10, (index // 120) % 9 + 1
    size = min(people, rng.choice((1, 2, 3, 3, 4, 4, 5, 6)))
    income = [rng.choice((0, 6000, 12000, 24000, 36000)), rng.choice((0, 2000, 5000)),
              rng.choice((0, 800, 2400, 6000)), rng.choice((0, 300))]
    place = ["禄劝彝族苗族自治县", f"第{township + 1}镇", f"第{village + 1}村", f"{group}组"]
    common = [rng.choice(_CATEGORY), str(rng.choice((2016, 2017, 2018, 2019, 2020)))]
    rows = []
    for member in range(size):
        rows.append([f"5301289{index:07d}", *place, *common, _name(rng), _unique_id(rng, taken),
                     "户主" if member == 0 else rng.choice(("配偶", "之子", "之女", "之母")),
                     str(size), rng.choice(_LABOUR), rng.choice(_HEALTH),
                     rng.choice(("", "", "", "", "九年级", "高三", "中职")),
                     rng.choice(("否", "否", "否", "是")), rng.choice(("否",) * 9 + ("是",)),
                     str(sum(income) // size), *map(str, income), f"13{rng.randrange(10**9):09d}"])
    return rows


def write_registry(path: Path, people: int, seed: int = 1) -> list[str]:
    """A GBK registry CSV with a title row; returns the members' (valid) ID numbers."""
    rng = random.Random(seed)
    ids: list[str] = []
    taken: set[str] = set()
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["禄劝县防返贫监测对象信息表（基准测试，人员均为虚构）"])
        writer.writerow(REGISTRY_HEADER)
        household = 0
        while len(ids) < people:
            for row in _household_rows(rng, household, people - len(ids), taken):
                ids.append(row[8])
                writer.writerow(_messy_registry(rng, row))
            household += 1
    return ids


def _messy_registry(rng: random.Random, row: list[str]) -> list[str]:
    roll = rng.random()
    if roll < 0.002:
        row[8] = row[8][:6] + " " + row[8][6:14] + " " + row[8][14:]
    elif roll < 0.003:
        row[8] = row[8].lower()
    return row


def _messy_id(rng: random.Random, number: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        return f" {number[:6]} {number[6:14]} {number[14:]} "
    if roll < 0.07:
        return number.translate(_FULLWIDTH)
    if roll < 0.09:
        return number + "\t"
    if roll < 0.10 and number[6:8] == "19":
        return number[:6] + number[8:17]
    if roll < 0.105:
        wrong = "0" if number[17] != "0" else "1"
        return number[:17] + wrong
    if roll < 0.107:
        return f"{int(number[:17]) * 10:.5E}"
    return number.lower()


def department_rows(rng: random.Random, registry_ids: list[str], rows: int) -> Iterator[list[str]]:
    """Disability-certificate rows: 70% registry members, the rest people not in it."""
    previous: list[str] | None = None
    for _ in range(rows):
        if previous is not None and rng.random() < 0.01:
            yield previous
            continue
        if rng.random() < 0.001:
            yield [""] * len(DISABILITY_HEADER)
            continue
        number = rng.choice(registry_ids) if rng.random() < 0.7 else make_id(rng, "530129")
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(330))
        cause = "因灾" if rng.random() < 0.005 else rng.choice(("疾病", "意外", "先天", "其他"))
        previous = [_name(rng), _messy_id(rng, number), rng.choice(("肢体", "视力", "智力")),
                    rng.choice(("一级", "二级", "三级", "四级")), cause, f"{day:%Y/%m/%d}"]
        yield previous


def write_department(path: Path, registry_ids: list[str], rows: int, seed: int = 2) -> None:
    """A GBK disability CSV with a title line and a totals row."""
    rng = random.Random(seed)
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["2026年新办残疾人证人员名单（基准测试）"])
        writer.writerow(DISABILITY_HEADER)
        writer.writerows(department_rows(rng, registry_ids, rows))
        writer.writerow(["合计", f"{rows}人", "", "", "", ""])
