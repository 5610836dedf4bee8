"""What a farmer can do in chat: report hardship, follow own cases, read about the policy."""

from __future__ import annotations

from bot.context import MessageContext
from bot.router import Route
from bot.self_report_service import SELF_REPORT_ENGINE
from bot.texts import Answer
from policy.case_status import STATUS_NAMES_ZH
from policy.local_time import local
from storage.queries import cases_reported_by

START_WORDS = frozenset({"申报", "我要申报", "有困难", "求助", "申报困难", "我有困难", "困难申报"})
MY_CASES_WORDS = frozenset({"我的申报", "进度", "查进度", "申报进度", "查询进度"})
POLICY_WORDS = frozenset({"政策咨询", "政策", "咨询"})
MENU_REPORT, MENU_MY_CASES, MENU_POLICY = "REPORT", "MY_CASES", "POLICY"


async def start_report(ctx: MessageContext) -> list[Answer]:
    return await SELF_REPORT_ENGINE.begin(ctx, "self_report/intro.j2")


async def continue_report(ctx: MessageContext) -> list[Answer]:
    if SELF_REPORT_ENGINE.is_expired(ctx):
        SELF_REPORT_ENGINE.close(ctx, "expired")
        return [Answer("self_report/expired.j2", {"days": int(ctx.settings.dialog_expiry_days)})]
    return await SELF_REPORT_ENGINE.advance(ctx)


async def my_cases(ctx: MessageContext) -> list[Answer]:
    cases = await cases_reported_by(ctx.session, ctx.openid)
    rows = [
        {"number": case.number, "date": local(case.created_at).strftime("%Y-%m-%d"),
         "status": STATUS_NAMES_ZH[case.status]}
        for case in cases
    ]
    answers = [Answer("farmer/my_cases.j2", {"cases": rows})]
    if ctx.dialog is not None:
        answers.append(Answer("self_report/unfinished_hint.j2"))
    return answers


async def policy_info(ctx: MessageContext) -> list[Answer]:
    return [Answer("farmer/policy_info.j2")]


async def voice_not_recognised(ctx: MessageContext) -> list[Answer]:
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
    Route("continue_report", continue_report,
          msg_types=frozenset({"text", "voice", "image", "video", "shortvideo"}), in_dialog=True),
    Route("start_report_text", start_report, msg_types=frozenset({"text", "voice"}),
          keywords=START_WORDS),
    Route("policy_text", policy_info, msg_types=frozenset({"text", "voice"}),
          keywords=POLICY_WORDS),
)

FALLBACK_ROUTES = (
    Route("voice_not_recognised", voice_not_recognised, msg_types=frozenset({"voice"})),
    Route("help", help_menu),
)
