"""Chinese resident ID numbers (居民身份证号码, GB 11643-1999).

Pure functions: clean up what people and spreadsheets produce, validate it, and explain
in plain Chinese which part is wrong. Nothing here ever guesses a correction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_QUOTES = "'\"‘’“”`「」『』"
_FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# What input methods and fonts give for the check character X: multiplication signs, crosses,
# Greek chi, Cyrillic ha, roman numeral ten, full-width x.
X_LOOKALIKES = "×✕✖✗✘⨉⨯╳ΧχХхⅩⅹＸｘ"
_X_LOOKALIKES_TO_X = str.maketrans(dict.fromkeys(X_LOOKALIKES, "X"))
_SCIENTIFIC = re.compile(r"[+-]?\d*\.?\d+E[+-]?\d+", re.IGNORECASE)
_DECIMAL_TAIL = re.compile(r"\d{13,}\.\d*")
_LARGEST_EXACT_FLOAT_INT = 2**53
_PROBLEM_EXCEL_FLOAT = (
    "号码被表格改成了科学计数法，后几位已丢失，请照着身份证或户口本重新输入完整的18位号码。"
)


@dataclass(frozen=True)
class IdCheck:
    """Outcome of checking one ID number.

    ``normalized`` is the clean 18-character number when ``ok``; otherwise None.
    ``problem`` is a short plain-Chinese explanation for the farmer; ``problem_code`` is
    one of: empty, excel_float, not_digits, wrong_length, bad_birth_date, bad_check_digit.
    """

    ok: bool
    normalized: str | None
    problem: str | None
    problem_code: str | None


def fold_x_lookalikes(text: str) -> str:
    """Look-alikes of the check character (×, ✕, Ｘ, χ…) -> "X"; ASCII "x" is left as is."""
    return text.translate(_X_LOOKALIKES_TO_X)


def normalize_id_text(raw: str) -> str:
    """Remove invisible/space characters, convert full-width to ASCII, strip quotes, x -> X.

    Look-alikes of X ("×", "✕", …) count as X.
    """
    visible = "".join(ch for ch in raw if not ch.isspace() and ch not in _ZERO_WIDTH)
    ascii_text = fold_x_lookalikes(visible).translate(_FULLWIDTH_TO_ASCII)
    if ascii_text.startswith('="'):
        ascii_text = ascii_text[1:]
    return ascii_text.strip(_QUOTES).replace("x", "X")


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    weighted_sum = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[weighted_sum % 11]


def upgrade_15_to_18(id15: str) -> str:
    """Old 15-digit number -> 18 digits: insert century "19" and append the check digit."""
    if len(id15) != 15 or not id15.isascii() or not id15.isdigit():
        raise ValueError("upgrade_15_to_18 needs exactly 15 ASCII digits")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_digit(first17)


def check_id_number(raw: str | int | float | None, *, today: date | None = None) -> IdCheck:
    """Validate an ID number as typed or as read from a department spreadsheet.

    15-digit numbers with a valid birth date are upgraded to 18 digits. ``today`` bounds the
    birth date (defaults to the system date).
    """
    reference_day = today or date.today()
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return _failure("empty", "没有收到身份证号，请输入18位身份证号码。")
    if isinstance(raw, float):
        return _check_float(raw, reference_day)
    text = normalize_id_text(str(raw))
    if not text:
        return _failure("empty", "没有收到身份证号，请输入18位身份证号码。")
    if _SCIENTIFIC.fullmatch(text) or _DECIMAL_TAIL.fullmatch(text):
        return _failure("excel_float", _PROBLEM_EXCEL_FLOAT)
    return _check_text(text, reference_day)


def birth_date_of(id18: str) -> date:
    """Birth date encoded in digits 7-14 (a 15-digit number is upgraded first)."""
    number = _as_18(id18)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_of(id18: str) -> str:
    """Return "男" when the 17th digit is odd, "女" when even."""
    return "男" if int(_as_18(id18)[16]) % 2 == 1 else "女"


def age_on(id18: str, on: date) -> int:
    """Age in full years on the given day."""
    born = birth_date_of(id18)
    had_birthday = (on.month, on.day) >= (born.month, born.day)
    return on.year - born.year - (0 if had_birthday else 1)


def _as_18(id_number: str) -> str:
    if len(id_number) == 15 and id_number.isdigit():
        return upgrade_15_to_18(id_number)
    if len(id_number) != 18 or not id_number[:17].isdigit():
        raise ValueError("not an 18-digit ID number")
    return id_number


def _failure(code: str, problem: str) -> IdCheck:
    return IdCheck(ok=False, normalized=None, problem=problem, problem_code=code)


def _check_float(value: float, reference_day: date) -> IdCheck:
    """Floats are exact only below 2**53: a 15-digit old number survives, 18 digits never do."""
    if value.is_integer() and 10**14 <= value < min(10**15, _LARGEST_EXACT_FLOAT_INT):
        return _check_text(str(int(value)), reference_day)
    return _failure("excel_float", _PROBLEM_EXCEL_FLOAT)


def _check_text(text: str, reference_day: date) -> IdCheck:
    bad_position = _first_bad_character(text)
    if bad_position is not None:
        bad_char = text[bad_position]
        return _failure(
            "not_digits",
            f"第{bad_position + 1}位“{bad_char}”不是数字。身份证号只能是数字，"
            "只有最后一位可以是X。",
        )
    if len(text) not in (15, 18):
        return _failure("wrong_length", _length_problem(len(text)))
    if len(text) == 15:
        return _check_15(text, reference_day)
    return _check_18(text, reference_day)


def _first_bad_character(text: str) -> int | None:
    for position, char in enumerate(text):
        is_final_x = char == "X" and position == len(text) - 1 and len(text) == 18
        if not (char.isascii() and char.isdigit()) and not is_final_x:
            return position
    return None


def _length_problem(given: int) -> str:
    difference = "少了" if given < 18 else "多了"
    return (
        f"身份证号应是18位，您输入了{given}位（{difference}{abs(18 - given)}位），"
        "请对照身份证逐位核对。"
    )


def _check_15(text: str, reference_day: date) -> IdCheck:
    if _valid_birth_date("19" + text[6:12], reference_day) is None:
        return _failure("bad_birth_date", _birth_problem("7到12", text[6:12]))
    return IdCheck(ok=True, normalized=upgrade_15_to_18(text), problem=None, problem_code=None)


def _check_18(text: str, reference_day: date) -> IdCheck:
    if _valid_birth_date(text[6:14], reference_day) is None:
        return _failure("bad_birth_date", _birth_problem("7到14", text[6:14]))
    if check_digit(text[:17]) != text[17]:
        return _failure("bad_check_digit", "最后一位校验码不对，请核对每一位数字。")
    return IdCheck(ok=True, normalized=text, problem=None, problem_code=None)


def _birth_problem(positions: str, digits: str) -> str:
    return f"第{positions}位是出生日期，您填的“{digits}”不是有效日期，请核对出生年月日。"


def _valid_birth_date(yyyymmdd: str, reference_day: date) -> date | None:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if not 1900 <= year <= reference_day.year:
        return None
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    return born if born <= reference_day else None
