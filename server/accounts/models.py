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


class StaffSession(SQLModel, table=True):
    """One signed-in browser of a staff member (サインイン中の端末).

    The cookie carries a random token; only its SHA-256 is stored, so a copy of the database
    signs nobody in. Deleting the row ends the session at once, wherever the cookie was copied:
    sign-out, a password change and the removal of a role do that."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
