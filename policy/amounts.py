"""Money amounts and counts as farmers type or speak them ("两万五", "3万5", "2.5w", "五口人")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MAX_AMOUNT_YUAN = 100_000_000

_DIGIT_VALUES = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "w": 10**4, "亿": 10**8}
_CN_DIGITS = "".join(_DIGIT_VALUES)
_CN_NONZERO = "".join(char for char, value in _DIGIT_VALUES.items() if value)
_UNIT_CHARS = "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
_TOKEN = re.compile(
    rf"(?P<arabic>\d+(?:\.\d+)?)|(?P<cn_decimal>[{_CN_DIGITS}]点[{_CN_DIGITS}]+)"
    rf"|(?P<zero>[零〇])|(?P<digit>[{_CN_NONZERO}])|(?P<unit>[{_UNIT_CHARS}])"
)
_AMOUNT_RUN = re.compile(rf"[0-9.点{_CN_DIGITS}{_UNIT_CHARS}]+")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NEGATIVE = re.compile(rf"(负|[-−–—]\s*[0-9{_CN_DIGITS}十])")
# A minus sign in front of a number ("-500", "负五百"), not a dash between two ("1-2万").
_LEADING_MINUS = re.compile(
    rf"(?<![0-9.点{_CN_DIGITS}{_UNIT_CHARS}])(?:负|[-−–—])(?=[0-9{_CN_DIGITS}十])"
)
# Words that contain numeral characters but are not numbers.
_NON_NUMBER_WORDS = ("一共", "一起", "一下", "一般", "一些", "统一", "一家人", "一家子", "一家")
_NOTHING_WORDS = frozenset(
    {
        "没有", "无", "没", "没得", "零", "没有钱", "没钱", "没花钱", "没花", "没有花钱",
        "没收入", "没有收入", "无收入", "没报销", "没有报销", "不报销", "无报销", "一分没有",
        "一分钱没有", "一分都没有", "一分也没有", "木有",
    }
)  # fmt: skip
_EDGE_PUNCTUATION = " \t\r\n。.!！?？,，~～、;；:：…\"'“”‘’"


@dataclass(frozen=True)
class AmountReading:
    """What an amount answer says.

    ``yuan`` is the whole-yuan amount when usable, else None and ``problem`` says why:
    "unclear" (no single number), "negative", "too_large" (over MAX_AMOUNT_YUAN) or
    "under_one_yuan" (more than 0 but less than 1 yuan: amounts are kept in whole yuan).
    ``stated`` is the number as the farmer wrote it, when one was read (negative for
    "negative").
    """

    yuan: int | None
    stated: Decimal | None = None
    problem: str | None = None

    @property
    def rounded(self) -> bool:
        """True when a fraction of a yuan was rounded to give ``yuan``."""
        return self.yuan is not None and self.stated is not None and self.stated != self.yuan


def read_amount(text: str) -> AmountReading:
    """Read "25,000" / "2.5万" / "3万5" / "两万五" / "八千块钱" / "没有" as whole yuan.

    Vague tails ("多", "左右", "大概") are ignored: the stated number counts. Ranges ("1万到2万",
    "两三万") and several numbers are unclear. Fractions of a yuan are rounded half up
    (``rounded`` tells), but an amount under 1 yuan ("0.5") is not turned into 0 or 1.
    """
    cleaned = _normalize(text)
    if cleaned.strip(_EDGE_PUNCTUATION) in _NOTHING_WORDS:
        return AmountReading(0, Decimal(0))
    minus = _LEADING_MINUS.search(cleaned)
    if minus is not None:
        return _read_negative(cleaned[: minus.start()] + cleaned[minus.end() :])
    if "亏" in cleaned:  # "亏了500", "亏本两千": a loss, not an income of 500 (赔 may be a payout)
        return _read_negative(cleaned)
    if _NEGATIVE.search(cleaned):
        return AmountReading(None, problem="unclear")
    value = _single_number(cleaned, _AMOUNT_RUN)
    if value is None:
        return AmountReading(None, problem="unclear")
    # Compare before rounding: quantize fails on numbers past the context's 28 digits.
    if value > MAX_AMOUNT_YUAN:
        return AmountReading(None, value, "too_large")
    if 0 < value < 1:
        return AmountReading(None, value, "under_one_yuan")
    return AmountReading(int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)), value)


def _read_negative(unsigned: str) -> AmountReading:
    if _NEGATIVE.search(unsigned):
        return AmountReading(None, problem="unclear")
    value = _single_number(unsigned, _AMOUNT_RUN)
    if value is None:
        return AmountReading(None, problem="unclear")
    if value == 0:
        return AmountReading(0, Decimal(0))
    return AmountReading(None, -value, "negative")


def parse_amount_yuan(text: str) -> int | None:
    """Whole yuan as :func:`read_amount` reads it; None when it has a problem."""
    return read_amount(text).yuan


def parse_count(text: str) -> int | None:
    """Count of people or things: "5", "五口人", "一家五口", "十二", "没有" (0).

    The caller validates the range; None only when no single whole number is stated.
    """
    cleaned = _normalize(text)
    if cleaned.strip(_EDGE_PUNCTUATION) in _NOTHING_WORDS:
        return 0
    if _NEGATIVE.search(cleaned):
        return None
    value = _single_number(cleaned, _AMOUNT_RUN)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def parse_numeral(text: str) -> int | None:
    """A bare whole numeral: "12", "十二", "一百零五", "二〇二六" (digit by digit); else None."""
    cleaned = _normalize(text).strip(_EDGE_PUNCTUATION)
    if len(cleaned) >= 3 and all(char in _DIGIT_VALUES for char in cleaned):
        return int("".join(str(_DIGIT_VALUES[char]) for char in cleaned))
    if not cleaned or "." in cleaned or "点" in cleaned:
        return None
    value = _evaluate(cleaned)
    return None if value is None else int(value)


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    compact = "".join(char for char in folded if not char.isspace())
    compact = _THOUSANDS_COMMA.sub("", compact)
    for word in _NON_NUMBER_WORDS:
        compact = compact.replace(word, " ")
    return compact


def _single_number(cleaned: str, run_pattern: re.Pattern[str]) -> Decimal | None:
    runs = [run.strip(".点") for run in run_pattern.findall(cleaned)]
    runs = [run for run in runs if run]
    if len(runs) != 1:
        return None
    return _evaluate(runs[0])


def _tokenize(run: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(run):
        match = _TOKEN.match(run, position)
        if match is None or match.lastgroup is None:
            return None
        tokens.append((match.lastgroup, match.group()))
        position = match.end()
    return tokens


def _numeric_value(kind: str, token: str) -> Decimal:
    if kind == "arabic":
        return Decimal(token)
    if kind == "cn_decimal":
        whole, _, fraction = token.partition("点")
        digits = "".join(str(_DIGIT_VALUES[char]) for char in fraction)
        return Decimal(f"{_DIGIT_VALUES[whole]}.{digits}")
    return Decimal(_DIGIT_VALUES[token])


class _NumeralReader:
    """Reads Chinese-style numerals: digits, 十/百/千 inside a section, 万/亿 closing it."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.section = Decimal(0)
        self.pending: Decimal | None = None
        self.section_unit_cap: int | None = None
        self.last_big_unit: int | None = None
        self.last_unit = 0
        self.zero_since_unit = False
        self.seen_anything = False

    def feed(self, kind: str, token: str) -> bool:
        """Consume one token; False when the sequence cannot be a single number."""
        self.seen_anything = True
        if kind == "zero":
            if self.pending is not None:
                return False
            self.zero_since_unit = True
            return True
        if kind != "unit":
            if self.pending is not None:
                return False  # "三四千", "一两万": two numbers side by side -> a range
            self.pending = _numeric_value(kind, token)
            return True
        if token in _SMALL_UNITS:
            return self._small_unit(_SMALL_UNITS[token])
        return self._big_unit(_BIG_UNITS[token])

    def _small_unit(self, unit: int) -> bool:
        if self.pending is None:
            if unit != 10 or self.section or self.section_unit_cap is not None:
                return False
            self.pending = Decimal(1)  # "十二" = 12, "十万" = 100000
        if self.section_unit_cap is not None and unit >= self.section_unit_cap:
            return False
        self.section += self.pending * unit
        self.pending, self.section_unit_cap, self.last_unit = None, unit, unit
        self.zero_since_unit = False
        return True

    def _big_unit(self, unit: int) -> bool:
        section = self.section + (self.pending or 0)
        if section == 0 or (self.last_big_unit is not None and unit >= self.last_big_unit):
            return False
        if unit == 10**8:
            self.total = (self.total + section) * unit
        else:
            self.total += section * unit
        self.section, self.pending, self.section_unit_cap = Decimal(0), None, None
        self.last_big_unit, self.last_unit, self.zero_since_unit = unit, unit, False
        return True

    def result(self) -> Decimal | None:
        if not self.seen_anything:
            return None
        pending = self.pending or Decimal(0)
        implied_unit = self.pending is not None and not self.zero_since_unit
        single_digit = pending == pending.to_integral_value() and 1 <= pending <= 9
        if implied_unit and single_digit and self.last_unit >= 10:
            pending *= self.last_unit // 10  # "三千五" = 3500, "一万二" = 12000, "3万5" = 35000
        return self.total + self.section + pending


def _evaluate(run: str) -> Decimal | None:
    tokens = _tokenize(run)
    if tokens is None:
        return None
    reader = _NumeralReader()
    for kind, token in tokens:
        if not reader.feed(kind, token):
            return None
    return reader.result()
