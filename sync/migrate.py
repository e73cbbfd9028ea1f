"""Alembic, the same way for both databases: a configuration from a script folder and a URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(script_location: Path, url: str) -> Config:
    """Alembic configuration for the migrations in script_location, on url."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade_to_head(script_location: Path, url: str) -> None:
    """Bring a database schema to its newest migration."""
    command.upgrade(alembic_config(script_location, url), "head")
