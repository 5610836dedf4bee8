"""The command line: `fangpin import registry|department` and `fangpin roster`."""

from __future__ import annotations

import json
import zipfile

import openpyxl

from bot.cli import main
from tests.screening_fixtures import REGISTRY_CSV, REGISTRY_XLSX, SAMPLES, registry_table, write_csv


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_registry_import_prints_a_json_report(cli_db, capsys):
    assert main(["import", "registry", str(REGISTRY_CSV), "--json", "--no-progress"]) == 0
    report = _json(capsys)
    assert {k: report[k] for k in ("rows_read", "imported", "updated", "matched", "unmatched",
                                   "duplicates", "rejected", "cases_opened")} == {
        "rows_read": 427, "imported": 427, "updated": 0, "matched": 0, "unmatched": 427,
        "duplicates": 0, "rejected": [], "cases_opened": 0}
    assert main(["import", "registry", str(REGISTRY_XLSX), "--json"]) == 0
    again = _json(capsys)
    assert (again["imported"], again["unchanged"], again["matched"]) == (0, 427, 427)


def test_registry_with_rejected_rows_exits_1_and_writes_them_back(cli_db, capsys, tmp_path):
    table = registry_table()
    table[3][8] = "5.30128E+17"
    bad = write_csv(tmp_path / "bad.csv", table, "gbk")
    rejects = tmp_path / "退回.csv"
    assert main(["import", "registry", str(bad), "--rejects", str(rejects)]) == 1
    out = capsys.readouterr()
    assert "第4行 [证件号码]" in out.out and "未导入任何数据" in out.out
    assert "退回.csv" in out.err and rejects.read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["import", "registry", str(bad), "--accept-good-rows", "--json"]) == 0
    report = _json(capsys)
    assert (report["imported"], report["rejected"][0]["row"]) == (426, 4)
    assert report["rejected"][0]["column"] == "证件号码"


def test_department_import_json_has_the_promised_fields(cli_db, capsys):
    assert main(["import", "registry", str(REGISTRY_XLSX), "--json"]) == 0
    capsys.readouterr()
    assert main(["import", "department", "--kind", "health", str(SAMPLES["health"]),
                 "--json"]) == 0
    report = _json(capsys)
    assert {k: report[k] for k in ("rows_read", "matched", "unmatched", "duplicates",
                                   "cases_opened")} == {
        "rows_read": 14, "matched": 12, "unmatched": 1, "duplicates": 0, "cases_opened": 11}
    assert report["rejected"] == [{"row": 16, "column": "身份证号码",
                                   "reason": "身份证号校验位不对（可能有数字录错），不做猜测匹配",
                                   "code": "bad_check_digit"}]
    assert report["unmatched_people"][0]["id_number"] == "530129********2335"
    assert "530129195108312335" not in json.dumps(report)
    assert main(["import", "department", "--kind", "health", str(SAMPLES["health"]),
                 "--all-or-nothing", "--json"]) == 1
    strict = _json(capsys)
    assert (strict["status"], strict["cases_opened"]) == ("rolled_back", 0)


def test_text_report_and_progress_bar(cli_db, capsys):
    assert main(["import", "registry", str(REGISTRY_XLSX), "--progress"]) == 0
    out = capsys.readouterr()
    assert "读取 427 行" in out.out and "新增 427 人" in out.out and "已导入" in out.out
    assert "行" in out.err
    assert main(["import", "department", "--kind", "disaster", str(SAMPLES["disaster"])]) == 0
    text = capsys.readouterr().out
    assert "跳过空行 1" in text and "新开预警 4 件" in text


def test_unreadable_files_exit_2(cli_db, capsys, tmp_path):
    (tmp_path / "x.xls").write_bytes(b"x")
    assert main(["import", "registry", str(tmp_path / "x.xls")]) == 2
    assert ".xls" in capsys.readouterr().err
    headerless = write_csv(tmp_path / "h.csv", [["a", "b"], ["1", "2"]])
    assert main(["import", "department", "--kind", "civil", str(headerless)]) == 2


def test_roster_command(cli_db, capsys, tmp_path):
    assert main(["import", "registry", str(REGISTRY_XLSX)]) == 0
    out = tmp_path / "名册.xlsx"
    assert main(["roster", "--area", "翠华镇红龙村", "--out", str(out), "--as-of",
                 "2026-12-01", "--year", "2026"]) == 0
    printed = capsys.readouterr().out
    assert "红龙村 反向预警名册" in printed and "身份证号已遮挡" in printed
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "序号"
    assert main(["roster", "--area", "红龙村", "--out", str(out), "--full-ids"]) == 2
    assert "--operator" in capsys.readouterr().err
    assert main(["roster", "--area", "红龙村", "--out", str(out), "--criteria", "rich"]) == 2
    assert main(["roster", "--area", "红龙村", "--out", str(out), "--year", "1999"]) == 2
    assert "1999" in capsys.readouterr().err


def test_a_file_under_the_wrong_kind_exits_2_naming_what_is_missing(cli_db, capsys):
    assert main(["import", "registry", str(REGISTRY_XLSX), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["import", "department", "--kind", "police", str(REGISTRY_XLSX), "--json"]) == 2
    out = capsys.readouterr()
    assert "“死亡日期”或“死亡原因”" in out.err and "fangpin import registry" in out.err
    assert out.out == ""
    assert main(["import", "department", "--kind", "education", str(SAMPLES["health"])]) == 2
    assert "--kind health" in capsys.readouterr().err


def test_an_oversized_csv_cell_is_a_rejected_row_or_an_unreadable_file(cli_db, capsys,
                                                                       tmp_path):
    table = registry_table()[:4]
    table[2][7] = "王" * 200_000
    big = write_csv(tmp_path / "big.csv", table)
    assert main(["import", "registry", str(big), "--no-progress"]) == 1
    out = capsys.readouterr()
    assert "第3行 [姓名] 内容过长（200000个字" in out.out and "Traceback" not in out.err
    runaway = tmp_path / "runaway.csv"
    runaway.write_text("\n".join(",".join(line) for line in table[:2]) + "\n\"" + "王" * 1_100_000,
                       encoding="utf-8")
    assert main(["import", "registry", str(runaway), "--no-progress"]) == 2
    assert "第3行附近有一个单元格超过" in capsys.readouterr().err


def test_the_rollback_hint_names_the_option_of_the_command(cli_db, capsys):
    assert main(["import", "registry", str(REGISTRY_XLSX), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["import", "department", "--kind", "health", str(SAMPLES["health"]),
                 "--all-or-nothing", "--no-progress"]) == 1
    text = capsys.readouterr().out
    assert "去掉 --all-or-nothing 只导入没有问题的行" in text and "--accept-good-rows" not in text


def test_a_header_only_file_says_there_are_no_rows(cli_db, capsys, tmp_path):
    empty = write_csv(tmp_path / "empty.csv", registry_table()[:1])
    assert main(["import", "registry", str(empty), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "文件里没有数据行" in text and "已导入" not in text


def test_rejects_file_is_written_even_when_nothing_is_rejected(cli_db, capsys, tmp_path):
    rejects = tmp_path / "退回.csv"
    assert main(["import", "registry", str(REGISTRY_CSV), "--rejects", str(rejects),
                 "--no-progress"]) == 0
    assert "没有退回的行" in capsys.readouterr().err
    lines = rejects.read_text("utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith("原行号,问题列,原因,户编号")
    missing_dir = tmp_path / "nope" / "退回.csv"
    assert main(["import", "registry", str(REGISTRY_CSV), "--rejects", str(missing_dir),
                 "--json"]) == 2
    out = capsys.readouterr()
    assert "文件夹不存在" in out.err and out.out == ""


def test_a_rejects_path_that_is_a_folder_or_the_input_is_refused_before_importing(
        cli_db, capsys, tmp_path):  # fmt: skip
    source = write_csv(tmp_path / "registry.csv", registry_table(), "gbk")
    original = source.read_bytes()
    (tmp_path / "out.xlsx").mkdir()
    for target, said in ((tmp_path / "out.xlsx", "是一个文件夹"),
                         (source, "就是要导入的文件")):  # fmt: skip
        assert main(["import", "registry", str(source), "--rejects", str(target)]) == 2
        out = capsys.readouterr()
        assert said in out.err and "已导入" not in out.out
    assert source.read_bytes() == original


def test_roster_input_errors_are_polite_chinese(cli_db, capsys, tmp_path):
    assert main(["import", "registry", str(REGISTRY_XLSX), "--no-progress"]) == 0
    capsys.readouterr()
    out = tmp_path / "x.xlsx"
    assert main(["roster", "--area", "红龙村", "--out", str(out), "--as-of", "2099-01-01"]) == 2
    assert "晚于今天" in capsys.readouterr().err and not out.exists()
    assert main(["roster", "--area", "红龙村", "--out", str(out), "--as-of", "2026-13-01"]) == 2
    err = capsys.readouterr().err
    assert "“2026-13-01”不是有效日期" in err and "month" not in err
    assert main(["roster", "--area", "", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "地区名称为空" in err and "多个地区" not in err
    nowhere = tmp_path / "nonexistent" / "dir" / "x.xlsx"
    assert main(["roster", "--area", "红龙村", "--out", str(nowhere)]) == 2
    err = capsys.readouterr().err
    assert "文件夹" in err and "不存在" in err and "Traceback" not in err


def test_an_unpaired_quote_exits_2_even_when_good_rows_are_taken(cli_db, capsys, tmp_path):
    table = registry_table()
    table[200][7] = '"' + table[200][7]
    path = tmp_path / "quote.csv"
    path.write_text("".join(",".join(line) + "\r\n" for line in table), encoding="utf-8")
    assert main(["import", "registry", str(path), "--accept-good-rows", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "第201行" in err and "引号" in err and "Traceback" not in err
    health = tmp_path / "health.csv"
    health.write_text("姓名,身份证号,病种,个人自付\n张三,530128198005130325,肺癌,5000\n"
                      '"李四,530128198005130325,肺癌,6000\n王五,530128198005130325,肺癌,7000\n'
                      "赵六,530128198005130325,肺癌,8000\n", encoding="utf-8")
    assert main(["import", "department", "--kind", "health", str(health), "--no-progress"]) == 2
    assert "第3行" in capsys.readouterr().err
    assert main(["import", "registry", str(REGISTRY_CSV), "--json", "--no-progress"]) == 0
    assert _json(capsys)["batch_id"] == 1  # nothing of the refused files was stored


def _damaged_xlsx(tmp_path, name: str, *, cut_sheet: bool = False, drop: str = "",
                  source_file=REGISTRY_XLSX) -> str:  # fmt: skip
    with zipfile.ZipFile(source_file) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    target = tmp_path / name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for part, data in parts.items():
            if part == drop:
                continue
            if cut_sheet and part == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            out.writestr(part, data)
    return str(target)


def test_a_damaged_xlsx_exits_2_with_a_chinese_message(cli_db, capsys, tmp_path):
    not_zip = tmp_path / "notzip.xlsx"
    not_zip.write_bytes(b"<html><body>export</body></html>")
    old_xls = tmp_path / "old.xlsx"
    old_xls.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600)
    cases = [(_damaged_xlsx(tmp_path, "cut.xlsx", cut_sheet=True), "文件已损坏"),
             (_damaged_xlsx(tmp_path, "noct.xlsx", drop="[Content_Types].xml"), "文件已损坏"),
             (str(not_zip), "文件已损坏或不是 Excel 文件（.xlsx）"),
             (str(old_xls), "旧版 .xls")]
    for path, words in cases:
        assert main(["import", "registry", path, "--accept-good-rows", "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert words in err and "另存为 .xlsx" in err, (path, err)
        assert "Traceback" not in err and "zip" not in err.lower()
    health = _damaged_xlsx(tmp_path, "health.xlsx", cut_sheet=True, source_file=SAMPLES["health"])
    assert main(["import", "department", "--kind", "health", health, "--no-progress"]) == 2
    assert "文件已损坏" in capsys.readouterr().err
    assert main(["import", "registry", str(REGISTRY_XLSX), "--json", "--no-progress"]) == 0
    assert _json(capsys)["batch_id"] == 1  # nothing of the damaged files was stored


def test_an_import_that_waits_too_long_for_the_database_says_why(cli_db, capsys, monkeypatch,
                                                                   tmp_path):
    import sqlite3

    import storage.engine

    assert main(["import", "registry", str(REGISTRY_CSV), "--json", "--no-progress"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(storage.engine, "SQLITE_BUSY_TIMEOUT_S", 0.3)
    other = sqlite3.connect(cli_db.split("///", 1)[1])  # the running service, say, mid-write
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE households SET registry_updated_at = registry_updated_at")
    try:
        assert main(["import", "department", "--kind", "health", str(SAMPLES["health"])]) == 3
    finally:
        other.rollback()
        other.close()
    err = capsys.readouterr().err
    assert "正被另一个程序写入" in err and "整份文件未导入" in err and "请稍后再试" in err
    assert main(["import", "department", "--kind", "health", str(SAMPLES["health"])]) == 0


def test_a_department_file_whose_every_row_is_sent_back_exits_1(cli_db, capsys, tmp_path):
    future = write_csv(tmp_path / "future.csv", [
        ["姓名", "身份证号码", "病种", "确诊日期", "个人自付(元)"],
        ["王发红", "530128198205265910", "尿毒症", "2062-11-03", "30000"],
        ["王发红", "530128198205265910", "白血病", "2063-01-03", "40000"],
    ])
    assert main(["import", "department", "--kind", "health", str(future)]) == 1
    out = capsys.readouterr().out
    assert "退回 2 行" in out and "没有导入任何数据" in out and "已导入（" not in out


def test_ctrl_c_during_an_import_says_what_to_do(cli_db, capsys, monkeypatch):
    import bot.import_command

    async def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bot.import_command, "_run", interrupted)
    assert main(["import", "registry", str(REGISTRY_CSV), "--no-progress"]) == 130
    err = capsys.readouterr().err
    assert "导入被中断" in err and "再运行一次同样的命令" in err and "Traceback" not in err
