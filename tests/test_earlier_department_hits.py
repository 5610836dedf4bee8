"""Department files imported before the registry: the registry import opens their warnings.

Whichever order the files arrive in, the same hits are matched and the same cases open, once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from policy.case_status import CaseSource
from policy.roles import Role
from storage.models import Case, CaseEvent, ImportBatch, OutboundMessage, ScreeningHit
from tests.backends import migrated_database
from tests.screening_fixtures import (
    REGISTRY_XLSX,
    SAMPLES,
    add_staff,
    count,
    import_department,
    import_registry,
    registry_table,
    rows,
    sessions,
    write_csv,
)

FULL_ID = re.compile(r"\d{17}[\dXx]")
QUIET_HOUSEHOLD = "53012820000005"  # 红龙村1组: nobody of it is in a department sample


@pytest.fixture
async def screening_db(storage_url):
    async with sessions(storage_url) as sessionmaker:
        yield sessionmaker


async def _snapshot(sessionmaker) -> dict[str, Any]:
    """Cases, their first events and every hit, as comparable values (no database ids)."""
    cases = {case.id: case for case in await rows(sessionmaker, Case)}
    events = {}
    for event in await rows(sessionmaker, CaseEvent):
        events.setdefault(event.case_id, [r["rule"] for r in event.data["rules"]])
    return {
        "cases": [(c.number, c.source, c.status, c.applicant_name, c.cause, c.rigid_expense,
                   c.household_size, events[c.id]) for c in cases.values()],
        "hits": sorted((h.fingerprint, h.kind, h.name, h.member_id is not None, h.opens_case,
                        tuple(h.reasons), cases[h.case_id].number if h.case_id else None)
                       for h in await rows(sessionmaker, ScreeningHit)),
    }  # fmt: skip


async def test_department_files_before_the_registry_open_the_same_warnings(tmp_path):
    first = await migrated_database("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'first.db'}")
    late = await migrated_database("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'late.db'}")
    async with sessions(first) as registry_first:
        await import_registry(registry_first)
        for kind in SAMPLES:
            await import_department(registry_first, kind)
        expected = await _snapshot(registry_first)
    async with sessions(late) as departments_first:
        for kind in SAMPLES:
            before = await import_department(departments_first, kind)
            assert (before.matched, before.cases_opened) == (0, 0)
        report = await import_registry(departments_first)
        assert await _snapshot(departments_first) == expected
    matched_hits = sum(1 for hit in expected["hits"] if hit[3])
    assert (report.status, report.imported) == ("imported", 427)
    assert (report.earlier_hits_matched, report.cases_opened) == (matched_hits, 20)
    assert len(expected["cases"]) == 20
    assert sum(report.cases_by_cause.values()) == 20 and report.rules_version


async def test_a_second_registry_import_or_department_file_opens_nothing_more(screening_db):
    health = await import_department(screening_db, "health")
    assert (health.unmatched, health.cases_opened) == (13, 0)
    registry = await import_registry(screening_db)
    assert (registry.earlier_hits_matched, registry.cases_opened) == (12, 11)
    again = await import_registry(screening_db)
    assert (again.unchanged, again.earlier_hits_matched, again.cases_opened) == (427, 0, 0)
    department_again = await import_department(screening_db, "health")
    assert (department_again.matched, department_again.already_known) == (12, 13)
    assert (department_again.cases_opened, department_again.hits_attached) == (0, 0)
    assert await count(screening_db, Case, Case.source == CaseSource.data_screening) == 11
    assert await count(screening_db, CaseEvent) == 11
    (outsider,) = await rows(screening_db, ScreeningHit, ScreeningHit.member_id.is_(None))
    assert (outsider.name, outsider.case_id) == ("外县人", None)
    (hit,) = await rows(screening_db, ScreeningHit, ScreeningHit.name == "王发红")
    assert (hit.opens_case, hit.household_id is not None, hit.reasons[0][:4]) == (
        True, True, "个人自付")
    (event,) = await rows(screening_db, CaseEvent, CaseEvent.case_id == hit.case_id)
    assert (event.actor, event.data["kind"], event.data["row"]) == ("import:registry", "health", 8)
    assert (event.data["batch_id"], event.data["registry_batch_id"]) == (health.batch_id,
                                                                         registry.batch_id)
    (batch,) = await rows(screening_db, ImportBatch, ImportBatch.id == registry.batch_id)
    assert (batch.cases_opened, batch.report["earlier_hits_matched"]) == (11, 12)


async def test_warnings_from_earlier_data_are_alerted_once(screening_db, tmp_path):
    table = registry_table()
    quiet = write_csv(tmp_path / "quiet.csv", [table[0]] + [
        line for line in table[1:] if line[0] == QUIET_HOUSEHOLD], "gbk")
    await import_registry(screening_db, quiet)
    await add_staff(screening_db, "officer-cuihua", Role.township_officer, "翠华镇")
    await add_staff(screening_db, "cadre-honglong", Role.village_cadre, "红龙村")
    assert (await import_department(screening_db, "health")).alerts == 0
    report = await import_registry(screening_db)
    assert (report.cases_opened, report.alerts) == (11, 2)
    messages = {m.openid: m for m in await rows(screening_db, OutboundMessage)}
    township = messages["officer-cuihua"].payload["content"]
    assert "新增预警3户" in township and "王*红" in township and "王发红" not in township
    assert not FULL_ID.search(township) and "尿毒症" not in township
    assert messages["cadre-honglong"].unique_key.startswith("screening:health:")
    assert (await import_registry(screening_db)).alerts == 0
    assert await count(screening_db, OutboundMessage) == 2


async def test_a_rolled_back_registry_import_opens_nothing(screening_db, tmp_path):
    await import_department(screening_db, "health")
    table = registry_table()
    table[5][8] = "5.30128E+17"
    bad = write_csv(tmp_path / "bad.csv", table, "gbk")
    report = await import_registry(screening_db, bad)
    assert (report.status, report.cases_opened, report.earlier_hits_matched) == (
        "rolled_back", 0, 0)
    assert await count(screening_db, Case) == 0
    assert await count(screening_db, ScreeningHit, ScreeningHit.member_id.is_not(None)) == 0
    taken = await import_registry(screening_db, bad, accept_good_rows=True)
    assert taken.cases_opened == await count(screening_db, Case) > 0


def _import(*args: str | Path) -> list[str]:
    return ["import", *map(str, args), "--no-progress"]


def test_the_reviewers_order_on_the_command_line(cli_db, capsys):
    health = SAMPLES["health"]
    assert main(_import("department", "--kind", "health", health)) == 0
    assert "新开预警 0 件" in capsys.readouterr().out
    assert main(_import("registry", REGISTRY_XLSX)) == 0
    text = capsys.readouterr().out
    assert "现在台账里找到 12 条线索：新开预警 11 件" in text and not FULL_ID.search(text)
    assert main(_import("department", "--kind", "health", health)) == 0
    assert "以前已导入 13 行" in capsys.readouterr().out
    assert main(_import("registry", REGISTRY_XLSX, "--json")) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["earlier_hits_matched"], report["cases_opened"]) == (0, 0)
