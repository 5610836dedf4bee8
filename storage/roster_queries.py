"""What the reverse-warning roster needs for one area, as plain records (no policy here).

Households of the area and below with their members, their screening hits, the registry changes
of health and schooling since `since`, and their open cases; plus people of the area not in the
registry (unmatched hits) and open cases without a household. The session is the caller's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy.case_status import OPEN_STATUSES, SOURCE_NAMES_ZH, STATUS_NAMES_ZH
from policy.reverse_warning import ChangeRecord, HitRecord, HouseholdRecord, PersonRecord
from storage.models import Case, Household, ImportChange, Member, ScreeningHit
from storage.queries import descendant_area_ids


@dataclass
class RosterEntry:
    """One roster line: a household (or a person not in the registry) and its open cases."""

    record: HouseholdRecord
    area_id: int | None
    head_phone: str = ""
    head_id_number: str = ""
    cases: list[str] = field(default_factory=list)


_PERSON_COLUMNS = (Member.name, Member.id_number, Member.birth_date, Member.health,
                   Member.schooling, Member.dibao, Member.tekun)  # fmt: skip
_HOUSEHOLD_COLUMNS = (Household.id, Household.code, Household.category,
                      Household.size_reported, Household.income_per_capita,
                      Household.area_id)  # fmt: skip


def _hit(hit: ScreeningHit) -> HitRecord:
    figures: dict[str, Any] = dict(hit.figures or {})
    return HitRecord(hit.id_number, hit.name, hit.cause, hit.event_date,
                     hit.created_at.date(), figures)  # fmt: skip


def _case_text(case: Case) -> str:
    return f"{case.number} {SOURCE_NAMES_ZH[case.source]} {STATUS_NAMES_ZH[case.status]}"


async def load_roster(
    session: AsyncSession, area_id: int, *, since: dt.date
) -> list[RosterEntry]:
    area_ids = await descendant_area_ids(session, area_id)
    households = select(Household.id).where(Household.area_id.in_(area_ids))
    entries = await _households(session, households)
    await _add_hits(session, entries, area_ids, households)
    await _add_changes(session, entries, households, since)
    await _add_cases(session, entries, area_ids, households)
    return list(entries.values())


async def _households(session: AsyncSession, ids: Select[Any]) -> dict[Any, RosterEntry]:
    members: dict[int, list[PersonRecord]] = defaultdict(list)
    heads: dict[int, tuple[str, str]] = {}
    query = select(Member.household_id, Member.relation, Member.phone, *_PERSON_COLUMNS).where(
        Member.household_id.in_(ids)).order_by(Member.id)
    for household_id, relation, phone, *person in await session.execute(query):
        members[household_id].append(PersonRecord(*person))
        if relation == "户主" or household_id not in heads:
            heads[household_id] = (phone, person[1])
    entries: dict[Any, RosterEntry] = {}
    query = select(*_HOUSEHOLD_COLUMNS).where(Household.id.in_(ids))
    for household_id, code, category, size, income, area_id in await session.execute(query):
        record = HouseholdRecord(code, category, size, income,
                                 tuple(members.get(household_id, ())))
        phone, head_id = heads.get(household_id, ("", ""))
        entries[household_id] = RosterEntry(record, area_id, phone, head_id)
    return entries


def _extend(entry: RosterEntry, **parts: tuple[Any, ...]) -> None:
    record = entry.record
    entry.record = HouseholdRecord(
        record.code, record.category, record.size, record.income_per_capita,
        record.members + parts.get("members", ()), record.hits + parts.get("hits", ()),
        record.changes + parts.get("changes", ()))


def _outsider(entries: dict[Any, RosterEntry], id_number: str, name: str,
              area_id: int | None) -> RosterEntry:  # fmt: skip
    key = ("person", id_number)
    if key not in entries:
        record = HouseholdRecord(None, None, members=(PersonRecord(name, id_number),))
        entries[key] = RosterEntry(record, area_id, head_id_number=id_number)
    return entries[key]


async def _add_hits(session: AsyncSession, entries: dict[Any, RosterEntry],
                    area_ids: list[int], households: Select[Any]) -> None:  # fmt: skip
    query = select(ScreeningHit).where(
        ScreeningHit.household_id.in_(households)
        | (ScreeningHit.member_id.is_(None) & ScreeningHit.area_id.in_(area_ids))
    ).order_by(ScreeningHit.id)
    grouped: dict[Any, list[HitRecord]] = defaultdict(list)
    for hit in await session.scalars(query):
        if hit.household_id is not None:
            grouped[hit.household_id].append(_hit(hit))
        else:
            _outsider(entries, hit.id_number, hit.name, hit.area_id)
            grouped[("person", hit.id_number)].append(_hit(hit))
    for key, hits in grouped.items():
        if key in entries:
            _extend(entries[key], hits=tuple(hits))


async def _add_changes(session: AsyncSession, entries: dict[Any, RosterEntry],
                       households: Select[Any], since: dt.date) -> None:  # fmt: skip
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    query = (
        select(ImportChange, Member.household_id, Member.id_number, Member.name)
        .join(Member, Member.id == ImportChange.entity_id)
        .where(ImportChange.entity == "member", ImportChange.field.in_(("health", "schooling")),
               ImportChange.at >= start, Member.household_id.in_(households))
        .order_by(ImportChange.id)
    )
    grouped: dict[int, list[ChangeRecord]] = defaultdict(list)
    for change, household_id, id_number, name in await session.execute(query):
        grouped[household_id].append(ChangeRecord(id_number, name, change.field,
                                                  change.old_value, change.new_value,
                                                  change.at.date()))  # fmt: skip
    for household_id, changes in grouped.items():
        _extend(entries[household_id], changes=tuple(changes))


async def _add_cases(session: AsyncSession, entries: dict[Any, RosterEntry],
                     area_ids: list[int], households: Select[Any]) -> None:  # fmt: skip
    query = select(Case).where(
        Case.status.in_(OPEN_STATUSES),
        Case.household_id.in_(households)
        | (Case.household_id.is_(None) & Case.area_id.in_(area_ids)),
    ).order_by(Case.id)
    for case in await session.scalars(query):
        if case.household_id is not None:
            entries[case.household_id].cases.append(_case_text(case))
            continue
        entry = _outsider(entries, case.applicant_id_number or f"case:{case.number}",
                          case.applicant_name, case.area_id)
        entry.cases.append(_case_text(case))
