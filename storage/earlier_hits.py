"""Department hits stored before their person was in the registry, screened once they are.

A department file may arrive before the registry export that lists its people: their hits are
kept unmatched (no member). After a registry import, `screen_earlier_hits` finds the unmatched
hits whose ID number is now a member's, decides them by the same rules and registry facts as a
department import, hands the ones that open a case to the workflow (one `open_cases` callback
per department batch and kind, in the order the hits were stored) and records the member,
household, area, decision and case on each hit. A hit so recorded is matched: no later import
screens it again. Runs in the caller's transaction (never commits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from policy.department_causes import DepartmentHit
from policy.screening_rules import ScreeningRules, decide
from storage.department_import import CaseOpener, MatchedHit, registry_facts
from storage.department_rows import DepartmentRow
from storage.models import Member, ScreeningHit

CHUNK_HITS = 2000
OpenerFor = Callable[[str, int], CaseOpener]  # (kind, department batch id) -> open_cases

_COLUMNS = (ScreeningHit.id, ScreeningHit.batch_id, ScreeningHit.kind, ScreeningHit.cause,
            ScreeningHit.id_number, ScreeningHit.name, ScreeningHit.row_number,
            ScreeningHit.event_date, ScreeningHit.figures, ScreeningHit.fingerprint)  # fmt: skip


async def screen_earlier_hits(
    session: AsyncSession, rules: ScreeningRules, opener_for: OpenerFor,
    chunk: int = CHUNK_HITS,
) -> int:
    """Screen the stored unmatched hits whose person is now in the registry; returns how many
    hits were matched."""
    matched, last_id = 0, 0
    while True:
        query = (select(*_COLUMNS, Member.id.label("member_id"))
                 .join(Member, Member.id_number == ScreeningHit.id_number)
                 .where(ScreeningHit.member_id.is_(None), ScreeningHit.id > last_id)
                 .order_by(ScreeningHit.id).limit(chunk))  # fmt: skip
        found = (await session.execute(query)).all()
        if not found:
            return matched
        await _screen(session, found, rules, opener_for)
        matched += len(found)
        last_id = found[-1].id


async def _screen(session: AsyncSession, found: Sequence[Row[Any]], rules: ScreeningRules,
                  opener_for: OpenerFor) -> None:  # fmt: skip
    members, households = await registry_facts(session, {hit.member_id for hit in found})
    changes: list[dict[str, Any]] = []
    opening: list[tuple[dict[str, Any], Row[Any], MatchedHit]] = []
    for stored in found:
        member, household_id = members[stored.member_id]
        facts, area_id = households[household_id]
        hit = _department_hit(stored)
        decision = decide(hit, member, facts, rules)
        change = {"id": stored.id, "member_id": stored.member_id, "household_id": household_id,
                  "area_id": area_id, "opens_case": decision.opens,
                  "reasons": [r.text for r in decision.rules], "case_id": None}  # fmt: skip
        changes.append(change)
        if decision.opens:
            matched = MatchedHit(_department_row(stored, hit), hit, stored.member_id,
                                 household_id, area_id, facts.size, decision)  # fmt: skip
            opening.append((change, stored, matched))
    for (kind, batch_id), group in groupby(opening, key=lambda o: (o[1].kind, o[1].batch_id)):
        items = list(group)
        case_ids = await opener_for(kind, batch_id)([matched for _, _, matched in items])
        for (change, _, _), case_id in zip(items, case_ids, strict=True):
            change["case_id"] = case_id
    await session.execute(update(ScreeningHit), changes)


def _department_hit(stored: Row[Any]) -> DepartmentHit:
    """The hit as its department import read it (figures as stored: dates as ISO text, which
    no screening rule reads)."""
    return DepartmentHit(stored.cause, stored.event_date, dict(stored.figures or {}))


def _department_row(stored: Row[Any], hit: DepartmentHit) -> DepartmentRow:
    """What a case and its event say about the row: number, name, ID number."""
    return DepartmentRow(stored.row_number, stored.id_number, stored.name, "", "", (hit,),
                         stored.fingerprint)
