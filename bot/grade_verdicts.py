"""Verdicts for the hot path of `fangpin grade`: the rules' outcome for discrete facts.

A verdict is made by the general code only: `parse_facts` checks the line, `evaluate_rules`
evaluates every rule and `combine` decides the level, for both outcomes of the income rule
(the one rule that needs the line's figures). It keeps the output around the per-line parts,
already encoded. Households whose rules II–IV and guarantees come out the same share one
verdict (`by_results`), so a new combination of facts costs one `parse_facts` and one
`evaluate_rules`. Caches are bounded: memory stays flat however long the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.grade_cache import MISSING, TwoGenerations
from bot.grade_encoding import rule_json, rules_head
from policy.facts import FactError, HouseholdFacts, parse_facts
from policy.grading import combine, rules_after_income
from policy.levels import Level
from policy.measures import CAUSES, has_no_labour, proposal_for
from policy.parameters import ParameterSet
from policy.rules import (
    FIRED,
    NOT_FIRED_RESULTS,
    R_INCOME,
    R_NO_LABOUR,
    R_STABLE,
    STABLE_TEXT,
    UNDETERMINED,
    RuleResult,
)

VERDICT_ENTRIES = 2_048  # verdicts by rule results, per generation
END_ENTRIES = 64  # output ends (measures) per level and guarantees, per generation
SHARED_ENDS = 4_096  # distinct output ends kept once each; cleared when full

# What the line's own parts are, and where they go (see `Variant`).
STABLE, FIXED, INCOME, NO_LABOUR, INCOME_NO_LABOUR = range(5)
_INCOME_STUB = RuleResult(R_INCOME, Level.I, FIRED)  # stands for the per-line fired I rule


@dataclass(slots=True, eq=False)
class Variant:
    """The output for one outcome of the income rule, around the line's own parts:

    STABLE            lead + pc + after + end              (no rule fired: V.stable with pc)
    FIXED             lead + end                           (the fired rules need no figure)
    INCOME            lead + I + after + end               (I.income_below_line fired)
    NO_LABOUR         lead + II + after + end              (II fired, its figures per line)
    INCOME_NO_LABOUR  lead + I + before_ii + II + after + end
    """

    kind: int
    lead: bytes  # from the start of the line
    before_ii: bytes
    after: bytes
    level: Level
    guarantees: tuple[bool | None, ...]  # in GUARANTEES order, for the measures
    no_labour: bool  # nobody able to work: no measure that needs a worker
    ends: dict[Any, bytes | None]  # causes -> '], "measures": …}\n' (None: bad causes);
    # shared by every variant of the same level and guarantees: the young generation of
    end_cache: TwoGenerations


Verdict = tuple[Variant, Variant]  # (income rule fired, income rule not fired)


class Verdicts:
    """Makes and keeps the verdicts for one parameter set; `tail` ends every output line."""

    def __init__(self, p: ParameterSet, tail: str) -> None:
        self.p, self.tail = p, tail
        self.by_results = TwoGenerations(VERDICT_ENTRIES)
        self._ends: dict[tuple[Any, ...], TwoGenerations] = {}  # at most 5 levels x 3^5 x 2
        self._shared_ends: dict[bytes, bytes] = {}

    def for_facts(self, f: HouseholdFacts) -> Verdict:
        """The verdict for checked facts whose figures are all known (causes aside)."""
        results = rules_after_income(f, self.p)
        no_labour = has_no_labour(f.labour)  # the measures leave out those needing a worker
        key = (f.guarantees, no_labour, *map(_result_key, results))
        verdict = self.by_results.young.get(key) or self.by_results.recall(key)
        if verdict is MISSING:
            verdict = (
                self._variant([_INCOME_STUB, *results], f.guarantees, no_labour),
                self._variant([NOT_FIRED_RESULTS[R_INCOME], *results], f.guarantees, no_labour),
            )
            self.by_results.keep(key, verdict)
        return verdict

    def end(self, v: Variant, causes: Any, key: Any) -> bytes | None:
        """The output after the rules for `causes` (kept in `v.ends` under `key`)."""
        end = v.end_cache.recall(key)
        if end is not MISSING:
            return end
        try:
            f = parse_facts({"year": self.p.year, "causes": causes})
        except FactError:
            end = None
        else:
            measures = proposal_for(v.level, f.causes, v.guarantees, v.no_labour).json
            end = f'], "measures": {measures}{self.tail}\n'.encode()
            if len(self._shared_ends) >= SHARED_ENDS:
                self._shared_ends.clear()
            end = self._shared_ends.setdefault(end, end)  # many causes lists, one output
            if type(key) is tuple:
                key = tuple(map(_ONE_CAUSE.__getitem__, key))  # not the line's own strings
        v.end_cache.keep(key, end)
        return end

    def _variant(
        self, results: list[RuleResult], gs: tuple[bool | None, ...], no_labour: bool
    ) -> Variant:
        c = combine(results)
        head = rules_head(c.level, c.provisional, c.missing)
        income = bool(c.fired) and c.fired[0] is _INCOME_STUB
        fired = c.fired[1:] if income else c.fired
        ii = next((i for i, r in enumerate(fired) if r.rule == R_NO_LABOUR), None)
        parts = [_json_of(r) for r in fired if r.rule != R_NO_LABOUR]
        before_ii = ""
        if ii is None:
            after = _led(parts)
            if income:
                kind = INCOME
            elif parts:
                kind, head, after = FIXED, head + ", ".join(parts), ""
            else:
                figures = {"poverty_line": self.p.poverty_line, "pc": _PC}
                stable = rule_json(R_STABLE, figures, STABLE_TEXT[c.provisional])
                before, after = stable.split(repr(_PC))
                kind, head = STABLE, head + before
        else:
            after = _led(parts[ii:])
            if income:
                kind, before_ii = INCOME_NO_LABOUR, _led(parts[:ii]) + ", "
            else:
                kind, head = NO_LABOUR, head + "".join(f"{p}, " for p in parts[:ii])
        ends = self._ends.get((c.level, gs, no_labour))
        if ends is None:
            ends = self._ends[(c.level, gs, no_labour)] = TwoGenerations(END_ENTRIES)
        return Variant(kind, head.encode(), before_ii.encode(), after.encode(), c.level, gs,
                       no_labour, ends.young, ends)


_ONE_CAUSE = {c: c for c in CAUSES}


def _result_key(r: RuleResult) -> Any:
    """Equal for results that give the same output: an undetermined result by what it misses,
    a fired II by its rule (its figures are the line's), others by identity (cached results)."""
    if r.outcome is UNDETERMINED:
        return r.rule, r.missing
    return R_NO_LABOUR if r.outcome is FIRED and r.rule == R_NO_LABOUR else r


def _json_of(r: RuleResult) -> str:
    if r.json is None:  # shared cached results keep their encoding, as encode_grading does
        r.json = rule_json(r.rule, r.figures or {}, r.text, r)
    return r.json


def _led(parts: list[str]) -> str:
    return "".join(", " + part for part in parts)


class _Marker:
    """Stands for the per-capita income in the V rule's JSON made once per parameter set."""

    def __repr__(self) -> str:
        return "\x00pc\x00"


_PC = _Marker()
