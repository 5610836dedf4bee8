"""`fangpin assessments`: a cadre's level override or confirmation, and a household's history.

    fangpin assessments override --case 2026-000001 --level II --reason "……" --by OPENID
    fangpin assessments confirm --case 2026-000001 --by OPENID
    fangpin assessments history --household 53012820000000

Works on FANGPIN_DATABASE_URL (default: the embedded SQLite file), migrated first. The operator
of an override or a confirmation must be a village cadre, township officer, county officer or
admin WechatUser whose area holds the case. Exit status: 0 done, 1 refused (the reason is
printed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys

from sqlalchemy.ext.asyncio import AsyncSession

from bot.assessment_view import history_row
from bot.assessment_workflow import AssessmentError, current_assessment, level_history
from bot.level_override import confirm_case_assessment, override_case_level
from bot.settings import database_url
from bot.startup_errors import require_database_file
from bot.texts import Answer, create_text_environment, render_answer
from policy.level_words import parse_level
from policy.levels import Level
from policy.masking import mask_name
from storage.assessment_queries import case_numbers, household_by_code
from storage.engine import create_engine, create_sessionmaker
from storage.models import WechatUser
from storage.queries import user_by_openid

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def add_assessments_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("assessments", help="评估：改级、确认、等级历史")
    commands = parser.add_subparsers(dest="assessments_command", required=True)
    override = commands.add_parser("override", help="改级（必须写明理由）")
    override.add_argument("--case", required=True, metavar="NUMBER", help="申报编号")
    override.add_argument("--level", required=True, help="I…V、一级…五级 或 红/蓝/紫/黄/绿")
    override.add_argument("--reason", required=True, help="改级理由（至少4个字）")
    override.add_argument("--by", required=True, metavar="OPENID", help="操作人的 openid")
    override.set_defaults(run=run_override)
    confirm = commands.add_parser("confirm", help="确认一件申报的评估（初步评估不能确认）")
    confirm.add_argument("--case", required=True, metavar="NUMBER", help="申报编号")
    confirm.add_argument("--by", required=True, metavar="OPENID", help="操作人的 openid")
    confirm.set_defaults(run=run_confirm)
    history = commands.add_parser("history", help="一户的等级历史（姓名已脱敏）")
    history.add_argument("--household", required=True, metavar="CODE", help="户编号")
    history.set_defaults(run=run_history)


def _database_url() -> str:
    from storage.migrate import upgrade_database  # alembic: imported only when it runs

    url = database_url()
    require_database_file(url)
    upgrade_database(url)
    return url


def run_override(args: argparse.Namespace) -> int:
    level = parse_level(args.level)
    if level is None:
        print(f"改级没有完成：没有认出等级“{args.level}”（可写 I…V、一级…五级 或 红/蓝/紫/黄/绿）",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        text = asyncio.run(_override(_database_url(), args.case, level, args.reason, args.by))
    except AssessmentError as exc:
        print(f"改级没有完成：{exc.text}", file=sys.stderr)
        return EXIT_REFUSED
    print(text)
    return EXIT_OK


async def _operator(session: AsyncSession, by: str) -> WechatUser:
    operator = await user_by_openid(session, by)
    if operator is None:
        raise AssessmentError(f"找不到操作人 {by}（应为已登记的工作人员 openid）")
    return operator


def run_confirm(args: argparse.Namespace) -> int:
    try:
        text = asyncio.run(_confirm(_database_url(), args.case, args.by))
    except AssessmentError as exc:
        print(f"确认没有完成：{exc.text}", file=sys.stderr)
        return EXIT_REFUSED
    print(text)
    return EXIT_OK


async def _confirm(url: str, number: str, by: str) -> str:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            case, assessment = await confirm_case_assessment(
                session, number, await _operator(session, by), dt.datetime.now(dt.UTC))
            context = {"number": case.number, "level": assessment.effective_level.name_zh,
                       "overridden": assessment.override_level is not None}
    finally:
        await engine.dispose()
    return render_answer(create_text_environment(), Answer("staff/confirm_done.j2", context))


async def _override(url: str, number: str, level: Level, reason: str, by: str) -> str:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            operator = await _operator(session, by)
            done = await override_case_level(session, number, level, reason, operator,
                                             dt.datetime.now(dt.UTC))
            context = {"number": done.case.number, "computed": done.assessment.level.name_zh,
                       "level": done.assessment.effective_level.name_zh,
                       "reason": done.assessment.override_reason}
    finally:
        await engine.dispose()
    return render_answer(create_text_environment(), Answer("staff/override_done.j2", context))


def run_history(args: argparse.Namespace) -> int:
    try:
        text = asyncio.run(_history(_database_url(), args.household))
    except AssessmentError as exc:
        print(exc.text, file=sys.stderr)
        return EXIT_REFUSED
    print(text)
    return EXIT_OK


async def _history(url: str, code: str) -> str:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            household = await household_by_code(session, code)
            if household is None:
                raise AssessmentError(f"没有找到户编号 {code}")
            history = await level_history(session, household.id)
            current = await current_assessment(session, household.id)
            numbers = await case_numbers(session, [a.case_id for a in history if a.case_id])
            context = {
                "code": household.code, "head": mask_name(household.head_name),
                "category": household.category,
                "current": current.effective_level.name_zh if current else "",
                "rows": [history_row(a, numbers.get(a.case_id or 0), a is current)
                         for a in history],
            }
    finally:
        await engine.dispose()
    return render_answer(create_text_environment(), Answer("cli/assessment_history.j2", context))
