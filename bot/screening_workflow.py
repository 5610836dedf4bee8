"""Warning cases from data screening (source `data_screening`), in the self-reports' workflow.

A hit whose rules fire opens a case for the member's household, status `reported`, numbered
like every case, with a `reported` event holding the rules and figures. While the household has
an open case for the same cause (from screening or its own self-report), further hits are added
to it as `screening_hit` events instead of opening another. A hit stored before its person was in
the registry is screened by the registry import that adds them (`registry_batch_id` in its event).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.case_workflow import number_case, record_event
from policy.case_status import OPEN_STATUSES, CaseSource, CaseStatus
from policy.department_causes import KIND_NAMES
from policy.masking import mask_name
from storage.department_import import MatchedHit
from storage.models import Case


@dataclass(frozen=True, slots=True)
class OpenedCase:
    """What an alert says about a new case: no ID number, no diagnosis."""

    case_id: int
    number: str
    area_id: int
    cause: str
    masked_name: str


def _event_data(matched: MatchedHit, kind: str, batch_id: int,
                registry_batch_id: int | None = None) -> dict[str, Any]:  # fmt: skip
    data = {
        "channel": "data_screening", "kind": kind, "batch_id": batch_id,
        "row": matched.row.number, "hit_cause": matched.hit.cause,
        "rules": [{"rule": r.rule, "text": r.text, "figures": r.figures}
                  for r in matched.decision.rules],
    }  # fmt: skip
    if registry_batch_id is not None:
        data["registry_batch_id"] = registry_batch_id
    return data


def _description(matched: MatchedHit, kind: str) -> str:
    reasons = "；".join(rule.text for rule in matched.decision.rules)
    return f"数据筛查（{KIND_NAMES.get(kind, kind)}）：{reasons}"


async def open_screening_case(
    session: AsyncSession, matched: MatchedHit, *, kind: str, batch_id: int, at: dt.datetime,
    actor: str, registry_batch_id: int | None = None,
) -> Case:
    """Open a `data_screening` case for a matched hit and record who opened it and why."""
    figures = matched.hit.figures
    case = Case(
        source=CaseSource.data_screening, status=CaseStatus.reported,
        household_id=matched.household_id, member_id=matched.member_id,
        area_id=matched.area_id, applicant_name=matched.row.name,
        applicant_id_number=matched.row.id_number, household_size=matched.household_size,
        cause=matched.decision.case_cause, occurred_on=matched.hit.event_date,
        rigid_expense=figures.get("out_of_pocket"), reimbursed=figures.get("reimbursed"),
        description=_description(matched, kind), created_at=at, updated_at=at,
    )  # fmt: skip
    await number_case(session, case, at)
    record_event(session, case, actor, "reported", at, actor_role="data_operator",
                 reason=_description(matched, kind),
                 data=_event_data(matched, kind, batch_id, registry_batch_id))
    return case


@dataclass
class ScreeningCaseOpener:
    """The `open_cases` callback of one department import (or, with `registry_batch_id`, of the
    registry import that matched that department batch's earlier hits)."""

    session: AsyncSession
    kind: str
    batch_id: int
    at: dt.datetime
    actor: str
    registry_batch_id: int | None = None
    opened: list[OpenedCase] = field(default_factory=list)
    attached: int = 0
    _open: dict[tuple[int, str], Case] = field(default_factory=dict)

    async def __call__(self, hits: list[MatchedHit]) -> list[int]:
        await self._load_open_cases({hit.household_id for hit in hits})
        return [await self._case_for(hit) for hit in hits]

    async def _load_open_cases(self, household_ids: set[int]) -> None:
        if not household_ids:
            return
        query = (select(Case).where(Case.household_id.in_(household_ids),
                                    Case.status.in_(OPEN_STATUSES)).order_by(Case.id))
        for case in await self.session.scalars(query):
            assert case.household_id is not None
            self._open.setdefault((case.household_id, case.cause), case)

    async def _case_for(self, hit: MatchedHit) -> int:
        key = (hit.household_id, hit.decision.case_cause)
        case = self._open.get(key)
        if case is not None:
            self.attached += 1
            record_event(self.session, case, self.actor, "screening_hit", self.at,
                         actor_role="data_operator", reason=_description(hit, self.kind),
                         from_status=case.status.value,
                         data=_event_data(hit, self.kind, self.batch_id,
                                          self.registry_batch_id))  # fmt: skip
            return case.id
        case = await open_screening_case(self.session, hit, kind=self.kind,
                                         batch_id=self.batch_id, at=self.at, actor=self.actor,
                                         registry_batch_id=self.registry_batch_id)
        self._open[key] = case
        self.opened.append(OpenedCase(case.id, case.number, hit.area_id, hit.decision.case_cause,
                                      mask_name(hit.row.name)))  # fmt: skip
        return case.id
