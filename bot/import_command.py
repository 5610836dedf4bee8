"""`fangpin import registry|department`: read an office export into the registry or screening.

    fangpin import registry FILE [--json] [--accept-good-rows] [--rejects OUT.csv|.xlsx]
        [--rules screening.toml]
    fangpin import department --kind health|disability|disaster|education|civil|police|housing
        FILE [--json] [--all-or-nothing] [--rejects OUT] [--rules screening.toml]

Both migrate FANGPIN_DATABASE_URL first, print the report (plain Chinese, or JSON with --json)
and exit 0 when the file went in, 1 when it was rolled back because of rejected rows, 2 when
the file could not be read at all, 3 on a database error (nothing imported; no row values are
printed, they may hold ID numbers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.import_service import ImportOptions, import_department_file, import_registry_file
from bot.os_error_text import os_error_text
from bot.settings import database_url
from bot.startup_errors import require_database_file
from policy.department_causes import KIND_NAMES, KINDS
from policy.screening_rules import ScreeningRulesError
from storage.engine import create_engine, create_sessionmaker
from storage.import_report import ImportReport, render_text, write_rejects
from storage.spreadsheet_reader import TableError

EXIT_OK, EXIT_ROLLED_BACK, EXIT_UNREADABLE, EXIT_DATABASE = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # as a shell reports a Ctrl-C


def _options(args: argparse.Namespace, accept_good_rows: bool) -> ImportOptions:
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    rules = Path(args.rules) if getattr(args, "rules", None) else None
    return ImportOptions(accept_good_rows=accept_good_rows, operator=args.operator or "",
                         sheet=args.sheet, progress=progress, rules_path=rules)


async def _run(args: argparse.Namespace, options: ImportOptions) -> ImportReport:
    engine = create_engine(database_url())
    try:
        sessionmaker = create_sessionmaker(engine)
        if args.import_command == "registry":
            return await import_registry_file(sessionmaker, args.file, options)
        return await import_department_file(sessionmaker, args.file, args.kind, options)
    finally:
        await engine.dispose()


def _check_rejects_path(args: argparse.Namespace) -> None:
    """Refuse before importing when the rejects file could not be written afterwards."""
    if not args.rejects:
        return
    target = Path(args.rejects).resolve()
    if not target.parent.is_dir():
        raise TableError(f"退回文件 {args.rejects} 所在的文件夹不存在，请先建好文件夹")
    if target.is_dir():
        raise TableError(f"退回文件 {args.rejects} 是一个文件夹：请写文件名，如 退回.xlsx")
    if target == Path(args.file).resolve():
        raise TableError(f"退回文件 {args.rejects} 就是要导入的文件，写入会覆盖原表："
                         "请换一个文件名，如 退回.xlsx")


def _write_rejects(report: ImportReport, target: str) -> None:
    """Always answer the office: a header-only file when nothing was rejected."""
    try:
        count = write_rejects(report, target)
    except OSError as exc:
        print(f"fangpin import: 无法写入退回文件 {target}（{os_error_text(exc)}）",
              file=sys.stderr)
        return
    if count:
        print(f"已把 {count} 行退回原因写入 {target}", file=sys.stderr)
    else:
        print(f"没有退回的行，{target} 里只有表头", file=sys.stderr)


def _print(report: ImportReport, args: argparse.Namespace) -> None:
    if args.rejects:
        _write_rejects(report, args.rejects)
    if args.json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(render_text(report))


def run_import(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade_database

    accept = args.accept_good_rows if args.import_command == "registry" else not args.strict
    try:
        options = _options(args, accept)
        _check_rejects_path(args)
        require_database_file()
        upgrade_database(database_url())
        report = asyncio.run(_run(args, options))
    except (TableError, ScreeningRulesError) as exc:
        print(f"fangpin import: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except SQLAlchemyError as exc:
        print(f"fangpin import: {_database_error_text(exc)}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:  # before or after the commit: running it again is always right
        print("fangpin import: 导入被中断（Ctrl-C）。中断前若已提交，数据已导入；否则什么也没"
              "导入。请再运行一次同样的命令：已导入的内容不会重复导入", file=sys.stderr)
        return EXIT_INTERRUPTED
    _print(report, args)
    return EXIT_OK if report.committed and not report.all_rejected else EXIT_ROLLED_BACK


def _database_error_text(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    if "database is locked" in str(orig):  # SQLite's busy timeout ran out
        return ("数据库正被另一个程序写入（正在运行的服务或另一次导入），等了很久仍未轮到；"
                "整份文件未导入，请稍后再试，或在服务空闲时导入")
    # The driver's message may quote row values (ID numbers): name the error class only.
    return f"数据库错误（{type(orig).__name__}），整份文件未导入"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the export: .xlsx or .csv (UTF-8, UTF-8 with BOM, GBK)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--rejects", metavar="OUT",
                        help="write the rejected rows (with row, column, reason) to OUT "
                        "(.csv with BOM, or .xlsx) to send back to the office")
    parser.add_argument("--sheet", help="worksheet name (default: the active sheet)")
    parser.add_argument("--operator", metavar="OPENID", help="who imports (recorded)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar on stderr (default: when stderr is a terminal)")


def add_import_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("import", help="导入台账或部门数据（数据筛查识别）")
    commands = parser.add_subparsers(dest="import_command", required=True)
    registry = commands.add_parser(
        "registry", help="import the household registry (one row per member)",
        description="All-or-nothing: a file with rejected rows is not imported unless "
        "--accept-good-rows is given.")
    _common(registry)
    registry.add_argument("--accept-good-rows", action="store_true",
                          help="import the good rows even if some rows are rejected")
    registry.add_argument("--rules", metavar="TOML",
                          help="screening rules for department hits the registry now matches "
                          "(default: policy/screening.toml)")
    registry.set_defaults(run=run_import)
    department = commands.add_parser(
        "department", help="import a department export and screen it against the registry",
        description="Kinds: " + "; ".join(f"{k} = {KIND_NAMES[k]}" for k in KINDS))
    department.add_argument("--kind", required=True, choices=KINDS)
    _common(department)
    department.add_argument("--all-or-nothing", dest="strict", action="store_true",
                            help="import nothing when any row is rejected "
                            "(default: take the good rows and report the others)")
    department.add_argument("--rules", metavar="TOML",
                            help="screening rules file (default: policy/screening.toml)")
    department.set_defaults(run=run_import)
    return parser
