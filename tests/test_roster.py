"""`fangpin roster`: the reverse-warning roster of an area, XLSX and CSV, masked unless allowed."""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bot.roster_service import RosterError, RosterRequest, export_roster
from policy.case_status import CaseSource, CaseStatus
from policy.roles import Role
from storage.models import Case, Household, RosterExport
from storage.roster_export import COLUMNS, HEADERS, TEXT_COLUMNS, write_xlsx
from tests.screening_fixtures import (
    AS_OF,
    IMPORTED_AT,
    SAMPLES,
    add_staff,
    clock,
    import_department,
    import_registry,
    registry_table,
    rows,
    sessions,
    valid_id,
    write_csv,
)

FULL_ID = re.compile(r"\d{17}[\dX]")
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
HEAD_OF_0000 = "530128198205265910"


@pytest.fixture
async def county_db(storage_url):
    async with sessions(storage_url) as sessionmaker:
        await import_registry(sessionmaker)
        for kind in SAMPLES:
            await import_department(sessionmaker, kind)
        await add_staff(sessionmaker, "county-01", Role.county_officer, "禄劝彝族苗族自治县")
        await add_staff(sessionmaker, "cadre-01", Role.village_cadre, "红龙村")
        await add_staff(sessionmaker, "operator-01", Role.data_operator, "屏山街道")
        yield sessionmaker


async def _export(sessionmaker, out: Path, area: str = "翠华镇红龙村", **kw):
    request = RosterRequest(area=area, out=out, as_of=AS_OF, year=2026, **kw)
    return await export_roster(sessionmaker, request, clock=clock)


def _xlsx_rows(path: Path) -> tuple[openpyxl.Workbook, list[tuple]]:
    workbook = openpyxl.load_workbook(path)
    return workbook, list(workbook.worksheets[0].iter_rows(values_only=True))


async def test_village_roster_xlsx_has_chinese_headers_frozen_row_widths_and_masked_ids(
    county_db, tmp_path
):
    result = await _export(county_db, tmp_path / "红龙村.xlsx")
    assert (result.rows, result.full_ids) == (13, False)
    workbook, lines = _xlsx_rows(tmp_path / "红龙村.xlsx")
    sheet = workbook.worksheets[0]
    assert (sheet.title, sheet.freeze_panes) == ("反向预警名册", "A2")
    assert lines[0] == HEADERS and len(lines) == 14
    assert sheet.column_dimensions["G"].width == 21 and sheet.column_dimensions["N"].width == 60
    assert workbook.sheetnames == ["反向预警名册", "说明"]
    head_ids = [line[6] for line in lines[1:]]
    assert all(MASKED_ID.match(value) for value in head_ids)
    cells = [str(v) for line in lines for v in line if v is not None]
    assert not any(FULL_ID.search(value) for value in cells)
    wang = next(line for line in lines if line[4] == "53012820000000")
    assert wang[5:9] == ("王发红", "530128********5910", "135****8849", "监测户")
    assert wang[11] == "脱贫户中患有残疾、脱贫户中患有大病、新患病" and wang[12] == 3
    assert "【新患病】王发红（530128********5910）新患大(重)病（卫健数据）" in wang[13]
    assert wang[14].startswith("2026-") and "数据筛查" in wang[14]
    assert "尿毒症" not in " ".join(cells)


async def test_csv_roster_starts_with_a_bom_and_opens_in_excel(county_db, tmp_path):
    await _export(county_db, tmp_path / "roster.csv")
    data = (tmp_path / "roster.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(data.decode("utf-8-sig").splitlines(keepends=True)))
    assert tuple(lines[0]) == HEADERS and len(lines) == 14
    assert not FULL_ID.search(data.decode("utf-8-sig"))


async def test_the_county_roster_counts_every_criterion(county_db, tmp_path):
    result = await _export(county_db, tmp_path / "county.xlsx", area="530128")
    assert result.rows == 109
    assert dict(result.by_criterion) == {
        "income_slightly_above": 22, "registered_disability": 49,
        "registered_serious_illness": 49, "registered_chronic_illness": 46,
        "key_grade_student": 6, "newly_ill": 12, "new_vocational_or_private": 3,
        "disaster_disabled_or_dead": 3, "dibao_not_registered": 7, "tekun_not_registered": 5,
        "elderly_alone": 8,
    }


async def test_full_ids_only_for_allowed_roles_and_every_export_is_logged(county_db, tmp_path,
                                                                         caplog):
    caplog.set_level(logging.INFO, logger="bot.roster_service")
    result = await _export(county_db, tmp_path / "full.xlsx", operator="county-01", full_ids=True)
    _, lines = _xlsx_rows(tmp_path / "full.xlsx")
    wang = next(line for line in lines if line[4] == "53012820000000")
    assert (result.full_ids, wang[6], wang[7]) == (True, HEAD_OF_0000, "13561808849")
    assert HEAD_OF_0000 not in caplog.text and "full_ids=True" in caplog.text
    with pytest.raises(RosterError, match="--operator"):
        await _export(county_db, tmp_path / "x.xlsx", full_ids=True)
    with pytest.raises(RosterError, match="不能导出完整身份证号"):
        await _export(county_db, tmp_path / "x.xlsx", operator="cadre-01", full_ids=True)
    with pytest.raises(RosterError, match="辖区"):
        await _export(county_db, tmp_path / "x.xlsx", operator="operator-01")
    with pytest.raises(RosterError, match="不是本系统的工作人员"):
        await _export(county_db, tmp_path / "x.xlsx", operator="nobody")
    await _export(county_db, tmp_path / "masked.csv", operator="cadre-01")
    exports = await rows(county_db, RosterExport)
    assert [(e.operator_openid, e.operator_role, e.full_ids, e.row_count) for e in exports] == [
        ("county-01", "county_officer", True, 13), ("cadre-01", "village_cadre", False, 13)]
    assert exports[0].criteria[0] == "income_slightly_above" and len(exports[0].criteria) == 11
    assert "53012820000000" in exports[0].household_codes
    assert exports[0].parameters == "yn-2026.1/2026+screening-2026.2"
    assert exports[0].at == IMPORTED_AT


async def test_selected_criteria_and_open_self_reports_are_merged(county_db, tmp_path):
    async with county_db() as session:
        household = (await session.scalars(
            select(Household).where(Household.code == "53012820000010"))).one()
        session.add(Case(number="2026-900001", source=CaseSource.self_report,
                         status=CaseStatus.reported, household_id=household.id,
                         area_id=household.area_id, applicant_name="自报户", cause="illness",
                         created_at=IMPORTED_AT, updated_at=IMPORTED_AT))
        await session.commit()
    result = await _export(county_db, tmp_path / "alone.csv", area="禄劝彝族苗族自治县",
                           criteria=("农村60岁以上独人户",))
    assert dict(result.by_criterion) == {"elderly_alone": 8}
    lines = list(csv.DictReader((tmp_path / "alone.csv").read_text("utf-8-sig").splitlines()))
    reported = next(line for line in lines if line["户编号"] == "53012820000010")
    assert "2026-900001 自主申报 已受理，待村里核实" in reported["在办申报/预警"]
    assert all(line["符合条件"] in ("农村60岁以上独人户", "") for line in lines)
    assert all(line["在办申报/预警"] for line in lines if not line["符合条件"])


async def test_people_not_in_the_registry_appear_in_their_village(county_db, tmp_path):
    path = write_csv(tmp_path / "civil.csv", [
        ["姓名", "公民身份号码", "救助类型", "所在乡镇", "所在村"],
        ["新户甲", valid_id("53012819900101001"), "农村低保", "翠华镇", "红龙村"]])
    report = await import_department(county_db, "civil", path)
    assert report.unmatched == 1
    await _export(county_db, tmp_path / "v.csv", criteria=("dibao_not_registered",))
    lines = list(csv.DictReader((tmp_path / "v.csv").read_text("utf-8-sig").splitlines()))
    outsider = next(line for line in lines if line["户类型"] == "未在台账中")
    assert outsider["户编号"] == "" and outsider["村(社区)"] == "红龙村"
    assert "民政低保对象，未在台账中" in outsider["涉及人员及情况"]


async def test_a_newer_registry_makes_newly_ill_from_a_health_change(county_db, tmp_path):
    table = registry_table()
    table[2][12] = "健康"  # 王云 (second row) 患有大病 -> 健康 is not newly ill
    line = next(row for row in table if row[7] == "林正")
    line[12] = "长期慢性病"  # 林正 健康 -> 长期慢性病
    await import_registry(county_db, write_csv(tmp_path / "newer.csv", table))
    await _export(county_db, tmp_path / "ill.csv", area="屏山街道", criteria=("newly_ill",))
    text = (tmp_path / "ill.csv").read_text("utf-8-sig")
    assert "林正（530128********0738）健康状况由“健康”变为“长期慢性病”" in text


async def test_unknown_areas_and_formats_are_refused(county_db, tmp_path):
    with pytest.raises(RosterError, match="找不到地区"):
        await _export(county_db, tmp_path / "x.xlsx", area="火星村")
    with pytest.raises(RosterError, match="多个地区"):
        await _export(county_db, tmp_path / "x.xlsx", area="7组")
    with pytest.raises(ValueError, match=r"\.xlsx 或 \.csv"):
        await _export(county_db, tmp_path / "x.pdf")
    assert await rows(county_db, RosterExport) == []


async def test_the_notes_sheet_gives_both_times_in_beijing_time(county_db, tmp_path):
    await _export(county_db, tmp_path / "notes.xlsx")
    notes = dict(openpyxl.load_workbook(tmp_path / "notes.xlsx")["说明"].iter_rows(
        min_row=2, values_only=True))
    assert notes["数据日期"] == "2026-12-01"
    assert IMPORTED_AT.hour == 2 and notes["生成时间"] == "2026-11-30 10:00:00（北京时间）"


async def test_an_empty_area_and_an_unwritable_file_are_refused_politely(county_db, tmp_path):
    with pytest.raises(RosterError, match="地区名称为空"):
        await _export(county_db, tmp_path / "x.xlsx", area="  ")
    with pytest.raises(RosterError, match="文件夹.*不存在"):
        await _export(county_db, tmp_path / "missing" / "x.xlsx")
    assert await rows(county_db, RosterExport) == []


@pytest.mark.parametrize("role", [Role.helper, Role.data_operator, Role.county_officer,
                                  Role.village_cadre, Role.township_officer])
async def test_staff_without_an_area_cannot_export_any_roster(county_db, tmp_path, role):
    await add_staff(county_db, "no-area", role, None)
    with pytest.raises(RosterError, match="还没有设置辖区"):
        await _export(county_db, tmp_path / "x.xlsx", area="530128", operator="no-area")
    assert not (tmp_path / "x.xlsx").exists()
    assert await rows(county_db, RosterExport) == []


async def test_full_ids_without_an_area_are_refused_but_an_admin_needs_none(county_db, tmp_path):
    await add_staff(county_db, "o_data_none", Role.data_operator, None)
    await add_staff(county_db, "o_county_none", Role.county_officer, None)
    await add_staff(county_db, "o_cadre_none", Role.village_cadre, None)
    await add_staff(county_db, "o_admin_none", Role.admin, None)
    await add_staff(county_db, "o_farmer", Role.farmer, None)
    for operator in ("o_data_none", "o_county_none"):
        with pytest.raises(RosterError, match="还没有设置辖区"):
            await _export(county_db, tmp_path / "x.xlsx", operator=operator, full_ids=True)
    with pytest.raises(RosterError, match="不能导出完整身份证号"):
        await _export(county_db, tmp_path / "x.xlsx", operator="o_cadre_none", full_ids=True)
    with pytest.raises(RosterError, match="不是本系统的工作人员"):
        await _export(county_db, tmp_path / "x.xlsx", operator="o_farmer")
    assert await rows(county_db, RosterExport) == []
    result = await _export(county_db, tmp_path / "admin.xlsx", area="530128",
                           operator="o_admin_none", full_ids=True)
    assert (result.rows, result.full_ids) == (109, True)


def _sample_rows(count: int) -> list[dict]:
    return [{"seq": n, "township": "翠华镇", "village": "红龙村", "group": f"{n % 9 + 1}组",
             "household": f"530128{n:08d}", "head": "王发红", "head_id": "530128********5910",
             "phone": "135****8849", "category": "监测户", "size": None if n == 1 else 4,
             "income": 8123.5, "criteria": "新患病", "criteria_count": 1,
             "details": "【新患病】王发红\n第二行", "cases": "", "result": "", "verifier": "",
             "verified_on": ""} for n in range(1, count + 1)]  # fmt: skip


def test_xlsx_reads_back_with_every_value_and_format(tmp_path):
    data = _sample_rows(30)
    write_xlsx(tmp_path / "r.xlsx", data, [("地区", "红龙村（530128102001）")])
    workbook = openpyxl.load_workbook(tmp_path / "r.xlsx")
    sheet = workbook.worksheets[0]
    assert (sheet.max_row, sheet.max_column) == (31, len(COLUMNS))
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:R31")
    for cell in sheet[1]:
        assert cell.font.bold and cell.fill.fgColor.rgb == "00DDEBF7"
        assert (cell.alignment.horizontal, cell.alignment.vertical) == ("center", "center")
        assert cell.alignment.wrap_text
    for number, row in enumerate(data, start=2):
        for column, (key, _, width) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=number, column=column)
            assert cell.value == (None if row[key] in (None, "") else row[key]), (number, key)
            assert (cell.alignment.vertical, cell.alignment.wrap_text) == ("top", True)
            assert cell.number_format == ("@" if key in TEXT_COLUMNS else "General")
            assert sheet.column_dimensions[cell.column_letter].width == width
    notes = workbook["说明"]
    assert list(notes.iter_rows(values_only=True)) == [("项目", "内容"),
                                                       ("地区", "红龙村（530128102001）")]
    assert notes.freeze_panes == "A2" and notes["A1"].font.bold


def test_xlsx_writing_does_not_rescan_the_sheet_for_every_row(tmp_path, monkeypatch):
    """`sheet[sheet.max_row]` per row scans every cell written so far: quadratic (527 s for a
    county of 14,115 households). The number of scans must not grow with the rows."""
    from openpyxl.worksheet.worksheet import Worksheet

    scans = []
    original = Worksheet.max_row
    monkeypatch.setattr(Worksheet, "max_row", property(
        lambda sheet: scans.append(1) or original.fget(sheet)))
    counts = []
    for count in (5, 200):
        scans.clear()
        write_xlsx(tmp_path / f"{count}.xlsx", _sample_rows(count), [])
        counts.append(len(scans))
    assert counts[0] == counts[1]
