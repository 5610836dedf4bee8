"""Run one import (registry or department file) as one unit of work.

The whole file goes in one transaction: when rows are rejected and the operator did not ask to
take the good rows, everything is rolled back and only the batch record (status `rolled_back`,
with its report) is kept. Registry imports are all-or-nothing by default; department imports
take the good rows by default (`accept_good_rows=False` makes them all-or-nothing too). A registry
import that goes in also screens the department hits stored before their people were in the
registry (`bot.earlier_hits_screening`), so the same warnings open whichever file came first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tqdm import tqdm

from bot.earlier_hits_screening import open_earlier_warnings
from bot.outbox_writer import OutboxWriter
from bot.screening_alerts import send_screening_alerts
from bot.screening_workflow import ScreeningCaseOpener
from bot.texts import create_text_environment
from policy.screening_rules import ScreeningRules, load_screening_rules
from storage.column_synonyms import DEPARTMENT, DEPARTMENT_REQUIRED, REGISTRY, REGISTRY_REQUIRED
from storage.department_import import DepartmentImporter
from storage.department_rows import check_kind
from storage.import_report import ImportReport
from storage.models import ImportBatch, utcnow
from storage.registry_import import RegistryImporter
from storage.spreadsheet_reader import SheetRow, Table, open_table

log = logging.getLogger(__name__)
SQLITE_CACHE_KIB = 131072


@dataclass(frozen=True)
class ImportOptions:
    accept_good_rows: bool = False
    operator: str = ""
    sheet: str | None = None
    progress: bool = False
    rules_path: Path | None = None
    today: dt.date | None = None


async def _bulk_session(session: AsyncSession) -> None:
    """A bigger page cache for this connection on SQLite: index inserts of a large file stay in
    memory instead of re-reading pages (default 2 MB; 128 MB here, released on close)."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        await connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _progress(rows: Iterable[SheetRow], table: Table, options: ImportOptions) -> Iterator[SheetRow]:
    return iter(tqdm(rows, total=table.total_rows, disable=not options.progress, file=sys.stderr,
                     unit="行", desc=table.path.name, mininterval=0.5, leave=False))


def _new_report(kind: str, table: Table) -> ImportReport:
    id_column = table.columns.get("id_number")
    return ImportReport(kind=kind, file=table.path.name, file_format=table.file_format,
                        encoding=table.encoding, header_row=table.header_row,
                        header_cells=table.header_cells, id_column=id_column)  # fmt: skip


def _batch_values(report: ImportReport) -> dict[str, Any]:
    return {"rows_read": report.rows_read, "imported": report.imported,
            "updated": report.updated, "rejected": len(report.rejected),
            "duplicates": report.duplicates, "matched": report.matched,
            "unmatched": report.unmatched, "cases_opened": report.cases_opened,
            "rules_version": report.rules_version}  # fmt: skip


def _keeps(report: ImportReport, accept_good_rows: bool) -> bool:
    """Whether the file goes in (else it is rolled back)."""
    return accept_good_rows or not report.rejected


async def _finish(
    sessionmaker: async_sessionmaker, session: AsyncSession, batch: ImportBatch,
    report: ImportReport, accept_good_rows: bool, at: dt.datetime,
) -> None:
    """Commit the file, or roll it back and keep only the batch record."""
    keep = _keeps(report, accept_good_rows)
    report.status = "imported" if keep else "rolled_back"
    report.committed, report.batch_id = keep, batch.id
    if not keep:
        await session.rollback()
        report.roll_back()
    values = {**_batch_values(report), "status": report.status, "finished_at": at}
    if keep:
        for name, value in values.items():
            setattr(batch, name, value)
        batch.report = report.as_json()
        await session.commit()
        return
    async with sessionmaker() as fresh:
        record = ImportBatch(kind=batch.kind, file_name=batch.file_name,
                             file_sha256=batch.file_sha256, operator=batch.operator,
                             started_at=batch.started_at, **values)  # fmt: skip
        fresh.add(record)
        await fresh.flush()
        report.batch_id = record.id
        record.report = report.as_json()
        await fresh.commit()


def _log(report: ImportReport) -> None:
    log.info("import %s %s: status=%s rows=%d imported=%d updated=%d matched=%d unmatched=%d "
             "rejected=%d duplicates=%d cases_opened=%d", report.kind, report.file,
             report.status, report.rows_read, report.imported, report.updated, report.matched,
             report.unmatched, len(report.rejected), report.duplicates, report.cases_opened)


async def import_registry_file(
    sessionmaker: async_sessionmaker, path: str | Path, options: ImportOptions,
    *, clock: Callable[[], dt.datetime] = utcnow, environment: Environment | None = None,
) -> ImportReport:
    """Import a registry export (XLSX/CSV), then open the warnings of earlier department hits
    it matches; raises TableError when the file is unreadable."""
    rules = load_screening_rules(options.rules_path)
    table = open_table(path, REGISTRY, REGISTRY_REQUIRED, sheet=options.sheet,
                       count_rows=options.progress)
    try:
        return await _import_registry(sessionmaker, table, options, rules, clock, environment)
    finally:
        table.close()  # an import stopped by an error releases the file too


async def _import_registry(
    sessionmaker: async_sessionmaker, table: Table, options: ImportOptions,
    rules: ScreeningRules, clock: Callable[[], dt.datetime], environment: Environment | None,
) -> ImportReport:
    report, at = _new_report("registry", table), clock()
    report.rules_version = rules.version
    digest = file_digest(table.path)
    async with sessionmaker() as session:
        await _bulk_session(session)
        batch = ImportBatch(kind="registry", file_name=table.path.name[:255],
                            file_sha256=digest, operator=options.operator,
                            status="running", started_at=at,
                            rules_version=rules.version)  # fmt: skip
        session.add(batch)
        await session.flush()
        importer = RegistryImporter(session, report, batch.id, at, table.header_of, options.today)
        await importer.run(_progress(table.rows(), table, options))
        report.skipped = dict(table.skipped)
        if _keeps(report, options.accept_good_rows):
            await open_earlier_warnings(
                session, report, rules=rules, areas=importer.areas, registry_batch_id=batch.id,
                at=at, actor=options.operator or "import:registry", file_digest=digest,
                environment=environment or create_text_environment())
        await _finish(sessionmaker, session, batch, report, options.accept_good_rows, clock())
    _log(report)
    return report


async def import_department_file(
    sessionmaker: async_sessionmaker, path: str | Path, kind: str, options: ImportOptions,
    *, clock: Callable[[], dt.datetime] = utcnow, environment: Environment | None = None,
) -> ImportReport:
    """Import a department export of `kind`, open warning cases and queue the alerts; raises
    TableError when the file is unreadable or lacks the columns that make it that kind."""
    rules = load_screening_rules(options.rules_path)
    table = open_table(path, DEPARTMENT[kind], DEPARTMENT_REQUIRED, sheet=options.sheet,
                       count_rows=options.progress)
    try:
        check_kind(kind, table)
        return await _import_department(sessionmaker, table, kind, options, rules, clock,
                                        environment)
    finally:
        table.close()  # a refused file, or an import stopped by an error, releases the file


async def _import_department(
    sessionmaker: async_sessionmaker, table: Table, kind: str, options: ImportOptions,
    rules: ScreeningRules, clock: Callable[[], dt.datetime], environment: Environment | None,
) -> ImportReport:
    report, at = _new_report(kind, table), clock()
    report.rules_version = rules.version
    digest = file_digest(table.path)
    async with sessionmaker() as session:
        await _bulk_session(session)
        batch = ImportBatch(kind=kind, file_name=table.path.name[:255], file_sha256=digest,
                            operator=options.operator, status="running", started_at=at,
                            rules_version=rules.version)  # fmt: skip
        session.add(batch)
        await session.flush()
        opener = ScreeningCaseOpener(session, kind, batch.id, at,
                                     options.operator or f"import:{kind}")
        importer = DepartmentImporter(session, report, kind=kind, batch_id=batch.id, at=at,
                                      rules=rules, header_of=table.header_of, open_cases=opener,
                                      today=options.today)  # fmt: skip
        await importer.run(_progress(table.rows(), table, options))
        report.skipped = dict(table.skipped)
        report.cases_opened, report.hits_attached = len(opener.opened), opener.attached
        report.cases_by_cause.update(case.cause for case in opener.opened)
        report.alerts = await send_screening_alerts(
            session, OutboxWriter(session, at), environment or create_text_environment(),
            cases=opener.opened, areas=importer.areas, kind=kind, file_digest=digest)
        await _finish(sessionmaker, session, batch, report, options.accept_good_rows, clock())
    _log(report)
    return report
