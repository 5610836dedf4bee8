"""Settings from FANGPIN_* environment variables, with safe embedded defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/fangpin.db"
DEMO_TOKEN = "fangpin-demo-token"
DEMO_APPID = "wxdemo0000fangpin"
DEMO_SECRET = "fangpin-demo-secret"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def database_url(env: Mapping[str, str] | None = None) -> str:
    """FANGPIN_DATABASE_URL, or the embedded SQLite file: all that commands working only on the
    database (migrate, import, export) need, without the WeChat settings."""
    env = os.environ if env is None else env
    return env.get("FANGPIN_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise SettingsError(f"{name} must not be negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = field(default="", repr=False)
    wechat_aes_key: str = field(default="", repr=False)
    wechat_api_base: str = ""
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    timestamp_window_s: float = 300.0
    reply_budget_s: float = 3.0
    dialog_expiry_days: float = 7.0
    max_body_bytes: int = 256 * 1024
    reply_max_bytes: int = 2000
    outbox_poll_s: float = 0.5
    outbox_max_attempts: int = 5
    public_base_url: str = ""

    @property
    def safe_mode(self) -> bool:
        return bool(self.wechat_aes_key)

    @property
    def api_base(self) -> str:
        if self.wechat_api_base:
            return self.wechat_api_base if self.wechat_api_base.endswith("/") else (
                self.wechat_api_base + "/"
            )
        if self.demo:
            return f"http://{self.host}:{self.port}/wechat-api/cgi-bin/"
        return "https://api.weixin.qq.com/cgi-bin/"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    demo = _flag(env.get("FANGPIN_DEMO"))
    settings = Settings(
        database_url=database_url(env),
        wechat_token=env.get("FANGPIN_WECHAT_TOKEN", "").strip() or (DEMO_TOKEN if demo else ""),
        wechat_appid=env.get("FANGPIN_WECHAT_APPID", "").strip() or (DEMO_APPID if demo else ""),
        wechat_secret=env.get("FANGPIN_WECHAT_SECRET", "").strip()
        or (DEMO_SECRET if demo else ""),
        wechat_aes_key=env.get("FANGPIN_WECHAT_AES_KEY", "").strip(),
        wechat_api_base=env.get("FANGPIN_WECHAT_API_BASE", "").strip(),
        demo=demo,
        timestamp_window_s=_number(env, "FANGPIN_TIMESTAMP_WINDOW_S", 300.0),
        reply_budget_s=_number(env, "FANGPIN_REPLY_BUDGET_S", 3.0),
        dialog_expiry_days=_number(env, "FANGPIN_DIALOG_EXPIRY_DAYS", 7.0),
        public_base_url=env.get("FANGPIN_PUBLIC_BASE_URL", "").strip(),
    )
    check_settings(settings)
    return settings


def check_settings(settings: Settings) -> None:
    """Stop start-up with a clear message when production secrets are missing."""
    if settings.wechat_aes_key and len(settings.wechat_aes_key) != 43:
        raise SettingsError(
            "FANGPIN_WECHAT_AES_KEY must be the 43-character EncodingAESKey from the "
            "WeChat admin console (or empty for plaintext mode)"
        )
    if settings.demo:
        return
    missing = [
        name
        for name, value in (
            ("FANGPIN_WECHAT_TOKEN", settings.wechat_token),
            ("FANGPIN_WECHAT_APPID", settings.wechat_appid),
            ("FANGPIN_WECHAT_SECRET", settings.wechat_secret),
        )
        if not value
    ]
    if missing:
        raise SettingsError(
            "missing settings: " + ", ".join(missing)
            + ". Set them from the WeChat admin console (开发 → 基本配置), "
            "or set FANGPIN_DEMO=1 to run the local demo."
        )
