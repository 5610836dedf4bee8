"""The mechanism runs on Beijing time: dates shown to people and case years use it."""

from __future__ import annotations

import datetime as dt

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()
