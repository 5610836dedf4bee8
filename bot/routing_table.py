"""The order in which routes are tried, in one place: the first match wins."""

from __future__ import annotations

from bot.router import Route
from handlers import events, farmer, staff

ROUTES: tuple[Route, ...] = (
    *events.ROUTES,
    *staff.ROUTES,
    *farmer.ROUTES,
    events.OTHER_EVENTS,
    *farmer.FALLBACK_ROUTES,
)
