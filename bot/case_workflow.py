"""The case workflow that chat, CLI and scheduler share: create, record events, list."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from policy.case_status import CaseSource, CaseStatus, can_transition
from policy.local_time import local
from storage.models import Case, CaseEvent, DialogSession, Evidence


class TransitionNotAllowed(Exception):
    """The case cannot move from its status to the one asked for."""


def record_event(
    session: AsyncSession, case: Case, actor: str, action: str, at: dt.datetime,
    reason: str = "", actor_role: str = "", from_status: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id, at=at, actor=actor, actor_role=actor_role, action=action,
        from_status=from_status, to_status=case.status.value, reason=reason, data=data or {},
    )
    session.add(event)
    return event


async def number_case(session: AsyncSession, case: Case, at: dt.datetime) -> None:
    """Store the case and number it `YYYY-000123` (Beijing year, from the row id); the unique
    placeholder fits the column's 32 characters."""
    case.number = f"tmp-{uuid.uuid4().hex[:24]}"
    session.add(case)
    await session.flush()
    case.number = f"{local(at).year}-{case.id:06d}"


def _int_or_none(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


async def submit_self_report(
    session: AsyncSession, dialog: DialogSession, at: dt.datetime, area_id: int | None
) -> Case:
    """Turn a confirmed self-report dialog into a case with its transcript and evidence."""
    answers = dialog.answers
    occurred = answers.get("occurred_on")
    case = Case(
        source=CaseSource.self_report, status=CaseStatus.reported,
        reporter_openid=dialog.openid, household_id=answers.get("household_id"),
        member_id=answers.get("member_id"), area_id=area_id,
        applicant_name=answers.get("name", ""), applicant_id_number=answers.get("id_number") or "",
        village_text=answers.get("village", ""), household_size=answers.get("household_size"),
        cause=answers.get("cause", ""),
        occurred_on=dt.date.fromisoformat(occurred) if occurred else None,
        rigid_expense=_int_or_none(answers.get("rigid_expense")),
        reimbursed=_int_or_none(answers.get("reimbursed")),
        income_expected=_int_or_none(answers.get("income_expected")),
        income_last_year=_int_or_none(answers.get("income_last_year")),
        description=answers.get("description", ""), phone=answers.get("phone", ""),
        dialog_session_id=dialog.id, created_at=at, updated_at=at,
    )
    await number_case(session, case, at)
    record_event(session, case, dialog.openid, "reported", at, actor_role="farmer",
                 data={"channel": "wechat_dialog", "dialog_session_id": dialog.id})
    await session.execute(
        update(Evidence).where(Evidence.session_id == dialog.id).values(case_id=case.id)
    )
    dialog.status, dialog.case_id, dialog.updated_at = "submitted", case.id, at
    return case


def transition(
    session: AsyncSession, case: Case, target: CaseStatus, actor: str, actor_role: str,
    reason: str, at: dt.datetime,
) -> CaseEvent:
    """Move a case along the allowed transitions, storing who, when and why."""
    if not can_transition(case.status, target):
        raise TransitionNotAllowed(f"{case.status.value} -> {target.value}")
    previous = case.status.value
    case.status, case.updated_at = target, at
    return record_event(session, case, actor, "transition", at, reason=reason,
                        actor_role=actor_role, from_status=previous)


def note_possible_duplicate(
    session: AsyncSession, case: Case, earlier: Sequence[Case], at: dt.datetime
) -> None:
    """Record that the same person already has open cases, for the cadre who verifies."""
    if earlier:
        record_event(session, case, "system", "possible_duplicate", at,
                     reason="同一身份证号已有未办结的申报",
                     data={"open_cases": [other.number for other in earlier]})
