"""Roster lines from roster entries: criteria met, who and why, open cases, place names.

ID numbers and phones are masked here unless `full_ids`; names stay readable (cadres must find
the people), diagnoses are never written (only 新患大(重)病 and the like).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from policy.local_time import local
from policy.masking import mask_id, mask_phone
from policy.reverse_warning import TITLES, Reason, RosterSettings, evaluate
from policy.roles import AreaLevel
from storage.area_resolver import AreaResolver
from storage.models import Area
from storage.roster_queries import RosterEntry

_NOT_IN_REGISTRY = "未在台账中"


def _place(areas: AreaResolver, area_id: int | None) -> dict[str, str]:
    names = {"township": "", "village": "", "group": ""}
    if area_id is None:
        return names
    for level in (AreaLevel.township, AreaLevel.village, AreaLevel.group):
        found = areas.ancestor(area_id, level)
        names[level.value] = found.name if found else ""
    return names


def _detail(reason: Reason, full_ids: bool) -> str:
    who = ""
    if reason.name or reason.id_number:
        shown = reason.id_number if full_ids else mask_id(reason.id_number)
        who = f"{reason.name}（{shown}）" if shown else reason.name
    return f"【{TITLES[reason.criterion]}】{who}{reason.text}"


def _row(entry: RosterEntry, reasons: list[Reason], areas: AreaResolver,
         full_ids: bool) -> dict[str, Any]:  # fmt: skip
    record = entry.record
    met = list(dict.fromkeys(reason.criterion for reason in reasons))
    head = next((m for m in record.members if m.id_number == entry.head_id_number), None)
    head_id = entry.head_id_number if entry.head_id_number.isalnum() else ""
    return {
        **_place(areas, entry.area_id),
        "household": record.code or "", "head": head.name if head else "",
        "head_id": head_id if full_ids else mask_id(head_id),
        "phone": entry.head_phone if full_ids else mask_phone(entry.head_phone),
        "category": record.category or _NOT_IN_REGISTRY,
        "size": record.size if record.size is not None else (len(record.members) or None),
        "income": record.income_per_capita,
        "criteria": "、".join(TITLES[key] for key in met), "criteria_count": len(met),
        "details": "\n".join(_detail(reason, full_ids) for reason in reasons),
        "cases": "\n".join(entry.cases), "result": "", "verifier": "", "verified_on": "",
    }  # fmt: skip


def build_rows(
    entries: Sequence[RosterEntry], settings: RosterSettings, keys: Sequence[str],
    areas: AreaResolver, full_ids: bool,
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Rows of households meeting a criterion or with an open case, and counts per criterion."""
    rows: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for entry in entries:
        reasons = evaluate(entry.record, settings, keys)
        if not reasons and not entry.cases:
            continue
        counts.update(list(dict.fromkeys(reason.criterion for reason in reasons)))
        rows.append(_row(entry, reasons, areas, full_ids))
    rows.sort(key=lambda r: (r["township"], r["village"], _group_order(r["group"]),
                             r["household"] or "~", r["head"]))  # fmt: skip
    for number, row in enumerate(rows, start=1):
        row["seq"] = number
    return rows, counts


def _group_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 10**6, name)


def roster_notes(area: Area, settings: RosterSettings, keys: Sequence[str], parameters: str,
                 counts: Counter[str], full_ids: bool,
                 now: dt.datetime) -> list[tuple[str, str]]:  # fmt: skip
    """The explanation sheet: area, date, figures, and each criterion with its count."""
    upper = settings.slightly_above_factor * settings.poverty_line
    notes = [("地区", f"{area.name}（{area.code}）"),
             ("数据日期", settings.as_of.isoformat()),
             ("生成时间", local(now).strftime("%Y-%m-%d %H:%M:%S（北京时间）")),
             ("监测标准（人均纯收入）", f"{settings.poverty_line:,.0f}元；略高于标准：不超过"
                                        f"{upper:,.0f}元"),
             ("参数版本", parameters),
             ("身份证号", "完整号码（授权导出，已记录）" if full_ids else "已遮挡"),
             ("用途", "村（社区）干部、驻村工作队、帮扶责任人、村民小组长入户核实；"
                      "核实后填写“核实结果、核实人、核实日期”。")]  # fmt: skip
    notes += [(f"条件：{TITLES[key]}", f"{counts.get(key, 0)}户") for key in keys]
    return notes
