"""Read an office export (XLSX or CSV) row by row, keyed by what each column means.

- XLSX through openpyxl in read-only mode (the active sheet, or the one named).
- CSV in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK (read as GB18030, its superset);
  comma, tab or semicolon separated.
- Title rows above the header are skipped: the header is the first of the top rows in which
  an ID column and at least one other known column are recognised (`column_synonyms`).
- Blank rows and totals rows (合计/总计/小计) are skipped and counted; every row keeps the
  number a spreadsheet shows for it. A CSV row shorter than the header says which column it
  lacks (cut off?): the importers reject it. Two columns of one name (two 证件号码) are refused.
- An unpaired quote that swallows further rows into one CSV cell, and a damaged workbook, refuse
  the file (TableError) in plain Chinese.
Blocking file I/O: the CLI calls it; a server would run it in a thread.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
import zlib
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from policy.masking import mask_personal_numbers
from storage.column_synonyms import TOTALS_WORDS

HEADER_SEARCH_ROWS = 20
Rows = Generator[tuple[int, tuple[Any, ...]], None, None]
_SNIFF_BYTES = 64 * 1024
_UNIT_SUFFIXES = ("(元)", "(万元)", "(人)", "(户)", "(岁)", "(18位)", "(15位或18位)",
                  "(18位或15位)", "(必填)")
# Python's csv refuses cells over 131,072 characters; a real cell is far shorter, but a longer one
# should be rejected as a row (too long), not crash the import. Beyond this the file is refused.
CSV_FIELD_LIMIT = 1 << 20
_CUT_SHORT = frozenset({"unexpected end of data", "incomplete multibyte sequence"})
# What a damaged workbook raises while it is opened or read (cut zip, cut XML, missing part).
_XLSX_ERRORS = (BadZipFile, OSError, KeyError, ValueError, ParseError, zlib.error, EOFError,
                IndexError, TypeError, AttributeError)
_XLSX_DAMAGED = "文件已损坏或不是 Excel 文件（.xlsx）：请在 Excel/WPS 中打开后另存为 .xlsx 再导入"
_XLSX_OLD_XLS = ("这是旧版 .xls 文件（只是扩展名改成了 .xlsx）：请在 Excel/WPS 中打开后"
                 "另存为 .xlsx 或 .csv 再导入")
_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class TableError(ValueError):
    """The file cannot be read as a table (format, encoding, header); the message says why."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    values: dict[str, Any]
    cells: tuple[Any, ...]
    # (field, reason) when a CSV row ends before a column the header has: cut off mid-row.
    incomplete: tuple[str, str] | None = None


@dataclass
class Table:
    """An open table: where the header is, which columns mean what, and the data rows."""

    path: Path
    file_format: str
    encoding: str
    header_row: int
    header_cells: tuple[str, ...]
    columns: dict[str, int]
    total_rows: int | None
    skipped: dict[str, int] = field(default_factory=lambda: {"blank": 0, "totals": 0})
    _rows: Rows | None = field(default=None, repr=False)
    _reading: Rows | None = field(default=None, repr=False)

    def header_of(self, key: str) -> str:
        index = self.columns.get(key)
        return self.header_cells[index] if index is not None else key

    def close(self) -> None:
        """Release the file: its rows will not be read (a refused file) or no further (an import
        stopped by an error); after reading to the end it does nothing."""
        for rows in (self._rows, self._reading):
            if rows is not None:
                rows.close()
        self._rows = self._reading = None

    def rows(self) -> Iterator[SheetRow]:
        if self._rows is None:
            raise TableError("table already read")
        self._reading, self._rows = self._rows, None
        return self._data_rows(self._reading)

    def _data_rows(self, rows: Rows) -> Iterator[SheetRow]:
        for number, cells in rows:
            kind = classify(cells)
            if kind != "data":
                self.skipped[kind] += 1
                continue
            values = {key: cells[i] if i < len(cells) else None for key, i in self.columns.items()}
            yield SheetRow(number, values, cells, self._incomplete(cells))

    def _incomplete(self, cells: tuple[Any, ...]) -> tuple[str, str] | None:
        """A CSV row shorter than the header that lacks a known column (xlsx rows may end early:
        trailing empty cells are not stored)."""
        if self.file_format != "csv" or len(cells) >= len(self.header_cells):
            return None
        absent = sorted((i, key) for key, i in self.columns.items() if i >= len(cells))
        if not absent:
            return None
        return absent[0][1], (f"该行不完整：只有{len(cells)}列，表头有{len(self.header_cells)}列"
                              "（文件可能被截断，请重新导出完整的文件）")


def header_key(header: Any) -> str:
    """What a header is compared by: NFKC, no whitespace, no unit suffix, lower case."""
    name = "".join(unicodedata.normalize("NFKC", str(header or "")).split()).lower()
    name = name.rstrip(":").strip("*")  # "*姓名": a required column's mark
    for suffix in _UNIT_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def match_columns(
    cells: tuple[Any, ...], synonyms: Mapping[str, tuple[str, ...]]
) -> dict[str, int]:
    """Column index per field; of two columns meaning one field, the earlier synonym wins."""
    return {key: indexes[0] for key, indexes in _matches(cells, synonyms).items()}


def _matches(
    cells: tuple[Any, ...], synonyms: Mapping[str, tuple[str, ...]]
) -> dict[str, list[int]]:
    """Per field, the columns of its best-ranked synonym (more than one: ambiguous)."""
    ranks = {header_key(name): (key, rank) for key, names in synonyms.items()
             for rank, name in enumerate(names)}  # fmt: skip
    best: dict[str, tuple[int, list[int]]] = {}
    for index, cell in enumerate(cells):
        found = ranks.get(header_key(cell))
        if found is None:
            continue
        key, rank = found
        if key not in best or rank < best[key][0]:
            best[key] = (rank, [index])
        elif rank == best[key][0]:
            best[key][1].append(index)
    return {key: indexes for key, (_, indexes) in best.items()}


def column_name(index: int) -> str:
    """The spreadsheet column of a 0-based index: 第9列（I）."""
    from openpyxl.utils import get_column_letter

    return f"第{index + 1}列（{get_column_letter(index + 1)}）"


def _ambiguous(number: int, cells: tuple[Any, ...],
               synonyms: Mapping[str, tuple[str, ...]]) -> str | None:  # fmt: skip
    for indexes in _matches(cells, synonyms).values():
        if len(indexes) > 1:
            where = "和".join(column_name(i) for i in indexes)
            name = str(cells[indexes[0]] or "").strip()
            return (f"第{number}行表头有{len(indexes)}列都是“{name}”（{where}），"
                    "无法确定用哪一列：请删掉或改名多余的列后再导入")
    return None


def classify(cells: tuple[Any, ...]) -> str:
    """"blank", "totals" or "data"."""
    texts = ["".join(str(c).split()) for c in cells if c is not None and str(c).strip()]
    if not texts:
        return "blank"
    if any(t in TOTALS_WORDS for t in texts[:3]):
        return "totals"
    return "data"


def open_table(
    path: str | Path, synonyms: Mapping[str, tuple[str, ...]], required: frozenset[str],
    *, sheet: str | None = None, count_rows: bool = False,
) -> Table:
    """Open `path` and find its header; raises TableError naming what is wrong."""
    file = Path(path)
    if file.is_dir():
        raise TableError(f"{file} 是一个文件夹，不是表格文件：请写出文件名"
                         f"（如 {file / '台账.xlsx'}）")
    if not file.is_file():
        raise TableError(f"找不到文件：{file}")
    if file.stat().st_size == 0:
        raise TableError(f"文件是空的（0 字节）：{file}。请确认导出时已保存了数据")
    suffix = file.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        fmt, encoding, total, rows = "xlsx", "", *_xlsx_rows(file, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        fmt, (encoding, total, rows) = "csv", _csv_rows(file, count_rows)
    elif suffix == ".xls":
        raise TableError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv 后再导入")
    else:
        raise TableError(f"不认识的文件类型“{suffix}”，请使用 .xlsx 或 .csv")
    header_row, cells, columns, rows = _find_header(rows, synonyms)
    table = Table(file, fmt, encoding, header_row, tuple(str(c or "").strip() for c in cells),
                  columns, total, _rows=rows)
    missing = "、".join(synonyms[key][0] for key in sorted(required - set(columns)))
    problem = _ambiguous(header_row, cells, synonyms) or (
        missing and f"第{header_row}行表头缺少必需的列：{missing}")
    if problem:
        table.close()
        raise TableError(problem)
    return table


def _find_header(
    rows: Rows, synonyms: Mapping[str, tuple[str, ...]]
) -> tuple[int, tuple[Any, ...], dict[str, int], Rows]:
    """The header row's number, cells and columns, and the rows after it.

    A header of two rows (a group label merged over its sub-columns: 费用情况 over 住院总费用 /
    报销金额 / 个人自付) is read as one: the known names of the row above or below fill the
    header's empty or unknown cells, and the data starts after both rows."""
    above: tuple[Any, ...] = ()
    for number, cells in rows:
        columns = match_columns(cells, synonyms)
        if "id_number" in columns and len(columns) >= 2:
            cells = _filled_in(cells, above, synonyms)
            below = next(rows, None)
            if below is None:
                return number, cells, match_columns(cells, synonyms), rows
            joined = _filled_in(cells, below[1], synonyms)
            if joined != cells and _sub_header(below[1], match_columns(cells, synonyms)):
                return number, joined, match_columns(joined, synonyms), rows
            return number, cells, match_columns(cells, synonyms), _put_back(below, rows)
        if number >= HEADER_SEARCH_ROWS:
            break
        above = cells
    rows.close()
    raise TableError(f"前{HEADER_SEARCH_ROWS}行中找不到表头（需要“身份证号”“姓名”等列名）")


def _filled_in(header: tuple[Any, ...], other: tuple[Any, ...],
               synonyms: Mapping[str, tuple[str, ...]]) -> tuple[Any, ...]:  # fmt: skip
    """`header` with each empty or unknown cell replaced by a known name of `other` in the same
    column (for a field the header lacks); unchanged when `other` adds nothing."""
    known = {header_key(name): key for key, names in synonyms.items() for name in names}
    have = {known.get(header_key(cell)) for cell in header} - {None}
    width = max(len(header), len(other))
    out = list(header) + [None] * (width - len(header))
    for index, cell in enumerate(other):
        key = known.get(header_key(cell))
        if key is not None and key not in have and known.get(header_key(out[index])) is None:
            out[index], have = cell, have | {key}
    return tuple(out)


def _sub_header(cells: tuple[Any, ...], columns: dict[str, int]) -> bool:
    """Whether the row under a header is more header (no ID number where the IDs go)."""
    index = columns["id_number"]
    value = cells[index] if index < len(cells) else None
    return value is None or not any(ch.isdigit() for ch in str(value))


def _put_back(first: tuple[int, tuple[Any, ...]], rows: Rows) -> Rows:
    try:
        yield first
        yield from rows
    finally:
        rows.close()


def _xlsx_rows(file: Path, sheet: str | None) -> tuple[int | None, Rows]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, *_XLSX_ERRORS) as exc:
        raise TableError(_xlsx_problem(file)) from exc
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise TableError(f"文件中没有名为“{sheet}”的工作表（有：{'、'.join(workbook.sheetnames)}）")
    try:
        worksheet = workbook[sheet] if sheet else workbook.active
        total = worksheet.max_row
        worksheet.reset_dimensions()  # some exporters write a wrong dimension; read every row
    except _XLSX_ERRORS as exc:
        workbook.close()
        raise TableError(_xlsx_problem(file)) from exc

    def rows() -> Rows:
        cells_of = worksheet.iter_rows(min_row=1, values_only=True)
        number = 0
        try:
            for number, cells in enumerate(cells_of, 1):
                yield number, tuple(cells)
        except _XLSX_ERRORS as exc:  # the sheet's XML is cut or damaged part-way
            raise TableError(f"{_XLSX_DAMAGED}（读到第{number + 1}行附近出错）") from exc
        finally:
            cells_of.close()  # before the archive: its parser reads from it
            workbook.close()

    return total, rows()


def _xlsx_problem(file: Path) -> str:
    """Why a .xlsx cannot be opened, in words an office clerk can act on."""
    try:
        with file.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        head = b""
    return _XLSX_OLD_XLS if head == _OLE2_MAGIC else _XLSX_DAMAGED


def detect_encoding(head: bytes) -> str:
    """utf-8-sig, utf-16, utf-8 or gb18030 (GBK), from the first bytes of a file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(head) - 3:
            return "utf-8"
    try:
        head.decode("gb18030")
    except UnicodeDecodeError as exc:
        if not (exc.reason == "incomplete multibyte sequence" and exc.start >= len(head) - 3):
            raise TableError("无法识别文件编码（不是 UTF-8 也不是 GBK，也许不是表格文件）："
                             "请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV 再导入") from exc
    return "gb18030"


def _delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:10] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_rows(file: Path, count_rows: bool) -> tuple[str, int | None, Rows]:
    with file.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    encoding = detect_encoding(head)
    sample = head.decode(encoding, errors="ignore")
    delimiter = _delimiter(sample)
    total = _count_lines(file) if count_rows else None

    def rows() -> Rows:
        csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
        with file.open("r", encoding=encoding, newline="") as handle:
            number = width = 0
            try:
                for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), 1):
                    problem = _swallowed_rows(cells, number, width, delimiter)
                    if problem:
                        raise TableError(problem)
                    width = max(width, len(cells))
                    yield number, tuple(cells)
            except UnicodeDecodeError as exc:
                raise TableError(_decode_problem(exc, number + 1, encoding)) from exc
            except csv.Error as exc:
                raise TableError(_csv_problem(exc, number + 1)) from exc

    name = "gbk" if encoding == "gb18030" else encoding
    return name, total, rows()


def _swallowed_rows(cells: list[str], number: int, width: int, delimiter: str) -> str | None:
    """An unpaired quote: a cell that runs over line breaks and holds what look like further
    rows (a line with about as many separators as a row has). A real multi-line cell (an
    address, a remark) has no such line."""
    need = max(2, (width - 1) // 2)
    for index, cell in enumerate(cells):
        lines = cell.splitlines()
        if len(lines) > 1 and any(line.count(delimiter) >= need for line in lines[1:]):
            start = mask_personal_numbers(lines[0])[:12]
            return (f"第{number}行{column_name(index)}的单元格以英文引号\"开头（“\"{start}…”），"
                    f"后面没有配对的引号，其后的{len(lines) - 1}行都被读进了这一个单元格。"
                    "整份文件未导入：请删掉这个引号，或在 WPS/Excel 中打开后另存为 CSV，再重新导入")
    return None


def _decode_problem(exc: UnicodeDecodeError, line: int, encoding: str) -> str:
    if exc.reason in _CUT_SHORT:  # only the decoder's last call, at the end of the file
        return f"文件在第{line}行中途结束，最后一个字不完整：文件可能被截断，请重新导出完整的文件"
    return f"第{line}行附近编码有误（按{encoding}读取）"


def _csv_problem(exc: csv.Error, line: int) -> str:
    if "field larger than field limit" in str(exc):
        return (f"第{line}行附近有一个单元格超过{CSV_FIELD_LIMIT:,}个字符，不像正常的导出文件"
                "（常见原因：某个单元格的英文引号\"没有配对），请检查后重新导出")
    return f"第{line}行附近无法按 CSV 读取（{exc}），请检查文件是否损坏"


def _count_lines(file: Path) -> int:
    count = 0
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return count
