"""Running Alembic migrations from code (``yoriai migrate``, the tests, the demo)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from server.config import ROOT, Settings


def alembic_config(settings: Settings) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings) -> None:
    """Bring the database to the newest schema. Safe to run again."""
    command.upgrade(alembic_config(settings), "head")
