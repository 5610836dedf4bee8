"""The import report's text: long lists are cut at MAX_LISTED, and the cut is said."""

from __future__ import annotations

from storage.import_report import MAX_LISTED, ImportReport, render_text


def _long_report() -> ImportReport:
    report = ImportReport("health", "big.csv", rows_read=900, unmatched=230, committed=True)
    for row in range(2, 252):
        report.reject(row, "确诊日期", "日期2062-11-03晚于今天，请核对", "bad_value")
    for row in range(300, 530):
        report.note_unmatched(row, "王发红", "530128********5910", ["illness"])
    for row in range(600, 805):
        report.warn(row, "姓名", "姓名不一致")
    return report


def test_lists_longer_than_the_limit_say_how_many_are_not_shown():
    report = _long_report()
    text = render_text(report)
    assert text.count("晚于今天") == MAX_LISTED and text.count("王*红") == MAX_LISTED
    assert "……另有 50 行未列出（只列出前 200 行）" in text and "--rejects" in text
    assert "……另有 30 人未列出" in text
    assert "……另有 5 条提示未列出" in text
    assert report.as_json()["warnings_total"] == 205 and len(report.as_json()["warnings"]) == 200


def test_short_lists_have_no_such_line():
    report = ImportReport("health", "small.csv", rows_read=3, committed=True)
    report.reject(2, "确诊日期", "晚于今天", "bad_value")
    report.warn(3, "姓名", "姓名不一致")
    assert "未列出" not in render_text(report)


def test_a_file_whose_every_row_was_sent_back_is_not_called_imported():
    report = ImportReport("health", "future.csv", rows_read=2, committed=True, batch_id=7)
    report.reject(2, "确诊日期", "晚于今天", "bad_value")
    report.reject(3, "确诊日期", "晚于今天", "bad_value")
    assert report.all_rejected
    text = render_text(report)
    assert "没有导入任何数据" in text and "已导入（" not in text
    report.rows_read = 3
    assert not report.all_rejected and "已导入（批次 7）" in render_text(report)
