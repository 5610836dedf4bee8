"""What a farmer can do in chat: report hardship, follow own cases, read about the policy."""

from __future__ import annotations

from bot.assessment_view import farmer_result_context
from bot.context import MessageContext
from bot.router import Route
from bot.self_report_service import SELF_REPORT_ENGINE
from bot.texts import Answer
from policy.case_status import STATUS_NAMES_ZH
from policy.local_time import local
from policy.roles import ROLE_NAMES_ZH
from storage.assessment_queries import latest_assessment_for_farmer
from storage.queries import cases_reported_by, user_by_openid

START_WORDS = frozenset({"申报", "我要申报", "我想申报", "要申报", "有困难", "求助", "申报困难",
                         "我有困难", "困难申报", "我要申请", "我想申请", "申请帮扶"})
# A greeting in the middle of a report means "I am back": the question is asked again.
GREETING_WORDS = frozenset({"你好", "您好", "在吗", "在不在", "喂", "哈喽", "hello", "hi"})
MY_CASES_WORDS = frozenset({"我的申报", "进度", "查进度", "申报进度", "查询进度"})
POLICY_WORDS = frozenset({"政策咨询", "政策", "咨询"})
MENU_REPORT, MENU_MY_CASES, MENU_POLICY = "REPORT", "MY_CASES", "POLICY"
RESULT_WORDS = frozenset({"我的结果", "评估结果", "结果", "查结果"})
MENU_RESULT = "RESULT"


async def start_report(ctx: MessageContext) -> list[Answer]:
    return await SELF_REPORT_ENGINE.begin(ctx, "self_report/intro.j2")


async def continue_report(ctx: MessageContext) -> list[Answer]:
    if SELF_REPORT_ENGINE.is_expired(ctx):
        return SELF_REPORT_ENGINE.expire(ctx)
    return await SELF_REPORT_ENGINE.advance(ctx)


async def other_message_in_dialog(ctx: MessageContext) -> list[Answer]:
    assert ctx.dialog is not None
    return [Answer("self_report/other_message_in_dialog.j2"),
            *SELF_REPORT_ENGINE.prompt(ctx.dialog)]


async def my_cases(ctx: MessageContext) -> list[Answer]:
    cases = await cases_reported_by(ctx.session, ctx.openid)
    rows = [
        {"number": case.number, "date": local(case.created_at).strftime("%Y-%m-%d"),
         "status": STATUS_NAMES_ZH[case.status]}
        for case in cases
    ]
    return _then_the_report(ctx, "farmer/my_cases.j2", {"cases": rows})


async def my_result(ctx: MessageContext) -> list[Answer]:
    """The latest assessment of the farmer's own cases or household, in plain words."""
    latest = await latest_assessment_for_farmer(ctx.session, ctx.openid, ctx.user.household_id)
    adjusted_by = ""
    if latest is not None and latest.override_by:
        cadre = await user_by_openid(ctx.session, latest.override_by)
        adjusted_by = ROLE_NAMES_ZH[cadre.role] if cadre else ""
    return _then_the_report(ctx, "farmer/assessment_result.j2",
                            farmer_result_context(latest, adjusted_by))


async def policy_info(ctx: MessageContext) -> list[Answer]:
    """The policy in plain words; in the middle of a report, the current question again."""
    return _then_the_report(ctx, "farmer/policy_info.j2", {})


def _then_the_report(ctx: MessageContext, template: str, context: dict) -> list[Answer]:
    """A question asked in the middle of a report (进度, 结果, 政策) is answered (its template
    told `in_dialog`), then the report's current question is asked again; a report left too
    long is closed politely instead."""
    in_report = ctx.dialog is not None and not SELF_REPORT_ENGINE.is_expired(ctx)
    answers = [Answer(template, {**context, "in_dialog": in_report})]
    if ctx.dialog is None:
        return answers
    if not in_report:
        return [*answers, *SELF_REPORT_ENGINE.expire(ctx)]
    return [*answers, Answer("self_report/back_to_question.j2"),
            *SELF_REPORT_ENGINE.prompt(ctx.dialog)]


async def voice_not_recognised(ctx: MessageContext) -> list[Answer]:
    if ctx.incoming.recognition:  # heard, just not a command: same as typed text
        return await help_menu(ctx)
    return [Answer("farmer/voice_not_recognised.j2")]


async def help_menu(ctx: MessageContext) -> list[Answer]:
    return [Answer("farmer/help.j2")]


ROUTES = (
    Route("my_cases_menu", my_cases, msg_types=frozenset({"event"}),
          events=frozenset({"click"}), menu_keys=frozenset({MENU_MY_CASES})),
    Route("policy_menu", policy_info, msg_types=frozenset({"event"}),
          events=frozenset({"click"}), menu_keys=frozenset({MENU_POLICY})),
    Route("report_menu", start_report, msg_types=frozenset({"event"}),
          events=frozenset({"click"}), menu_keys=frozenset({MENU_REPORT})),
    Route("my_cases_text", my_cases, msg_types=frozenset({"text", "voice"}),
          keywords=MY_CASES_WORDS),
    # Before continue_report, like 进度: "政策" at any step is a question, not an answer.
    Route("policy_text", policy_info, msg_types=frozenset({"text", "voice"}),
          keywords=POLICY_WORDS),
    Route("my_result_menu", my_result, msg_types=frozenset({"event"}),
          events=frozenset({"click"}), menu_keys=frozenset({MENU_RESULT})),
    Route("my_result_text", my_result, msg_types=frozenset({"text", "voice"}),
          keywords=RESULT_WORDS),
    Route("start_report_text", start_report, msg_types=frozenset({"text", "voice"}),
          keywords=START_WORDS),
    Route("greeting_in_dialog", start_report, msg_types=frozenset({"text", "voice"}),
          keywords=GREETING_WORDS, in_dialog=True),
    Route("continue_report", continue_report,
          msg_types=frozenset({"text", "voice", "image", "video", "shortvideo"}), in_dialog=True),
    Route("other_in_dialog", other_message_in_dialog,
          msg_types=frozenset({"location", "link", "file"}), in_dialog=True),
)

FALLBACK_ROUTES = (
    Route("voice_not_recognised", voice_not_recognised, msg_types=frozenset({"voice"})),
    Route("help", help_menu),
)
