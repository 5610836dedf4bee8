"""Assessments: a household's graded level as it was computed, confirmed and overridden.

An assessment keeps the facts as they were, who assessed (an openid, "import:<batch id>",
"self_report" or "cli"), when, the parameter set's reference, the computed level with its
provisional flag, missing facts, fired rules (figures and text) and proposed measures. A cadre's
override is stored beside the computed level, never instead of it. The household's current
level is the effective level of its latest assessment that is not provisional and confirmed.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from policy.levels import Level
from storage.models import Base, UTCDateTime


class AssessmentSource(enum.StrEnum):
    self_report = "self_report"
    verification = "verification"
    import_ = "import"
    periodic = "periodic"
    cli = "cli"


SOURCE_NAMES_ZH: dict[AssessmentSource, str] = {
    AssessmentSource.self_report: "自主申报初评",
    AssessmentSource.verification: "入户核实",
    AssessmentSource.import_: "数据导入",
    AssessmentSource.periodic: "定期排查",
    AssessmentSource.cli: "命令行",
}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_household_at", "household_id", "assessed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[AssessmentSource] = mapped_column(_enum(AssessmentSource))
    assessor: Mapped[str] = mapped_column(String(100))
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    parameters: Mapped[str] = mapped_column(String(100))
    level: Mapped[Level] = mapped_column(_enum(Level))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    missing: Mapped[list[Any]] = mapped_column(default=list)
    rules: Mapped[list[Any]] = mapped_column(default=list)
    measures: Mapped[list[Any]] = mapped_column(default=list)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    override_level: Mapped[Level | None] = mapped_column(_enum(Level))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(100))
    override_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def effective_level(self) -> Level:
        """The cadre's level when overridden, else the computed one."""
        return self.override_level or self.level

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def counts_as_current(self) -> bool:
        """Whether this assessment may set the household's current level."""
        return self.confirmed and not self.provisional
