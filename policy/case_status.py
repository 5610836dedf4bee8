"""Case lifecycle: statuses, sources and the allowed transitions (a table, not code paths)."""

from __future__ import annotations

import enum


class CaseSource(enum.StrEnum):
    self_report = "self_report"
    data_screening = "data_screening"
    periodic = "periodic"
    inspection = "inspection"


class CaseStatus(enum.StrEnum):
    reported = "reported"
    village_verified = "village_verified"
    township_reviewed = "township_reviewed"
    county_confirmed = "county_confirmed"
    public_notice = "public_notice"
    monitored = "monitored"
    risk_removed = "risk_removed"
    registered_poor = "registered_poor"
    returned = "returned"
    rejected = "rejected"


STATUS_NAMES_ZH: dict[CaseStatus, str] = {
    CaseStatus.reported: "已受理，待村里核实",
    CaseStatus.village_verified: "村里已核实，待乡镇审核",
    CaseStatus.township_reviewed: "乡镇已审核，待县里确认",
    CaseStatus.county_confirmed: "县里已确认",
    CaseStatus.public_notice: "公示中",
    CaseStatus.monitored: "已纳入监测帮扶",
    CaseStatus.risk_removed: "风险已消除",
    CaseStatus.registered_poor: "已按程序纳入帮扶",
    CaseStatus.returned: "需要补充材料",
    CaseStatus.rejected: "未通过",
}

SOURCE_NAMES_ZH: dict[CaseSource, str] = {
    CaseSource.self_report: "自主申报",
    CaseSource.data_screening: "数据筛查",
    CaseSource.periodic: "定期排查",
    CaseSource.inspection: "督导检查",
}

ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.reported: frozenset(
        {CaseStatus.village_verified, CaseStatus.returned, CaseStatus.rejected}
    ),
    CaseStatus.returned: frozenset({CaseStatus.reported, CaseStatus.rejected}),
    CaseStatus.village_verified: frozenset(
        {CaseStatus.township_reviewed, CaseStatus.returned, CaseStatus.rejected}
    ),
    CaseStatus.township_reviewed: frozenset(
        {CaseStatus.county_confirmed, CaseStatus.returned, CaseStatus.rejected}
    ),
    CaseStatus.county_confirmed: frozenset({CaseStatus.public_notice, CaseStatus.returned}),
    CaseStatus.public_notice: frozenset({CaseStatus.monitored, CaseStatus.returned}),
    CaseStatus.monitored: frozenset({CaseStatus.risk_removed, CaseStatus.registered_poor}),
    CaseStatus.risk_removed: frozenset({CaseStatus.monitored}),
    CaseStatus.registered_poor: frozenset(),
    CaseStatus.rejected: frozenset(),
}


def can_transition(current: CaseStatus, target: CaseStatus) -> bool:
    return target in ALLOWED_TRANSITIONS.get(current, frozenset())


OPEN_STATUSES = frozenset(
    {
        CaseStatus.reported,
        CaseStatus.returned,
        CaseStatus.village_verified,
        CaseStatus.township_reviewed,
        CaseStatus.county_confirmed,
        CaseStatus.public_notice,
    }
)
