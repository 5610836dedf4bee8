"""The hot path of `fangpin grade`: the common line graded from a verdict on its discrete facts.

A line whose income sources, rigid expense and members are all given (the discrete facts may
be unknown) is graded here; anything else — an unknown or bad figure, `income_total`, any value
the general path would refuse — returns None and goes the general way (`parse_facts`, `grade`,
`encode_grading`), which also names the field of every bad fact.

Nothing here decides a rule. Every line's figures and flags are checked here (types and
ranges, as `parse_facts` checks them); the combination of its discrete facts (category, labour
counts, flags, guarantees, motivation, plan, whether wage / production income is earned when
nobody can work) is graded by the general code once (`bot.grade_verdicts`) and that verdict
kept for both outcomes of the income rule. Per line only the per-capita income is computed and
the figures of rules I, II and V are formatted. The output equals
`encode_grading(grade(parse_facts(obj), p))` (tests/test_grade_fastpath.py checks it on random,
partial and malformed households). Caches are bounded, so memory stays flat.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from bot.grade_cache import MISSING, TwoGenerations
from bot.grade_figures import IncomeRule, no_labour_rule, pc_bytes
from bot.grade_verdicts import FIXED, INCOME, NO_LABOUR, STABLE, Verdict, Verdicts
from policy.facts import (
    CATEGORIES,
    LABOUR,
    MAX_AMOUNT,
    MOTIVATIONS,
    FactError,
    HouseholdFacts,
    check_other_keys,
    member_keys_written_twice,
)
from policy.measures import GUARANTEES
from policy.parameters import ParameterSet

LABOUR_ENTRIES = 32_768  # members lists (labour in member order) per generation
FACT_ENTRIES = 32_768  # combinations of discrete facts per generation
SMALL_ENTRIES = 4_096  # interned labour counts, shared key parts, key sets: cleared when full
_NUM = frozenset({int, float})
_FLAG = frozenset({bool, type(None)})
_GUARANTEE_KEYS = frozenset(GUARANTEES)
_LABOUR_OK = frozenset((*LABOUR, None))
_CATEGORY_OK = frozenset((*CATEGORIES, None))
_MOTIVATION_OK = frozenset((*MOTIVATIONS, None))
_ONE_COPY = {v: v for v in (*LABOUR, *CATEGORIES, *MOTIVATIONS)}  # the strings a kept key holds
# The facts a line is graded on; a household that leaves some out takes the `get` way.
_FIELDS = (
    "year", "category", "members", "income", "income_last_year", "rigid_expense", "causes",
    "income_stable", "project_driven", "guarantees", "motivation", "has_plan",
)
_FIELDS_OF = operator.itemgetter(*_FIELDS)
_N_FIELDS = len(_FIELDS)
_FIELD_SET = frozenset(_FIELDS)
_GUARANTEES_OF = operator.itemgetter(*GUARANTEES)
_INCOME_OF = operator.itemgetter("wage", "production", "transfer", "property")
_LABOUR_OF = operator.itemgetter("labour")  # a member without "labour" goes the general way
_UNKNOWN = (None,) * len(GUARANTEES)
_N_GUARANTEES = len(GUARANTEES)

@dataclass(frozen=True, slots=True, eq=False)
class _Labour:
    """Labour counts of a members list (interned: equal counts, same object)."""

    size: int
    able: int  # members `normal`, `weak` or `temporary_loss`


# [grader, variant, end, pc, total income, rigid expense, size, last year's income, transfer]
Located = list[Any]


class FastGrader:
    """Grades decoded lines with one parameter set: `locate(obj)` finds the output line or its
    parts (or None), `render` formats the income rule where it fired. All lines of a batch are
    located, then rendered: each step's code stays in the CPU's caches for a run of lines."""

    def __init__(self, p: ParameterSet, tail: str) -> None:
        self.year, self.line = p.year, p.poverty_line
        self.verdicts = Verdicts(p, tail)
        self._labour_cache = TwoGenerations(LABOUR_ENTRIES)
        self._labour: dict[tuple[Any, ...], _Labour] = self._labour_cache.young
        self._interned: dict[tuple[Any, ...], _Labour] = {}
        self._facts_cache = TwoGenerations(FACT_ENTRIES)
        self._by_facts: dict[tuple[Any, ...], Verdict] = self._facts_cache.young
        self._parts: dict[Any, Any] = {}
        self._other_keys: dict[tuple[str, ...], bool] = {}
        self._income = IncomeRule(self.line)

    def locate(  # noqa: C901 - the hot path
        self, obj: dict[str, Any], raw: bytes | str
    ) -> bytes | tuple[bytes, ...] | Located | None:
        """The output line of a decoded object whose `year` has parameters: the line itself, its
        parts, what `render` needs for the fired income rule, or None (the general way).

        `raw`, the line as read, proves that no key was given twice (json keeps the last one):
        each key is followed by exactly one colon, so a line with as many colons as the keys
        its objects hold has none repeated. A colon in a string or a nested note only sends the
        line the general way, which checks exactly."""
        try:
            (year, category, members, income, last, exp, causes, stable, project, gd, motivation,
             plan) = _FIELDS_OF(obj)
            other = len(obj) != _N_FIELDS
        except KeyError:
            (year, category, members, income, last, exp, causes, stable, project, gd, motivation,
             plan) = map(obj.get, _FIELDS)
            other = not _FIELD_SET.issuperset(obj)
        try:  # a value of the wrong shape raises: the general path names it
            if type(year) is not int or len(income) != 4 or other and not self._others_ok(obj):
                return None
            keys = len(obj) + 4 + (0 if gd is None else len(gd))
            colons = raw.count(b":") if type(raw) is bytes else raw.count(":")
            if colons != keys + len(members) and (
                colons != keys + sum(map(len, members)) or not self._member_keys_ok(members)
            ):
                return None  # (members with more than `labour`: their keys counted exactly)
            w, pr, t, pp = _INCOME_OF(income)  # exactly the four sources
            labours = tuple(map(_LABOUR_OF, members))
            if gd is None:
                guarantees = None
            elif len(gd) == _N_GUARANTEES:
                guarantees = _GUARANTEES_OF(gd)  # in GUARANTEES order, as `parse_facts` has it
            else:
                guarantees = tuple(map(gd.get, GUARANTEES))
                if not _GUARANTEE_KEYS.issuperset(gd):
                    return None
        except (TypeError, KeyError, AttributeError):
            return None
        num, flag = _NUM, _FLAG
        if not (
            type(w) in num and type(pr) in num and type(t) in num and type(pp) in num
            and type(exp) in num and 0 <= w <= MAX_AMOUNT and 0 <= pr <= MAX_AMOUNT
            and 0 <= t <= MAX_AMOUNT and 0 <= pp <= MAX_AMOUNT and 0 <= exp <= MAX_AMOUNT
            and (last is None or type(last) in num and 0 <= last <= MAX_AMOUNT)
            and type(stable) in flag and type(project) in flag and type(plan) in flag
            and (guarantees is None or flag.issuperset(map(type, guarantees)))
        ):  # flags are True, False or None from here: 1 and 1.0 (equal to True) are out
            return None
        try:
            labour = self._labour[labours]
        except KeyError:
            labour = self._labour_stats(labours)
            if labour is None:
                return None
        except TypeError:  # an unhashable labour
            return None
        key = (category, labour, stable, project, motivation, plan, guarantees,
               None if labour.able else (w > 0, pr > 0))
        try:
            verdict = self._by_facts[key]
        except KeyError:
            facts = HouseholdFacts(self.year, category, labours, w, pr, t, pp, last, exp, None,
                                   stable, project, guarantees or _UNKNOWN, motivation, plan)
            verdict = self._verdict(key, facts)
            if verdict is None:
                return None
        except TypeError:  # an unhashable value: the general path names it
            return None
        size, total = labour.size, w + pr + t + pp
        pc = (total - exp) / size
        v = verdict[0] if pc < self.line else verdict[1]
        ckey = tuple(causes) if type(causes) is list else causes
        try:
            end = v.ends[ckey]
        except KeyError:
            end = self.verdicts.end(v, causes, ckey)
        except TypeError:
            return None
        if end is None:
            return None
        kind = v.kind
        if kind == STABLE:
            return v.lead, pc_bytes(pc), v.after, end
        if kind == FIXED:
            return v.lead + end
        if kind == NO_LABOUR:
            return v.lead, no_labour_rule(size, t), v.after, end
        return [self, v, end, pc, total, exp, size, last, t]  # I fired: its JSON by `render`

    def render(self, located: Located) -> tuple[bytes, ...]:
        """The parts of an output line whose I.income_below_line rule fired (`locate` found the
        rest); rendered after the batch is located."""
        _, v, end, pc, total, exp, size, last, t = located
        rule = self._income(pc, total, exp, size, last)
        if v.kind == INCOME:
            return v.lead, rule, v.after, end
        return v.lead, rule, v.before_ii, no_labour_rule(size, t), v.after, end

    def _member_keys_ok(self, members: list[Any]) -> bool:
        """Whether members that carry more than `labour` (a name) carry no second spelling of
        it (`Labour`): the general path names that."""
        try:
            member_keys_written_twice(members)
        except FactError:
            return False
        return True

    def _others_ok(self, obj: dict[str, Any]) -> bool:
        """Whether keys besides the facts are only let-be ones (an id, a note): no
        `income_total`, nothing that looks like a misspelt fact. Kept per set of keys."""
        keys = tuple(obj)
        ok = self._other_keys.get(keys)
        if ok is None:
            try:
                check_other_keys(obj)
                ok = "income_total" not in obj
            except FactError:
                ok = False
            if len(self._other_keys) >= SMALL_ENTRIES:
                self._other_keys.clear()
            self._other_keys[keys] = ok
        return ok

    def _labour_stats(self, labour: tuple[Any, ...]) -> _Labour | None:
        """Counts that rules II and III use, interned; None for a bad members list."""
        if not (labour and _LABOUR_OK.issuperset(labour)):
            return None  # not kept: the general path names the bad member
        stats = self._labour_cache.recall(labour)
        if stats is not MISSING:
            return stats
        if len(self._interned) >= SMALL_ENTRIES:
            self._interned.clear()  # counts met again get a new object: a miss, never wrong
        count = labour.count
        normal, weak, temporary_loss = count("normal"), count("weak"), count("temporary_loss")
        unknown = tuple([i for i, v in enumerate(labour) if v is None]) if None in labour else ()
        ident = (len(labour), normal, weak, temporary_loss, unknown)
        stats = self._interned.get(ident)
        if stats is None:
            stats = self._interned[ident] = _Labour(len(labour), normal + weak + temporary_loss)
        self._labour_cache.keep(tuple(map(_ONE_COPY.get, labour)), stats)  # not the line's strings
        return stats

    def _verdict(self, key: tuple[Any, ...], facts: HouseholdFacts) -> Verdict | None:
        """The verdict for a new combination of discrete facts, kept unless a fact is bad."""
        category, labour, stable, project, motivation, plan, guarantees, earned = key
        if category not in _CATEGORY_OK or motivation not in _MOTIVATION_OK:
            return None  # not kept: the general path names it
        verdict = self._facts_cache.recall(key)
        if verdict is not MISSING:
            return verdict
        verdict = self.verdicts.for_facts(facts)
        if len(self._parts) >= SMALL_ENTRIES:
            self._parts.clear()
        one, part = _ONE_COPY.get, self._parts.setdefault  # one copy of what keys share
        key = (one(category), labour, stable, project, one(motivation), plan,
               part(guarantees, guarantees), part(earned, earned))
        self._facts_cache.keep(key, verdict)
        return verdict

