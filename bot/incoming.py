"""What a handler sees of a WeChat message: plain fields, no XML, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Incoming:
    openid: str
    account: str
    msg_type: str
    create_time: int
    msg_id: str | None = None
    text: str = ""
    event: str = ""
    event_key: str = ""
    media_id: str = ""
    media_format: str = ""
    recognition: str | None = None
    pic_url: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def dedupe_key(self) -> str:
        """MsgId per sender for messages; sender + time + event + key for events."""
        if self.msg_id:
            return f"m:{self.openid}:{self.msg_id}"
        return f"e:{self.openid}:{self.create_time}:{self.event}:{self.event_key}"

    @property
    def spoken_or_typed_text(self) -> str:
        """Text for dialogs: typed text, or a voice message's recognition result."""
        if self.msg_type == "text":
            return self.text
        if self.msg_type == "voice" and self.recognition:
            return self.recognition
        return ""
