"""Export the reverse-warning roster of an area (反向预警名册) for door-to-door verification.

The eleven criteria (policy.reverse_warning) run over the registry and the screening hits; the
households that meet any, together with every household that has an open case (self-reports,
periodic findings, screening warnings), become one row each, sorted by township, village, group.
ID numbers and phones are masked unless the operator's role may see full numbers and asks for
them; every export is logged (a RosterExport row, and a log line without any ID number).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.os_error_text import os_error_text
from bot.roster_rows import build_rows, roster_notes
from policy.local_time import local_date
from policy.parameters import load_parameter_file
from policy.reverse_warning import RosterSettings, criterion_keys
from policy.roles import Role
from policy.screening_rules import load_screening_rules
from storage.area_resolver import AreaResolver
from storage.models import Area, RosterExport, WechatUser, utcnow
from storage.queries import area_path, user_by_openid
from storage.roster_export import write_roster
from storage.roster_queries import load_roster

log = logging.getLogger(__name__)
FULL_ID_ROLES = frozenset({Role.county_officer, Role.data_operator, Role.admin})


class RosterError(Exception):
    """The roster cannot be exported as asked; the message says why (plain Chinese)."""


@dataclass(frozen=True)
class RosterRequest:
    area: str
    out: Path
    criteria: tuple[str, ...] = ()
    operator: str | None = None
    full_ids: bool = False
    year: int | None = None
    as_of: dt.date | None = None
    params_path: Path | None = None
    rules_path: Path | None = None


@dataclass(frozen=True)
class RosterResult:
    area_name: str
    file: Path
    rows: int
    full_ids: bool
    by_criterion: Counter[str]
    export_id: int


async def resolve_area(session: AsyncSession, text: str) -> Area:
    """An area by code, by name, or by names run together ("翠华镇红龙村")."""
    wanted = text.strip()
    if not wanted:
        raise RosterError("地区名称为空：请填写地区编码或名称，如“翠华镇红龙村”")
    by_code = (await session.scalars(select(Area).where(Area.code == wanted))).first()
    if by_code is not None:
        return by_code
    named = list(await session.scalars(select(Area).where(Area.name == wanted)))
    if not named:
        for area in await session.scalars(select(Area)):
            path = await area_path(session, area.id)
            if "".join(a.name for a in path).endswith(wanted):
                named.append(area)
    if len(named) == 1:
        return named[0]
    if not named:
        raise RosterError(f"找不到地区“{wanted}”（可用地区编码或名称，如“翠华镇红龙村”）")
    choices = "、".join(f"{a.name}（{a.code}）" for a in named[:10])
    raise RosterError(f"“{wanted}”对应多个地区：{choices}，请用编码或带上乡镇名")


async def check_operator(session: AsyncSession, request: RosterRequest,
                         area: Area) -> WechatUser | None:  # fmt: skip
    if request.operator is None:
        if request.full_ids:
            raise RosterError("导出完整身份证号须用 --operator 指明操作人"
                              "（县级干部、数据专员或管理员）")
        return None
    user = await user_by_openid(session, request.operator)
    if user is None or user.role == Role.farmer:
        raise RosterError(f"操作人 {request.operator} 不是本系统的工作人员")
    if request.full_ids and user.role not in FULL_ID_ROLES:
        raise RosterError("该操作人的角色不能导出完整身份证号（仅限县级干部、数据专员、管理员）")
    if user.role == Role.admin:
        return user  # an admin may export any area, with or without an area of their own
    if user.area_id is None:
        # as in chat and level overrides: no area set means no area to export, not every area
        raise RosterError(f"操作人 {request.operator} 的账号还没有设置辖区，不能导出名册")
    inside = {a.id for a in await area_path(session, area.id)}
    if user.area_id not in inside:
        raise RosterError("所选地区不在该操作人的辖区内")
    return user


async def _settings(session: AsyncSession, request: RosterRequest, area: Area,
                    today: dt.date) -> tuple[RosterSettings, str]:  # fmt: skip
    rules = load_screening_rules(request.rules_path)
    county = next((a.code for a in await area_path(session, area.id) if a.level == "county"), None)
    year = request.year or today.year
    params = load_parameter_file(request.params_path).for_year(year, county)
    settings = RosterSettings(params.poverty_line, params.slightly_above_factor,
                              request.as_of or today, rules.registered_categories, rules.roster)
    return settings, f"{params.ref}+{rules.version}"


async def export_roster(
    sessionmaker: async_sessionmaker, request: RosterRequest,
    *, clock: Callable[[], dt.datetime] = utcnow,
) -> RosterResult:
    """Write the roster file and record the export; raises RosterError when not allowed."""
    try:
        keys = criterion_keys(request.criteria)
    except ValueError as exc:
        raise RosterError(str(exc)) from exc
    now = clock()
    async with sessionmaker() as session:
        area = await resolve_area(session, request.area)
        user = await check_operator(session, request, area)
        settings, parameters = await _settings(session, request, area,
                                               local_date(now))
        since = settings.as_of - dt.timedelta(days=settings.figures.new_within_days)
        entries = await load_roster(session, area.id, since=since)
        areas = await AreaResolver(session).load()
        rows, counts = build_rows(entries, settings, keys, areas, request.full_ids)
        notes = roster_notes(area, settings, keys, parameters, counts, request.full_ids, now)
        fmt = _write(request.out, rows, notes)
        export = _record(request, area, user, keys, rows, parameters, now)
        session.add(export)
        await session.commit()
    log.info("roster export %d: area=%s criteria=%s rows=%d format=%s full_ids=%s operator=%s "
             "role=%s", export.id, area.code, ",".join(keys), len(rows), fmt, request.full_ids,
             export.operator_openid or "-", export.operator_role or "-")
    return RosterResult(area.name, request.out, len(rows), request.full_ids, counts, export.id)


def _write(out: Path, rows: list[dict[str, Any]], notes: list[tuple[str, str]]) -> str:
    """Write the file; a path that cannot be written is the operator's to fix (RosterError)."""
    try:
        return write_roster(out, rows, notes)
    except FileNotFoundError as exc:
        raise RosterError(f"无法写入 {out}：文件夹“{out.parent}”不存在，请先建好文件夹") from exc
    except PermissionError as exc:
        raise RosterError(f"无法写入 {out}：没有写入权限（文件是否正在 Excel 中打开？）") from exc
    except OSError as exc:
        raise RosterError(f"无法写入 {out}：{os_error_text(exc)}") from exc


def _record(request: RosterRequest, area: Area, user: WechatUser | None, keys: tuple[str, ...],
            rows: list[dict[str, Any]], parameters: str, now: dt.datetime) -> RosterExport:
    return RosterExport(
        at=now, operator_openid=user.openid if user else "",
        operator_role=user.role.value if user else "", area_id=area.id, criteria=list(keys),
        full_ids=request.full_ids, row_count=len(rows), file_name=request.out.name[:255],
        household_codes=[row["household"] for row in rows if row["household"]],
        parameters=parameters[:64],
    )  # fmt: skip
