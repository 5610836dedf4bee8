"""Routes: declarative filters over a message; the first match wins."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.context import MessageContext
from bot.texts import Answer
from policy.roles import Role

Handler = Callable[[MessageContext], Awaitable[list[Answer]]]
_PUNCTUATION = re.compile(r"[\s。，,.!！?？~～、…:：;；'\"“”‘’]+")


def bare_text(text: str) -> str:
    return _PUNCTUATION.sub("", text or "")


@dataclass(frozen=True)
class Route:
    name: str
    handler: Handler
    msg_types: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()
    menu_keys: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()
    roles: frozenset[Role] = frozenset()
    in_dialog: bool | None = None
    prefixes: tuple[str, ...] = ()  # the typed/spoken text starts with one of these

    def matches(self, ctx: MessageContext) -> bool:
        incoming = ctx.incoming
        checks = (
            not self.msg_types or incoming.msg_type in self.msg_types,
            not self.events or incoming.event in self.events,
            not self.menu_keys or incoming.event_key in self.menu_keys,
            not self.keywords or bare_text(incoming.spoken_or_typed_text) in self.keywords,
            not self.roles or ctx.user.role in self.roles,
            self.in_dialog is None or (ctx.dialog is not None) == self.in_dialog,
            not self.prefixes or incoming.spoken_or_typed_text.lstrip().startswith(self.prefixes),
        )
        return all(checks)


def first_match(routes: Sequence[Route], ctx: MessageContext) -> Route | None:
    return next((route for route in routes if route.matches(ctx)), None)
