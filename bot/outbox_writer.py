"""Putting messages in the outbox (inside the caller's unit of work; the dispatcher sends)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboundMessage


class OutboxWriter:
    def __init__(self, session: AsyncSession, now: dt.datetime) -> None:
        self._session = session
        self._now = now

    def text(
        self, openid: str, content: str, purpose: str, unique_key: str | None = None
    ) -> OutboundMessage:
        return self._add(openid, "custom", purpose, {"msgtype": "text", "content": content},
                         unique_key)

    def template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, str],
        purpose: str,
        url: str = "",
        unique_key: str | None = None,
    ) -> OutboundMessage:
        payload: dict[str, Any] = {"template_id": template_id, "data": data, "url": url}
        return self._add(openid, "template", purpose, payload, unique_key)

    def _add(
        self, openid: str, channel: str, purpose: str, payload: dict[str, Any],
        unique_key: str | None,
    ) -> OutboundMessage:
        row = OutboundMessage(
            openid=openid, channel=channel, purpose=purpose, payload=payload,
            unique_key=unique_key, status="pending", next_attempt_at=self._now,
            created_at=self._now,
        )
        self._session.add(row)
        return row
