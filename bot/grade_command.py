"""`fangpin grade`: grade households read as JSON Lines, write one JSON object per line.

    fangpin grade [FILE] [--params FILE] [--county CODE]

FILE defaults to stdin (`-` too). Each non-blank input line yields exactly one output line, in
order: the grading (`level`, `colour`, `provisional`, `missing`, `rules`, `measures`,
`parameters`, see spec/grading.md) or an error object `{"line": 7, "error": "...",
"field": "members[1].labour"}` (`field` is null when the line is not a JSON object at all).
Blank lines (whitespace only, a BOM, U+3000) are skipped; line numbers count every physical line
from 1. A year the parameter set lacks is an error for that line naming the year. Streaming:
`CHUNK_LINES` lines in memory at a time. UTF-16 or UTF-32 input is refused as a whole.

Exit status: 0 every line graded, 1 some lines were errors (the others are still graded),
2 nothing could be graded (unreadable input or parameter file).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import IO, Any

from bot.grade_encoding import encode as _encode
from bot.grade_encoding import encode_grading, rule_json, rules_head, str_json
from bot.grade_fastpath import FastGrader, Located
from bot.json_lines import decoded_lines
from bot.os_error_text import os_error_text
from bot.process_tuning import tune_garbage_collector
from bot.stdout_closed import end_quietly
from policy.facts import FACT_KEYS, INCOME_SOURCES
from policy.grading import FactError, grade, parse_facts
from policy.parameters import (
    MissingParametersError,
    ParameterError,
    ParameterFile,
    ParameterSet,
    load_parameter_file,
)

__all__ = [
    "LineGrader", "add_grade_parser", "encode_grading", "main", "rule_json", "rules_head",
    "run_grade",
]
_loads = json.loads
# A lone surrogate (json reads "\ud800") is written back as its JSON escape: valid UTF-8 out.
_LONE_SURROGATE = "backslashreplace"
# What a line may hold and still be blank: whitespace, a BOM, the ideographic space.
_BLANK = " \t\n\r\x0b\x0c\ufeff\u3000\xa0"
MAX_YEARS = 64  # years without parameters kept (each bad year is re-checked beyond that)
CHUNK_LINES = 32  # output lines joined per write: fewer calls, memory still flat


COUNTY_CODE = re.compile(r"[0-9]{6}")


def add_grade_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `grade` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "grade",
        help="按预警规则评定等级（JSON Lines 输入，JSON Lines 输出）",
        description="Grade households (JSON Lines) into warning levels I–V; one JSON object "
        "per input line, errors name the line and the field.",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="JSON Lines; - = stdin")
    p.add_argument(
        "--params", metavar="FILE", default=None, help="parameter set (TOML) instead of built-in"
    )
    p.add_argument("--county", metavar="CODE", default=None, help="county code for overrides")
    p.set_defaults(func=run_grade)
    return p


def run_grade_process(args: argparse.Namespace, **streams: Any) -> int:
    """`fangpin grade` as a process of its own: the collector tuned as for the service (a
    line's dozens of short-lived containers would run it every few dozen lines), then
    `run_grade`."""
    tune_garbage_collector()
    return run_grade(args, **streams)


def run_grade(
    args: argparse.Namespace,
    *,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run `fangpin grade` with parsed `args`; returns the exit status."""
    err = stderr if stderr is not None else sys.stderr
    params = getattr(args, "params", None)
    if params is not None and not params.strip():
        print("参数文件错误：--params 后面的文件名是空的", file=err)
        return 2
    try:
        pfile = load_parameter_file(params)
    except ParameterError as exc:
        cause = exc.__cause__
        reason = (f"{params}: 无法读取参数文件（{os_error_text(cause)}）"
                  if isinstance(cause, OSError) else str(exc))
        print(f"参数文件错误：{reason}", file=err)
        return 2
    out = stdout if stdout is not None else sys.stdout.buffer
    path = getattr(args, "file", "-") or "-"
    try:
        if path == "-":
            src = stdin if stdin is not None else sys.stdin.buffer
        else:
            src = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as exc:
        print(f"无法读取输入文件 {path}：{os_error_text(exc)}", file=err)
        return 2
    warn = LineGrader.stderr_warner(err)
    county = getattr(args, "county", None)
    if county is not None:
        if not COUNTY_CODE.fullmatch(county):
            print(f"县代码应为 6 位数字的行政区划代码（如 530128）：{county!r}", file=err)
            return 2
        if not any(county in by_county for by_county in pfile.counties.values()):
            warn(f"注意：参数文件 {pfile.version} 没有县 {county} 的专门参数，"
                 "按各年份的通用标准评定")
    grader = LineGrader(pfile, county, on_warning=warn)
    try:
        lines = _utf8_lines(src)
        if lines is None:
            print("输入是 UTF-16 或 UTF-32 编码的文本，无法逐行评定：请另存为 UTF-8 后再评定",
                  file=err)
            return 2
        write = out.write
        for data in grader.encoded_chunks(lines):
            write(data)
        out.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`)
        if stdout is None:
            return end_quietly()
        raise
    except OSError as exc:  # a full disk, a read error: say so, not a traceback
        print(f"读写中断，结果不完整：{os_error_text(exc)}", file=err)
        return 2
    finally:
        if src is not stdin and path != "-":
            src.close()
    return 1 if grader.errors else 0


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 (and UTF-32 LE, which starts the same)


def _utf8_lines(src: IO[bytes]) -> Iterator[bytes] | None:
    """The input's lines, or None when it is UTF-16/32: its "lines" split on a byte of a
    character and would each be graded as garbage (with a BOM, or NULs beside ASCII)."""
    first = src.readline()
    wide = first.startswith(_WIDE_BOMS) or first.startswith(b"\x00\x00\xfe\xff") or (
        len(first) >= 4 and first.count(0) * 4 >= len(first))
    if wide:
        return None
    return chain((first,), src) if first else iter(())


class LineGrader:
    """Grades raw JSON lines with one parameter file; shared by the CLI and the benchmark."""

    def __init__(
        self,
        pfile: ParameterFile,
        county: str | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.pfile = pfile
        self.county = county
        self.errors = 0
        self._sets: dict[int, ParameterSet | MissingParametersError] = {}
        self._fast: dict[int, FastGrader | _GeneralOnly] = {}
        self._warn = on_warning

    @staticmethod
    def stderr_warner(err: IO[str]) -> Callable[[str], None]:
        return lambda msg: print(msg, file=err)

    def params_for(self, year: int) -> ParameterSet:
        ps = self._sets.get(year)
        if ps is None:
            try:
                ps = self.pfile.for_year(year, self.county)
            except MissingParametersError as exc:
                ps = exc
            else:
                if not ps.verified and self._warn is not None:
                    self._warn(f"注意：参数 {ps.ref} 未经核实（{ps.source or '未注明来源'}）")
                if (self.county and self._warn is not None
                        and self.county not in self.pfile.counties.get(year, {})
                        and any(self.county in c for c in self.pfile.counties.values())):
                    self._warn(f"注意：参数文件 {self.pfile.version} 没有县 {self.county} "
                               f"{year} 年的专门参数，{year} 年按通用标准评定")
            if not isinstance(ps, MissingParametersError) or len(self._sets) < MAX_YEARS:
                self._sets[year] = ps
        if isinstance(ps, MissingParametersError):
            raise ps.with_traceback(None)  # re-raised per line: keep no growing traceback
        return ps

    def grade_lines(self, lines: Iterable[bytes | str]) -> Iterator[str]:
        """One JSON text per non-blank line (no trailing newline)."""
        for data in self.encoded_lines(lines):
            yield data[:-1].decode("utf-8")

    def encoded_lines(self, lines: Iterable[bytes | str]) -> Iterator[bytes]:
        """Per non-blank line, its output in UTF-8 with "\n"."""
        return self._chunks(lines, 1)

    def encoded_chunks(
        self, lines: Iterable[bytes | str], size: int = CHUNK_LINES
    ) -> Iterator[bytes]:
        """What `fangpin grade` writes: the outputs of `size` lines (blank ones aside) at a time."""
        return self._chunks(lines, size)

    def grade_line(self, raw: bytes | str, lineno: int) -> str:
        return self.encoded_line(raw, lineno)[:-1].decode("utf-8")

    def encoded_line(self, raw: bytes | str, lineno: int) -> bytes:
        """The output for the line numbered `lineno` (a blank one is not JSON)."""
        data = next(self._chunks([raw], 1, lineno), None)
        if data is None:
            try:
                _loads(raw)
            except ValueError as exc:
                return self._not_json(exc, lineno, raw)
        assert data is not None
        return data

    def _chunks(
        self, lines: Iterable[bytes | str], size: int, first: int = 1
    ) -> Iterator[bytes]:
        """The hot loop: parse `size` lines, then grade them (the parser's code and the grader's
        each stay in the CPU's caches for a run of lines: faster than line by line)."""
        lines = iter(lines)
        while batch := list(islice(lines, size)):
            parsed = decoded_lines(batch)
            if parsed is not None:  # all JSON, none blank: the usual batch
                numbers: Sequence[int] = range(first, first + len(batch))
                raws: Sequence[bytes | str] = batch
            else:
                parsed, numbers, raws = _parsed_one_by_one(batch, first)
            first += len(batch)
            if parsed:
                yield self._graded_lines(parsed, numbers, raws)

    def _graded_lines(
        self, parsed: list[Any], linenos: Sequence[int], raws: Sequence[bytes | str]
    ) -> bytes:
        """The output of decoded lines: on the fast path where it can (all located, then all
        rendered), else in full."""
        fast_for = self._fast
        located: list[bytes | tuple[bytes, ...] | Located | None] = []
        locate = located.append
        for obj, raw in zip(parsed, raws, strict=True):
            try:  # a dict of a year seen before (whose FastGrader checks the year is an int)
                fast = fast_for[obj["year"]]
            except (KeyError, TypeError):
                fast = self._grader_for(obj)
            locate(fast.locate(obj, raw))
        out: list[bytes] = []
        append, extend = out.append, out.extend
        for obj, lineno, parts, raw in zip(parsed, linenos, located, raws, strict=True):
            kind = type(parts)
            if kind is tuple:  # the line's parts
                extend(parts)
            elif kind is bytes:  # the whole line
                append(parts)
            elif kind is list:  # the income rule to format
                extend(parts[0].render(parts))
            elif type(obj) is _NotJson:
                append(self._not_json(obj.exc, lineno, obj.raw))
            else:
                append(f"{self._graded(obj, lineno, raw)}\n".encode("utf-8", _LONE_SURROGATE))
        return b"".join(out)

    def _not_json(self, exc: ValueError | RecursionError, lineno: int, raw: bytes | str) -> bytes:
        if isinstance(exc, UnicodeDecodeError):
            text = self._error(lineno, "这一行不是 UTF-8 编码的文本", None)
        elif isinstance(exc, RecursionError):
            text = self._error(lineno, "JSON 嵌套层数过多", None)
        elif "integer string conversion" in str(exc):  # more digits than Python converts
            text = self._error(lineno, "数字位数过多（超过 4300 位），不是有效的金额或数量",
                               _key_of_long_number(raw))
        else:
            text = self._error(lineno, _json_error_text(exc), None)
        return f"{text}\n".encode("utf-8", _LONE_SURROGATE)

    def _graded(self, obj: Any, lineno: int, raw: bytes | str) -> str:
        """The general path: every fact checked by `parse_facts`, errors name the field; a key
        given twice in one object is an error (json would keep the last one silently)."""
        twice = _key_given_twice(raw)
        if twice is not None:
            return self._error(lineno, f"{twice} 这一项写了两次，不知道该用哪一个", twice)
        try:
            facts = parse_facts(obj)
            return encode_grading(grade(facts, self.params_for(facts.year)))
        except FactError as exc:
            return self._error(lineno, exc.message, exc.field)
        except MissingParametersError as exc:
            return self._error(lineno, str(exc), "year")

    def _grader_for(self, obj: Any) -> FastGrader | _GeneralOnly:
        """The grader for a line of a new year; lines that are not a dict with an int year, and
        years without parameters, go the general way."""
        if type(obj) is not dict or type(year := obj.get("year")) is not int:
            return _GENERAL_ONLY
        grader = self._fast.get(year)
        if grader is None:
            try:
                p = self.params_for(year)
            except MissingParametersError:
                grader = _GENERAL_ONLY  # the general path reports the year (after any bad fact)
            else:
                grader = FastGrader(p, f', "parameters": {str_json(p.version)}}}')
            if grader is not _GENERAL_ONLY or len(self._fast) < MAX_YEARS:
                self._fast[year] = grader
        return grader

    def _error(self, lineno: int, message: str, field: str | None) -> str:
        self.errors += 1
        return _encode({"line": lineno, "error": message, "field": field})


class _GeneralOnly:
    """Stands for the fast path where it does not apply: every line goes the general way."""

    @staticmethod
    def locate(obj: Any, raw: bytes | str) -> None:
        return None


_GENERAL_ONLY = _GeneralOnly()


def _parsed_one_by_one(
    batch: list[Any], first: int
) -> tuple[list[Any], list[int], list[bytes | str]]:
    """Decoded lines of a batch with a blank or bad line, with their numbers and raw lines
    (blanks left out)."""
    parsed: list[Any] = []
    numbers: list[int] = []
    raws: list[bytes | str] = []
    for lineno, raw in enumerate(batch, first):
        if _blank(raw):
            continue
        try:
            parsed.append(_loads(raw))
        except (ValueError, RecursionError) as exc:
            parsed.append(_NotJson(exc, raw))
        numbers.append(lineno)
        raws.append(raw)
    return parsed, numbers, raws


def _blank(raw: bytes | str) -> bool:
    if isinstance(raw, bytes):
        if not raw or raw.isspace():
            return True
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return not raw.strip(_BLANK)


class _GivenTwice(dict):  # type: ignore[type-arg]
    """An object that gave `key` twice (json would keep the last value silently)."""

    key = ""


def _mark_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                marked = _GivenTwice(obj)
                marked.key = key
                return marked
            seen.add(key)
    return obj


def _key_given_twice(raw: bytes | str) -> str | None:
    """The path of the first fact key a line's JSON gives twice in one object
    (`rigid_expense`, `income.wage`, `members[1].labour`); repeats inside let-be keys (a note)
    change nothing graded and are let be."""
    try:
        obj = _loads(raw, object_pairs_hook=_mark_repeated_keys)
    except (ValueError, RecursionError):
        return None  # reported as it is by the general path
    if type(obj) is _GivenTwice and obj.key in FACT_KEYS:
        return obj.key
    if not isinstance(obj, dict):
        return None
    for key, value in obj.items():
        if key in FACT_KEYS:
            found = _repeat_in(value, key)
            if found is not None:
                return found
    return None


def _repeat_in(value: Any, path: str) -> str | None:
    if type(value) is _GivenTwice:
        return f"{path}.{value.key}"
    children = value.items() if isinstance(value, dict) else (
        ((f"[{i}]", v) for i, v in enumerate(value)) if isinstance(value, list) else ())
    for step, child in children:
        found = _repeat_in(child, f"{path}{step}" if step.startswith("[") else f"{path}.{step}")
        if found is not None:
            return found
    return None


class _NotJson:
    """A line that is not JSON, kept with its error until its turn to be graded."""

    __slots__ = ("exc", "raw")

    def __init__(self, exc: ValueError | RecursionError, raw: bytes | str) -> None:
        self.exc, self.raw = exc, raw


_LONG_NUMBER = re.compile(r'"([^"\\]{1,100})"\s*:\s*-?[0-9]{4300}')


def _key_of_long_number(raw: bytes | str) -> str | None:
    """The key whose value is the over-long number (None when it is not a plain key's)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    found = _LONG_NUMBER.search(text)
    if found is None:
        return None
    key = found.group(1)
    return f"income.{key}" if key in INCOME_SOURCES else key


# json's messages, in the words an office clerk reads (its others are shown as they are).
JSON_ERRORS_ZH = {
    "Expecting value": "这里缺少一个值",
    "Expecting property name enclosed in double quotes": "键名要用英文双引号括起来",
    "Expecting ',' delimiter": "这里缺少英文逗号",
    "Expecting ':' delimiter": "这里缺少英文冒号",
    "Unterminated string starting at": "字符串缺少结尾的双引号",
    "Extra data": "一行只能有一个 JSON 对象，这里有多余的内容",
    "Invalid control character at": "字符串里有控制字符（如换行、制表符）",
    "Invalid \\escape": "反斜杠转义写法不对",
    "Invalid \\uXXXX escape": "\\u 转义写法不对",
    "Illegal trailing comma before end of object": "右花括号前多了一个逗号",
    "Illegal trailing comma before end of array": "右方括号前多了一个逗号",
}


def _json_error_text(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        said = JSON_ERRORS_ZH.get(exc.msg, exc.msg)
        if exc.pos >= len(exc.doc.rstrip()):  # the line ended too soon
            return f"不是有效的 JSON：{said}（在行尾，这一行不完整）"
        return f"不是有效的 JSON：{said}（第 {exc.pos + 1} 个字符处）"
    return f"不是有效的 JSON：{exc}"


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (`python -m bot.grade_command`); `fangpin grade` is the usual one."""
    parser = argparse.ArgumentParser(prog="fangpin")
    add_grade_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["grade", *(argv if argv is not None else sys.argv[1:])])
    return run_grade_process(args)


if __name__ == "__main__":
    raise SystemExit(main())
