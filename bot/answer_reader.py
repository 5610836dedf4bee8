"""Understanding one typed (or spoken) answer to one step, as people actually answer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.questionnaire import Step
from bot.router import bare_text
from bot.texts import Answer
from policy.amounts import MAX_AMOUNT_YUAN, parse_count, parse_numeral, read_amount
from policy.answers import parse_choice, parse_phone, parse_when, parse_yes_no, phone_problem
from policy.idnumber import check_id_number, fold_x_lookalikes

_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·•.]{2,20}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ID_PREFIX = re.compile(r"^[^0-9０-９]*")
_ID_SUFFIX = re.compile(r"[^0-9０-９xXｘＸ]*$")
SKIP_WORDS = frozenset({"跳过", "没有", "无", "不用", "没", "好了", "完成", "发完了", "没了", "好"})
SUBMIT_WORDS = frozenset({"提交", "确认", "确认提交", "1"})
UNKNOWN_WORDS = frozenset({"不知道", "不清楚", "说不准", "不记得", "记不清", "不晓得", "不确定"})
# Words people send when they mean something other than their name.
NOT_NAMES = frozenset({
    "你好", "您好", "在吗", "在不在", "申报", "我要申报", "申请", "困难", "有困难", "求助", "帮助",
    "进度", "政策", "咨询", "不知道", "不清楚", "谢谢", "好的", "好", "对的", "是的", "不是",
    "没有", "知道了", "收到", "嗯嗯", "哈哈", "测试", "开始", "返回", "取消", "重填",
})
SELF_WORDS = frozenset({"我", "我自己", "自己", "本人", "是我", "就是我", "我本人", "本人自己",
                        "申请人自己", "我自己申请", "自己申请", "户主", "户主本人"})
# Pieces of a question or a request, never of a name: "怎么申报", "我想问一下低保的事".
NOT_IN_NAMES = ("怎么", "什么", "为什么", "吗", "呢", "请问", "问一下", "一下", "能不能",
                "可不可以", "可以", "我想", "我要", "想问", "申报", "申请", "低保", "补助", "帮扶",
                "政策", "困难", "谢谢", "你好", "您好", "知道", "不会", "咨询", "多少", "哪里",
                "哪个")
PLACE_MARKERS = ("村", "组", "社区", "镇", "乡")
# Digits as speech recognition writes them ("一三八…", "五三零一二八…").
SPOKEN_DIGITS = str.maketrans("零〇幺一二三四五六七八九", "001123456789")
_SPOKEN = frozenset(map(chr, SPOKEN_DIGITS))  # the characters that table reads as digits
MIN_ID_DIGITS = 6  # fewer digits than this is no ID number at all (a name, a word)
TRAILING_PUNCTUATION = "。.！!？?，,；;～~ "
MAX_CHARS = {"text": 500, "choice": 100, "name": 30}
MAX_CHARS_OTHER = 60
OLDEST_YEARS = 3


@dataclass(frozen=True)
class Accepted:
    value: Any
    said: str | None = None
    notes: tuple[Answer, ...] = ()  # said before the next question ("…按整元记为2,501元")


@dataclass(frozen=True)
class Rejected:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


Reading = Accepted | Rejected


def _read_name(text: str) -> Reading:
    name = bare_text(text).removeprefix("我叫").removeprefix("我是").removeprefix("申请人")
    if name in SELF_WORDS:  # "我自己": the name is what the cadre looks up
        return Rejected("self_report/invalid_name.j2", {"about_self": True})
    if (_NAME.match(name) and name not in NOT_NAMES and parse_yes_no(name) is None
            and not any(word in name for word in NOT_IN_NAMES) and _name_length_ok(name)):
        return Accepted(name)
    return Rejected("self_report/invalid_name.j2")


def _name_length_ok(name: str) -> bool:
    """A Han name has 2 to 6 characters (复姓 included); a longer one is a sentence, unless it is
    written with the middle dot of names such as 阿依古丽·买买提, or in Latin letters."""
    return len(name) <= 6 or any(ch in name for ch in "·•.") or not _CJK.search(name)


def id_candidate(text: str) -> str:
    """The number inside '我的身份证号是5301…385X。' or '530128-19720417-385X'."""
    if not any(ch.isdigit() for ch in text):
        text = text.translate(SPOKEN_DIGITS)
    text = fold_x_lookalikes(text)  # "385×": the input method's multiplication sign for X
    compact = "".join(ch for ch in text if ch not in " \t-—－_.。,，、:：")
    return _ID_SUFFIX.sub("", _ID_PREFIX.sub("", compact))


def _read_id(text: str) -> Reading:
    if sum(ch.isdigit() or ch in _SPOKEN for ch in text) < MIN_ID_DIGITS:  # "张三": not a number
        return Rejected("self_report/invalid_id_number.j2",
                        {"problem": "没看到号码，请发身份证上的18位号码"})
    check = check_id_number(id_candidate(text))
    if check.ok:
        return Accepted(check.normalized)
    return Rejected("self_report/invalid_id_number.j2", {"problem": check.problem})


def _read_text(step: Step, text: str) -> Reading:
    cleaned = text.strip().rstrip(TRAILING_PUNCTUATION)
    if step.optional and bare_text(cleaned) in SKIP_WORDS:
        return Accepted("")
    if not bare_text(cleaned):
        return Rejected("self_report/invalid_text.j2", {"label": step.label})
    if step.id == "village" and not _looks_like_a_place(cleaned):
        return Rejected("self_report/invalid_village.j2")
    return Accepted(cleaned)


def _looks_like_a_place(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return bool(_CJK.search(text)) and digits <= 4 and len(text) <= 50


def _read_count(step: Step, text: str) -> Reading:
    if any(marker in text for marker in PLACE_MARKERS):  # "红龙村7组" is not 7 people
        return Rejected("self_report/invalid_count.j2",
                        {"low": step.minimum or 1, "high": step.maximum or 30})
    count = parse_count(text)
    low, high = step.minimum or 1, step.maximum or 30
    if count is None or not low <= count <= high:
        return Rejected("self_report/invalid_count.j2", {"low": low, "high": high})
    return Accepted(count)


def _read_choice(step: Step, text: str) -> Reading:
    key = parse_choice(text, step.choices)
    if key is None:
        return Rejected("self_report/invalid_choice.j2", {"choices": step.choices})
    return Accepted(key)


def _read_date(text: str, today: dt.date) -> Reading:
    when = parse_when(text, today)
    if when is None:
        return Rejected("self_report/invalid_date.j2")
    if when < today.replace(year=today.year - OLDEST_YEARS, day=1):
        return Rejected("self_report/date_too_old.j2", {"years": OLDEST_YEARS})
    return Accepted(when.isoformat(), said=text.strip().rstrip(TRAILING_PUNCTUATION))


def _read_amount(step: Step, text: str, answers: dict[str, Any]) -> Reading:
    reading = read_amount(text)
    if reading.problem == "negative":
        return Rejected("self_report/amount_negative.j2", {"label": step.label})
    if reading.problem == "too_large":
        return Rejected("self_report/amount_too_large.j2",
                        {"label": step.label, "amount": reading.stated,
                         "limit": f"{MAX_AMOUNT_YUAN // 10**8}亿元"})
    if reading.problem == "under_one_yuan":
        return Rejected("self_report/amount_under_one_yuan.j2",
                        {"said": _plain_decimal(reading.stated)})
    amount = reading.yuan
    if amount is None:
        return Rejected("self_report/invalid_amount.j2", {"label": step.label})
    ceiling = answers.get(step.not_more_than) if step.not_more_than else None
    if isinstance(ceiling, int) and amount > ceiling:
        return Rejected("self_report/amount_over_expense.j2", {"ceiling": ceiling})
    if reading.rounded:
        note = Answer("self_report/amount_rounded.j2",
                      {"said": _plain_decimal(reading.stated), "amount": amount})
        return Accepted(amount, notes=(note,))
    return Accepted(amount)


def _plain_decimal(value: Any) -> str:
    """0.50 -> "0.5", 2500.5 -> "2500.5": the number as written, without trailing zeros."""
    return f"{value.normalize():f}"


# A farmer without a phone can still report: the village finds them at home.
NO_PHONE_WORDS = frozenset({
    "没有", "没", "无", "没有电话", "没电话", "没有手机", "没手机", "无电话", "家里没电话",
    "家里没有电话", "没有电话号码", "不用手机", "不会用手机", *UNKNOWN_WORDS,
})  # fmt: skip


def _read_phone(text: str) -> Reading:
    if bare_text(text) in NO_PHONE_WORDS:
        return Accepted("")  # shown as 无
    text = text.translate(SPOKEN_DIGITS) if not any(ch.isdigit() for ch in text) else text
    phone = parse_phone(text)
    if phone is None:
        return Rejected("self_report/invalid_phone.j2", {"problem": phone_problem(text)})
    return Accepted(phone)


def _read_evidence_done(text: str) -> Reading:
    if bare_text(text) in SKIP_WORDS or parse_yes_no(text) is False:
        return Accepted("done")
    return Rejected("self_report/evidence_waiting.j2")


def _read_confirm(text: str) -> Reading:
    words = bare_text(text)
    number = parse_numeral(words) if words.isdigit() and len(words) <= 2 else None
    if number is not None and number > 1:  # "3" at the numbered summary: item 3, not 是/否
        return Rejected("self_report/invalid_confirm.j2", {"number": number})
    declined = parse_yes_no(text) is False or any(no in words for no in ("不", "别", "没"))
    if not declined and (words in SUBMIT_WORDS or parse_yes_no(text) is True
                         or "提交" in words or "确认" in words):
        return Accepted(True)
    if declined:
        return Rejected("self_report/confirm_declined.j2")
    return Rejected("self_report/invalid_confirm.j2", {"number": None})


def _too_long(step: Step, text: str) -> Rejected | None:
    limit = MAX_CHARS.get(step.kind, MAX_CHARS_OTHER)
    if len(text) <= limit:
        return None
    return Rejected("self_report/too_long.j2", {"limit": limit, "free_text": step.kind == "text"})


def read_answer(step: Step, text: str, today: dt.date, answers: dict[str, Any]) -> Reading:
    too_long = _too_long(step, text)
    if too_long is not None:  # also keeps a 60,000-digit message from stalling the parsers
        return too_long
    if step.allow_unknown and bare_text(text) in UNKNOWN_WORDS:
        return Accepted(None)
    readers = {
        "name": lambda: _read_name(text),
        "id_number": lambda: _read_id(text),
        "text": lambda: _read_text(step, text),
        "count": lambda: _read_count(step, text),
        "choice": lambda: _read_choice(step, text),
        "date": lambda: _read_date(text, today),
        "amount": lambda: _read_amount(step, text, answers),
        "phone": lambda: _read_phone(text),
        "evidence": lambda: _read_evidence_done(text),
        "confirm": lambda: _read_confirm(text),
    }
    return readers[step.kind]()
