"""Districts (地区): the ten districts of Machida, plus the city-wide scope (市全域)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class District(SQLModel, table=True):
    """One of the ten districts (市内10地区), or the city-wide scope of The YORIAI."""

    id: str = Field(primary_key=True, max_length=40)  # e.g. "tsurukawa"
    name: str = Field(max_length=40)  # 鶴川地区
    reading: str = Field(max_length=60)  # Tsurukawa
    position: int = 0  # order in pickers, as in the city's plan
    is_city_wide: bool = False
    #: A coordinator published the district's projects at /d/{id} (read-only, nothing personal).
    public_page: bool = False
