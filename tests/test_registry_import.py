"""`fangpin import registry` on SQLite and PostgreSQL: counts, idempotence, changes, rejects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from policy.roles import AreaLevel
from storage.import_report import write_rejects
from storage.models import Area, Household, ImportBatch, ImportChange, Member
from storage.spreadsheet_reader import TableError
from tests.registry_fixtures import HEAD_ID, seed_registry
from tests.screening_fixtures import (
    REGISTRY_CSV,
    count,
    import_registry,
    registry_table,
    rows,
    sessions,
    valid_id,
    write_csv,
)

ID_COLUMN = 8


@pytest.fixture
async def screening_db(storage_url):
    async with sessions(storage_url) as sessionmaker:
        yield sessionmaker


async def test_the_sample_registry_imports_areas_households_members_and_incomes(screening_db):
    report = await import_registry(screening_db)
    assert (report.status, report.committed, report.header_row) == ("imported", True, 2)
    assert (report.rows_read, report.imported, report.updated, report.rejected) == (427, 427, 0,
                                                                                     [])
    assert (report.households_created, report.matched, report.unmatched) == (120, 0, 427)
    assert await count(screening_db, Member) == 427
    assert await count(screening_db, Household) == 120
    levels = [area.level for area in await rows(screening_db, Area)]
    assert (levels.count(AreaLevel.county), levels.count(AreaLevel.township),
            levels.count(AreaLevel.village)) == (1, 4, 11)
    (household,) = await rows(screening_db, Household, Household.code == "53012820000000")
    assert (household.category, household.head_name, household.size_reported) == ("监测户",
                                                                                   "王发红", 6)
    assert (household.income_per_capita, household.income_wage, household.income_transfer,
            household.income_production, household.income_property) == (5000, 24000, 6000, 0, 0)
    async with screening_db() as session:
        group = await session.get(Area, household.area_id)
        village = await session.get(Area, group.parent_id)
        township = await session.get(Area, village.parent_id)
    assert (group.name, village.name, township.name) == ("7组", "红龙村", "翠华镇")
    (student,) = await rows(screening_db, Member, Member.name == "龙梅海")
    assert (student.schooling, student.labour, student.health, student.exit_year) == (
        "九年级", "none", "患有大病", 2020)
    assert await count(screening_db, Member, Member.dibao.is_(True)) == 100
    assert await count(screening_db, Member, Member.tekun.is_(True)) == 36
    assert await count(screening_db, Member, Member.labour == "weak") == 69


async def test_reimporting_the_same_registry_changes_nothing(screening_db):
    await import_registry(screening_db)
    again = await import_registry(screening_db)
    as_csv = await import_registry(screening_db, REGISTRY_CSV)
    for report in (again, as_csv):
        assert (report.imported, report.updated, report.unchanged, report.changes) == (0, 0, 427,
                                                                                       0)
        assert (report.matched, report.households_created, report.households_updated) == (427, 0,
                                                                                          0)
    assert await count(screening_db, Member) == 427
    assert await count(screening_db, ImportChange) == 0
    batches = await rows(screening_db, ImportBatch)
    assert [(b.kind, b.status, b.imported) for b in batches] == [
        ("registry", "imported", 427), ("registry", "imported", 0), ("registry", "imported", 0)]


async def test_a_newer_file_updates_what_changed_and_records_it(screening_db, tmp_path):
    await import_registry(screening_db, REGISTRY_CSV)
    table = registry_table()
    table[1][12] = "患有大病"  # 王发红: 健康 -> 患有大病
    for line in table[1:7]:
        line[16] = "5200"  # household 53012820000000: 人均纯收入 5000 -> 5200
    new_member = list(table[1])
    new_member[7:10] = ["王新", valid_id("53012820200101001"), "之孙子"]
    table.insert(7, new_member)
    report = await import_registry(screening_db, write_csv(tmp_path / "newer.csv", table))
    assert (report.imported, report.updated, report.unchanged) == (1, 1, 426)
    assert (report.households_updated, report.changes) == (1, 2)
    changes = await rows(screening_db, ImportChange)
    assert sorted((c.entity, c.field, c.old_value, c.new_value) for c in changes) == [
        ("household", "income_per_capita", "5000", "5200"),
        ("member", "health", "健康", "患有大病"),
    ]
    assert {c.batch_id for c in changes} == {report.batch_id}
    (head,) = await rows(screening_db, Member, Member.id_number == "530128198205265910")
    assert head.health == "患有大病" and head.registry_batch_id == report.batch_id


async def test_an_id_stored_under_another_name_is_sent_back_not_overwritten(screening_db,
                                                                            tmp_path):
    await import_registry(screening_db, REGISTRY_CSV)
    table = registry_table()
    (before,) = await rows(screening_db, Member, Member.id_number == table[1][ID_COLUMN])
    mistyped = list(table[2])  # 王云's row, carrying 王发红's ID
    mistyped[ID_COLUMN] = table[1][ID_COLUMN]
    renamed = write_csv(tmp_path / "mistyped.csv", [table[0], mistyped, table[3]])
    refused = await import_registry(screening_db, renamed)
    assert (refused.status, [(r.row, r.code) for r in refused.rejected]) == (
        "rolled_back", [(2, "name_conflict")])
    assert "王*" in refused.rejected[0].reason and "王发红" not in refused.rejected[0].reason
    taken = await import_registry(screening_db, renamed, accept_good_rows=True)
    assert (taken.status, taken.updated, taken.changes, len(taken.rejected)) == (
        "imported", 0, 0, 1)
    (after,) = await rows(screening_db, Member, Member.id_number == table[1][ID_COLUMN])
    assert (after.name, after.household_id, after.relation) == (
        before.name, before.household_id, before.relation)
    out = tmp_path / "rejects.csv"
    assert write_rejects(taken, out) == 1 and "王云" in out.read_text("utf-8-sig")
    spaced = list(table[1])
    spaced[7] = " 王 发红 "  # the same name, typed with spaces: still that person
    same = await import_registry(screening_db, write_csv(tmp_path / "spaced.csv",
                                                         [table[0], spaced]))
    assert (same.status, same.rejected) == ("imported", [])


async def test_rows_of_one_household_that_disagree_are_warned_naming_the_column(screening_db,
                                                                               tmp_path):
    table = registry_table()
    table[3][16] = "9999"  # 人均纯收入 of the household's third row (rows 2-7 are one household)
    report = await import_registry(screening_db, write_csv(tmp_path / "odd.csv", table))
    (warning,) = report.warnings
    assert warning["row"] == 4 and "第2行的户信息不一致" in warning["reason"]
    assert f"（{table[0][16]}）" in warning["reason"]


def _messy_registry(tmp_path):
    table = registry_table()
    table[2][ID_COLUMN] = "530128941210774"  # 15 digits: 王云, born 1994
    table[3][ID_COLUMN] = "530128194701035787"  # wrong check digit
    table[4][ID_COLUMN] = "5.30128E+17"  # Excel float
    table[5][ID_COLUMN] = "53012820040118132"  # truncated
    table[6][ID_COLUMN] = " 530128 20020119 964x "  # spaces, lowercase x... wrong check
    return write_csv(tmp_path / "messy.csv", table, "gbk")


async def test_bad_ids_reject_the_whole_file_unless_asked(screening_db, tmp_path):
    path = _messy_registry(tmp_path)
    report = await import_registry(screening_db, path)
    assert (report.status, report.committed, report.imported) == ("rolled_back", False, 0)
    assert [(r.row, r.column, r.code) for r in report.rejected] == [
        (4, "证件号码", "bad_check_digit"), (5, "证件号码", "excel_float"),
        (6, "证件号码", "wrong_length"), (7, "证件号码", "bad_check_digit")]
    assert "科学计数法" in report.rejected[1].reason and "17位" in report.rejected[2].reason
    assert await count(screening_db, Member) == 0
    assert await count(screening_db, Area) == 0
    (batch,) = await rows(screening_db, ImportBatch)
    assert (batch.status, batch.rejected, batch.rows_read) == ("rolled_back", 4, 427)
    assert batch.report["rejected"][0] == {"row": 4, "column": "证件号码",
                                           "reason": report.rejected[0].reason,
                                           "code": "bad_check_digit"}


async def test_accept_good_rows_takes_the_rest_and_upgrades_15_digit_numbers(screening_db,
                                                                            tmp_path):
    report = await import_registry(screening_db, _messy_registry(tmp_path),
                                   accept_good_rows=True)
    assert (report.status, report.imported, len(report.rejected)) == ("imported", 423, 4)
    (upgraded,) = await rows(screening_db, Member, Member.name == "王云",
                             Member.id_number == "530128199412107741")
    assert upgraded.birth_date.isoformat() == "1994-12-10"
    assert await count(screening_db, Member) == 423


async def test_repeated_rows_are_duplicates_and_conflicting_ones_rejected(screening_db, tmp_path):
    table = registry_table()
    table.append(list(table[1]))
    conflicting = list(table[2])
    conflicting[7] = "王云云"
    table.append(conflicting)
    report = await import_registry(screening_db, write_csv(tmp_path / "dup.csv", table),
                                   accept_good_rows=True)
    assert (report.rows_read, report.duplicates, report.imported) == (429, 1, 427)
    assert [(r.row, r.code) for r in report.rejected] == [(430, "conflict")]
    assert "第3行" in report.rejected[0].reason


async def test_rejected_rows_are_written_back_for_the_office(screening_db, tmp_path):
    report = await import_registry(screening_db, _messy_registry(tmp_path))
    out = tmp_path / "rejects.csv"
    assert write_rejects(report, out) == 4
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("原行号,问题列,原因,户编号,县")
    assert "530128194701035787" not in text and "530128********5787" in text
    assert write_rejects(report, tmp_path / "rejects.xlsx") == 4


async def test_an_import_over_existing_areas_reuses_them_and_updates_the_household(
    storage_url, screening_db
):
    await seed_registry(storage_url)
    report = await import_registry(screening_db)
    assert report.households_created == 119 and report.matched == 1
    assert await count(screening_db, Area, Area.name == "翠华镇") == 1
    assert await count(screening_db, Area, Area.name == "禄劝彝族苗族自治县") == 1
    (household,) = await rows(screening_db, Household, Household.code == "53012820000000")
    assert household.category == "监测户"
    changes = {(c.field, c.new_value) for c in await rows(screening_db, ImportChange)}
    assert ("category", "监测户") in changes
    async with screening_db() as session:
        head = (await session.scalars(select(Member).where(Member.id_number == HEAD_ID))).one()
    assert head.household_id == household.id


async def test_households_split_across_chunks_import_the_same(screening_db, monkeypatch,
                                                              tmp_path):
    monkeypatch.setattr("storage.registry_import.CHUNK_ROWS", 5)
    table = registry_table()
    head, *members = table[1:7]
    table[1:7] = [*members, head]  # the head row of 53012820000000 comes last, in a later chunk
    report = await import_registry(screening_db, write_csv(tmp_path / "late_head.csv", table))
    assert (report.imported, report.households_created, report.changes) == (427, 120, 0)
    (household,) = await rows(screening_db, Household, Household.code == "53012820000000")
    assert household.head_name == "王发红"
    again = await import_registry(screening_db, REGISTRY_CSV)
    assert (again.unchanged, again.updated, again.households_updated) == (427, 0, 0)


# Column numbers of the sample registry (0-based): 户类型, 家庭人口数, 人均纯收入, 工资性收入.
CATEGORY, SIZE, PER_CAPITA, WAGE = 5, 10, 16, 17


async def test_values_are_checked_not_only_parsed(screening_db, tmp_path):
    table = registry_table()
    changes = {2: (CATEGORY, "贫困户"), 3: (SIZE, "0"), 4: (SIZE, "31"), 5: (WAGE, "-3000"),
               6: (PER_CAPITA, "1000000000000"), 7: (SIZE, "2.5"),
               8: (CATEGORY, "突发严重困难户")}
    for line, (column, value) in changes.items():
        table[line][column] = value
    report = await import_registry(screening_db, write_csv(tmp_path / "values.csv", table),
                                   accept_good_rows=True)
    assert [(r.row, r.column, r.code) for r in report.rejected] == [
        (3, "户类型", "unknown_category"), (4, "家庭人口数", "bad_value"),
        (5, "家庭人口数", "bad_value"), (6, "工资性收入(元)", "bad_value"),
        (7, "家庭年人均纯收入(元)", "bad_value"), (8, "家庭人口数", "bad_value")]
    reasons = [r.reason for r in report.rejected]
    assert "“贫困户”" in reasons[0] and "脱贫户" in reasons[0]
    assert "1到30人，表中是0" in reasons[1] and "表中是31" in reasons[2]
    assert "负数" in reasons[3] and "过大" in reasons[4] and "不是整数" in reasons[5]
    assert report.imported == 421
    assert await count(screening_db, Member, Member.name == "朱明") == 0


async def test_known_categories_of_the_monitoring_system_are_kept(screening_db, tmp_path):
    table = registry_table()
    for line in table[1:7]:
        line[CATEGORY] = "突发严重困难户"
    report = await import_registry(screening_db, write_csv(tmp_path / "kinds.csv", table))
    assert (report.committed, report.rejected) == (True, [])
    (household,) = await rows(screening_db, Household, Household.code == "53012820000000")
    assert household.category == "突发严重困难户"


async def test_a_file_cut_off_mid_row_rejects_that_row_as_incomplete(screening_db, tmp_path):
    table = registry_table()
    path = write_csv(tmp_path / "cut.csv", table[:11], "gbk")
    path.write_bytes(path.read_bytes() + ",".join(table[11][:8]).encode("gbk"))
    report = await import_registry(screening_db, path)
    assert [(r.row, r.column, r.code) for r in report.rejected] == [(12, "证件号码",
                                                                     "incomplete")]
    assert "不完整" in report.rejected[0].reason and "截断" in report.rejected[0].reason
    assert (report.rows_read, report.status) == (11, "rolled_back")


def _raw_csv(path, table):
    """Lines joined as they are: a quote in a cell stays unpaired (csv.writer would pair it)."""
    path.write_text("".join(",".join(line) + "\r\n" for line in table), encoding="utf-8")
    return path


async def test_an_unpaired_quote_refuses_the_whole_file_naming_its_row(screening_db, tmp_path):
    table = registry_table()
    table[200][7] = '"' + table[200][7]
    path = _raw_csv(tmp_path / "quote.csv", table)
    with pytest.raises(TableError) as refused:
        await import_registry(screening_db, path, accept_good_rows=True)
    message = str(refused.value)
    assert "第201行" in message and "第8列（H）" in message and "引号" in message
    assert "删掉这个引号" in message and "另存为 CSV" in message
    assert await count(screening_db, Member) == 0
    assert await count(screening_db, ImportBatch) == 0


async def test_a_quoted_cell_with_a_line_break_still_imports(screening_db, tmp_path):
    table = [[*line, "备注"] if i == 0 else [*line, ""] for i, line in enumerate(registry_table())]
    table[5][-1] = "住址：红龙村7组\n第二行, 说明"
    report = await import_registry(screening_db, write_csv(tmp_path / "ok.csv", table))
    assert (report.rows_read, report.rejected, report.status) == (427, [], "imported")


async def test_rejects_mask_every_id_and_mobile_number_in_any_column(screening_db, tmp_path):
    table = registry_table()[:4]
    table[0].append("户主身份证号")
    for line in table[1:]:
        line.append(table[1][ID_COLUMN])
    table[2][ID_COLUMN] = "5.30128E+17"
    table[2][7] = "王云 电话138-1234-5678"
    report = await import_registry(screening_db, write_csv(tmp_path / "two.csv", table))
    assert [r.row for r in report.rejected] == [3]
    for name in ("rejects.csv", "rejects.xlsx"):
        out = tmp_path / name
        assert write_rejects(report, out) == 1
        if name.endswith(".csv"):
            cells = out.read_text(encoding="utf-8-sig").splitlines()[1].split(",")
        else:
            import openpyxl

            cells = [c or "" for c in next(openpyxl.load_workbook(out).active.iter_rows(
                min_row=2, values_only=True))]
        written = ",".join(str(c) for c in cells)
        assert table[1][ID_COLUMN] not in written and table[2][21] not in written
        assert cells[-1] == table[1][ID_COLUMN][:6] + "********" + table[1][ID_COLUMN][-4:]
        assert cells[3 + 21] == table[2][21][:3] + "****" + table[2][21][-4:]
        assert cells[3 + 7] == "王云 电话138****5678"
