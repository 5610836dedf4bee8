"""Reading farmers' short chat answers: yes/no, menu choices, phone numbers, dates, commands."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from policy.amounts import parse_numeral

_EDGE_PUNCTUATION = " \t\r\n。.!！?？,，~～、;；:：…\"'“”‘’()（）[]【】"
_PARTS_SPLIT = re.compile(r"[。.!！?？,，~～、;；:：…\s]+")
_TRAILING_PARTICLES = "啊呀吧啦哈哦噢喔呢嘛了"
_EMOJI_MODIFIERS = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]")
_YES_WORDS = frozenset(
    {
        "是", "是的", "是滴", "对", "对的", "对头", "嗯", "恩", "好", "好的", "可以", "行",
        "行的", "中", "确认", "确定", "没错", "没问题", "有", "有的", "要", "需要", "同意",
        "属实", "确认无误", "y", "yes", "ok", "okay", "1", "👍", "👌",
    }
)  # fmt: skip
_NO_WORDS = frozenset(
    {
        "否", "不是", "不是的", "不", "不对", "没有", "没", "没得", "无", "不用", "不要",
        "不需要", "不行", "不可以", "不同意", "算了", "错了", "不了", "别", "n", "no", "2",
        "👎", "🙅",
    }
)  # fmt: skip
_COMMANDS = {
    "back": ("返回", "上一步", "上一题", "返回上一步", "回到上一步", "退回", "后退", "上一个"),
    "cancel": ("取消", "不报了", "退出", "不填了", "不申报了", "不申请了", "取消申报"),
    "restart": ("重填", "重新填", "重来", "重新来", "重新填写", "重新开始", "从头来", "从头开始"),
}  # fmt: skip
_COMMAND_PREFIXES = ("我要", "我想", "请", "要", "想")
_COMMAND_SUFFIXES = ("吧", "一下", "啊", "了")
_MAX_COMMAND_LENGTH = 6
_NUMBER_PREFIXES = ("我选择", "我选", "选择", "选第", "选", "第")
_NUMBER_SUFFIXES = ("选项", "个", "项", "号", "条", "种", "吧", "的")
_NEGATIONS = "不没无非"


@dataclass(frozen=True)
class Choice:
    """One menu option; ``label`` and ``synonyms`` are matched as words inside the answer."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()


def _fold(text: str) -> str:
    """NFKC (full-width and circled digits to ASCII), lower case, edge punctuation removed."""
    return unicodedata.normalize("NFKC", text).lower().strip(_EDGE_PUNCTUATION)


def _word_yes_no(word: str) -> bool | None:
    word = _EMOJI_MODIFIERS.sub("", word)
    while len(word) > 1 and word[-1] in _TRAILING_PARTICLES and word not in _NO_WORDS:
        word = word[:-1]
    if len(set(word)) == 1:
        word = word[0]  # "嗯嗯嗯", "对对对", "不不不"
    if word in _YES_WORDS:
        return True
    if word in _NO_WORDS:
        return False
    return None


def parse_yes_no(text: str) -> bool | None:
    """True / False for a yes/no answer, None when unclear. "1" means yes and "2" means no."""
    parts = [part for part in _PARTS_SPLIT.split(_fold(text)) if part]
    verdicts = {_word_yes_no(part) for part in parts}
    if len(verdicts) != 1:
        return None
    return verdicts.pop()


def _strip_affixes(text: str, prefixes: Sequence[str], suffixes: Sequence[str]) -> str:
    """Remove any of the prefixes and suffixes, repeatedly, never emptying the text."""
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def _mentions(text: str, term: str) -> bool:
    """The term occurs in the text and is not directly negated ("没住院")."""
    start = text.find(term)
    while start != -1:
        if start == 0 or text[start - 1] not in _NEGATIONS:
            return True
        start = text.find(term, start + 1)
    return False


def parse_choice(text: str, choices: Sequence[Choice]) -> str | None:
    """Key of the chosen option by number ("2", "②", "第二个", "选2") or by a word in the text.

    None when nothing matches, the number is out of range, or words of two options match.
    """
    folded = _fold(text)
    if not folded:
        return None
    number = parse_numeral(_strip_affixes(folded, _NUMBER_PREFIXES, _NUMBER_SUFFIXES))
    if number is not None:
        return choices[number - 1].key if 1 <= number <= len(choices) else None
    matched = {
        choice.key
        for choice in choices
        for term in (choice.label, *choice.synonyms)
        if term and _mentions(folded, _fold(term))
    }
    return matched.pop() if len(matched) == 1 else None


# --- phone numbers -------------------------------------------------------------------------

_PHONE_CANDIDATE = re.compile(r"\+?\d[\d\-－—–()（）]*\d")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_MIN_PHONE_GROUP = 5  # shorter digit groups are group numbers, ages, etc., not phone numbers
_MIN_SEPARATE_NUMBER = 7


def _phone_digits(text: str) -> list[str]:
    """Digit groups that may be phone numbers. Spaces inside one number ("138 1234 5678") are
    joined; chunks that are each long enough ("138… 139…") stay separate numbers.
    """
    chunks = unicodedata.normalize("NFKC", text).split()
    chunk_lengths = [sum(char.isdigit() for char in chunk) for chunk in chunks]
    if not all(length == 0 or length >= _MIN_SEPARATE_NUMBER for length in chunk_lengths):
        chunks = ["".join(chunks)]
    found = [match for chunk in chunks for match in _PHONE_CANDIDATE.findall(chunk)]
    groups = [re.sub(r"\D", "", match) for match in found]
    return [digits for digits in groups if len(digits) >= _MIN_PHONE_GROUP]


def _without_country_code(digits: str) -> str:
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix) :]):
            return digits[len(prefix) :]
    return digits


def _area_code_length(digits: str) -> int:
    """Beijing 010 and 02x are 3-digit area codes; all other area codes have 4 digits."""
    return 3 if digits[1:2] in ("1", "2") else 4


def parse_phone(text: str) -> str | None:
    """Mobile as "13812345678", landline as "0871-12345678"; None otherwise."""
    candidates = _phone_digits(text)
    if len(candidates) != 1:
        return None
    digits = _without_country_code(candidates[0])
    if _MOBILE.fullmatch(digits):
        return digits
    if digits.startswith("0"):
        area_length = _area_code_length(digits)
        local_number = digits[area_length:]
        if 7 <= len(local_number) <= 8:
            return f"{digits[:area_length]}-{local_number}"
    return None


def phone_problem(text: str) -> str:
    """Short plain-Chinese hint of what is wrong with a phone answer; "" when it is fine."""
    if parse_phone(text) is not None:
        return ""
    candidates = _phone_digits(text)
    if not candidates:
        return "没有看到电话号码，请输入11位手机号，或带区号的座机号（如0871-12345678）。"
    if len(candidates) > 1:
        return "请只输入一个电话号码。"
    digits = _without_country_code(candidates[0])
    if digits.startswith("1"):
        if len(digits) != 11:
            return f"手机号应是11位数字，您输入了{len(digits)}位。"
        return "手机号第2位应是3到9之间的数字，请核对。"
    if digits.startswith("0"):
        return f"座机号应是区号加7到8位号码（如0871-12345678），您输入了{len(digits)}位。"
    return "号码应以1开头（手机）或以0开头（座机区号），请核对。"


# --- commands -------------------------------------------------------------------------------


def is_command(text: str) -> str | None:
    """Return "back", "cancel" or "restart" when a short answer is essentially a command."""
    folded = _fold(text)
    if not folded or len(folded) > _MAX_COMMAND_LENGTH:
        return None
    bare = _strip_affixes(folded, _COMMAND_PREFIXES, _COMMAND_SUFFIXES)
    for command, words in _COMMANDS.items():
        if folded in words or bare in words:
            return command
    return None


# --- changing one item of the summary -------------------------------------------------------

_EDIT_PREFIXES = (
    "我要修改", "我想修改", "我要改", "我想改", "需要修改", "要修改", "想修改", "请修改", "请改",
    "要改", "想改", "修改", "更改", "更正", "改正", "改",
)  # fmt: skip
_EDIT_SUFFIXES = (
    "写错了", "填错了", "打错了", "弄错了", "搞错了", "说错了", "错了", "不对", "有错",
    "需要修改", "要修改", "要改", "改一下", "改下", "改",
)  # fmt: skip
_EDIT_TARGET_PREFIXES = ("一下", "下", "第")
_EDIT_TARGET_SUFFIXES = ("一下", "吧", "项", "个", "条", "行", "的")
_NOT_EDIT = re.compile("[不别没无]([用要必]|需要)?[修更]?改")
_MAX_EDIT_LENGTH = 20
_MIN_NEW_VALUE = 2  # "改名字李四": what follows the item's name is its new value
_EXACT_TERM = 1000


@dataclass(frozen=True)
class EditRequest:
    """The farmer asks to change one item of the summary; ``item`` is its number (from 1),
    None when it cannot be told which one (an unknown number, or words of no or two items)."""

    item: int | None
    answer: str = ""  # the new value given in the same message ("改电话13600000001")


def _term_score(target: str, term: str) -> int:
    """How well the words name the item: the whole term, the term inside them, them inside it."""
    if target == term:
        return _EXACT_TERM
    if term in target:
        return 2 * len(term)
    if target in term:
        return 2 * len(target) - 1
    return 0


def _edit_target(folded: str, prefixed_only: bool) -> str | None:
    """The words naming the item in "改3", "修改第三项", "电话错了"; None: not a change."""
    for prefix in _EDIT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    if prefixed_only:
        return None
    for suffix in _EDIT_SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return folded[: -len(suffix)]
    return None


def parse_edit(
    text: str, items: Sequence[Sequence[str]], *, prefixed_only: bool = False
) -> EditRequest | None:
    """"改3", "修改第三项", "改 电话", "电话错了", "改电话号码": which summary item to change.

    ``items`` are the summary lines in order, each its words (the label, then names people use).
    None when the text does not ask to change anything ("1", "确认", "不用改"): a bare number
    is not an edit, so "1" stays the confirmation and "改1" changes the first item.
    `prefixed_only`: only "改…" / "修改…" count (while another question is being answered,
    "…不对" may be an answer).
    """
    folded = "".join(_fold(text).split())
    if not folded or len(folded) > _MAX_EDIT_LENGTH or _NOT_EDIT.search(folded):
        return None
    target = _edit_target(folded, prefixed_only)
    if target is None:
        return None
    target = _strip_affixes(target.strip(_EDGE_PUNCTUATION),
                            _EDIT_TARGET_PREFIXES, _EDIT_TARGET_SUFFIXES)
    if not target:
        return EditRequest(None)
    number = parse_numeral(target)
    if number is not None:
        return EditRequest(number if 1 <= number <= len(items) else None)
    scores = [max((_term_score(target, _fold(term)) for term in terms if term), default=0)
              for terms in items]
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return EditRequest(None)
    index = scores.index(best)
    term = max((_fold(t) for t in items[index] if t), key=lambda t: _term_score(target, t))
    rest = target.replace(term, "", 1).strip(_EDGE_PUNCTUATION + "为是成") if term in target else ""
    return EditRequest(index + 1, rest if len(rest) >= _MIN_NEW_VALUE else "")


# --- dates ----------------------------------------------------------------------------------

_DATE_FILLERS = (
    "大概", "大约", "差不多", "左右", "前后", "的时候", "时候", "那时", "发生在", "是在",
    "是", "在", "份", "的", "约", "多",
)  # fmt: skip
_CN_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十]+")


def _shift_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def _month_start(today: date, months_back: int) -> date:
    return _shift_months(today.replace(day=1), -months_back)


def _week_start(today: date, weeks_back: int) -> date:
    return today - timedelta(days=today.weekday() + 7 * weeks_back)


_KEYWORD_DATES: dict[str, Callable[[date], date]] = {
    **dict.fromkeys(("今天", "今日", "当天", "刚才", "刚刚"), lambda t: t),
    **dict.fromkeys(("昨天", "昨日"), lambda t: t - timedelta(days=1)),
    "前天": lambda t: t - timedelta(days=2),
    "大前天": lambda t: t - timedelta(days=3),
    **dict.fromkeys(("这个月", "这月", "本月", "当月"), lambda t: _month_start(t, 0)),
    **dict.fromkeys(("上个月", "上月"), lambda t: _month_start(t, 1)),
    **dict.fromkeys(("上上个月", "上上月"), lambda t: _month_start(t, 2)),
    **dict.fromkeys(("这周", "本周", "这星期", "这个星期", "这礼拜"), lambda t: _week_start(t, 0)),
    **dict.fromkeys(
        ("上周", "上星期", "上个星期", "上礼拜", "上个礼拜"), lambda t: _week_start(t, 1)
    ),
    **dict.fromkeys(("今年", "本年"), lambda t: date(t.year, 1, 1)),
    "去年": lambda t: date(t.year - 1, 1, 1),
    "前年": lambda t: date(t.year - 2, 1, 1),
}
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": 1, "前年": 2}
_FULL_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?|(\d{2})(\d{2}))")
_YEAR_MONTH = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})月?|年)")
_NAMED_YEAR_MONTH = re.compile(r"(今年|本年|去年|前年)(\d{1,2})月(?:(\d{1,2})[日号]?)?")
_MONTH_DAY = re.compile(r"(\d{1,2})月(?:(\d{1,2})[日号]?)?")
_DAY_ONLY = re.compile(r"(\d{1,2})[日号]")
_AGO = re.compile(r"(\d+|半)个?(天|日|周|星期|礼拜|月|年)前")
# Lunar months people name in villages, as the solar month they mostly fall in (the first day:
# a vague period) and the years after the lunar year's own: 腊月 of lunar 2025 is about
# January 2026. Days (腊月初八, 腊月二十三) are not converted: the month is close enough here.
_LUNAR_MONTHS = {"正月": (2, 0), "冬月": (12, 0), "腊月": (1, 1)}
_LUNAR = re.compile(r"(今年|本年|去年|前年)?(正月|冬月|腊月)(?:初?\d{1,2}[日号]?)?")


def _clean_when(text: str) -> str:
    cleaned = "".join(_fold(text).split())
    cleaned = cleaned.replace("以前", "前").replace("之前", "前")
    for filler in _DATE_FILLERS:
        cleaned = cleaned.replace(filler, "")

    def to_arabic(match: re.Match[str]) -> str:
        value = parse_numeral(match.group())
        return match.group() if value is None else str(value)

    return _CN_NUMERAL_RUN.sub(to_arabic, cleaned)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _ago(amount: str, unit: str, today: date) -> date:
    if amount == "半":
        half_periods = {"年": _shift_months(today, -6), "月": today - timedelta(days=15)}
        return half_periods.get(unit, today)
    count = int(amount)
    if unit == "年":
        return _shift_months(today, -12 * count)
    if unit == "月":
        return _shift_months(today, -count)
    if unit in ("周", "星期", "礼拜"):
        return today - timedelta(weeks=count)
    return today - timedelta(days=count)


def _without_year(month: int, day: int, today: date) -> date | None:
    """A month (and day) without a year: this year, or last year if that is still to come."""
    this_year = _safe_date(today.year, month, day)
    if this_year is not None and this_year > today:
        return _safe_date(today.year - 1, month, day)
    return this_year


def _match_when(cleaned: str, today: date) -> date | None:
    if cleaned in _KEYWORD_DATES:
        return _KEYWORD_DATES[cleaned](today)
    if found := _AGO.fullmatch(cleaned):
        return _ago(found[1], found[2], today)
    if found := _FULL_DATE.fullmatch(cleaned):
        month, day = (found[2], found[3]) if found[2] else (found[4], found[5])
        return _safe_date(int(found[1]), int(month), int(day))
    if found := _YEAR_MONTH.fullmatch(cleaned):
        return _safe_date(int(found[1]), int(found[2] or 1), 1)
    if found := _NAMED_YEAR_MONTH.fullmatch(cleaned):
        year = today.year - _RELATIVE_YEARS[found[1]]
        return _safe_date(year, int(found[2]), int(found[3] or 1))
    if found := _LUNAR.fullmatch(cleaned):
        month, later = _LUNAR_MONTHS[found[2]]
        if found[1] is None:  # the last one that has begun
            return _without_year(month, 1, today)
        return _safe_date(today.year - _RELATIVE_YEARS[found[1]] + later, month, 1)
    if found := _MONTH_DAY.fullmatch(cleaned):
        return _without_year(int(found[1]), int(found[2] or 1), today)
    if found := _DAY_ONLY.fullmatch(cleaned):
        this_month = _safe_date(today.year, today.month, int(found[1]))
        if this_month is not None and this_month > today:
            last_month = _month_start(today, 1)
            return _safe_date(last_month.year, last_month.month, int(found[1]))
        return this_month
    return None


def parse_when(text: str, today: date) -> date | None:
    """The day something happened. Vague periods give their first day ("10月" -> Oct 1,
    "去年" -> Jan 1 last year, "上周" -> last week's Monday). Future or impossible -> None.
    """
    happened = _match_when(_clean_when(text), today)
    if happened is None or happened > today or happened.year < 1900:
        return None
    return happened
