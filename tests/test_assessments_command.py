"""`fangpin assessments override|history` on a real SQLite file."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt

import pytest

from bot.assessment_workflow import assess_self_report, confirm_assessment, record_assessment
from bot.assessments_command import add_assessments_parser
from policy.case_status import CaseSource, CaseStatus
from policy.levels import Level
from policy.parameters import ParameterSet
from policy.roles import Role
from storage.assessment_models import Assessment, AssessmentSource
from storage.engine import create_engine, create_sessionmaker
from storage.models import Case, CaseEvent, WechatUser
from tests.db_helpers import rows_of
from tests.registry_fixtures import seed_registry

P = ParameterSet(version="yn-test", year=2026, poverty_line=8700)
AT = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
ANSWERS = {"household_size": 3, "cause": "illness", "rigid_expense": 25000, "reimbursed": 3000,
           "income_expected": 35000, "income_last_year": 40000}


async def _seed(url: str) -> dict[str, int]:
    ids = await seed_registry(url)
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all([
            WechatUser(openid="o-town", role=Role.township_officer, area_id=ids["village"]),
            WechatUser(openid="o-data", role=Role.data_operator, area_id=ids["village"]),
        ])
        case = Case(number="2026-000001", source=CaseSource.self_report,
                    status=CaseStatus.reported, household_id=ids["household"],
                    area_id=ids["group"], applicant_name="李云")
        session.add(case)
        await session.flush()
        await assess_self_report(session, case, ANSWERS, P, AT)
        verified = await record_assessment(
            session, {"category": "脱贫户", "members": [{"labour": "normal"}] * 3,
                      "income": {"wage": 90000, "production": 0, "transfer": 0, "property": 0},
                      "rigid_expense": 0, "income_stable": True, "project_driven": False,
                      "guarantees": dict.fromkeys(
                          ("food_clothing", "education", "medical", "housing", "water"), True),
                      "motivation": "average", "has_plan": True},
            P, source=AssessmentSource.verification, assessor="o-cadre",
            at=AT + dt.timedelta(days=3), household_id=ids["household"])
        await confirm_assessment(session, verified, "o-town", AT + dt.timedelta(days=4))
    await engine.dispose()
    return ids


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="fangpin")
    add_assessments_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["assessments", *argv])
    return args.run(args)


@pytest.fixture
def db(database_url, monkeypatch) -> str:
    monkeypatch.setenv("FANGPIN_DATABASE_URL", database_url)
    asyncio.run(_seed(database_url))
    return database_url


def test_override_with_a_reason_by_a_cadre_of_the_area(db, capsys) -> None:
    code = _run("override", "--case", "2026-000001", "--level", "II",
                "--reason", "全家无劳动力，收入只靠转移性收入", "--by", "o-cadre")
    out = capsys.readouterr().out
    assert code == 0 and "已改级" in out and "二级（蓝色）预警" in out
    first = asyncio.run(rows_of(db, Assessment))[0]
    assert (first.level, first.override_level, first.override_by) == (
        Level.I, Level.II, "o-cadre")
    events = asyncio.run(rows_of(db, CaseEvent, CaseEvent.action == "level_overridden"))
    assert [e.reason for e in events] == ["全家无劳动力，收入只靠转移性收入"]


@pytest.mark.parametrize(
    ("argv", "status", "said"),
    [
        (("--level", "II", "--reason", "短", "--by", "o-cadre"), 1, "理由"),
        (("--level", "V", "--reason", "1234", "--by", "o-cadre"), 1, "用中文写明理由"),
        (("--level", "II", "--reason", "asdf", "--by", "o-cadre"), 1, "用中文写明理由"),
        (("--level", "III", "--reason", "哈哈哈哈", "--by", "o-cadre"), 1, "用中文写明理由"),
        (("--level", "VI", "--reason", "理由写得足够长", "--by", "o-cadre"), 2, "没有认出等级"),
        (("--level", "II", "--reason", "理由写得足够长", "--by", "o-nobody"), 1, "找不到操作人"),
        (("--level", "II", "--reason", "理由写得足够长", "--by", "o-data"), 1, "数据专员不能改级"),
    ],
)
def test_override_refusals_say_what_is_wrong(db, capsys, argv, status, said) -> None:
    assert _run("override", "--case", "2026-000001", *argv) == status
    assert said in capsys.readouterr().err
    assert all(a.override_level is None for a in asyncio.run(rows_of(db, Assessment)))


def test_override_of_an_unknown_case(db, capsys) -> None:
    code = _run("override", "--case", "2026-000404", "--level", "红",
                "--reason", "理由写得足够长", "--by", "o-cadre")
    assert code == 1 and "没有找到申报 2026-000404" in capsys.readouterr().err


def test_history_lists_every_assessment_with_names_masked(db, capsys) -> None:
    assert _run("history", "--household", "53012820000000") == 0
    out = capsys.readouterr().out
    assert "户主 王*红" in out and "王发红" not in out and "李云" not in out
    assert "当前等级：四级（黄色）预警" in out
    lines = [line for line in out.splitlines() if line.startswith("2026-")]
    assert len(lines) == 2
    assert "自主申报初评" in lines[0] and "一级（红色）预警" in lines[0]
    assert "2026-000001" in lines[0]
    assert "入户核实" in lines[1] and "已确认（o-town）" in lines[1] and lines[1].endswith("←当前")
    assert "参数 yn-test/2026" in lines[1]


def test_history_masks_ids_and_phones_written_into_a_reason(db, capsys) -> None:
    reason = "户主530128198403179810家中变故，电话13055163880，已上门核实"
    assert _run("override", "--case", "2026-000001", "--level", "II", "--reason", reason,
                "--by", "o-cadre") == 0
    capsys.readouterr()
    assert _run("history", "--household", "53012820000000") == 0
    out = capsys.readouterr().out
    assert "530128198403179810" not in out and "13055163880" not in out
    assert "530128********9810" in out and "130****3880" in out


def test_history_of_an_unknown_household(db, capsys) -> None:
    assert _run("history", "--household", "nope") == 1
    assert "没有找到户编号 nope" in capsys.readouterr().err


def test_confirm_by_a_cadre_of_the_area_once(db, capsys) -> None:
    assert _run("confirm", "--case", "2026-000001", "--by", "o-data") == 1
    assert "数据专员不能确认" in capsys.readouterr().err
    assert _run("confirm", "--case", "2026-000001", "--by", "o-cadre") == 0
    assert "已确认：申报 2026-000001 的评估为一级（红色）预警" in capsys.readouterr().out
    assert _run("confirm", "--case", "2026-000001", "--by", "o-cadre") == 1
    assert "已经确认过了" in capsys.readouterr().err
    first = asyncio.run(rows_of(db, Assessment))[0]
    assert first.confirmed_by == "o-cadre" and first.confirmed_at is not None
