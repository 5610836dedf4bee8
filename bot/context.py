"""One typed context per message: everything a handler may use, nothing hidden."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialog_store import PendingTurn
from bot.incoming import Incoming
from bot.outbox_writer import OutboxWriter
from bot.settings import Settings
from policy.local_time import local_date
from storage.models import DialogSession, WechatUser


@dataclass
class MessageContext:
    incoming: Incoming
    session: AsyncSession
    user: WechatUser
    settings: Settings
    now: dt.datetime
    outbox: OutboxWriter
    dialog: DialogSession | None = None
    # transcript lines of this message, written together before the commit (dialog_store)
    turns: list[PendingTurn] = field(default_factory=list)

    @property
    def openid(self) -> str:
        return self.incoming.openid

    @property
    def today(self) -> dt.date:
        return local_date(self.now)
