"""Assessments in storage, on SQLite and (FANGPIN_TEST_POSTGRES_URL) PostgreSQL.

History, confirmation, override beside the computed level, and the household's current level:
the effective level of the latest confirmed, non-provisional assessment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select

from bot.assessment_workflow import (
    AlreadyConfirmed,
    CannotConfirmProvisional,
    LevelNotAllowed,
    OverrideReasonRequired,
    confirm_assessment,
    current_level,
    level_history,
    override_level,
    record_assessment,
)
from policy.case_status import CaseSource, CaseStatus
from policy.facts import FactError
from policy.levels import Level
from policy.parameters import ParameterSet
from policy.roles import AreaLevel
from storage.assessment_models import Assessment, AssessmentSource
from storage.engine import create_engine
from storage.migrate import alembic_config, upgrade_database_async
from storage.models import Area, Case, CaseEvent, Household

P = ParameterSet(version="yn-test", year=2026, poverty_line=8700)
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
ALL_SECURED = {g: True for g in ("food_clothing", "education", "medical", "housing", "water")}


def facts(level: str, category: str = "脱贫户") -> dict[str, Any]:
    """Complete facts graded to `level` (I, IV or V), or provisional ones ("provisional")."""
    full = {"category": category, "members": [{"labour": "normal"}] * 2,
            "income": {"wage": 40000, "production": 0, "transfer": 0, "property": 0},
            "rigid_expense": 0, "causes": [], "income_stable": True, "project_driven": False,
            "guarantees": ALL_SECURED, "motivation": "strong", "has_plan": True}
    if level == "I":
        return {**full, "rigid_expense": 30000}
    if level == "IV":
        return {**full, "has_plan": False}
    if level == "provisional":
        return {"category": category, "members": [{"labour": None}] * 2, "income_total": 90000}
    return full


async def _household(session, category: str = "脱贫户") -> tuple[Household, Case]:
    area = Area(code=f"A{category}", name="红龙村", level=AreaLevel.village)
    session.add(area)
    await session.flush()
    household = Household(code=f"H{category}", area_id=area.id, category=category,
                          head_name="王发红")
    session.add(household)
    await session.flush()
    case = Case(number=f"2026-{household.id:06d}", source=CaseSource.periodic,
                status=CaseStatus.reported, household_id=household.id, area_id=area.id)
    session.add(case)
    await session.flush()
    return household, case


async def _record(session, household: Household, level: str, at: dt.datetime,
                  case: Case | None = None) -> Assessment:
    return await record_assessment(
        session, facts(level, household.category), P, source=AssessmentSource.verification,
        assessor="o-cadre", at=at, household_id=household.id, case=case)


async def test_an_assessment_stores_what_it_used(sessionmaker):
    async with sessionmaker() as session, session.begin():
        household, case = await _household(session)
        a = await _record(session, household, "I", T0, case)
    async with sessionmaker() as session:
        [stored] = (await session.scalars(select(Assessment))).all()
        assert (stored.household_id, stored.case_id) == (household.id, case.id)
        assert stored.source is AssessmentSource.verification and stored.assessor == "o-cadre"
        assert stored.assessed_at == T0 and stored.parameters == "yn-test/2026"
        assert stored.level is Level.I and stored.provisional is False and stored.missing == []
        assert stored.facts["rigid_expense"] == 30000 and stored.facts["year"] == 2026
        [rule] = stored.rules
        assert rule["rule"] == "I.income_below_line" and rule["figures"]["pc"] == 5000
        assert rule["text"] and stored.measures[0]["id"] == "point_to_point"
        assert stored.confirmed_at is None and stored.override_level is None
        events = (await session.scalars(select(CaseEvent))).all()
        assert [(e.action, e.data["assessment_id"]) for e in events] == [("assessed", a.id)]


async def test_bad_facts_store_nothing(sessionmaker):
    async with sessionmaker() as session:
        household, _ = await _household(session)
        with pytest.raises(FactError):
            await record_assessment(session, {"members": "3"}, P, source=AssessmentSource.cli,
                                    assessor="cli", at=T0, household_id=household.id)
        assert (await session.scalars(select(Assessment))).all() == []


async def test_current_level_semantics(sessionmaker):
    async with sessionmaker() as session, session.begin():
        household, _ = await _household(session)
        hid = household.id
        assert await current_level(session, hid) is None
        first = await _record(session, household, "IV", T0)
        assert await current_level(session, hid) is None  # not confirmed yet
        await confirm_assessment(session, first, "o-township", T0 + dt.timedelta(days=1))
        assert await current_level(session, hid) is Level.IV
        later = await _record(session, household, "I", T0 + dt.timedelta(days=10))
        assert await current_level(session, hid) is Level.IV  # the later one is unconfirmed
        provisional = await _record(session, household, "provisional", T0 + dt.timedelta(days=20))
        assert provisional.provisional
        with pytest.raises(CannotConfirmProvisional):
            await confirm_assessment(session, provisional, "o-township", T0)
        # a provisional row that was confirmed anyway (e.g. imported) still never counts
        provisional.confirmed_by, provisional.confirmed_at = "import:7", T0
        await confirm_assessment(session, later, "o-township", T0 + dt.timedelta(days=11))
        assert await current_level(session, hid) is Level.I  # the latest confirmed wins
        with pytest.raises(AlreadyConfirmed):
            await confirm_assessment(session, later, "o-township", T0)
        await override_level(session, later, Level.II, "全家无劳动力，只靠低保", "o-county",
                             T0 + dt.timedelta(days=12))
        assert await current_level(session, hid) is Level.II  # override applied
    async with sessionmaker() as session:
        history = await level_history(session, hid)
        assert [(a.level, a.effective_level, a.provisional) for a in history] == [
            (Level.IV, Level.IV, False), (Level.I, Level.II, False), (Level.V, Level.V, True)]
        assert await current_level(session, hid) is Level.II


@pytest.mark.parametrize("reason", ["", "   ", "太高", " 不对 "])
async def test_override_without_a_written_reason_is_refused(sessionmaker, reason):
    async with sessionmaker() as session, session.begin():
        household, case = await _household(session)
        a = await _record(session, household, "I", T0, case)
        with pytest.raises(OverrideReasonRequired) as err:
            await override_level(session, a, Level.III, reason, "o-cadre", T0)
        assert "理由" in err.value.text
        assert a.override_level is None and a.override_reason is None


async def test_override_is_stored_beside_the_computed_level_and_evented(sessionmaker):
    at = T0 + dt.timedelta(hours=3)
    async with sessionmaker() as session, session.begin():
        household, case = await _household(session)
        a = await _record(session, household, "I", T0, case)
        await override_level(session, a, Level.III, "  报销后实际负担不大，收入不稳  ", "o-cadre",
                             at, actor_role="village_cadre")
    async with sessionmaker() as session:
        [stored] = (await session.scalars(select(Assessment))).all()
        assert (stored.level, stored.override_level, stored.effective_level) == (
            Level.I, Level.III, Level.III)
        assert stored.override_reason == "报销后实际负担不大，收入不稳"
        assert (stored.override_by, stored.override_at) == ("o-cadre", at)
        assert stored.rules[0]["rule"] == "I.income_below_line"  # the computed result is kept
        events = (await session.scalars(select(CaseEvent).order_by(CaseEvent.id))).all()
        assert [e.action for e in events] == ["assessed", "level_overridden"]
        overridden = events[-1]
        assert (overridden.actor, overridden.actor_role, overridden.reason) == (
            "o-cadre", "village_cadre", "报销后实际负担不大，收入不稳")
        assert overridden.data == {"assessment_id": stored.id, "computed": "I", "from": "I",
                                   "to": "III", "urgent": False}


async def test_a_general_household_is_overridden_to_one_or_five_only(sessionmaker):
    async with sessionmaker() as session, session.begin():
        household, case = await _household(session, "一般农户")
        a = await _record(session, household, "I", T0, case)
        with pytest.raises(LevelNotAllowed):
            await override_level(session, a, Level.III, "收入不稳定，劳动力弱", "o-cadre", T0)
        await override_level(session, a, Level.V, "已有稳定务工收入", "o-cadre", T0)
        assert a.effective_level is Level.V


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


async def test_the_assessments_migration_goes_down_and_up(storage_url):
    assert "assessments" in await _tables(storage_url)
    await asyncio.to_thread(command.downgrade, alembic_config(storage_url), "0002")
    assert "assessments" not in await _tables(storage_url)
    await upgrade_database_async(storage_url)
    assert "assessments" in await _tables(storage_url)
