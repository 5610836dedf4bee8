"""Platform events: follow / unfollow, QR scans, location, menu views, template receipts."""

from __future__ import annotations

import logging

from sqlalchemy import update

from bot.context import MessageContext
from bot.router import Route
from bot.self_report_service import SELF_REPORT_ENGINE
from bot.texts import Answer
from policy.roles import Role
from storage.models import OutboundMessage

EVENT = frozenset({"event"})
log = logging.getLogger("fangpin.events")


async def on_subscribe(ctx: MessageContext) -> list[Answer]:
    ctx.user.subscribed, ctx.user.subscribed_at = True, ctx.now
    if ctx.user.role != Role.farmer:
        return [Answer("events/welcome_staff.j2", {"name": ctx.user.display_name})]
    return await SELF_REPORT_ENGINE.begin(ctx, "events/welcome.j2")


async def on_unsubscribe(ctx: MessageContext) -> list[Answer]:
    ctx.user.subscribed, ctx.user.unsubscribed_at = False, ctx.now
    return []


async def on_scan(ctx: MessageContext) -> list[Answer]:
    return [Answer("events/scan.j2")]


async def on_template_receipt(ctx: MessageContext) -> list[Answer]:
    msg_id = str(ctx.incoming.fields.get("MsgID") or ctx.incoming.fields.get("MsgId") or "")
    status = str(ctx.incoming.fields.get("Status") or "")
    if msg_id:
        await ctx.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.platform_msgid == msg_id)
            .values(last_errmsg=f"receipt: {status}"[:200])
        )
    return []


async def nothing_to_say(ctx: MessageContext) -> list[Answer]:
    return []


ROUTES = (
    Route("subscribe", on_subscribe, msg_types=EVENT,
          events=frozenset({"subscribe", "subscribe_scan"})),
    Route("unsubscribe", on_unsubscribe, msg_types=EVENT, events=frozenset({"unsubscribe"})),
    Route("scan", on_scan, msg_types=EVENT, events=frozenset({"scan"})),
    Route("template_receipt", on_template_receipt, msg_types=EVENT,
          events=frozenset({"templatesendjobfinish"})),
    Route("quiet_events", nothing_to_say, msg_types=EVENT,
          events=frozenset({"location", "view", "view_miniprogram"})),
)


async def unknown_event(ctx: MessageContext) -> list[Answer]:
    """A platform notice no route takes (a mass-send receipt, an event or menu key this account
    does not know): answered `success`, not with the help text, and logged."""
    incoming = ctx.incoming
    log.info("event without a route: event=%s key=%s", incoming.event or "(none)",
             (incoming.event_key or "")[:64])
    return []


# After every click route (staff and farmer menus), before the help text.
OTHER_EVENTS = Route("other_events", unknown_event, msg_types=EVENT)
