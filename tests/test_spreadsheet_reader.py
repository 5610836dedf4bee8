"""Reading office exports: encodings, title rows, header synonyms, blank and totals rows."""

from __future__ import annotations

import datetime as dt

import pytest

from storage import cell_values as cv
from storage.column_synonyms import DEPARTMENT, REGISTRY, REGISTRY_REQUIRED
from storage.spreadsheet_reader import (
    TableError,
    column_name,
    detect_encoding,
    header_key,
    open_table,
)
from tests.screening_fixtures import (
    REGISTRY_CSV,
    REGISTRY_XLSX,
    SAMPLES,
    valid_id,
    write_csv,
    write_xlsx,
)

HEALTH = DEPARTMENT["health"]
ID = valid_id("53012819820526591")


def _read(path, synonyms=HEALTH, required=frozenset({"id_number"})):
    table = open_table(path, synonyms, required)
    return table, list(table.rows())


@pytest.mark.parametrize(
    ("kind", "encoding", "header_row", "numbers", "skipped"),
    [
        ("health", "", 2, list(range(3, 17)), {"blank": 0, "totals": 1}),
        ("disability", "gbk", 1, list(range(2, 8)), {"blank": 0, "totals": 0}),
        ("disaster", "utf-8-sig", 1, [2, 3, 4, 6, 7], {"blank": 1, "totals": 0}),
        ("education", "", 2, list(range(3, 11)), {"blank": 0, "totals": 0}),
        ("civil", "utf-8", 1, list(range(2, 9)), {"blank": 0, "totals": 0}),
        ("police", "gbk", 2, [3, 4, 5], {"blank": 0, "totals": 0}),
    ],
)
def test_every_department_sample_is_read_with_spreadsheet_row_numbers(
    kind, encoding, header_row, numbers, skipped
):
    table, rows = _read(SAMPLES[kind], DEPARTMENT[kind])
    assert (table.encoding, table.header_row) == (encoding, header_row)
    assert [row.number for row in rows] == numbers
    assert table.skipped == skipped


def test_registry_xlsx_with_title_row_and_gbk_csv_without_give_the_same_rows():
    xlsx, xlsx_rows = _read(REGISTRY_XLSX, REGISTRY, REGISTRY_REQUIRED)
    csv_table, csv_rows = _read(REGISTRY_CSV, REGISTRY, REGISTRY_REQUIRED)
    assert (xlsx.header_row, csv_table.header_row, csv_table.encoding) == (2, 1, "gbk")
    assert len(xlsx_rows) == len(csv_rows) == 427
    assert len(xlsx.columns) == len(csv_table.columns) == 22
    first_xlsx, first_csv = xlsx_rows[0], csv_rows[0]
    assert first_xlsx.number == 3 and first_csv.number == 2
    assert cv.compact(first_xlsx.values["name"]) == cv.compact(first_csv.values["name"]) == "王发红"
    assert cv.amount(first_xlsx.values["income_wage"]) == cv.amount(first_csv.values["income_wage"])


def test_police_tabs_stick_to_ids_but_the_comma_is_the_delimiter():
    _, rows = _read(SAMPLES["police"], DEPARTMENT["police"])
    assert rows[0].values["id_number"] == "530128197911166528\t"
    assert cv.id_number(rows[0].values["id_number"]).number == "530128197911166528"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    table = [["某县新增名单"], ["序号", "患者姓名", "身份证号码", "个人自付(元)"],
             ["1", "王发红", ID, "1,234"]]
    path = write_csv(tmp_path / "x.csv", table, encoding)
    table, rows = _read(path)
    assert table.header_row == 2
    assert rows[0].values == {"name": "王发红", "id_number": ID, "out_of_pocket": "1,234"}


def test_other_header_names_and_column_orders_mean_the_same(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["自付金额（元）", "诊断", "公民身份证号码", "姓 名"],
                                          ["500", "白血病", ID, "王发红"]])
    _, rows = _read(path)
    assert rows[0].values == {"out_of_pocket": "500", "disease": "白血病", "id_number": ID,
                              "name": "王发红"}


@pytest.mark.parametrize("id_header", ["身份证号码（18位）", "居民身份证号", "*身份证号",
                                       "身份证号码(15位或18位)", "证件号码（必填）"])
def test_id_headers_with_a_format_note_or_required_mark_are_recognised(tmp_path, id_header):
    path = write_csv(tmp_path / "x.csv", [["*姓名", id_header, "病种"], ["王发红", ID, "白血病"]])
    _, rows = _read(path)
    assert rows[0].values == {"name": "王发红", "id_number": ID, "disease": "白血病"}


def test_a_two_row_header_with_merged_group_labels_keeps_its_sub_columns(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in (["2026年11月大病患者名单"], ["序号", "姓名", "身份证号码", "费用情况", None, None],
                 [None, None, None, "住院总费用", "报销金额", "个人自付"],
                 [1, "王发红", ID, 90000, 60000, 30000], [2, "李云", None, 100, 0, 100]):
        sheet.append(line)
    sheet.merge_cells("D2:F2")
    sheet.merge_cells("A2:A3")
    workbook.save(tmp_path / "merged.xlsx")
    table, rows = _read(tmp_path / "merged.xlsx")
    assert table.header_row == 2 and set(table.columns) == {
        "name", "id_number", "total_cost", "reimbursed", "out_of_pocket"}
    assert [row.number for row in rows] == [4, 5]
    assert rows[0].values == {"name": "王发红", "id_number": ID, "total_cost": 90000,
                              "reimbursed": 60000, "out_of_pocket": 30000}
    # the same as CSV, and with the group label row above the names instead
    csv_path = write_csv(tmp_path / "merged.csv", [
        ["序号", "基本情况", "", "", "个人自付"], ["", "姓名", "身份证号码", "病种", ""],
        ["1", "王发红", ID, "尿毒症", "30000"]])
    table, rows = _read(csv_path)
    assert (table.header_row, [row.number for row in rows]) == (2, [3])
    assert rows[0].values == {"name": "王发红", "id_number": ID, "disease": "尿毒症",
                              "out_of_pocket": "30000"}


def test_the_row_under_a_one_row_header_is_data_even_when_it_is_the_only_one(tmp_path):
    path = write_csv(tmp_path / "one.csv", [["姓名", "身份证号码", "个人自付"],
                                            ["王发红", ID, "30000"]])
    table, rows = _read(path)
    assert [(row.number, row.values["out_of_pocket"]) for row in rows] == [(2, "30000")]
    path = write_csv(tmp_path / "header-only.csv", [["姓名", "身份证号码", "个人自付"]])
    assert _read(path)[1] == []


def test_person_id_column_wins_over_household_head_id(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["户主身份证号", "姓名", "身份证号"], ["1", "王", ID]])
    _, rows = _read(path)
    assert rows[0].values["id_number"] == ID


def test_blank_rows_and_totals_rows_are_skipped_and_counted(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["姓名", "身份证号"], ["王", ID], ["", ""], [" ", ""],
                                          ["合 计", "1人"], ["总计", ""]])
    table, rows = _read(path)
    assert [row.number for row in rows] == [2]
    assert table.skipped == {"blank": 2, "totals": 2}


def test_missing_header_and_missing_required_columns_are_explained(tmp_path):
    no_header = write_csv(tmp_path / "a.csv", [["标题"], ["a", "b"]])
    with pytest.raises(TableError, match="找不到表头"):
        open_table(no_header, HEALTH, frozenset({"id_number"}))
    no_village = write_csv(tmp_path / "b.csv", [["户编号", "姓名", "证件号码"]])
    with pytest.raises(TableError, match="缺少必需的列：行政村"):
        open_table(no_village, REGISTRY, REGISTRY_REQUIRED)


def test_unsupported_files_are_refused(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableError, match=r"\.xls"):
        open_table(tmp_path / "old.xls", HEALTH, frozenset())
    with pytest.raises(TableError, match="找不到文件"):
        open_table(tmp_path / "none.csv", HEALTH, frozenset())
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(TableError, match="是一个文件夹"):
        open_table(tmp_path / "folder.xlsx", HEALTH, frozenset())
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    (tmp_path / "photo.csv").write_bytes(png)
    with pytest.raises(TableError, match="无法识别文件编码.*另存为 .xlsx 或 CSV"):
        open_table(tmp_path / "photo.csv", HEALTH, frozenset())
    for name in ("empty.csv", "empty.xlsx"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(TableError, match=r"文件是空的（0 字节）"):
            open_table(tmp_path / name, HEALTH, frozenset())
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(TableError, match=r"文件已损坏或不是 Excel 文件（\.xlsx）"):
        open_table(tmp_path / "broken.xlsx", HEALTH, frozenset())


def test_encoding_detection_and_header_keys():
    assert detect_encoding("姓名".encode("gbk")) == "gb18030"
    assert detect_encoding("\ufeff姓名".encode()) == "utf-8-sig"
    assert detect_encoding("姓名".encode()[:-1]) == "utf-8"
    assert header_key(" 个人自付（元） ") == header_key("个人自付") == "个人自付"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 530128 19970908 5467 ", "530128199709085467"),
        ("５３０１２８１９５８０７２４８１２９", "530128195807248129"),
        ("53012819630706829x", "53012819630706829X"),
        ("530128197911166528\t", "530128197911166528"),
        ("530128501116552", "530128195011165520"),
        (530128990628801, "53012819990628801X"),
        (530128990628801.0, "53012819990628801X"),
        (530128198205265910, "530128198205265910"),  # an exact integer from a non-Excel tool
    ],
)
def test_id_cells_are_normalized(raw, expected):
    assert cv.id_number(raw) == cv.IdReading(expected)


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("530128197211151520", "bad_check_digit", "校验位"),
        ("5.30128E+17", "excel_float", "科学计数法"),
        (5.30128198205266e17, "excel_float", "科学计数法"),
        (530128198205266000, "excel_float", "末几位"),
        (530128198205265911, "excel_float", "末几位"),  # an integer failing the check digit
        (5301281982052659, "excel_float", "末几位"),
        (530128198205265910.0, "excel_float", "科学计数法"),
        ("5.30128198205266E+17", "excel_float", "科学计数法"),
        ("53012819820526591", "wrong_length", "17位"),
        ("", "empty", "为空"),
        (None, "empty", "为空"),
        ("5301281982052659A1", "not_digits", "字符"),
        ("530128198213265918", "bad_birth_date", "出生日期"),
    ],
)
def test_bad_ids_are_rejected_with_a_reason_never_guessed(raw, code, words):
    reading = cv.id_number(raw)
    assert reading.number is None and reading.code == code and words in reading.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026/11/19", dt.date(2026, 11, 19)), ("2026-08-14", dt.date(2026, 8, 14)),
     ("2026年8月4日", dt.date(2026, 8, 4)), (dt.datetime(2026, 1, 1, 8), dt.date(2026, 1, 1)),
     (46250, dt.date(2026, 8, 16)), ("20260814", dt.date(2026, 8, 14)), ("", None)],
)
def test_dates(raw, expected):
    assert cv.date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12,000", 12000), ("￥1234.5", 1235), (" 800 元", 800), ("1.2万", 12000), (36000, 36000),
     (2400.0, 2400), ("", None), ("-", None), ("2.5", 3), ("3.5", 4), (2.5, 3), (0.5, 1),
     ("1234.49", 1234), ("1.00005万", 10001), ("1e3", 1000), (1.2345e4, 12345),
     ("两万五", 25000), ("3万5", 35000), ("八千元", 8000)],
)
def test_amounts(raw, expected):
    assert cv.amount(raw) == expected


@pytest.mark.parametrize("raw", ["9" * 5000, 10**5000, "1e999999", 1e300, "inf", float("nan")],
                         ids=["5000-digits", "int-5001-digits", "1e999999", "1e300", "inf", "nan"])
def test_an_absurd_amount_is_a_cell_error_not_a_crash(raw):
    with pytest.raises(cv.CellError, match="金额"):
        cv.checked_amount(raw)


def test_unreadable_values_raise_with_a_reason():
    with pytest.raises(cv.CellError, match="不是金额"):
        cv.amount("很多")
    with pytest.raises(cv.CellError, match="是.*否"):
        cv.yes_no("也许")
    with pytest.raises(cv.CellError, match="不是日期：请写成年-月-日"):
        cv.date("上个月")
    with pytest.raises(cv.CellError, match="请写成数字，如 25000"):
        cv.amount("一万到两万")
    with pytest.raises(cv.CellError, match="^不是有效的金额$"):  # a number, just an absurd one
        cv.amount("1e999999")
    with pytest.raises(cv.CellError, match="过长"):
        cv.limited("一" * 20, 16)


def test_checked_amounts_and_whole_numbers():
    assert (cv.checked_amount("100,000,000"), cv.checked_amount(0), cv.checked_amount("")) == (
        100_000_000, 0, None)
    with pytest.raises(cv.CellError, match="负数"):
        cv.checked_amount("-3000")
    with pytest.raises(cv.CellError, match="过大"):
        cv.checked_amount(1_000_000_000_000)
    assert (cv.whole_number("6"), cv.whole_number(6.0), cv.whole_number("6人")) == (6, 6, 6)
    assert cv.whole_number("") is None
    for bad in ("2.5", 2.5, "六"):
        with pytest.raises(cv.CellError, match="不是整数"):
            cv.whole_number(bad)


def test_a_cell_over_pythons_csv_limit_is_read_and_a_runaway_one_refused_with_its_row(
    tmp_path
):
    long_name = "王" * 200_000
    path = write_csv(tmp_path / "long.csv", [["姓名", "身份证号"], ["王发红", ID], [long_name, ID]])
    _, rows = _read(path)
    assert [len(row.values["name"]) for row in rows] == [3, 200_000]
    runaway = tmp_path / "quote.csv"
    runaway.write_text(f"姓名,身份证号\n王发红,{ID}\n\"王{'发' * 1_100_000},{ID}\n",
                       encoding="utf-8")
    with pytest.raises(TableError, match="第3行.*超过1,048,576个字符.*引号"):
        _read(runaway)


def test_a_csv_cut_off_mid_row_says_so_and_an_xlsx_short_row_is_fine(tmp_path):
    header = ["姓名", "身份证号", "病种", "个人自付(元)"]
    path = tmp_path / "cut.csv"
    path.write_text(",".join(header) + f"\n王发红,{ID},白血病,100\n王云,5301", encoding="utf-8")
    _, rows = _read(path)
    assert [row.incomplete for row in rows] == [None, (
        "disease", "该行不完整：只有2列，表头有4列（文件可能被截断，请重新导出完整的文件）")]
    xlsx = write_xlsx(tmp_path / "short.xlsx", [header, ["王发红", ID]])
    _, rows = _read(xlsx)
    assert rows[0].incomplete is None


def test_a_csv_cut_off_mid_character_is_refused_as_cut_off(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(f"姓名,身份证号\n王发红,{ID}\n王云".encode("gbk")[:-1])
    with pytest.raises(TableError, match="第3行中途结束.*截断"):
        _read(path)


def test_two_columns_of_the_same_name_are_ambiguous(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["姓名", "证件号码", "病种", "证件号码"],
                                          ["王", ID, "白血病", "530128190001010000"]])
    with pytest.raises(TableError, match="2列都是“证件号码”（第2列（B）和第4列（D））"):
        _read(path)
    assert column_name(26) == "第27列（AA）"
