"""The hot path of `fangpin grade`: the common line graded from cached verdicts.

A line whose income sources, rigid expense and members are all given (the discrete facts may
be unknown) is graded here; anything else — an unknown or bad figure, `income_total`, any value
the general path would refuse — returns None and goes the general way (`parse_facts`, `grade`,
`encode_grading`), which also names the field of every bad fact.

Nothing here decides a rule. Each distinct combination of the discrete facts (category, labour
counts, flags, guarantees, motivation, plan, whether wage / production income is earned) is
graded once by the general code (`parse_facts`, `evaluate_rules`, `combine`) and its verdict
kept, for both outcomes of the income rule; per line only the per-capita income is computed and
the income or stable rule's figures are formatted by the same functions the general path uses.
The output equals `encode_grading(grade(parse_facts(obj), p))` (tests/test_grade_fastpath.py
checks it on random, partial and malformed households). Caches are bounded, so memory stays
flat however long the input.
"""

from __future__ import annotations

import math
import operator
import sys
from dataclasses import dataclass
from typing import Any

from policy.facts import LABOUR, MAX_AMOUNT, FactError, parse_facts
from policy.grading import combine, evaluate_rules
from policy.levels import Level
from policy.measures import proposal_for
from policy.parameters import ParameterSet
from policy.rules import (
    FIRED,
    NOT_FIRED_RESULTS,
    R_INCOME,
    R_NO_LABOUR,
    R_STABLE,
    STABLE_TEXT,
    RuleResult,
    no_labour_fired,
    yuan,
)

MAX_ENTRIES = 32_768  # per cache; cleared when full (memory flat in the input size)
_NUM = frozenset({int, float})
_LABOUR_OK = frozenset((*LABOUR, None))
_LABOUR_OF = operator.methodcaller("get", "labour")
_INCOME_STUB = RuleResult(R_INCOME, Level.I, FIRED)  # stands for the per-line fired I rule


@dataclass(frozen=True, slots=True, eq=False)
class _Labour:
    """Labour counts of a members list (interned: equal counts, same object)."""

    size: int
    able: int  # members `normal`, `weak` or `temporary_loss`


@dataclass(slots=True)
class _Variant:
    """The verdict for one outcome of the income rule."""

    level: Level
    provisional: bool
    head: bytes  # the output up to and including '"rules": ['
    pre: str  # the fired discrete rules' JSON before II's, each led by ", " ("" if none)
    post: str  # ... after II's (all of them when II did not fire)
    no_labour: bool  # rule II fired: its figures carry the line's transfer income
    fixed: bytes | None  # the rules' JSON when it is the same for every line (no I, no II)
    stable: tuple[bytes, bytes] | None  # the V rule's JSON around its pc, when no rule fired
    guarantees: tuple[bool | None, ...]  # in GUARANTEES order, for the measures
    ends: dict[Any, bytes | None]  # causes tuple -> '], "measures": …}\n' (None: bad causes);
    # shared by every variant of the same level and guarantees


class FastGrader:
    """Grades decoded lines with one parameter set; `grade(obj)` returns JSON text or None."""

    def __init__(self, p: ParameterSet, rule_json: Any, head: Any, tail: str) -> None:
        self.p, self.line = p, p.poverty_line
        self._rule_json, self._head, self._tail = rule_json, head, tail
        self._labour: dict[tuple[Any, ...], _Labour | None] = {}
        self._interned: dict[tuple[Any, ...], _Labour] = {}
        self._verdicts: dict[tuple[Any, ...], tuple[_Variant, _Variant] | None] = {}
        self._ends: dict[tuple[Any, ...], dict[Any, bytes | None]] = {}
        self._strings: dict[Any, Any] = {}  # one copy of each JSON fragment the verdicts share
        self._stables: dict[tuple[bytes, bytes], tuple[bytes, bytes]] = {}
        line = self.line
        self._income_head = f'{{"rule": "{R_INCOME}", "figures": {{"pc": '
        self._income_line = f', "poverty_line": {line!r}, "total_income": '
        self._below = f" 元，低于监测标准 {yuan(line)} 元"

    def grade(self, obj: dict[str, Any]) -> bytes | None:  # noqa: C901 - the hot path, one call
        """The output line (UTF-8, with "\\n") for a decoded object whose `year` has parameters,
        or None."""
        g = obj.get
        income, members, gd = g("income"), g("members"), g("guarantees")
        if (
            type(income) is not dict or len(income) != 4 or type(members) is not list
            or g("income_total") is not None
        ):
            return None
        ig = income.get
        w, pr, t, pp = ig("wage"), ig("production"), ig("transfer"), ig("property")
        exp, last, num = g("rigid_expense"), g("income_last_year"), _NUM
        if not (
            type(w) in num and type(pr) in num and type(t) in num and type(pp) in num
            and type(exp) in num and 0 <= w <= MAX_AMOUNT and 0 <= pr <= MAX_AMOUNT
            and 0 <= t <= MAX_AMOUNT and 0 <= pp <= MAX_AMOUNT and 0 <= exp <= MAX_AMOUNT
            and (last is None or type(last) in num and 0 <= last <= MAX_AMOUNT)
        ):
            return None
        if gd is not None:  # its keys in order, then its values by identity (1 is not True)
            if type(gd) is not dict:
                return None
            gd = (*gd, *map(id, gd.values()))
        try:
            labour = self._labour[tuple(map(_LABOUR_OF, members))]
        except KeyError:
            labour = self._labour_stats(tuple(map(_LABOUR_OF, members)))
        except (AttributeError, TypeError):  # a member that is not an object, a bad labour
            return None
        if labour is None:
            return None
        # Flags by identity too: a verdict is made (and checked) by the general path once.
        key = (g("category"), labour, id(g("income_stable")), id(g("project_driven")), gd,
               g("motivation"), id(g("has_plan")), None if labour.able else (w > 0, pr > 0))
        try:
            verdict = self._verdicts[key]
        except KeyError:
            verdict = self._verdict(key, obj)
        except TypeError:  # an unhashable value: the general path names it
            return None
        if verdict is None:
            return None
        size, total = labour.size, w + pr + t + pp
        pc = (total - exp) / size
        if pc < self.line:
            v = verdict[0]
            text = self._income(pc, total, exp, size, last)
            if v.no_labour:
                text += v.pre + ", " + self._no_labour(size, t)
            rules = (text + v.post).encode()
        else:
            v = verdict[1]
            if v.fixed is not None:
                rules = v.fixed
            elif v.no_labour:
                rules = (v.pre + ", " + self._no_labour(size, t) + v.post)[2:].encode()
            else:
                before, after = v.stable or (b"", b"")
                rules = b"".join((before, repr(round(pc, 2)).encode(), after))
        causes = g("causes")
        try:
            end = v.ends[causes if causes is None or type(causes) is not list else tuple(causes)]
        except KeyError:
            end = self._end(v, causes)
        except TypeError:
            return None
        return None if end is None else b"".join((v.head, rules, end))

    def _income(self, pc: float, total: float, exp: float, size: int, last: Any) -> str:
        """The fired I rule's JSON (as `income_figures` and `rule_json` would make it)."""
        pc = round(pc, 2)
        text = f"扣除刚性支出后人均纯收入 {yuan(pc)}{self._below}"
        figures = (f"{self._income_head}{pc!r}{self._income_line}{total!r}, "
                   f'"rigid_expense": {exp!r}, "size": {size!r}')
        if last:
            drop = 1 - total / last
            if math.isfinite(drop):
                figures += f', "income_last_year": {last!r}, "income_drop": {round(drop, 4)!r}'
                if drop > 0:
                    text += f"；家庭收入比上年减少 {drop:.0%}"
        return f'{figures}}}, "text": "{text}"}}'

    def _labour_stats(self, labour: tuple[Any, ...]) -> _Labour | None:
        """Counts that rules II and III use, interned; None for a bad members list."""
        if len(self._labour) >= MAX_ENTRIES:
            self._labour.clear()
        if len(self._interned) >= MAX_ENTRIES:
            self._interned.clear()
        stats = None
        if labour and _LABOUR_OK.issuperset(labour):
            counts = tuple(labour.count(k) for k in LABOUR[:3])  # normal, weak, temporary_loss
            unknown = tuple(i for i, v in enumerate(labour) if v is None)
            ident = (len(labour), counts, unknown)
            stats = self._interned.setdefault(ident, _Labour(len(labour), sum(counts)))
        self._labour[_canonical(labour)] = stats
        return stats

    def _verdict(self, key: tuple[Any, ...], obj: dict[str, Any]) -> Any:
        """Grade the line's discrete facts the general way; keep both income outcomes."""
        try:
            f = parse_facts({**obj, "causes": None})  # causes are checked per line
        except FactError:
            return None
        disc = evaluate_rules(f, self.p)[1:]
        verdict = (self._variant([_INCOME_STUB, *disc], f.guarantees),
                   self._variant([NOT_FIRED_RESULTS[R_INCOME], *disc], f.guarantees))
        if len(self._verdicts) >= MAX_ENTRIES:
            self._verdicts.clear()
            self._strings.clear()
        self._verdicts[_canonical(key)] = verdict
        return verdict

    def _variant(self, results: list[RuleResult], gs: tuple[Any, ...]) -> _Variant:
        c = combine(results)
        parts = [self._rule_json_of(r) for r in c.fired if r is not _INCOME_STUB]
        rule_ids = [r.rule for r in c.fired if r is not _INCOME_STUB]
        ii = rule_ids.index(R_NO_LABOUR) if R_NO_LABOUR in rule_ids else None
        if ii is None:
            pre, post = "", _joined(parts)
        else:  # II's own JSON is made per line
            pre, post = _joined(parts[:ii]), _joined(parts[ii + 1 :])
        stable = None
        if not c.fired:
            figures = {"poverty_line": self.line, "pc": _PC}
            stable_json = self._rule_json(R_STABLE, figures, STABLE_TEXT[c.provisional])
            before, after = (part.encode() for part in stable_json.split(repr(_PC)))
            stable = self._stables.setdefault((before, after), (before, after))
        head = self._head(c.level, c.provisional, c.missing).encode()
        ends = self._ends.setdefault((c.level, gs), {})
        share = self._strings.setdefault
        fixed = post[2:].encode() if post and ii is None and _INCOME_STUB not in c.fired else None
        return _Variant(c.level, c.provisional, share(head, head), share(pre, pre),
                        share(post, post), ii is not None,
                        None if fixed is None else share(fixed, fixed), stable, gs, ends)

    def _rule_json_of(self, r: RuleResult | None) -> str:
        assert r is not None and r is not _INCOME_STUB
        if r.json is None:  # shared cached results keep their encoding, as encode_grading does
            r.json = self._rule_json(r.rule, r.figures or {}, r.text, r)
        return r.json

    def _no_labour(self, size: int, transfer: float) -> str:
        return self._rule_json_of(no_labour_fired(size, transfer))

    def _end(self, v: _Variant, causes: Any) -> bytes | None:
        key = causes if causes is None or type(causes) is not list else tuple(causes)
        try:
            f = parse_facts({"year": self.p.year, "causes": causes})
        except FactError:
            end = None
        else:
            measures = proposal_for(v.level, f.causes, v.guarantees).json
            end = f'], "measures": {measures}{self._tail}\n'.encode()
        if len(v.ends) >= 256:
            v.ends.clear()
        v.ends[key] = end
        return end


_CANONICAL: dict[Any, Any] = {id(v): id(v) for v in (True, False, None)}


def _canonical(key: Any) -> Any:
    """`key` with the strings and flag ids it shares with other keys as one object each, so that
    a kept key does not hold on to the strings of the line that made it."""
    if type(key) is tuple:
        return tuple([_canonical(x) for x in key])
    if type(key) is str:
        return sys.intern(key)
    return _CANONICAL.get(key, key) if type(key) is int else key


def _joined(parts: list[str]) -> str:
    return "".join(", " + part for part in parts)


class _Marker:
    """Stands for the per-capita income in the V rule's JSON made once per verdict."""

    def __repr__(self) -> str:
        return "\x00pc\x00"


_PC = _Marker()
