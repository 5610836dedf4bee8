"""`fangpin grade`: JSON Lines in, one JSON object per line out, errors name line and field."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.grade_command import _encode, add_grade_parser, encode_grading, run_grade
from policy.grading import grade, parse_facts
from policy.parameters import ParameterSet
from tests.shared_data import require_shared_data
from tests.test_grading_properties import households

GRADING_DATA = require_shared_data() / "grading"
TEST_PARAMS = GRADING_DATA / "params-test.toml"
ROOT = Path(__file__).resolve().parents[1]


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fangpin")
    add_grade_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["grade", *argv])


def run(*argv: str, stdin: bytes = b"") -> tuple[int, list[dict], str]:
    out, err = io.BytesIO(), io.StringIO()
    code = run_grade(parse_args(*argv), stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    lines = out.getvalue().decode("utf-8").splitlines()
    return code, [json.loads(line) for line in lines], err.getvalue()


def test_parser_arguments() -> None:
    args = parse_args("in.jsonl", "--params", "p.toml", "--county", "530128")
    assert (args.file, args.params, args.county) == ("in.jsonl", "p.toml", "530128")
    assert parse_args().file == "-" and args.func is run_grade


def test_grades_every_case_from_a_file() -> None:
    code, out, _ = run(str(GRADING_DATA / "cases.jsonl"), "--params", str(TEST_PARAMS))
    cases = [json.loads(x) for x in (GRADING_DATA / "cases.jsonl").read_text("utf-8").splitlines()]
    assert code == 0 and len(out) == len(cases)
    for case, result in zip(cases, out, strict=True):
        assert result["level"] == case["expected_level"], case["case"]
        assert result["provisional"] is case["expected_provisional"]
        assert [r["rule"] for r in result["rules"]] == case["expected_rules"]
        assert result["parameters"] == "test-2026"
        assert list(result) == [
            "level",
            "colour",
            "provisional",
            "missing",
            "rules",
            "measures",
            "parameters",
        ]


GOOD = {
    "year": 2026,
    "category": "脱贫户",
    "members": [{"labour": "normal"}],
    "income": {"wage": 1000, "production": 0, "transfer": 0, "property": 0},
    "rigid_expense": 0,
}


def line(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def test_bad_lines_get_error_objects_and_the_rest_are_graded(tmp_path: Path) -> None:
    bad_labour = {**GOOD, "members": [{"labour": "normal"}, {"labour": "strong"}]}
    rows = [
        line(GOOD),  # 1 graded
        b'{"year": 2026, "members": [',  # 2 malformed JSON
        line(bad_labour),  # 3 bad field
        b"",  # 4 blank: skipped
        line({**GOOD, "year": 2019}),  # 5 no parameters for 2019
        b"[1, 2]",  # 6 not an object
        b'{"year": 2026, "category": "\xff"}',  # 7 not UTF-8
        line({**GOOD, "year": None}),  # 8 no year
        line(GOOD),  # 9 graded
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(rows) + b"\n")
    code, out, _ = run(str(path), "--params", str(TEST_PARAMS))
    assert code == 1
    assert [o.get("level") for o in out] == ["I", None, None, None, None, None, None, "I"]
    errors = {o["line"]: o for o in out if "error" in o}
    assert {n: e["field"] for n, e in errors.items()} == {
        2: None,
        3: "members[1].labour",
        5: "year",
        6: None,
        7: None,
        8: "year",
    }
    assert "2019" in errors[5]["error"]
    assert "strong" in errors[3]["error"]
    assert errors[2]["error"] == "不是有效的 JSON：这里缺少一个值（在行尾，这一行不完整）"
    assert all(set(e) == {"line", "error", "field"} for e in errors.values())


def test_a_key_given_twice_is_an_error_naming_it() -> None:
    base = line(GOOD)
    twice_expense = base[:-1] + b', "rigid_expense": 90000}'  # json alone would keep 90000
    twice_wage = base.replace(b'"wage": 1000', b'"wage": 1000, "wage": 50000')
    noted = base[:-1] + ', "note": "电话: 见档案"}'.encode()  # a colon in a string is no key
    code, out, _ = run("--params", str(TEST_PARAMS),
                       stdin=b"\n".join([base, twice_expense, twice_wage, noted]) + b"\n")
    assert code == 1
    assert out[1] == {"line": 2, "field": "rigid_expense",
                      "error": "rigid_expense 这一项写了两次，不知道该用哪一个"}
    assert out[2]["line"] == 3 and out[2]["field"] == "income.wage"
    assert out[3] == out[0] and out[0]["level"] == "I"
    # the usual line stays on the fast path; the repeated key leaves it
    from bot.grade_command import LineGrader
    from policy.parameters import load_parameter_file

    grader = LineGrader(load_parameter_file(str(TEST_PARAMS)))
    list(grader.encoded_lines([base]))
    fast = grader._fast[2026]
    assert fast.locate(json.loads(base), base) is not None
    named = base.replace(b'{"labour": "normal"}', '{"labour": "normal", "name": "张三"}'.encode())
    assert fast.locate(json.loads(named), named) is not None
    assert fast.locate(json.loads(twice_expense), twice_expense) is None


def test_json_mistakes_are_named_in_chinese_with_their_place() -> None:
    code, out, _ = run(stdin=b'{"year" 2026}\n{"year": 2026}{}\n')
    assert code == 1
    assert [o["error"] for o in out] == [
        "不是有效的 JSON：这里缺少英文冒号（第 9 个字符处）",
        "不是有效的 JSON：一行只能有一个 JSON 对象，这里有多余的内容（第 15 个字符处）",
    ]


def test_reads_stdin_and_writes_chinese_unescaped() -> None:
    code, out, _ = run("-", "--params", str(TEST_PARAMS), stdin=line(GOOD) + b"\n")
    assert code == 0 and out[0]["colour"] == "红"
    raw = io.BytesIO()
    run_grade(
        parse_args("--params", str(TEST_PARAMS)),
        stdin=io.BytesIO(line(GOOD)),
        stdout=raw,
        stderr=io.StringIO(),
    )
    assert "红".encode() in raw.getvalue() and b"\\u" not in raw.getvalue()


def test_built_in_parameters_and_unverified_warning() -> None:
    code, out, err = run(stdin=line({**GOOD, "year": 2026}) + b"\n" + line(GOOD) + b"\n")
    assert code == 0 and out[0]["parameters"].startswith("yn-")
    assert err.count("未经核实") == 1  # 2026 is carried forward from 2025: warned once
    code, out, err = run(stdin=line({**GOOD, "year": 2025}))
    assert code == 0 and err == ""


def test_unusable_parameter_file_or_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('version = "x"\n', encoding="utf-8")
    code, out, err = run("--params", str(bad), stdin=line(GOOD))
    assert code == 2 and out == [] and "years" in err
    code, out, err = run(str(tmp_path / "missing.jsonl"))
    assert code == 2 and "missing.jsonl" in err and "文件或文件夹不存在" in err


def test_fast_encoding_equals_json_dumps_for_the_cases() -> None:
    p = ParameterSet(version="enc", year=2026, poverty_line=4000)
    for raw in (GRADING_DATA / "cases.jsonl").read_text("utf-8").splitlines():
        g = grade(parse_facts(json.loads(raw)), p)
        assert encode_grading(g) == json.dumps(g.to_dict(), ensure_ascii=False)
        assert encode_grading(g) == encode_grading(g)  # again, from the cached fragments


@given(households(), st.sampled_from([4000, 8700]))
def test_fast_encoding_equals_json_dumps(h: dict, line_value: int) -> None:
    p = ParameterSet(version="enc", year=2026, poverty_line=line_value)
    g = grade(parse_facts(h), p)
    assert encode_grading(g) == _encode(g.to_dict())


def test_python_dash_m_entry(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(line(GOOD) + b"\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.grade_command", str(path), "--params", str(TEST_PARAMS)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["level"] == "I"


def test_batches_number_lines_across_blanks_and_bad_lines() -> None:
    """Lines are parsed a batch at a time: numbers, order and errors stay those of the file."""
    from bot.grade_command import LineGrader
    from policy.parameters import load_parameter_file

    pattern = [line(GOOD), b"", line({**GOOD, "year": 2019}), b"{oops", b"  ", line([1]),
               line({**GOOD, "rigid_expense": 90000}), line({**GOOD, "members": []})]
    rows = [pattern[(i * 7) % len(pattern)] for i in range(83)]
    expected_numbers = [n for n, raw in enumerate(rows, 1) if raw.strip()]
    whole = b"".join(LineGrader(load_parameter_file(str(TEST_PARAMS))).encoded_chunks(rows, 5))
    one_by_one = LineGrader(load_parameter_file(str(TEST_PARAMS)))
    singly = b"".join(one_by_one.encoded_line(raw, n) for n, raw in enumerate(rows, 1)
                      if raw.strip())
    assert whole == singly
    out = [json.loads(x) for x in whole.decode("utf-8").splitlines()]
    assert len(out) == len(expected_numbers)
    errors = [o["line"] for o in out if "error" in o]
    bad = {n for n, raw in enumerate(rows, 1) if raw in (pattern[2], pattern[3], pattern[5])}
    assert set(errors) >= bad and all(n in expected_numbers for n in errors)


FULL = {
    **GOOD,
    "income_last_year": 3000, "causes": ["illness"], "income_stable": True,
    "project_driven": False, "motivation": "strong", "has_plan": True,
    "guarantees": {"food_clothing": True, "education": True, "medical": True,
                   "housing": True, "water": True},
}


def test_a_misspelt_or_misplaced_fact_is_an_error_not_an_unknown() -> None:
    """`rigid_expence` must not grade the household as if its expense were unknown."""
    without = {k: v for k, v in FULL.items() if k != "rigid_expense"}
    rows = [
        {**without, "rigid_expence": 50000},  # 1 full line but one key, on the fast path
        {"year": 2026, "rigid_expence": 5000},  # 2 partial line
        {**FULL, "members": [{"labor": "normal"}, {"labour": "none"}]},  # 3
        {**FULL, "wage": 3000},  # 4 an income source beside `income`
        {**FULL, "id": "hh-1", "note": "走访", "case": "x"},  # 5 let be: graded
        {**FULL, "members": [{"labour": "normal", "name": "张三"}]},  # 6 let be: graded
        {"year": 2026, "case": "x", "income_total": 9000},  # 7 `case` is no `causes`
    ]
    code, out, _ = run("--params", str(TEST_PARAMS),
                       stdin=b"\n".join(line(r) for r in rows) + b"\n")
    assert code == 1
    fields = [o.get("field") for o in out]
    assert fields[:4] == ["rigid_expence", "rigid_expence", "members[0].labor", "wage"]
    assert "rigid_expense" in out[0]["error"] and "income" in out[3]["error"]
    _, plain, _ = run("--params", str(TEST_PARAMS), stdin=line(FULL) + b"\n")
    assert out[4] == plain[0] and out[5] == plain[0]
    assert "error" not in out[6] and out[6]["provisional"] is True


def grade_process(*argv: str, stdout: Any = subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "grade", *argv], cwd=ROOT,
        stdout=stdout, stderr=subprocess.PIPE,
    )


def test_a_reader_that_stops_early_ends_it_quietly(tmp_path: Path) -> None:
    """`fangpin grade big.jsonl | head -1`: status 141 as for SIGPIPE, no traceback."""
    path = tmp_path / "big.jsonl"
    path.write_bytes((line(FULL) + b"\n") * 20_000)  # far more output than a pipe holds
    proc = grade_process(str(path), "--params", str(TEST_PARAMS))
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert json.loads(first)["level"] and "Traceback" not in err and "Error" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_a_message_and_status_2(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes((line(FULL) + b"\n") * 20_000)
    with open("/dev/full", "wb") as full:
        proc = grade_process(str(path), "--params", str(TEST_PARAMS), stdout=full)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "结果不完整" in err.decode() and "Traceback" not in err.decode()


def test_county_code_is_checked_and_an_unknown_county_is_said() -> None:
    code, out, err = run("--county", "5301", stdin=line(GOOD))
    assert code == 2 and out == [] and "6 位数字" in err
    code, out, err = run("--county", "530199", "--params", str(TEST_PARAMS), stdin=line(GOOD))
    assert code == 0 and out[0]["level"] == "I"
    assert "没有县 530199 的专门参数" in err
    code, out, err = run("--params", str(TEST_PARAMS), stdin=line(GOOD))
    assert "专门参数" not in err


def test_a_number_too_long_to_convert_names_its_field() -> None:
    huge = "9" * 5000
    rows = [f'{{"year": 2026, "rigid_expense": {huge}}}',
            f'{{"year": 2026, "income": {{"wage": {huge}}}}}', line(GOOD).decode()]
    code, out, _ = run("--params", str(TEST_PARAMS), stdin="\n".join(rows).encode())
    assert code == 1 and [o.get("field") for o in out[:2]] == ["rigid_expense", "income.wage"]
    assert "4300" in out[0]["error"] and "set_int_max_str_digits" not in out[0]["error"]
    assert out[2]["level"] == "I"


@pytest.mark.parametrize("number", ["1e400", "NaN", "-Infinity"])
def test_a_number_out_of_float_range_is_named_not_echoed_as_inf(number: str) -> None:
    rows = [f'{{"year": 2026, "income": {{"wage": {number}}}}}', f'{{"year": {number}}}']
    code, out, _ = run("--params", str(TEST_PARAMS), stdin="\n".join(rows).encode())
    assert code == 1 and [o["field"] for o in out] == ["income.wage", "year"]
    for error in (o["error"] for o in out):
        assert "超出范围或不是数字" in error
        assert "inf" not in error and "nan" not in error


@pytest.mark.parametrize(("extra", "field"), [
    ({"Rigid_Expense": 90000}, "Rigid_Expense"),
    ({"Year": 2019}, "Year"),
    ({"rigidExpense": 90000}, "rigidExpense"),
    ({"members": [{"labour": "normal", "name": "王"}, {"labour": "normal", "Labour": "none"}]},
     "members[1].Labour"),
])
def test_a_fact_written_twice_in_two_spellings_is_an_error(extra: dict, field: str) -> None:
    rows = [line({**GOOD, **extra}).decode(), line(GOOD).decode()]
    code, out, _ = run("--params", str(TEST_PARAMS), stdin="\n".join(rows).encode())
    assert code == 1 and out[0]["field"] == field and "写了两次" in out[0]["error"]
    assert out[1]["level"] == "I"


def test_a_lone_surrogate_in_a_key_is_one_error_line_and_the_batch_goes_on() -> None:
    """json reads "\\ud800" (and the bytes ED A0 80) as a lone surrogate: it is written back as
    its escape, not a crash that loses the lines around it."""
    bad = [b'{"year": 2026, "rigid_expens\\ud800": 1}', b'{"year":2026,"\xed\xa0\x80":1,"x":2}']
    lines = [line(FULL)] * 16 + bad + [line(FULL)] * 22
    code, out, err = run("--params", str(TEST_PARAMS), stdin=b"\n".join(lines) + b"\n")
    assert code == 1 and len(out) == 40 and "Traceback" not in err
    assert out[16]["line"] == 17 and out[16]["field"] == "rigid_expens\ud800"
    assert "error" not in out[17] and out[17]["provisional"] is True  # an unknown key: let be
    assert out[18] == out[0] == out[39] and out[0]["level"]


@pytest.mark.parametrize("spelling", ["Rigid_Expense", "RIGID_EXPENSE", "rigidExpense",
                                      "rigid expense", "rigid-expense"])
def test_a_fact_in_other_case_or_camel_case_is_an_error_not_an_unknown(spelling: str) -> None:
    without = {k: v for k, v in FULL.items() if k != "rigid_expense"}
    code, out, _ = run("--params", str(TEST_PARAMS),
                       stdin=line({**without, spelling: 50000}) + b"\n")
    assert code == 1 and out[0]["field"] == spelling and "rigid_expense" in out[0]["error"]
    others = {k: v for k, v in FULL.items() if k not in ("has_plan", "category")}
    code, out, _ = run("--params", str(TEST_PARAMS),
                       stdin=line({**others, "hasPlan": True, "CATEGORY": "脱贫户"}) + b"\n")
    assert code == 1 and out[0]["field"] == "hasPlan"


def test_a_repeated_key_is_named_by_its_path_and_one_inside_a_note_is_let_be() -> None:
    base = line(FULL)
    in_member = base.replace(b'"members": [{"labour": "normal"}',
                             b'"members": [{"labour": "normal", "labour": "none"}')
    assert in_member != base
    in_guarantee = base.replace(b'"water": true', b'"water": true, "water": false')
    in_note = base[:-1] + b', "note": {"a": 1, "a": 2}}'
    code, out, _ = run("--params", str(TEST_PARAMS),
                       stdin=b"\n".join([in_member, in_guarantee, in_note, base]) + b"\n")
    assert [o.get("field") for o in out[:2]] == ["members[0].labour", "guarantees.water"]
    assert out[2] == out[3] and "error" not in out[2]


def test_utf16_input_is_refused_as_a_whole() -> None:
    text = (line(FULL).decode() + "\n") * 3
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        code, out, err = run("--params", str(TEST_PARAMS), stdin=text.encode(encoding))
        assert (code, out) == (2, []) and "另存为 UTF-8" in err, encoding


def test_lines_of_a_bom_or_wide_spaces_only_are_blank() -> None:
    stdin = b"\xef\xbb\xbf\n" + line(FULL) + "\n\u3000\n\xa0 \n".encode() + line(FULL) + b"\n"
    code, out, _ = run("--params", str(TEST_PARAMS), stdin=stdin)
    assert code == 0 and len(out) == 2 and out[0] == out[1]


def test_a_county_without_an_override_for_one_year_is_said_for_that_year(tmp_path: Path) -> None:
    params = tmp_path / "county.toml"
    params.write_text('version = "x"\n[years.2026]\npoverty_line = 4000\n'
                      '[years.2026.counties."530128"]\npoverty_line = 9000\n'
                      '[years.2027]\npoverty_line = 4000\n', encoding="utf-8")
    rows = [{**FULL, "year": 2026}, {**FULL, "year": 2027}]
    code, out, err = run("--params", str(params), "--county", "530128",
                         stdin=b"\n".join(line(r) for r in rows) + b"\n")
    assert "2027 年按通用标准评定" in err and "2026 年按通用标准" not in err
    bad = tmp_path / "bad-county.toml"
    bad.write_text('version = "x"\n[years.2026]\npoverty_line = 4000\n'
                   '[years.2026.counties.abc]\npoverty_line = 9000\n', encoding="utf-8")
    code, out, err = run("--params", str(bad), stdin=line(FULL))
    assert code == 2 and "6 位数字" in err


def test_parameter_file_mistakes_are_said_in_chinese(tmp_path: Path) -> None:
    code, _, err = run("--params", str(tmp_path / "none.toml"), stdin=b"")
    assert code == 2 and "文件或文件夹不存在" in err
    code, _, err = run("--params", "", stdin=b"")
    assert code == 2 and "文件名是空的" in err
    (tmp_path / "v.toml").write_text("version = 5\n", encoding="utf-8")
    code, _, err = run("--params", str(tmp_path / "v.toml"), stdin=b"")
    assert code == 2 and "version 应为非空的字符串" in err
