"""SQLAlchemy 2 typed models: areas, households, people, WeChat users, messages, dialogs, cases."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from policy.case_status import CaseSource, CaseStatus
from policy.roles import AreaLevel, Role

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC times")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Area(Base):
    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[AreaLevel] = mapped_column(_enum(AreaLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    parent: Mapped[Area | None] = relationship(remote_side=[id], lazy="raise")


class Household(Base):
    __tablename__ = "households"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    head_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    members: Mapped[list[Member]] = relationship(back_populates="household", lazy="raise")
    # From the registry export (fangpin import registry); yuan per year, None = not given.
    size_reported: Mapped[int | None] = mapped_column(Integer)
    income_per_capita: Mapped[int | None] = mapped_column(BigInteger)
    income_wage: Mapped[int | None] = mapped_column(BigInteger)
    income_production: Mapped[int | None] = mapped_column(BigInteger)
    income_transfer: Mapped[int | None] = mapped_column(BigInteger)
    income_property: Mapped[int | None] = mapped_column(BigInteger)
    registry_batch_id: Mapped[int | None] = mapped_column(Integer)
    registry_updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    relation: Mapped[str] = mapped_column(String(16), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    labour: Mapped[str] = mapped_column(String(16), default="")
    health: Mapped[str] = mapped_column(String(32), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    household: Mapped[Household] = relationship(back_populates="members", lazy="raise")
    # From the registry export: 在校生状况, 是否享受低保, 是否特困供养, 脱贫年度.
    schooling: Mapped[str] = mapped_column(String(32), default="", server_default="")
    dibao: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    tekun: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    exit_year: Mapped[int | None] = mapped_column(Integer)
    registry_batch_id: Mapped[int | None] = mapped_column(Integer)
    registry_updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WechatUser(Base):
    __tablename__ = "wechat_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    subscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_interaction_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_interaction_kind: Mapped[str] = mapped_column(String(16), default="")
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.farmer)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HelperPairing(Base):
    """A helper (帮扶责任人) paired with a household."""

    __tablename__ = "helper_pairings"
    __table_args__ = (UniqueConstraint("helper_user_id", "household_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    helper_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_users.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)


class InboundMessage(Base):
    """Every message and event WeChat delivered, deduplicated by its key before processing."""

    __tablename__ = "inbound_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(64), default="")
    msg_id: Mapped[str | None] = mapped_column(String(32))
    create_time: Mapped[int] = mapped_column(BigInteger, default=0)
    content: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="processing")
    reply_kind: Mapped[str] = mapped_column(String(16), default="")
    reply_text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str] = mapped_column(String(200), default="")
    route: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class OutboundMessage(Base):
    """The outbox: every message that is not a passive reply, with the platform's answers."""

    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unique_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="custom")
    purpose: Mapped[str] = mapped_column(String(32), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_errcode: Mapped[int | None] = mapped_column(Integer)
    last_errmsg: Mapped[str] = mapped_column(String(200), default="")
    platform_msgid: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class DialogSession(Base):
    """A guided dialog's state; one active per openid, so it resumes after a restart."""

    __tablename__ = "dialog_sessions"
    __table_args__ = (
        Index(
            "uq_dialog_active_openid",
            "openid",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    history: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))


class DialogTurn(Base):
    """One line of a dialog's transcript, in order."""

    __tablename__ = "dialog_turns"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialog_sessions.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    step: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    media_id: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[CaseSource] = mapped_column(_enum(CaseSource))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), index=True)
    reporter_openid: Mapped[str | None] = mapped_column(String(64), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(64), default="")
    applicant_id_number: Mapped[str] = mapped_column(String(18), default="")
    village_text: Mapped[str] = mapped_column(String(100), default="")
    household_size: Mapped[int | None] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(32), default="")
    occurred_on: Mapped[dt.date | None] = mapped_column(Date)
    rigid_expense: Mapped[int | None] = mapped_column(BigInteger)
    reimbursed: Mapped[int | None] = mapped_column(BigInteger)
    income_expected: Mapped[int | None] = mapped_column(BigInteger)
    income_last_year: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    dialog_session_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseEvent(Base):
    """Who did what to a case, when and why; kept forever."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(32), default="")
    to_status: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Evidence(Base):
    """A photo or voice a farmer sent with a report (the platform's media id and URL)."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("dialog_sessions.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    media_id: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    media_format: Mapped[str] = mapped_column(String(16), default="")
    recognition: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- Registry import, department screening and the reverse-warning roster (migration 0002) ---


class ImportBatch(Base):
    """One run of `fangpin import registry|department`: the file, the counts and the report."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    operator: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="running")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)
    cases_opened: Mapped[int] = mapped_column(Integer, default=0)
    rules_version: Mapped[str] = mapped_column(String(64), default="")
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ImportChange(Base):
    """A registry value a newer import changed: which record, which field, before and after."""

    __tablename__ = "import_changes"
    __table_args__ = (Index("ix_import_changes_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScreeningHit(Base):
    """A department row about a person: its cause and figures, matched to the registry or not.

    `fingerprint` identifies the row's content (kind, normalized ID, values), so importing the
    same row again adds nothing. `member_id` is None for people not found in the registry.
    """

    __tablename__ = "screening_hits"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    place_text: Mapped[str] = mapped_column(String(100), default="")
    row_number: Mapped[int] = mapped_column(Integer, default=0)
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    opens_case: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RosterExport(Base):
    """Who exported which reverse-warning roster, when, and whether with full ID numbers."""

    __tablename__ = "roster_exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    operator_openid: Mapped[str] = mapped_column(String(64), default="")
    operator_role: Mapped[str] = mapped_column(String(32), default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    full_ids: Mapped[bool] = mapped_column(Boolean, default=False)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    household_codes: Mapped[list[Any]] = mapped_column(default=list)
    parameters: Mapped[str] = mapped_column(String(64), default="")
