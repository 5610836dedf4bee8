"""`fangpin cases export`: the cases as JSON or CSV, with ID numbers and names masked."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.os_error_text import os_error_text
from bot.self_report_form import CAUSE_LABELS
from bot.settings import database_url
from bot.startup_errors import require_database_file
from bot.stdout_closed import drop_stdout
from policy.case_status import SOURCE_NAMES_ZH, STATUS_NAMES_ZH
from policy.local_time import local
from policy.masking import mask_id, mask_name, mask_phone
from storage.engine import create_engine, create_sessionmaker
from storage.models import Case, Household

COLUMNS = (
    ("number", "编号"), ("status", "状态"), ("status_zh", "状态说明"), ("source", "来源"),
    ("household", "户编号"), ("village", "村组（申报所填）"), ("applicant", "申请人"),
    ("id_number", "身份证号"),
    ("phone", "联系电话"), ("cause", "困难原因"), ("occurred_on", "发生时间"),
    ("rigid_expense", "刚性支出(元)"), ("reimbursed", "报销补助(元)"),
    ("income_expected", "今年预计收入(元)"), ("income_last_year", "去年收入(元)"),
    ("household_size", "家庭人口"), ("urgent", "紧急"), ("created_at", "申报时间"),
)


def case_row(case: Case, household_code: str | None) -> dict[str, Any]:
    return {
        "number": case.number, "status": case.status.value,
        "status_zh": STATUS_NAMES_ZH[case.status], "source": SOURCE_NAMES_ZH[case.source],
        "household": household_code or "", "village": case.village_text,
        "applicant": mask_name(case.applicant_name),
        "id_number": mask_id(case.applicant_id_number), "phone": mask_phone(case.phone),
        "cause": CAUSE_LABELS.get(case.cause, case.cause),
        "occurred_on": case.occurred_on.isoformat() if case.occurred_on else "",
        "rigid_expense": case.rigid_expense, "reimbursed": case.reimbursed,
        "income_expected": case.income_expected, "income_last_year": case.income_last_year,
        "household_size": case.household_size, "urgent": "是" if case.urgent else "否",
        "created_at": local(case.created_at).isoformat(timespec="seconds"),
    }


async def load_case_rows(url: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            query = select(Case, Household.code).outerjoin(
                Household, Household.id == Case.household_id
            ).order_by(Case.id)
            return [case_row(case, code) for case, code in (await session.execute(query)).all()]
    finally:
        await engine.dispose()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(key: str, value: Any) -> str:
    """A cell Excel shows as written: never a formula a farmer's answer could smuggle in, and a
    17-digit household code kept as text (as a number Excel would round it)."""
    if value is None:
        return ""
    text = str(value)
    if key == "household" and text.isdigit():
        return f'="{text}"'
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_rows(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(key, row[key]) for key, _ in COLUMNS])
    return buffer.getvalue()


def run_cases_export(args: argparse.Namespace) -> int:
    url = database_url()
    require_database_file(url)
    from storage.migrate import upgrade_database

    upgrade_database(url)
    rows = asyncio.run(load_case_rows(url))
    text = render_rows(rows, args.format)
    data = text.encode("utf-8-sig" if args.format == "csv" else "utf-8")  # BOM: Excel reads it
    if not args.out:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader has all it wanted: `main` ends quietly
        except OSError as exc:  # a full disk
            print(f"fangpin：写出中断，导出不完整：{os_error_text(exc)}", file=sys.stderr)
            drop_stdout()
            return 2
        return 0
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        print(f"fangpin：无法写入 {args.out}：{os_error_text(exc)}", file=sys.stderr)
        return 1
    print(f"已导出 {len(rows)} 件到 {args.out}", file=sys.stderr)
    return 0


def add_cases_parser(subparsers: argparse._SubParsersAction) -> None:
    cases = subparsers.add_parser("cases", help="warning cases")
    commands = cases.add_subparsers(dest="cases_command", required=True)
    export = commands.add_parser("export", help="export cases (ID numbers masked)")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(run=run_cases_export)
