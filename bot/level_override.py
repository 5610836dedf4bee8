"""A cadre overrides a case's level (chat "改级" and `fangpin assessments override`) or confirms
its assessment (chat "确认" and `fangpin assessments confirm`).

Only a village cadre, township officer, county officer or admin may, and only for a case in
their own area or below (an admin without an area: anywhere). The override goes on the case's
latest assessment, beside the computed level, with the written reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.assessment_workflow import (
    AssessmentError,
    CannotConfirmProvisional,
    confirm_assessment,
    override_level,
)
from policy.fact_names import fact_names_zh
from policy.levels import Level
from policy.roles import ROLE_NAMES_ZH, Role
from storage.assessment_models import Assessment
from storage.assessment_queries import case_by_number, latest_assessment_of_case
from storage.models import Case, WechatUser
from storage.queries import descendant_area_ids, user_by_openid

# Verification runs village → township → county, and the county decides: a level set at one
# rank is changed only at the same rank or above.
OVERRIDE_RANK = {Role.village_cadre: 1, Role.township_officer: 2, Role.county_officer: 3,
                 Role.admin: 4}
OVERRIDE_ROLES = frozenset(OVERRIDE_RANK)


class OverrideNotAllowed(AssessmentError):
    text = "只有村干部、乡镇干部、县级干部和管理员可以改级"


class CaseNotFound(AssessmentError):
    text = "没有找到这件申报，请核对编号"


class NoAssessment(AssessmentError):
    text = "这件申报还没有评估结果，不能改级"


@dataclass(frozen=True, slots=True)
class OverrideDone:
    case: Case
    assessment: Assessment
    previous: Level


async def check_operator(
    session: AsyncSession, operator: WechatUser, case: Case, action: str = "改级"
) -> None:
    """Raise `OverrideNotAllowed` unless `operator` may override levels of `case` (or confirm
    its assessment: `action` "确认")."""
    if operator.role not in OVERRIDE_ROLES:
        allowed = OverrideNotAllowed.text.replace("改级", action)
        raise OverrideNotAllowed(f"{ROLE_NAMES_ZH[operator.role]}不能{action}：{allowed}")
    if operator.role is Role.admin and operator.area_id is None:
        return
    if operator.area_id is None:
        raise OverrideNotAllowed(f"您的账号还没有设置辖区，不能{action}")
    if case.area_id is None and operator.role is Role.county_officer:
        return  # reports no village could be placed wait in the county's list
    if case.area_id is None or case.area_id not in await descendant_area_ids(
        session, operator.area_id
    ):
        raise OverrideNotAllowed(f"申报 {case.number} 不在您的辖区，不能{action}")


async def _check_rank(session: AsyncSession, operator: WechatUser, assessment: Assessment) -> None:
    """A level set by a higher rank stands against a lower one."""
    if not assessment.override_by:
        return
    earlier = await user_by_openid(session, assessment.override_by)
    earlier_rank = OVERRIDE_RANK.get(earlier.role, 0) if earlier else 0
    if OVERRIDE_RANK[operator.role] < earlier_rank:
        assert earlier is not None
        raise OverrideNotAllowed(
            f"{ROLE_NAMES_ZH[earlier.role]}已定为{assessment.effective_level.name_zh}，"
            f"{ROLE_NAMES_ZH[operator.role]}不能再改；有不同意见请向上级反映"
        )


async def override_case_level(
    session: AsyncSession, number: str, level: Level, reason: str, operator: WechatUser,
    at: dt.datetime,
) -> OverrideDone:
    """Override the level of case `number`'s latest assessment; raises `AssessmentError`."""
    case = await case_by_number(session, number)
    if case is None:
        raise CaseNotFound(f"没有找到申报 {number}，请核对编号")
    await check_operator(session, operator, case)
    assessment = await latest_assessment_of_case(session, case.id)
    if assessment is None:
        raise NoAssessment(f"申报 {number} 还没有评估结果，不能改级")
    await _check_rank(session, operator, assessment)
    previous = assessment.effective_level
    if previous == level:
        raise AssessmentError(f"申报 {number} 现在已经是{level.name_zh}，不用再改")
    await override_level(session, assessment, level, reason, operator.openid, at,
                         actor_role=operator.role.value)
    return OverrideDone(case, assessment, previous)


async def confirm_case_assessment(
    session: AsyncSession, number: str, operator: WechatUser, at: dt.datetime
) -> tuple[Case, Assessment]:
    """Confirm case `number`'s latest assessment, so that it may set the household's current
    level; raises `AssessmentError` (a provisional one cannot be confirmed: it says what is
    missing)."""
    case = await case_by_number(session, number)
    if case is None:
        raise CaseNotFound(f"没有找到申报 {number}，请核对编号")
    await check_operator(session, operator, case, "确认")
    assessment = await latest_assessment_of_case(session, case.id)
    if assessment is None:
        raise NoAssessment(f"申报 {number} 还没有评估结果，不能确认")
    if assessment.provisional:
        missing = "、".join(fact_names_zh(assessment.missing)) or "部分情况"
        raise CannotConfirmProvisional(
            f"申报 {number} 只有初步评估（还不清楚：{missing}），不能确认：初步评估不算这户的"
            "当前等级。上门核实后可用“改级”定这件申报的等级")
    await confirm_assessment(session, assessment, operator.openid, at,
                             actor_role=operator.role.value)
    return case, assessment
