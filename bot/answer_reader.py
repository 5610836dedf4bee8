"""Understanding one typed (or spoken) answer to one step, as people actually answer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.questionnaire import Step
from bot.router import bare_text
from policy.amounts import parse_amount_yuan, parse_count
from policy.answers import parse_choice, parse_phone, parse_when, parse_yes_no, phone_problem
from policy.idnumber import check_id_number

_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·•.]{2,20}$")
SKIP_WORDS = frozenset({"跳过", "没有", "无", "不用", "没", "好了", "完成", "发完了", "没了", "好"})
SUBMIT_WORDS = frozenset({"提交", "确认", "确认提交", "1"})


@dataclass(frozen=True)
class Accepted:
    value: Any


@dataclass(frozen=True)
class Rejected:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


Reading = Accepted | Rejected


def _read_name(text: str) -> Reading:
    name = bare_text(text).replace("我叫", "").replace("我是", "")
    if _NAME.match(name):
        return Accepted(name)
    return Rejected("self_report/invalid_name.j2")


def _read_id(text: str) -> Reading:
    check = check_id_number(text)
    if check.ok:
        return Accepted(check.normalized)
    return Rejected("self_report/invalid_id_number.j2", {"problem": check.problem})


def _read_text(step: Step, text: str) -> Reading:
    cleaned = text.strip()
    if step.optional and bare_text(cleaned) in SKIP_WORDS:
        return Accepted("")
    if not bare_text(cleaned) or len(cleaned) > 500:
        return Rejected("self_report/invalid_text.j2", {"label": step.label})
    return Accepted(cleaned)


def _read_count(step: Step, text: str) -> Reading:
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
    return Accepted(when.isoformat())


def _read_amount(step: Step, text: str) -> Reading:
    amount = parse_amount_yuan(text)
    if amount is None:
        return Rejected("self_report/invalid_amount.j2", {"label": step.label})
    return Accepted(amount)


def _read_phone(text: str) -> Reading:
    phone = parse_phone(text)
    if phone is None:
        return Rejected("self_report/invalid_phone.j2", {"problem": phone_problem(text)})
    return Accepted(phone)


def _read_evidence_done(text: str) -> Reading:
    if bare_text(text) in SKIP_WORDS or parse_yes_no(text) is False:
        return Accepted("done")
    return Rejected("self_report/evidence_waiting.j2")


def _read_confirm(text: str) -> Reading:
    if bare_text(text) in SUBMIT_WORDS or parse_yes_no(text) is True:
        return Accepted(True)
    if parse_yes_no(text) is False:
        return Rejected("self_report/confirm_declined.j2")
    return Rejected("self_report/invalid_confirm.j2")


def read_answer(step: Step, text: str, today: dt.date) -> Reading:
    readers = {
        "name": lambda: _read_name(text),
        "id_number": lambda: _read_id(text),
        "text": lambda: _read_text(step, text),
        "count": lambda: _read_count(step, text),
        "choice": lambda: _read_choice(step, text),
        "date": lambda: _read_date(text, today),
        "amount": lambda: _read_amount(step, text),
        "phone": lambda: _read_phone(text),
        "evidence": lambda: _read_evidence_done(text),
        "confirm": lambda: _read_confirm(text),
    }
    return readers[step.kind]()
