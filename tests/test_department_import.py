"""`fangpin import department` on SQLite and PostgreSQL: matching, hits, cases, alerts."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from policy.case_status import CaseSource, CaseStatus
from policy.roles import Role
from storage.models import Area, Case, CaseEvent, ImportBatch, OutboundMessage, ScreeningHit
from storage.spreadsheet_reader import TableError
from tests.screening_fixtures import (
    REGISTRY_CSV,
    REGISTRY_XLSX,
    SAMPLES,
    add_staff,
    count,
    import_department,
    import_registry,
    rows,
    sessions,
    valid_id,
    write_csv,
    write_xlsx,
)


@pytest.fixture
async def registry_db(storage_url):
    async with sessions(storage_url) as sessionmaker:
        await import_registry(sessionmaker)
        yield sessionmaker


async def _group(sessionmaker, village: str, group: str) -> int:
    async with sessionmaker() as session:
        parent = (await session.scalars(select(Area).where(Area.name == village))).one()
        query = select(Area.id).where(Area.name == group, Area.parent_id == parent.id)
        return (await session.scalars(query)).one()


@pytest.mark.parametrize(
    ("kind", "read", "matched", "unmatched", "rejected", "opened", "hits"),
    [
        ("health", 14, 12, 1, [(16, "身份证号码", "bad_check_digit")], 11, 13),
        ("disability", 6, 6, 0, [], 3, 6),
        ("disaster", 5, 5, 0, [], 4, 5),
        ("education", 8, 8, 0, [], 0, 8),
        ("civil", 7, 7, 0, [], 0, 7),
        ("police", 3, 3, 0, [], 2, 3),
    ],
)
async def test_every_department_sample_is_matched_and_screened(
    registry_db, kind, read, matched, unmatched, rejected, opened, hits
):
    report = await import_department(registry_db, kind)
    data = report.as_json()
    assert (data["rows_read"], data["matched"], data["unmatched"], data["duplicates"]) == (
        read, matched, unmatched, 0)
    assert [(r["row"], r["column"], r["code"]) for r in data["rejected"]] == rejected
    assert data["cases_opened"] == opened and data["status"] == "imported"
    assert await count(registry_db, ScreeningHit) == hits
    assert await count(registry_db, Case, Case.source == CaseSource.data_screening) == opened


async def test_health_hits_carry_cause_figures_and_the_rules_that_fired(registry_db):
    await import_department(registry_db, "health")
    (hit,) = await rows(registry_db, ScreeningHit, ScreeningHit.name == "王发红")
    assert (hit.kind, hit.cause, hit.row_number, hit.opens_case) == ("health", "illness", 8, True)
    assert hit.figures["out_of_pocket"] == 85533 and hit.event_date.isoformat() == "2026-05-22"
    assert hit.reasons[0].startswith("个人自付85,533元")
    (case,) = await rows(registry_db, Case, Case.id == hit.case_id)
    assert (case.status, case.cause, case.rigid_expense, case.household_size) == (
        CaseStatus.reported, "illness", 85533, 6)
    (event,) = await rows(registry_db, CaseEvent, CaseEvent.case_id == case.id)
    assert (event.action, event.actor, event.actor_role) == ("reported", "import:health",
                                                            "data_operator")
    assert [r["rule"] for r in event.data["rules"]] == ["illness.cost_share",
                                                        "illness.new_serious"]
    (known,) = await rows(registry_db, ScreeningHit, ScreeningHit.name == "朱云云")
    assert (known.opens_case, known.case_id) == (False, None)


async def test_15_digit_and_full_width_ids_match_and_the_outsider_is_listed(registry_db):
    report = await import_department(registry_db, "health")
    names = {h.name for h in await rows(registry_db, ScreeningHit,
                                        ScreeningHit.member_id.is_not(None))}  # fmt: skip
    assert {"王梅", "黄军学", "鲁金华", "林梅", "杨英文", "林正"} <= names
    assert report.unmatched_people == [{"row": 15, "name": "外*人",
                                        "id_number": "530129********2335", "causes": ["因病"]}]
    (outsider,) = await rows(registry_db, ScreeningHit, ScreeningHit.member_id.is_(None))
    assert (outsider.name, outsider.household_id, outsider.case_id) == ("外县人", None, None)


async def test_one_alert_per_import_per_area_to_subscribed_cadres(registry_db):
    group7 = await _group(registry_db, "红龙村", "7组")
    await add_staff(registry_db, "cadre-honglong", Role.village_cadre, "红龙村")
    await add_staff(registry_db, "officer-cuihua", Role.township_officer, "翠华镇")
    await add_staff(registry_db, "cadre-xinhong", Role.village_cadre, "新红村")
    await add_staff(registry_db, "cadre-off", Role.village_cadre, "红竹村", subscribed=False)
    await add_staff(registry_db, "helper-honglong", Role.helper, "红龙村")
    await add_staff(registry_db, "county", Role.county_officer, "禄劝彝族苗族自治县")
    async with registry_db() as session:
        from storage.models import WechatUser

        session.add(WechatUser(openid="cadre-group7", role=Role.village_cadre, area_id=group7,
                               subscribed=True))
        await session.commit()
    report = await import_department(registry_db, "health")
    assert report.alerts == 4
    messages = {m.openid: m for m in await rows(registry_db, OutboundMessage)}
    assert sorted(messages) == ["cadre-group7", "cadre-honglong", "cadre-xinhong",
                                "officer-cuihua"]
    township = messages["officer-cuihua"].payload["content"]
    assert "翠华镇" in township and "新增预警3户" in township and "因病：3户" in township
    assert "王*红" in township and "红龙村7组" in township and "杨*文" in township
    assert "530128" not in township and "尿毒症" not in township and "王发红" not in township
    village = messages["cadre-honglong"].payload["content"]
    assert "新增预警1户" in village and "2026-000006" in village
    assert messages["cadre-honglong"].unique_key.startswith("screening:health:")
    assert all(m.purpose == "screening_alert" for m in messages.values())


async def test_importing_the_same_file_again_opens_and_alerts_nothing(registry_db):
    await add_staff(registry_db, "officer-cuihua", Role.township_officer, "翠华镇")
    first = await import_department(registry_db, "health")
    again = await import_department(registry_db, "health")
    assert (first.cases_opened, first.alerts) == (11, 1)
    assert (again.cases_opened, again.alerts, again.already_known) == (0, 0, 13)
    assert (again.matched, again.unmatched) == (12, 1)
    assert await count(registry_db, ScreeningHit) == 13
    assert await count(registry_db, Case) == 11
    assert await count(registry_db, OutboundMessage) == 1
    assert await count(registry_db, ImportBatch, ImportBatch.kind == "health") == 2


async def test_a_newer_row_for_an_open_case_is_added_to_it(registry_db, tmp_path):
    await import_department(registry_db, "health")
    header = ["序号", "姓名", "身份证号码", "病种", "确诊日期", "个人自付(元)"]
    update = write_csv(tmp_path / "december.csv", [
        header, [1, "王发红", "530128198205265910", "尿毒症", "2026-12-01", "99000"]])
    report = await import_department(registry_db, "health", update)
    assert (report.cases_opened, report.hits_attached) == (0, 1)
    (case,) = await rows(registry_db, Case, Case.applicant_name == "王发红")
    events = await rows(registry_db, CaseEvent, CaseEvent.case_id == case.id)
    assert [e.action for e in events] == ["reported", "screening_hit"]
    assert await count(registry_db, ScreeningHit, ScreeningHit.case_id == case.id) == 2


async def test_repeated_rows_count_as_duplicates(registry_db, tmp_path):
    line = ["者文开", " 530128 19800513 0325 ", "智力", "三级", "因灾", "2026/11/19"]
    path = write_csv(tmp_path / "dup.csv", [
        ["姓名", "身份证号", "残疾类别", "残疾等级", "致残原因", "发证日期"], line,
        ["者文开", "530128198005130325", "智力", "三级", "因灾", "2026-11-19"]], "gbk")
    report = await import_department(registry_db, "disability", path)
    assert (report.rows_read, report.duplicates, report.matched, report.cases_opened) == (2, 1,
                                                                                          1, 1)


async def test_all_or_nothing_on_request(registry_db):
    report = await import_department(registry_db, "health", accept_good_rows=False)
    assert (report.status, report.committed, report.cases_opened) == ("rolled_back", False, 0)
    assert await count(registry_db, ScreeningHit) == 0
    assert await count(registry_db, Case) == 0
    (batch,) = await rows(registry_db, ImportBatch, ImportBatch.kind == "health")
    assert (batch.status, batch.rejected, batch.matched) == ("rolled_back", 1, 12)


async def test_other_column_orders_and_names_work_for_housing(registry_db, tmp_path):
    path = write_xlsx(tmp_path / "housing.xlsx", [
        ["2026年农村危房鉴定结果"],
        ["鉴定日期", "危房等级", "户主身份证号码", "户主姓名", "乡镇", "村"],
        ["2026-10-01", "D级", "530128196007281515", "起云", "茂山镇", "凤平村"],
        ["2026-10-01", "C级", "530128195512076577", "孙荣华", "翠华镇", "红龙村"],
        ["2026-10-02", "D级", "530128196806174331", "无名", "翠华镇", "红龙村"],
    ])
    report = await import_department(registry_db, "housing", path)
    assert (report.rows_read, report.matched, report.cases_opened) == (3, 2, 1)
    assert [r.code for r in report.rejected] == ["bad_check_digit"]
    (case,) = await rows(registry_db, Case)
    assert (case.applicant_name, case.cause) == ("起云", "disaster")


async def test_unmatched_people_are_placed_by_their_village_or_county(registry_db, tmp_path):
    path = write_csv(tmp_path / "civil.csv", [
        ["姓名", "公民身份号码", "救助类型", "所在乡镇", "所在村"],
        ["新户甲", valid_id("53012819900101001"), "农村低保", "翠华镇", "红龙村"],
        ["新户乙", valid_id("53012819900102001"), "农村特困供养", "", ""],
        ["外县丙", valid_id("53012919900101001"), "农村低保", "", ""],
    ])
    report = await import_department(registry_db, "civil", path)
    assert report.unmatched == 3 and not report.rejected
    hits = {h.name: h for h in await rows(registry_db, ScreeningHit)}
    async with registry_db() as session:
        village = await session.get(Area, hits["新户甲"].area_id)
        county = await session.get(Area, hits["新户乙"].area_id)
    assert (village.name, county.code, hits["外县丙"].area_id) == ("红龙村", "530128", None)
    assert (hits["新户乙"].cause, hits["外县丙"].place_text) == ("tekun", "")


async def test_small_chunks_give_the_same_result(registry_db, monkeypatch):
    monkeypatch.setattr("storage.department_import.CHUNK_ROWS", 3)
    report = await import_department(registry_db, "health")
    assert (report.rows_read, report.matched, report.unmatched, report.cases_opened) == (14, 12,
                                                                                         1, 11)
    assert await count(registry_db, ScreeningHit) == 13


@pytest.mark.parametrize(
    ("kind", "path", "missing", "suggestion"),
    [
        ("police", REGISTRY_XLSX, "“死亡日期”或“死亡原因”列",
         "户籍台账，请用 fangpin import registry"),
        ("health", REGISTRY_CSV, "“个人自付”列", "户籍台账"),
        ("education", SAMPLES["health"], "“学校名称”",
         "卫健（新增大病）的名单，请用 --kind health"),
        ("disability", SAMPLES["civil"], "“残疾类别”或“残疾等级”列", "--kind civil"),
        ("civil", SAMPLES["disability"], "“救助类型”列", "--kind disability"),
        ("housing", SAMPLES["education"], "“房屋损毁程度”列", "--kind education"),
        ("disaster", SAMPLES["police"], "“房屋损毁程度”或“灾种”列", "--kind police"),
        ("police", SAMPLES["disaster"], "“死亡日期”", "--kind disaster 或 --kind housing"),
        # the disaster list has 房屋损毁程度 as housing files do, but its 灾种 makes it disaster's
        ("housing", SAMPLES["disaster"], "有“灾种”列", "请用 --kind disaster 导入"),
    ],
)
async def test_a_file_of_another_kind_is_refused_and_nothing_is_stored(
    registry_db, kind, path, missing, suggestion
):
    with pytest.raises(TableError) as refused:
        await import_department(registry_db, kind, path)
    assert missing in str(refused.value) and suggestion in str(refused.value)
    assert await count(registry_db, ScreeningHit) == 0
    assert await count(registry_db, Case) == 0
    assert await count(registry_db, ImportBatch, ImportBatch.kind != "registry") == 0


def _integer_cells_xlsx(path: Path, table: list[list[object]]) -> Path:
    """An XLSX whose ID cells hold exact integers (<v>530128…</v>), as non-Excel tools write
    them (openpyxl itself would write a float)."""
    write_xlsx(path, [[f"INT{v}" if isinstance(v, int) else v for v in line] for line in table])
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    strings = parts["xl/sharedStrings.xml"].decode() if "xl/sharedStrings.xml" in parts else ""
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>INT(\d+)</t></is></c>',
                   r'<c r="\1" t="n"><v>\2</v></c>', sheet)
    assert "INT" not in sheet and "INT" not in strings
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


async def test_exact_integer_ids_from_other_tools_match(registry_db, tmp_path):
    path = _integer_cells_xlsx(tmp_path / "ints.xlsx", [
        ["姓名", "身份证号", "残疾类别", "残疾等级", "致残原因", "发证日期"],
        ["者文开", 530128198005130325, "智力", "三级", "因灾", "2026/11/19"],
        ["王发红", 530128198205266000, "肢体", "二级", "疾病", "2026/11/19"],
    ])
    report = await import_department(registry_db, "disability", path)
    assert report.matched == 1
    assert [(r.row, r.code) for r in report.rejected] == [(3, "excel_float")]


async def test_department_amounts_and_texts_are_checked(registry_db, tmp_path):
    path = write_csv(tmp_path / "costs.csv", [
        ["姓名", "身份证号码", "病种", "个人自付(元)"],
        ["王发红", "530128198205265910", "尿毒症", "-500"],
        ["王发红", "530128198205265910", "尿毒症", "200000000"],
        ["王发红", "530128198205265910", "尿" * 201, "500"],
        ["王发红", "530128198205265910", "尿毒症", "500"],
    ])
    report = await import_department(registry_db, "health", path)
    assert [(r.row, r.column) for r in report.rejected] == [(2, "个人自付(元)"),
                                                           (3, "个人自付(元)"), (4, "病种")]
    assert ["负数" in report.rejected[0].reason, "过大" in report.rejected[1].reason,
            "过长" in report.rejected[2].reason] == [True, True, True]
    assert await count(registry_db, ScreeningHit) == 1


async def test_future_dates_and_costs_smaller_than_their_parts_are_sent_back(registry_db, tmp_path):
    import datetime as dt

    path = write_csv(tmp_path / "typos.csv", [
        ["姓名", "身份证号码", "病种", "确诊日期", "住院总费用", "报销金额", "个人自付(元)"],
        ["王发红", "530128198205265910", "尿毒症", "2062-11-03", "90000", "60000", "30000"],
        ["王发红", "530128198205265910", "尿毒症", "2026-11-03", "90000", "960000", "30000"],
        ["王发红", "530128198205265910", "尿毒症", "2026-11-03", "9000", "0", "30000"],
        ["王发红", "530128198205265910", "尿毒症", "2026-11-03", "90000", "60000", "30000"],
        ["王发红", "530128198205265910", "尿毒症", "2026-11-04", "", "", "30000"],
    ])
    report = await import_department(registry_db, "health", path, today=dt.date(2026, 12, 4))
    assert [(r.row, r.column) for r in report.rejected] == [
        (2, "确诊日期"), (3, "报销金额"), (4, "个人自付(元)")]
    assert "2062-11-03晚于今天" in report.rejected[0].reason
    assert "报销金额（960,000元）大于总费用（90,000元）" in report.rejected[1].reason
    assert "个人自付（30,000元）大于总费用（9,000元）" in report.rejected[2].reason
    assert report.by_cause["illness"] == 2  # the two plausible rows were screened
    report = await import_department(registry_db, "health", path, today=dt.date(2062, 12, 4))
    assert [r.row for r in report.rejected] == [3, 4]


async def test_a_name_that_differs_from_the_registry_is_flagged_but_matched_by_id(
    registry_db, tmp_path
):
    path = write_csv(tmp_path / "names.csv", [
        ["姓名", "身份证号码", "病种", "个人自付(元)"],
        ["王红发", "530128198205265910", "尿毒症", "30000"],
        ["王 发红", "530128198205265910", "白血病", "40000"],
        ["", "530128198205265910", "肺癌", "50000"],
    ])
    report = await import_department(registry_db, "health", path)
    assert report.matched == 1 and report.by_cause["illness"] == 3
    assert [(w["row"], w["column"]) for w in report.warnings] == [(2, "姓名")]
    assert "姓名与台账中这个身份证号的姓名（王*红）不一致" in report.warnings[0]["reason"]
    assert "王发红" not in report.warnings[0]["reason"]


async def test_a_blank_reimbursement_is_unknown_not_zero(registry_db, tmp_path):
    path = write_csv(tmp_path / "blank.csv", [
        ["姓名", "身份证号码", "病种", "住院总费用", "报销金额", "个人自付(元)"],
        ["王发红", "530128198205265910", "骨折", "60000", "", ""],
        ["王发红", "530128198205265910", "尿毒症", "90000", "0", ""],
    ])
    report = await import_department(registry_db, "health", path)
    hits = await rows(registry_db, ScreeningHit, ScreeningHit.name == "王发红")
    by_disease = {hit.figures["disease"]: hit for hit in hits}
    assert by_disease["骨折"].figures["out_of_pocket"] is None
    assert not any("个人自付" in reason for reason in by_disease["骨折"].reasons)
    assert by_disease["尿毒症"].figures["out_of_pocket"] == 90000  # 0 reimbursed is known
    assert [(w["row"], w["column"]) for w in report.warnings] == [(2, "报销金额")]
    assert "算不出个人负担" in report.warnings[0]["reason"]


async def test_a_department_csv_cut_off_mid_row_reports_the_incomplete_row(registry_db,
                                                                          tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text("姓名,身份证号,残疾类别,残疾等级,致残原因,发证日期\n"
                    "者文开,530128198005130325,智力,三级,因灾,2026/11/19\n胡德成,5301282013",
                    encoding="utf-8")
    report = await import_department(registry_db, "disability", path)
    assert [(r.row, r.column, r.code) for r in report.rejected] == [(3, "残疾类别",
                                                                     "incomplete")]
    assert report.matched == 1
