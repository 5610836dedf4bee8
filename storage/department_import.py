"""Import one department export: normalize IDs, match the registry, store screening hits.

Runs in the caller's transaction (never commits). Rows already imported (same fingerprint) add
nothing. Hits whose rules say so are handed to `open_cases`, the workflow's callback, which
opens or extends warning cases and returns the case id of each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy.department_causes import DepartmentHit
from policy.masking import mask_id, mask_name
from policy.person_names import same_name
from policy.screening_rules import Decision, HouseholdFacts, MemberFacts, ScreeningRules, decide
from storage.area_resolver import AreaResolver
from storage.department_rows import DepartmentRow, fingerprint, parse_department_row
from storage.import_report import ImportReport, Rejection
from storage.models import Household, Member, ScreeningHit
from storage.registry_import import INCOME_KEYS, chunked
from storage.registry_index import RegistryIndex
from storage.spreadsheet_reader import SheetRow

CHUNK_ROWS = 5000


@dataclass(frozen=True, slots=True)
class MatchedHit:
    """A hit on a registry member, with the facts its rules used and their decision."""

    row: DepartmentRow
    hit: DepartmentHit
    member_id: int
    household_id: int
    area_id: int
    household_size: int | None
    decision: Decision


CaseOpener = Callable[[list[MatchedHit]], Awaitable[list[int]]]


def hit_fingerprint(row: DepartmentRow, hit: DepartmentHit) -> str:
    return fingerprint("hit", row.fingerprint, {"cause": hit.cause})


def annual_income(size: int | None, per_capita: int | None, parts: list[int | None]) -> int | None:
    if size is not None and per_capita is not None:
        return size * per_capita
    known = [part for part in parts if part is not None]
    return sum(known) if known else None


async def registry_facts(
    session: AsyncSession, member_ids: set[int]
) -> tuple[dict[int, tuple[MemberFacts, int]], dict[int, tuple[HouseholdFacts, int]]]:
    """Facts the rules use: (member facts, household id) and (household facts, area id)."""
    if not member_ids:
        return {}, {}
    member_rows = await session.execute(
        select(Member.id, Member.health, Member.labour, Member.household_id).where(
            Member.id.in_(member_ids)))
    members = {mid: (MemberFacts(health, labour), hid)
               for mid, health, labour, hid in member_rows}  # fmt: skip
    incomes = [getattr(Household, key) for key in INCOME_KEYS[1:]]
    household_rows = await session.execute(
        select(Household.id, Household.area_id, Household.category, Household.size_reported,
               Household.income_per_capita, *incomes).where(
            Household.id.in_({hid for _, hid in members.values()})))  # fmt: skip
    households = {
        hid: (HouseholdFacts(category, size, annual_income(size, pc, list(parts))), area_id)
        for hid, area_id, category, size, pc, *parts in household_rows
    }
    return members, households


class DepartmentImporter:
    def __init__(self, session: AsyncSession, report: ImportReport, *, kind: str,
                 batch_id: int, at: dt.datetime, rules: ScreeningRules,
                 header_of: Callable[[str], str], open_cases: CaseOpener,
                 today: dt.date | None = None) -> None:  # fmt: skip
        self.session, self.report, self.kind, self.batch_id = session, report, kind, batch_id
        self.at, self.rules, self.header_of, self.open_cases = at, rules, header_of, open_cases
        self.today = today
        self.areas = AreaResolver(session)
        self.index = RegistryIndex({})
        self.seen: set[str] = set()
        self.matched_members: set[int] = set()
        self.unmatched_ids: set[str] = set()

    async def run(self, rows: Iterable[SheetRow], index: RegistryIndex | None = None) -> None:
        await self.areas.load()
        self.index = index if index is not None else await RegistryIndex.load(self.session)
        for chunk in chunked(rows, CHUNK_ROWS):
            parsed = [row for row in map(self._parse, chunk) if row is not None]
            await self._store(await self._fresh(parsed))
        self.report.matched = len(self.matched_members)
        self.report.unmatched = len(self.unmatched_ids)

    def _parse(self, row: SheetRow) -> DepartmentRow | None:
        self.report.rows_read += 1
        parsed = parse_department_row(self.kind, row, self.header_of, self.today)
        if isinstance(parsed, Rejection):
            self.report.rejected.append(parsed)
            return None
        if parsed.fingerprint in self.seen:
            self.report.duplicates += 1
            return None
        self.seen.add(parsed.fingerprint)
        member_id = self.index.get(parsed.id_number)
        if member_id is None:
            self.unmatched_ids.add(parsed.id_number)
        else:
            self.matched_members.add(member_id)
        if not parsed.hits:
            self.report.warn(row.number, self.header_of("aid_type"), "不是低保或特困，未生成线索")
        return parsed

    async def _fresh(self, rows: list[DepartmentRow]) -> list[DepartmentRow]:
        """Rows with at least one hit not imported before (others count as already known)."""
        wanted = [hit_fingerprint(row, hit) for row in rows for hit in row.hits]
        known: set[str] = set()
        for part in chunked(wanted, 2000):
            query = select(ScreeningHit.fingerprint).where(ScreeningHit.fingerprint.in_(part))
            known.update(await self.session.scalars(query))
        fresh = []
        for row in rows:
            hits = tuple(h for h in row.hits if hit_fingerprint(row, h) not in known)
            if row.hits and not hits:
                self.report.already_known += 1
            elif hits:
                fresh.append(row if hits == row.hits else _with_hits(row, hits))
        return fresh

    async def _store(self, rows: list[DepartmentRow]) -> None:
        if not rows:
            return
        members, households = await registry_facts(
            self.session,
            {m for m in map(self.index.get, (row.id_number for row in rows)) if m is not None})
        names: dict[int, str] = {}
        if members:
            query = select(Member.id, Member.name).where(Member.id.in_(list(members)))
            names.update((await self.session.execute(query)).tuples().all())
        records: list[dict[str, Any]] = []
        opening: list[tuple[dict[str, Any], MatchedHit]] = []
        for row in rows:
            member_id = self.index.get(row.id_number)
            found = None if member_id is None else (member_id, members[member_id][1])
            if member_id is not None and not same_name(row.name, names.get(member_id, "")):
                self.report.warn(row.number, self.header_of("name"),
                                 f"姓名与台账中这个身份证号的姓名（{mask_name(names[member_id])}）"
                                 "不一致，已按身份证号匹配，请核对是否录错")
            for hit in row.hits:
                if _cost_without_share(hit):
                    self.report.warn(row.number, self.header_of("reimbursed"),
                                     "有住院总费用，但报销金额和个人自付都是空的：算不出个人"
                                     "负担，请补上其中一项后再导入这一行")
                self.report.by_cause[hit.cause] += 1
                record = self._record(row, hit)
                records.append(record)
                if found is None:
                    record["area_id"] = self._place(row)
                    continue
                matched = self._matched(row, hit, found, members, households)
                record.update(member_id=found[0], household_id=found[1],
                              area_id=matched.area_id, opens_case=matched.decision.opens,
                              reasons=[r.text for r in matched.decision.rules])  # fmt: skip
                if matched.decision.opens:
                    opening.append((record, matched))
            if found is None:
                self.report.note_unmatched(row.number, row.name, mask_id(row.id_number),
                                           [h.cause for h in row.hits])  # fmt: skip
        case_ids = await self.open_cases([matched for _, matched in opening])
        for (record, _), case_id in zip(opening, case_ids, strict=True):
            record["case_id"] = case_id
        await self.session.execute(insert(ScreeningHit.__table__), records)

    def _record(self, row: DepartmentRow, hit: DepartmentHit) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id, "fingerprint": hit_fingerprint(row, hit),
            "kind": self.kind, "cause": hit.cause, "id_number": row.id_number,
            "name": row.name, "member_id": None, "household_id": None, "area_id": None,
            "place_text": row.place[:100], "row_number": row.number,
            "event_date": hit.event_date, "figures": _jsonable(hit.figures),
            "opens_case": False, "reasons": [], "case_id": None, "created_at": self.at,
        }  # fmt: skip

    def _place(self, row: DepartmentRow) -> int | None:
        return self.areas.find(row.township, row.village) if row.place else (
            self.areas.county_by_code(row.id_number[:6]))

    def _matched(self, row: DepartmentRow, hit: DepartmentHit, found: tuple[int, int],
                 members: dict[int, tuple[MemberFacts, int]],
                 households: dict[int, tuple[HouseholdFacts, int]]) -> MatchedHit:  # fmt: skip
        facts, area_id = households[found[1]]
        decision = decide(hit, members[found[0]][0], facts, self.rules)
        return MatchedHit(row, hit, found[0], found[1], area_id, facts.size, decision)


def _cost_without_share(hit: DepartmentHit) -> bool:
    figures = hit.figures
    return (hit.cause == "illness" and figures.get("total_cost") is not None
            and figures.get("out_of_pocket") is None)


def _with_hits(row: DepartmentRow, hits: tuple[DepartmentHit, ...]) -> DepartmentRow:
    return DepartmentRow(row.number, row.id_number, row.name, row.township, row.village, hits,
                         row.fingerprint)


def _jsonable(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in figures.items()}
