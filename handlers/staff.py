"""What helpers and cadres see in chat: the open cases of their area (names masked)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.assessment_workflow import AssessmentError
from bot.context import MessageContext
from bot.level_override import OVERRIDE_ROLES, confirm_case_assessment, override_case_level
from bot.router import Route
from bot.texts import Answer
from policy.case_status import OPEN_STATUSES, STATUS_NAMES_ZH
from policy.level_words import (
    CONFIRM_USAGE,
    OVERRIDE_USAGE,
    parse_confirm_command,
    parse_override_command,
)
from policy.masking import mask_name
from policy.roles import ROLE_NAMES_ZH, STAFF_ROLES, Role
from storage.models import Case
from storage.queries import (
    cases_in_areas,
    cases_of_paired_households,
    count_cases_in_areas,
    descendant_area_ids,
)

# Reports whose village could not be placed go to the county, so none is left unseen.
SHOWN = 10  # a chat screen; the rest: fangpin cases export
COUNTY_ROLES = frozenset({Role.county_officer, Role.data_operator, Role.admin})
CAUSE_WORDS = {"illness": "因病", "disability": "因残", "disaster": "因灾", "schooling": "因学",
               "accident": "意外", "job_loss": "失业", "other": "其他"}


async def _open_cases_of(ctx: MessageContext) -> tuple[Sequence[Case], int]:
    """The first SHOWN open cases the sender may see (urgent, then oldest), and how many."""
    user, statuses = ctx.user, [status.value for status in OPEN_STATUSES]
    if user.role == Role.helper:  # a helper sees only the paired households (a few)
        cases = await cases_of_paired_households(ctx.session, user.id, statuses, limit=1000)
        return cases[:SHOWN], len(cases)
    if user.area_id is None:
        return [], 0
    area_ids = await descendant_area_ids(ctx.session, user.area_id)
    unplaced = user.role in COUNTY_ROLES
    shown = await cases_in_areas(ctx.session, area_ids, statuses, SHOWN, unplaced)
    return shown, await count_cases_in_areas(ctx.session, area_ids, statuses, unplaced)


async def open_cases(ctx: MessageContext) -> list[Answer]:
    user = ctx.user
    cases, total = await _open_cases_of(ctx)
    rows = [
        {"number": case.number, "name": mask_name(case.applicant_name),
         "cause": CAUSE_WORDS.get(case.cause, case.cause or "—"),
         "status": STATUS_NAMES_ZH[case.status], "urgent": "急" if case.urgent else ""}
        for case in cases
    ]
    return [Answer("staff/open_cases.j2",
                   {"role": ROLE_NAMES_ZH[user.role], "name": user.display_name, "cases": rows,
                    "paired_only": user.role == Role.helper, "total": total,
                    "can_decide": user.role in OVERRIDE_ROLES})]


async def override_level_by_chat(ctx: MessageContext) -> list[Answer]:
    """"改级 2026-000001 二级 理由……": store the cadre's level beside the computed one."""
    command = parse_override_command(ctx.incoming.spoken_or_typed_text)
    if command is None or command.problem:
        problem = command.problem if command else "没有认出申报编号"
        return [Answer("staff/override_refused.j2", {"problem": problem, "usage": OVERRIDE_USAGE})]
    try:
        done = await override_case_level(ctx.session, command.number or "", command.level,
                                         command.reason, ctx.user, ctx.now)
    except AssessmentError as exc:
        return [Answer("staff/override_refused.j2", {"problem": exc.text, "usage": ""})]
    return [Answer("staff/override_done.j2", {
        "number": done.case.number, "level": done.assessment.effective_level.name_zh,
        "computed": done.assessment.level.name_zh, "reason": done.assessment.override_reason})]


async def confirm_assessment_by_chat(ctx: MessageContext) -> list[Answer]:
    """"确认 2026-000001": the case's latest (complete) assessment may now set the level."""
    number = parse_confirm_command(ctx.incoming.spoken_or_typed_text)
    if not number:
        return [Answer("staff/confirm_refused.j2",
                       {"problem": "没有认出申报编号（形如 2026-000001）", "usage": CONFIRM_USAGE})]
    try:
        case, assessment = await confirm_case_assessment(ctx.session, number, ctx.user, ctx.now)
    except AssessmentError as exc:
        return [Answer("staff/confirm_refused.j2", {"problem": exc.text, "usage": ""})]
    return [Answer("staff/confirm_done.j2", {
        "number": case.number, "level": assessment.effective_level.name_zh,
        "overridden": assessment.override_level is not None})]


ROUTES = (
    Route("staff_override_level", override_level_by_chat, msg_types=frozenset({"text", "voice"}),
          roles=STAFF_ROLES, prefixes=("改级",)),
    Route("staff_confirm_assessment", confirm_assessment_by_chat,
          msg_types=frozenset({"text", "voice"}), roles=STAFF_ROLES, prefixes=("确认",)),
    Route("staff_open_cases", open_cases, roles=STAFF_ROLES),
)
