"""What helpers and cadres see in chat: the open cases of their area (names masked)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import MessageContext
from bot.router import Route
from bot.texts import Answer
from policy.case_status import OPEN_STATUSES, STATUS_NAMES_ZH
from policy.masking import mask_name
from policy.roles import ROLE_NAMES_ZH, STAFF_ROLES, Role
from storage.models import Case
from storage.queries import cases_in_areas, cases_of_paired_households, descendant_area_ids

CAUSE_WORDS = {"illness": "因病", "disability": "因残", "disaster": "因灾", "schooling": "因学",
               "accident": "意外", "job_loss": "失业", "other": "其他"}


async def open_cases(ctx: MessageContext) -> list[Answer]:
    user = ctx.user
    statuses = [status.value for status in OPEN_STATUSES]
    cases: Sequence[Case] = []
    if user.role == Role.helper:  # a helper sees only the paired households
        cases = await cases_of_paired_households(ctx.session, user.id, statuses)
    elif user.area_id is not None:
        area_ids = await descendant_area_ids(ctx.session, user.area_id)
        cases = await cases_in_areas(ctx.session, area_ids, statuses)
    rows = [
        {"number": case.number, "name": mask_name(case.applicant_name),
         "cause": CAUSE_WORDS.get(case.cause, case.cause or "—"),
         "status": STATUS_NAMES_ZH[case.status], "urgent": "急" if case.urgent else ""}
        for case in cases
    ]
    return [Answer("staff/open_cases.j2",
                   {"role": ROLE_NAMES_ZH[user.role], "name": user.display_name, "cases": rows})]


ROUTES = (Route("staff_open_cases", open_cases, roles=STAFF_ROLES),)
