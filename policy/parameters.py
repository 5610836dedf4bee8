"""Yearly policy parameters (monitoring line, labour ratio, risk-removal figures) from TOML.

A parameter file has a `version`, an optional `[defaults]` table, one `[years.YYYY]` table per
year and optional county overrides `[years.YYYY.counties."530124"]`. A year that the file does
not list is an error naming the year (`MissingParametersError`), never a silent fallback.

Keys (all per year, `poverty_line` required, the others default as the spec says):
  poverty_line           yuan per person per year (监测范围 / 现行脱贫标准)
  weak_labour_ratio      share of `normal` members below which labour is weak (1/3)
  slightly_above_factor  "slightly above the line" = pc <= factor x line (1.5)
  min_monitoring_months  risk removal: months under monitoring at least (6)
  min_measures_in_place  risk removal: assistance measures in place at least (1)
  removal_income_factor  risk removal: pc must be above factor x line (1.0)
  verified, source       whether the figure was checked against its public source, and which
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy.toml_files import read_toml

DEFAULT_PATH = Path(__file__).resolve().parent / "params" / "default.toml"

# The spec's defaults (grading.md), used when neither the year nor [defaults] sets a figure.
_NUMBER_DEFAULTS: dict[str, float] = {
    "weak_labour_ratio": 1 / 3,
    "slightly_above_factor": 1.5,
    "min_monitoring_months": 6,
    "min_measures_in_place": 1,
    "removal_income_factor": 1.0,
}
_INT_KEYS = frozenset({"min_monitoring_months", "min_measures_in_place"})
_NUMBER_KEYS = frozenset({"poverty_line", *_NUMBER_DEFAULTS})
_ALLOWED_KEYS = _NUMBER_KEYS | {"verified", "source"}


class ParameterError(ValueError):
    """The parameter file is unreadable or malformed; the message names the file and key."""


class MissingParametersError(LookupError):
    """No parameters for the requested year (the message names the year)."""

    def __init__(self, year: int, version: str, available: tuple[int, ...]) -> None:
        self.year = year
        self.version = version
        self.available = available
        years = "、".join(str(y) for y in available) or "无"
        super().__init__(f"参数集 {version} 没有 {year} 年的参数（已有年份：{years}）")


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """The figures in force for one year (and county, if the file overrides it)."""

    version: str
    year: int
    poverty_line: float
    weak_labour_ratio: float = _NUMBER_DEFAULTS["weak_labour_ratio"]
    slightly_above_factor: float = _NUMBER_DEFAULTS["slightly_above_factor"]
    min_monitoring_months: int = int(_NUMBER_DEFAULTS["min_monitoring_months"])
    min_measures_in_place: int = int(_NUMBER_DEFAULTS["min_measures_in_place"])
    removal_income_factor: float = _NUMBER_DEFAULTS["removal_income_factor"]
    county: str | None = None
    verified: bool = False
    source: str = ""

    @property
    def ref(self) -> str:
        """`version/year[/county]`: what an assessment stores to find these figures again."""
        tail = f"/{self.county}" if self.county else ""
        return f"{self.version}/{self.year}{tail}"

    @property
    def slightly_above_line(self) -> float:
        return self.slightly_above_factor * self.poverty_line

    @property
    def removal_income_line(self) -> float:
        return self.removal_income_factor * self.poverty_line


@dataclass(frozen=True, slots=True)
class ParameterFile:
    """A whole parameter file: every year it lists, with defaults and county overrides."""

    version: str
    path: str
    years: Mapping[int, Mapping[str, Any]] = field(repr=False)
    counties: Mapping[int, Mapping[str, Mapping[str, Any]]] = field(repr=False)

    @property
    def available_years(self) -> tuple[int, ...]:
        return tuple(sorted(self.years))

    def for_year(self, year: int, county: str | None = None) -> ParameterSet:
        """The set for `year`; a county override applies when the file has one for `county`."""
        base = self.years.get(year)
        if base is None:
            raise MissingParametersError(year, self.version, self.available_years)
        override = self.counties.get(year, {}).get(county) if county else None
        values = {**base, **override} if override else dict(base)
        return ParameterSet(
            version=self.version,
            year=year,
            county=county if override else None,
            **values,
        )


def load_parameter_file(path: str | Path | None = None) -> ParameterFile:
    """Read and check a parameter file; `None` reads the packaged default."""
    p = Path(path) if path is not None else DEFAULT_PATH
    return parse_parameter_data(read_toml(p, ParameterError, "参数文件"), str(p))


def parse_parameter_data(data: Mapping[str, Any], origin: str = "<data>") -> ParameterFile:
    """Check the TOML document already parsed into `data` and build a `ParameterFile`."""
    version = data.get("version")
    if version is None:
        raise ParameterError(f"{origin}: 缺少 version（参数集版本字符串）")
    if not isinstance(version, str) or not version.strip():
        raise ParameterError(f"{origin}: version 应为非空的字符串（参数集版本，如 \"yn-2026.1\"），"
                             f"现在是 {version!r}")
    unknown = set(data) - {"version", "defaults", "years"}
    if unknown:
        raise ParameterError(f"{origin}: 未知的顶层键 {sorted(unknown)}")
    defaults = _check_values(data.get("defaults", {}), f"{origin}: defaults")
    years_raw = data.get("years")
    if not isinstance(years_raw, dict) or not years_raw:
        raise ParameterError(f"{origin}: 缺少 [years.YYYY] 参数表")
    years: dict[int, dict[str, Any]] = {}
    counties: dict[int, dict[str, dict[str, Any]]] = {}
    for key, table in years_raw.items():
        year = _year_key(key, origin)
        where = f"{origin}: years.{key}"
        if not isinstance(table, dict):
            raise ParameterError(f"{where} 应为一个表")
        own = {k: v for k, v in table.items() if k != "counties"}
        merged = {**_NUMBER_DEFAULTS, **defaults, **_check_values(own, where)}
        if "poverty_line" not in merged:
            raise ParameterError(f"{where}: 缺少 poverty_line")
        years[year] = _finish(merged)
        counties[year] = _counties(table.get("counties", {}), where)
    return ParameterFile(version=version.strip(), path=origin, years=years, counties=counties)


def _year_key(key: str, origin: str) -> int:
    if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
        raise ParameterError(f"{origin}: years.{key} 不是四位年份")
    return int(key)


def _counties(raw: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}.counties 应为一个表")
    out: dict[str, dict[str, Any]] = {}
    for code, table in raw.items():
        if not isinstance(table, dict):
            raise ParameterError(f"{where}.counties.{code} 应为一个表")
        if not (len(str(code)) == 6 and str(code).isascii() and str(code).isdigit()):
            raise ParameterError(f"{where}.counties.{code}: 县代码应为 6 位数字的行政区划代码"
                                 "（如 \"530128\"）")
        out[str(code)] = _finish(_check_values(table, f"{where}.counties.{code}"))
    return out


def _check_values(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ParameterError(f"{where} 应为一个表")
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _ALLOWED_KEYS:
            raise ParameterError(f"{where}.{key}: 未知的参数")
        if key == "verified":
            if not isinstance(value, bool):
                raise ParameterError(f"{where}.verified 应为 true 或 false")
        elif key == "source":
            if not isinstance(value, str):
                raise ParameterError(f"{where}.source 应为字符串")
        elif not _positive_number(value):
            raise ParameterError(f"{where}.{key} 应为正数，实际为 {value!r}")
        elif key in _INT_KEYS and value != int(value):
            raise ParameterError(f"{where}.{key} 应为整数，实际为 {value!r}")
        elif key == "weak_labour_ratio" and value > 1:
            raise ParameterError(f"{where}.weak_labour_ratio 应在 0 到 1 之间")
        out[key] = value
    return out


def _finish(values: dict[str, Any]) -> dict[str, Any]:
    return {k: int(v) if k in _INT_KEYS else v for k, v in values.items()}


def _positive_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
