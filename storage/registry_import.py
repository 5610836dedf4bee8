"""Import the household registry export: areas, households, members, incomes, in chunks.

Runs inside the caller's transaction and never commits (the caller commits the whole file or
rolls it back). Re-importing the same file changes nothing; a newer file updates what changed
and records every changed value as an `ImportChange` of the batch. Members missing from a file
are left as they are (an export may cover one township only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from policy.masking import mask_name
from policy.person_names import same_name
from storage.area_resolver import AreaResolver
from storage.import_report import ImportReport, Rejection
from storage.models import Household, ImportChange, Member
from storage.registry_rows import (
    INCOME_KEYS,
    HouseholdValues,
    RegistryRow,
    parse_registry_row,
)
from storage.spreadsheet_reader import SheetRow

CHUNK_ROWS = 2000
_HOUSEHOLD_FIELDS = ("area_id", "category", "size_reported", *INCOME_KEYS)
_MEMBER_FIELDS = ("household_id", "name", "relation", "birth_date", "labour", "health",
                  "schooling", "dibao", "tekun", "exit_year", "phone")  # fmt: skip


def chunked(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class _HouseholdState:
    id: int
    stored: dict[str, Any]
    head_name: str
    created_here: bool = False
    first_number: int = 0
    first_values: HouseholdValues | None = None
    warned: bool = False


@dataclass
class _Pending:
    new_members: list[dict[str, Any]] = field(default_factory=list)
    member_updates: list[dict[str, Any]] = field(default_factory=list)
    household_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


class RegistryImporter:
    """One import of one file; `run` feeds it the rows."""

    def __init__(self, session: AsyncSession, report: ImportReport, batch_id: int,
                 at: dt.datetime, header_of: Callable[[str], str],
                 today: dt.date | None = None) -> None:  # fmt: skip
        self.session, self.report, self.batch_id = session, report, batch_id
        self.at, self.today, self.header_of = at, today, header_of
        self.areas = AreaResolver(session)
        self.area_ids: dict[tuple[str, str, str, str], int | None] = {}
        self.households: dict[str, _HouseholdState] = {}
        self.seen: dict[str, tuple[int, int]] = {}
        self.updated_households: set[int] = set()

    async def run(self, rows: Iterable[SheetRow]) -> None:
        await self.areas.load()
        for chunk in chunked(rows, CHUNK_ROWS):
            parsed = [row for row in map(self._parse, chunk) if row is not None]
            await self._write(await self._placed(parsed))
        self.report.households_updated = len(self.updated_households)

    def _parse(self, row: SheetRow) -> RegistryRow | None:
        self.report.rows_read += 1
        parsed = parse_registry_row(row, self.header_of, self.today)
        if isinstance(parsed, Rejection):
            self.report.rejected.append(parsed)
            return None
        content = hash((parsed.household, parsed.member))
        first = self.seen.get(parsed.member.id_number)
        if first is None:
            self.seen[parsed.member.id_number] = (row.number, content)
            return parsed
        if first[1] == content:
            self.report.duplicates += 1
        else:
            self.report.reject(row.number, self.header_of("id_number"),
                               f"与第{first[0]}行的身份证号相同，但其他内容不同", "conflict",
                               row.cells)  # fmt: skip
        return None

    async def _placed(self, rows: list[RegistryRow]) -> list[RegistryRow]:
        """Rows whose area resolves (created when missing); the others are rejected."""
        placed = []
        for row in rows:
            path = row.household.area_path
            if path not in self.area_ids:
                self.area_ids[path] = await self.areas.resolve(path, row.household.code)
            if self.area_ids[path] is None:
                self.report.reject(row.number, self.header_of("county"),
                                   "县为空，且无法确定所属的县", "no_county", row.cells)
            else:
                placed.append(row)
        return placed

    async def _write(self, rows: list[RegistryRow]) -> None:
        existing = await self._existing_members([row.member.id_number for row in rows])
        rows = [row for row in rows if self._same_person(row, existing.get(row.member.id_number))]
        if not rows:
            return
        await self._load_households({row.household.code for row in rows})
        await self._create_households(rows)
        pending = _Pending()
        for row in rows:
            self._household_row(row, pending)
        for row in rows:
            self._member_row(row, existing.get(row.member.id_number), pending)
        await self._flush(pending)

    async def _load_households(self, codes: set[str]) -> None:
        wanted = [code for code in codes if code not in self.households]
        if not wanted:
            return
        columns = [getattr(Household, name) for name in _HOUSEHOLD_FIELDS]
        query = select(Household.code, Household.id, Household.head_name, *columns).where(
            Household.code.in_(wanted))
        for code, hid, head, *values in await self.session.execute(query):
            stored = dict(zip(_HOUSEHOLD_FIELDS, values, strict=True))
            self.households[code] = _HouseholdState(hid, stored, head)

    async def _create_households(self, rows: list[RegistryRow]) -> None:
        new: dict[str, dict[str, Any]] = {}
        for row in rows:
            values = row.household
            if values.code in self.households or values.code in new:
                continue
            area_id = self.area_ids[values.area_path]
            head = next((r.member.name for r in rows
                         if r.household.code == values.code and r.is_head), "")  # fmt: skip
            new[values.code] = {"code": values.code, "area_id": area_id, "head_name": head,
                                "created_at": self.at, "registry_batch_id": self.batch_id,
                                "registry_updated_at": self.at, **values.fields()}  # fmt: skip
        if not new:
            return
        result = await self.session.execute(
            insert(Household.__table__).returning(Household.code, Household.id),
            list(new.values()))
        for code, hid in result:
            stored = {name: new[code][name] for name in _HOUSEHOLD_FIELDS}
            self.households[code] = _HouseholdState(hid, stored, new[code]["head_name"], True)
        self.report.households_created += len(new)

    def _household_row(self, row: RegistryRow, pending: _Pending) -> None:
        state = self.households[row.household.code]
        if state.first_values is None:
            state.first_number, state.first_values = row.number, row.household
            if not state.created_here:
                self._compare_household(state, row, pending)
        elif state.first_values != row.household and not state.warned:
            state.warned = True
            columns = "、".join(self.header_of(key)
                               for key in _differing(state.first_values, row.household))
            self.report.warn(row.number, self.header_of("household_code"),
                             f"与本户第{state.first_number}行的户信息不一致（{columns}），"
                             "以第一行为准")
        if row.is_head and state.head_name != row.member.name:
            self._change(pending, "household", state.id, "head_name", state.head_name,
                         row.member.name, record=not state.created_here)
            pending.household_updates.setdefault(state.id, {})["head_name"] = row.member.name
            state.head_name = row.member.name

    def _compare_household(self, state: _HouseholdState, row: RegistryRow,
                           pending: _Pending) -> None:  # fmt: skip
        wanted = {"area_id": self.area_ids[row.household.area_path], **row.household.fields()}
        for name in _HOUSEHOLD_FIELDS:
            if wanted[name] != state.stored[name]:
                self._change(pending, "household", state.id, name, state.stored[name],
                             wanted[name])
                pending.household_updates.setdefault(state.id, {})[name] = wanted[name]
                state.stored[name] = wanted[name]

    def _change(self, pending: _Pending, entity: str, entity_id: int, name: str, old: Any,
                new: Any, record: bool = True) -> None:  # fmt: skip
        if entity == "household":
            self.updated_households.add(entity_id)
        if record:
            pending.changes.append({
                "batch_id": self.batch_id, "entity": entity, "entity_id": entity_id,
                "field": name, "old_value": _as_text(old), "new_value": _as_text(new),
                "at": self.at})  # fmt: skip

    def _same_person(self, row: RegistryRow, stored: dict[str, Any] | None) -> bool:
        """An ID stored under another name is a mistyped ID (or name), not that person's new
        name: the row is sent back rather than overwrite someone else's record."""
        if stored is None or same_name(row.member.name, stored["name"]):
            return True
        self.report.reject(
            row.number, self.header_of("id_number"),
            f"这个身份证号在台账中登记的是另一个姓名（{mask_name(stored['name'])}），与本行姓名"
            "不一致：请核对身份证号和姓名；确属改名的，请先在系统中更正姓名再导入",
            "name_conflict", row.cells)
        return False

    async def _existing_members(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        columns = [getattr(Member, name) for name in _MEMBER_FIELDS]
        query = select(Member.id_number, Member.id, *columns).where(Member.id_number.in_(ids))
        return {number: {"id": mid, **dict(zip(_MEMBER_FIELDS, values, strict=True))}
                for number, mid, *values in await self.session.execute(query)}  # fmt: skip

    def _member_row(self, row: RegistryRow, stored: dict[str, Any] | None,
                    pending: _Pending) -> None:  # fmt: skip
        state = self.households[row.household.code]
        wanted = {"household_id": state.id, **row.member.fields()}
        stamp = {"registry_batch_id": self.batch_id, "registry_updated_at": self.at}
        if stored is None:
            self.report.imported += 1
            self.report.unmatched += 1
            pending.new_members.append({"id_number": row.member.id_number, **wanted, **stamp})
            return
        self.report.matched += 1
        changed = {name: wanted[name] for name in _MEMBER_FIELDS if wanted[name] != stored[name]}
        if not changed:
            self.report.unchanged += 1
            return
        self.report.updated += 1
        for name, value in changed.items():
            self._change(pending, "member", stored["id"], name, stored[name], value)
        pending.member_updates.append({"id": stored["id"], **changed, **stamp})

    async def _flush(self, pending: _Pending) -> None:
        if pending.new_members:
            await self.session.execute(insert(Member.__table__), pending.new_members)
        if pending.member_updates:
            for group in _same_keys(pending.member_updates):
                await self.session.execute(update(Member), group)
        if pending.household_updates:
            stamp = {"registry_batch_id": self.batch_id, "registry_updated_at": self.at}
            rows = [{"id": hid, **values, **stamp}
                    for hid, values in pending.household_updates.items()]  # fmt: skip
            for group in _same_keys(rows):
                await self.session.execute(update(Household), group)
        if pending.changes:
            await self.session.execute(insert(ImportChange.__table__), pending.changes)
            self.report.changes += len(pending.changes)


def _differing(first: HouseholdValues, other: HouseholdValues) -> list[str]:
    """The registry columns in which two rows of one household disagree."""
    pairs = [*zip(("county", "township", "village", "group"), first.area_path, other.area_path,
                  strict=True),
             ("category", first.category, other.category),
             ("household_size", first.size_reported, other.size_reported),
             *zip(INCOME_KEYS, first.incomes, other.incomes, strict=True)]
    return [key for key, one, two in pairs if one != two]


def _same_keys(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Bulk UPDATE needs the same keys in every parameter set: group rows by their keys."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    yield from groups.values()
