"""Cell values as spreadsheets and CSV exports hold them: text, amounts, dates, yes/no, IDs.

Pure functions. A value that cannot be read raises `CellError` with a short Chinese reason
for the import report; ID numbers go through `policy.idnumber` and are never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from policy.amounts import read_amount
from policy.idnumber import check_id_number, normalize_id_text
from policy.masking import mask_id

_EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_AMOUNT = 100_000_000  # yuan; a larger figure in a household or department file is a typo
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_SPACE = re.compile(r"\s")
_NEEDS_NFKC = re.compile("[\u3000\uff01-\uff5e\u00a0\u2000-\u200b]")
_AMOUNT_NOISE = re.compile(r"[,，\s元¥￥]")
_AMOUNT_DIGITS = 18  # a figure with more digits before the point is no amount (1e999999)
_TOO_MANY_YUAN = 10**_AMOUNT_DIGITS
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d",
                 "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M",
                 "%Y-%m-%dT%H:%M:%S")  # fmt: skip
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月")
_YES = frozenset({"是", "y", "yes", "1", "√", "有", "true", "享受"})
_NO = frozenset({"否", "n", "no", "0", "×", "无", "false", "不享受", "", "-", "/"})
_ID_REASONS = {
    "empty": "身份证号为空",
    "excel_float": "身份证号被表格存成了数字（科学计数法或末几位变成0），原号码已无法还原，"
    "请把该列设为文本后重新导出",
    "not_digits": "身份证号含有数字以外的字符",
    "bad_birth_date": "身份证号中的出生日期无效",
    "bad_check_digit": "身份证号校验位不对（可能有数字录错），不做猜测匹配",
}


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown in the import report."""


@dataclass(frozen=True, slots=True)
class IdReading:
    """An ID cell read: the clean 18-digit number, or why it was rejected."""

    number: str | None
    code: str | None = None
    reason: str = ""


def text(value: Any) -> str:
    """Cell as trimmed text: numbers without a trailing ".0", dates as ISO dates."""
    if type(value) is str and value.isascii():
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raw = str(value)
    return (unicodedata.normalize("NFKC", raw) if _NEEDS_NFKC.search(raw) else raw).strip()


def compact(value: Any) -> str:
    """Text without any whitespace (names, codes, short labels)."""
    cleaned = text(value)
    return "".join(cleaned.split()) if _SPACE.search(cleaned) else cleaned


def limited(value: Any, limit: int) -> str:
    out = compact(value)
    if len(out) > limit:
        raise CellError(f"内容过长（{len(out)}个字，最多{limit}个）")
    return out


def amount(value: Any) -> int | None:
    """Whole yuan from 12000 / "12,000" / "￥12000.50" / "1.2万", rounded half up as offices
    round money (四舍五入: 1234.5 -> 1235); empty gives None."""
    if type(value) is str and value.isdigit() and value.isascii() and len(value) < _AMOUNT_DIGITS:
        return int(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) >= _TOO_MANY_YUAN:
            raise CellError("不是有效的金额")
        return value
    if isinstance(value, float):
        return _whole_yuan(repr(value), 1)  # the figure as the sheet shows it, not its binary
    cleaned = _AMOUNT_NOISE.sub("", text(value))
    if cleaned in ("", "-", "/"):
        return None
    factor = 10_000 if cleaned.endswith("万") else 1
    figure = _whole_yuan(cleaned.removesuffix("万"), factor)
    if figure is not None:
        return figure
    written = read_amount(text(value))  # in words, as the chat reads them: 两万五, 3万5, 八千
    if written.yuan is not None:
        return written.yuan
    raise CellError(f"“{text(value)}”不是金额：请写成数字，如 25000、2.5万 或 两万五")


def _whole_yuan(figure: str, factor: int) -> int | None:
    """`figure` x `factor` rounded half up; None when it is no number (CellError when it is
    an absurd one)."""
    try:
        number = Decimal(figure) * factor
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number.adjusted() >= _AMOUNT_DIGITS:
        raise CellError("不是有效的金额")
    return int(number.to_integral_value(rounding=ROUND_HALF_UP))


def checked_amount(value: Any) -> int | None:
    """`amount` within 0 ≤ x ≤ MAX_AMOUNT: a negative or absurd figure is a typo, not data."""
    number = amount(value)
    if number is not None and number < 0:
        raise CellError(f"金额不能为负数（{number:,}元）")
    if number is not None and number > MAX_AMOUNT:
        raise CellError(f"金额过大（{number:,}元，最多{MAX_AMOUNT:,}元）")
    return number


def whole_number(value: Any) -> int | None:
    """A count such as 6, 6.0, "6" or "6人"; empty gives None, 2.5 or "六" raise."""
    cleaned = compact(value).removesuffix("人")
    if cleaned in ("", "-", "/"):
        return None
    try:
        number = float(cleaned)
    except ValueError:
        raise CellError(f"“{cleaned}”不是整数") from None
    if not number.is_integer():
        raise CellError(f"“{cleaned}”不是整数")
    return int(number)


def year(value: Any) -> int | None:
    """A year such as 2018, "2018", "2018年" or a date; empty gives None."""
    if isinstance(value, dt.date):
        return value.year
    cleaned = compact(value).removesuffix("年")
    if not cleaned:
        return None
    if len(cleaned) >= 4 and cleaned[:4].isdigit() and 1949 <= int(cleaned[:4]) <= 2100:
        return int(cleaned[:4])
    raise CellError(f"“{cleaned}”不是年份")


def yes_no(value: Any) -> bool:
    key = compact(value).lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(f"“{compact(value)}”应为“是”或“否”")


def date(value: Any) -> dt.date | None:
    """A date from a date cell, an Excel serial number or common written forms."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value)
    cleaned = text(value)
    if not cleaned:
        return None
    quick = _YMD.fullmatch(cleaned)
    if quick:
        try:
            return dt.date(*map(int, quick.groups()))
        except ValueError:
            raise CellError(f"“{cleaned}”不是有效日期") from None
    for formats, finish in ((_DATE_FORMATS, None), (_MONTH_FORMATS, 1)):
        for fmt in formats:
            try:
                parsed = dt.datetime.strptime(cleaned, fmt).date()
            except ValueError:
                continue
            return parsed.replace(day=finish) if finish else parsed
    if cleaned.isdigit():
        return _excel_serial(int(cleaned))
    raise CellError(f"“{cleaned}”不是日期：请写成年-月-日，如 2026-10-01 或 2026年10月1日")


def _excel_serial(number: float) -> dt.date:
    if not 1 <= number <= 2_958_465:
        raise CellError(f"“{number}”不是日期")
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def id_number(value: Any, *, today: dt.date | None = None) -> IdReading:
    """Normalize and check an ID cell: spaces, tabs, full-width digits, lowercase x, 15 digits.

    A number stored as a spreadsheet number with 16+ digits has lost digits (Excel keeps 15):
    it is rejected, like scientific notation, never completed by guesswork. Other tools write
    exact integers: an 18-digit integer cell is taken when its check digit holds and it does
    not end in 000 (the zeros Excel leaves).
    """
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) > 15:
        if not _exact_integer_id(value, today):
            return IdReading(None, "excel_float", _ID_REASONS["excel_float"])
        value = str(value)
    raw = value if isinstance(value, float) else (None if value is None else str(value))
    check = check_id_number(raw, today=today)
    if check.ok:
        return IdReading(check.normalized)
    code = check.problem_code or "invalid"
    if code == "wrong_length":
        given = len(normalize_id_text(str(value)))
        return IdReading(None, code, f"身份证号位数不对（{given}位，应为18位，或15位旧号码）")
    return IdReading(None, code, _ID_REASONS.get(code, check.problem or "身份证号无效"))


def _exact_integer_id(value: int, today: dt.date | None) -> bool:
    digits = str(value)
    return (len(digits) == 18 and not digits.endswith("000")
            and check_id_number(digits, today=today).ok)  # fmt: skip


def masked_raw_id(value: Any) -> str:
    """An ID cell as written, masked, for reports and rejects files."""
    cleaned = normalize_id_text(text(value)) if value is not None else ""
    return mask_id(cleaned)
