"""District visions (わたしの地区の未来ビジョン): the picture in ten years and the goals."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.timeutil import utcnow


class Vision(SQLModel, table=True):
    """One district's vision: 地区の将来像 (the picture of the district in ten years)."""

    id: int | None = Field(default=None, primary_key=True)
    district_id: str = Field(foreign_key="district.id", unique=True, max_length=40)
    future_picture: str = Field(default="", max_length=5000)  # Markdown
    #: Demo text, shown with a サンプル mark: never the city's own words.
    is_sample: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class VisionGoal(SQLModel, table=True):
    """A goal of a vision (目指す地区の姿); projects serve one or more goals."""

    id: int | None = Field(default=None, primary_key=True)
    vision_id: int = Field(foreign_key="vision.id", index=True)
    position: int = 0
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=5000)  # Markdown
    is_sample: bool = False
    archived: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class VisionRevision(SQLModel, table=True):
    """The text as it was before an edit: who changed it and when (履歴)."""

    id: int | None = Field(default=None, primary_key=True)
    vision_id: int = Field(foreign_key="vision.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="visiongoal.id")
    title: str = Field(default="", max_length=120)
    body: str = Field(default="", max_length=5000)
    edited_by: int | None = Field(default=None, foreign_key="user.id")
    edited_at: datetime = Field(default_factory=utcnow)
