"""After a registry import: warnings from department data that arrived before the registry.

Department hits stored unmatched whose people the registry now lists are screened by the same
rules as a department import (`storage.earlier_hits`); the cases they open or extend are the
workflow's (`ScreeningCaseOpener`, one per department batch and kind), and the new cases are
alerted once per department kind and area, keyed by the registry file's digest
(`screening:<kind>:<registry digest>:<area code>:<openid>`). The registry import's report
counts them: `earlier_hits_matched`, `cases_opened`, `hits_attached`, `alerts`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox_writer import OutboxWriter
from bot.screening_alerts import send_screening_alerts
from bot.screening_workflow import OpenedCase, ScreeningCaseOpener
from policy.screening_rules import ScreeningRules
from storage.area_resolver import AreaResolver
from storage.earlier_hits import screen_earlier_hits
from storage.import_report import ImportReport


async def open_earlier_warnings(
    session: AsyncSession, report: ImportReport, *, rules: ScreeningRules, areas: AreaResolver,
    registry_batch_id: int, at: dt.datetime, actor: str, file_digest: str,
    environment: Environment,
) -> None:
    """Screen the earlier department hits the registry now matches, open their warnings and
    queue the alerts, all in the registry import's transaction."""
    openers: dict[tuple[str, int], ScreeningCaseOpener] = {}

    def opener_for(kind: str, batch_id: int) -> ScreeningCaseOpener:
        if (kind, batch_id) not in openers:
            openers[kind, batch_id] = ScreeningCaseOpener(
                session, kind, batch_id, at, actor, registry_batch_id=registry_batch_id)
        return openers[kind, batch_id]

    report.earlier_hits_matched = await screen_earlier_hits(session, rules, opener_for)
    opened: dict[str, list[OpenedCase]] = defaultdict(list)
    for (kind, _), opener in openers.items():
        opened[kind] += opener.opened
        report.hits_attached += opener.attached
    outbox = OutboxWriter(session, at)
    for kind, cases in opened.items():
        report.cases_opened += len(cases)
        report.cases_by_cause.update(case.cause for case in cases)
        report.alerts += await send_screening_alerts(
            session, outbox, environment, cases=cases, areas=areas, kind=kind,
            file_digest=file_digest)
