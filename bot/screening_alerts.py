"""One alert per import per area to the cadres who follow up data-screening cases.

Village cadres (村干部, area = the village or one of its groups) get their village's new cases;
township officers (乡镇干部) get their township's. Each alert goes to the outbox with the unique
key `screening:<kind>:<file digest>:<area code>:<openid>`, so importing the same file again can
never alert twice. Names are masked; no ID number and no diagnosis leave the system.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox_writer import OutboxWriter
from bot.screening_workflow import OpenedCase
from bot.texts import Answer, render_answer
from policy.department_causes import CASE_CAUSE_NAMES, KIND_NAMES
from policy.roles import AreaLevel, Role
from storage.area_resolver import AreaResolver
from storage.models import OutboundMessage, WechatUser

TEMPLATE = "alerts/screening_alert.j2"
MAX_CASES_LISTED = 20
_LEVEL_OF_ROLE = {Role.village_cadre: AreaLevel.village, Role.township_officer: AreaLevel.township}


def alert_answer(area_name: str, kind: str, cases: Sequence[OpenedCase],
                 areas: AreaResolver) -> Answer:  # fmt: skip
    causes = Counter(CASE_CAUSE_NAMES.get(case.cause, case.cause) for case in cases)
    listed = [{"number": case.number, "name": case.masked_name,
               "place": _place(areas, case.area_id),
               "cause": CASE_CAUSE_NAMES.get(case.cause, case.cause)}
              for case in cases[:MAX_CASES_LISTED]]  # fmt: skip
    return Answer(TEMPLATE, {
        "area_name": area_name, "source": KIND_NAMES.get(kind, kind), "total": len(cases),
        "by_cause": [{"cause": c, "count": n} for c, n in sorted(causes.items())],
        "cases": listed, "more": max(0, len(cases) - MAX_CASES_LISTED),
    })  # fmt: skip


def _place(areas: AreaResolver, area_id: int) -> str:
    """Village and group names of a case's area ("红龙村7组")."""
    names: list[str] = []
    area = areas.get(area_id)
    while area.level in (AreaLevel.group, AreaLevel.village):
        names.append(area.name)
        if area.parent_id is None:
            break
        area = areas.get(area.parent_id)
    return "".join(reversed(names))


def cases_by_area(
    cases: Sequence[OpenedCase], areas: AreaResolver
) -> dict[int, list[OpenedCase]]:
    """New cases grouped under their village and their township (area id -> cases)."""
    grouped: dict[int, list[OpenedCase]] = defaultdict(list)
    for case in cases:
        for level in (AreaLevel.village, AreaLevel.township):
            area = areas.ancestor(case.area_id, level)
            if area is not None:
                grouped[area.id].append(case)
    return grouped


async def send_screening_alerts(
    session: AsyncSession, outbox: OutboxWriter, environment: Environment, *,
    cases: Sequence[OpenedCase], areas: AreaResolver, kind: str, file_digest: str,
) -> int:
    """Queue one alert per area and recipient; returns how many were queued."""
    grouped = cases_by_area(cases, areas)
    if not grouped:
        return 0
    planned = []
    for user in await _recipients(session):
        level = _LEVEL_OF_ROLE[user.role]
        area = areas.ancestor(user.area_id, level) if user.area_id is not None else None
        if area is not None and area.id in grouped:
            key = f"screening:{kind}:{file_digest[:16]}:{area.code}:{user.openid}"
            planned.append((key, user.openid, area))
    queued = await _already_queued(session, [key for key, _, _ in planned])
    for key, openid, area in planned:
        if key not in queued:
            answer = alert_answer(area.name, kind, grouped[area.id], areas)
            outbox.text(openid, render_answer(environment, answer), "screening_alert",
                        unique_key=key)
    return len(planned) - len(queued)


async def _already_queued(session: AsyncSession, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    query = select(OutboundMessage.unique_key).where(OutboundMessage.unique_key.in_(keys))
    return {key for key in await session.scalars(query) if key is not None}


async def _recipients(session: AsyncSession) -> Sequence[WechatUser]:
    query = select(WechatUser).where(
        WechatUser.role.in_(tuple(_LEVEL_OF_ROLE)), WechatUser.subscribed.is_(True),
        WechatUser.area_id.is_not(None)).order_by(WechatUser.id)
    return (await session.scalars(query)).all()
