"""The city's fiscal year (年度): April 1 to March 31, named after the calendar year it starts in."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIRST_MONTH = 4  # 年度 starts on April 1

# Japanese eras by the fiscal year that carries their 元年. Reiwa began on 2019-05-01, but the
# city, like every Japanese office, calls the whole of FY2019 令和元年度 (and FY1989 平成元年度).
_ERAS: tuple[tuple[int, str], ...] = ((2019, "令和"), (1989, "平成"), (1926, "昭和"))


def fiscal_year_of(day: date) -> int:
    """The 年度 a day belongs to: January to March still count in the previous year's."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def fiscal_year_range(year: int) -> tuple[date, date]:
    """First and last day of a 年度, both inclusive (so `start <= day <= end` selects it)."""
    return date(year, FIRST_MONTH, 1), date(year + 1, FIRST_MONTH, 1) - timedelta(days=1)


def fiscal_year_label(year: int, *, era: bool = False) -> str:
    """Label a 年度: "2026年度", or in the Japanese era as official documents print it ("令和8年度")."""
    if not era:
        return f"{year}年度"
    name, number = era_of_fiscal_year(year)
    return f"{name}{'元' if number == 1 else number}年度"


def era_of_fiscal_year(year: int) -> tuple[str, int]:
    """The era and its year for a 年度: 2026 -> ("令和", 8)."""
    for first_year, name in _ERAS:
        if year >= first_year:
            return name, year - first_year + 1
    raise ValueError(f"no Japanese era label for fiscal year {year}")


def _japan() -> tzinfo:
    # Slim images may lack the system tz database; Japan has had no daylight saving since 1951,
    # so a fixed +09:00 gives the same calendar day.
    try:
        return ZoneInfo("Asia/Tokyo")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=9), "JST")


def current_fiscal_year(today: date | None = None) -> int:
    """The 年度 of `today`, by default today in Japan (a UTC server is 9 hours late on April 1)."""
    return fiscal_year_of(today if today is not None else datetime.now(_japan()).date())
