"""Accounts of the staff who run meetings (facilitators; coordinators and admins later)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.timeutil import utcnow


class User(SQLModel, table=True):
    """A staff account (ファシリテーター). Participants never have one."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(default="", max_length=80)
    password_hash: str = Field(max_length=255)
    #: Space-separated roles: "facilitator", later "coordinator" and "admin".
    roles: str = Field(default="facilitator", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)

    def has_role(self, role: str) -> bool:
        return role in self.roles.split()
