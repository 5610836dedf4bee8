"""Screening benchmark: registry import, department import and matching, with peak memory.

Generates a registry of `--people` members (GBK CSV with a title row) and a department file of
`--rows` rows (disability certificates, GBK, with the samples' kinds of mess), then on a fresh
SQLite database (or FANGPIN_DATABASE_URL):
  1. imports the registry (`fangpin import registry --accept-good-rows`),
  2. imports the department file (`fangpin import department --kind disability`),
  3. matching: the production path (RegistryIndex loaded from the database, then one look-up per
     normalized ID) against a reference in the same run: a plain dict of the same registry IDs
     joined with the same normalized department IDs.
Prints rows per second for each, the ratio matching / reference (target >= 0.25) and the
process's peak memory (target < 1.5 GB).

    python bench/screening.py [--people 500000] [--rows 1000000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screening_data import write_department, write_registry  # noqa: E402
from bot.import_service import (  # noqa: E402
    ImportOptions,
    import_department_file,
    import_registry_file,
)
from storage import cell_values  # noqa: E402
from storage.column_synonyms import DEPARTMENT  # noqa: E402
from storage.engine import create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade_database  # noqa: E402
from storage.registry_index import RegistryIndex  # noqa: E402
from storage.spreadsheet_reader import open_table  # noqa: E402

TARGET_RATIO, TARGET_PEAK_MB = 0.25, 1536


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def normalized_ids(path: Path) -> list[str]:
    """The department file's IDs as the importer normalizes them (valid ones only)."""
    table = open_table(path, DEPARTMENT["disability"], frozenset({"id_number"}))
    out = []
    for row in table.rows():
        number = cell_values.id_number(row.values.get("id_number")).number
        if number is not None:
            out.append(number)
    return out


async def match_production(url: str, ids: list[str]) -> tuple[float, int]:
    engine = create_engine(url)
    started = time.perf_counter()
    async with create_sessionmaker(engine)() as session:
        index = await RegistryIndex.load(session)
        found = sum(1 for number in ids if index.get(number) is not None)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, found


def match_reference(registry_ids: list[str], ids: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    members = {number: position for position, number in enumerate(registry_ids)}
    found = sum(1 for number in ids if number in members)
    return time.perf_counter() - started, found


async def imports(url: str, registry: Path, department: Path) -> dict[str, tuple[float, int]]:
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    started = time.perf_counter()
    report = await import_registry_file(sessionmaker, registry,
                                        ImportOptions(accept_good_rows=True))
    registry_time = time.perf_counter() - started
    registry_rows = report.rows_read
    print(f"registry: {report.rows_read} rows, {report.imported} imported, "
          f"{len(report.rejected)} rejected, {report.duplicates} duplicates", flush=True)
    started = time.perf_counter()
    report = await import_department_file(sessionmaker, department, "disability",
                                          ImportOptions(accept_good_rows=True))
    department_time = time.perf_counter() - started
    print(f"department: {report.rows_read} rows, matched {report.matched}, unmatched "
          f"{report.unmatched}, rejected {len(report.rejected)}, duplicates {report.duplicates},"
          f" cases opened {report.cases_opened}, hits attached {report.hits_attached}",
          flush=True)  # fmt: skip
    await engine.dispose()
    return {"registry": (registry_time, registry_rows),
            "department": (department_time, report.rows_read)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", help="working directory (default: a temporary one)")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="fangpin-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    registry, department = work / "registry.csv", work / "department.csv"
    url = os.environ.get("FANGPIN_DATABASE_URL") or f"sqlite+aiosqlite:///{work / 'bench.db'}"
    started = time.perf_counter()
    registry_ids = write_registry(registry, args.people)
    write_department(department, registry_ids, args.rows)
    print(f"generated {args.people:,} people and {args.rows:,} department rows in "
          f"{time.perf_counter() - started:.1f}s ({work})", flush=True)
    upgrade_database(url)
    times = asyncio.run(imports(url, registry, department))
    registry_rate = times["registry"][1] / times["registry"][0]
    department_rate = times["department"][1] / times["department"][0]
    gc.collect()
    ids = normalized_ids(department)
    production, found = asyncio.run(match_production(url, ids))
    reference, found_reference = match_reference(registry_ids, ids)
    ratio = (len(ids) / production) / (len(ids) / reference)
    peak = peak_mb()
    print(f"import registry:   {registry_rate:12,.0f} rows/s ({times['registry'][0]:.1f}s)")
    print(f"import department: {department_rate:12,.0f} rows/s ({times['department'][0]:.1f}s)")
    print(f"matching:          {len(ids) / production:12,.0f} rows/s ({production:.2f}s, "
          f"{found:,} found)")
    print(f"reference (dict):  {len(ids) / reference:12,.0f} rows/s ({reference:.2f}s, "
          f"{found_reference:,} found)")
    print(f"matching / reference: {ratio:.2f} (target >= {TARGET_RATIO})")
    print(f"peak memory: {peak:,.0f} MB (target < {TARGET_PEAK_MB} MB)")
    ok = ratio >= TARGET_RATIO and peak < TARGET_PEAK_MB and found == found_reference
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
