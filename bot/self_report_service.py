"""The self-report dialog's service side: registry look-up after the ID, and submission."""

from __future__ import annotations

from bot.assessment_workflow import assess_submitted_report
from bot.case_workflow import note_possible_duplicate, submit_self_report
from bot.context import MessageContext
from bot.dialog_engine import DialogEngine
from bot.questionnaire import Step
from bot.self_report_form import SELF_REPORT
from bot.texts import Answer
from policy.case_status import STATUS_NAMES_ZH
from policy.person_names import same_name
from storage.models import DialogSession
from storage.place_lookup import place_named_in
from storage.queries import (
    household_size,
    household_with_area,
    member_by_id_number,
    open_cases_of_applicant,
)


async def _after_answer(ctx: MessageContext, dialog: DialogSession, step: Step) -> list[Answer]:
    if step.id != "id_number":
        return []
    if dialog.answers["id_number"] is None:  # 不知道: the cadre looks it up on the visit
        return [Answer("self_report/id_later.j2")]
    member = await member_by_id_number(ctx.session, dialog.answers["id_number"])
    if member is not None and not same_name(dialog.answers.get("name") or "?", member.name):
        # Someone else's number, or a typo: reveal nothing of that household; a cadre checks.
        dialog.answers = {**dialog.answers, "registry_check": "name_mismatch"}
        member = None
    if member is None:
        return [Answer("self_report/not_in_registry.j2")]
    found = await household_with_area(ctx.session, member.household_id)
    assert found is not None
    household, path = found
    size = await household_size(ctx.session, household.id)
    village = "".join(area.name for area in path[-2:]) if path else ""
    dialog.answers = {
        **dialog.answers, "household_id": household.id, "member_id": member.id,
        "area_id": household.area_id, "village": village, "household_size": size,
    }
    return [Answer("self_report/found_in_registry.j2", {"village": village, "size": size})]


async def _area_of(ctx: MessageContext, answers: dict) -> int | None:
    if answers.get("area_id"):
        return answers["area_id"]
    place = await place_named_in(ctx.session, answers.get("village", ""))
    return place.id if place is not None else None


async def _complete(ctx: MessageContext, dialog: DialogSession) -> list[Answer]:
    earlier = await open_cases_of_applicant(ctx.session, dialog.answers.get("id_number") or "")
    case = await submit_self_report(ctx.session, dialog, ctx.now,
                                    await _area_of(ctx, dialog.answers))
    note_possible_duplicate(ctx.session, case, earlier, ctx.now)
    assessment = await assess_submitted_report(ctx.session, case, dialog.answers, ctx.now)
    return [
        Answer(
            "self_report/submitted.j2",
            {"number": case.number, "status": STATUS_NAMES_ZH[case.status],
             "linked": case.household_id is not None, "assessed": assessment is not None,
             # only the sender's own earlier reports: others' are for the cadre alone
             "earlier": [c.number for c in earlier if c.reporter_openid == ctx.openid]},
        )
    ]


SELF_REPORT_ENGINE = DialogEngine(SELF_REPORT, on_complete=_complete, after_answer=_after_answer)
