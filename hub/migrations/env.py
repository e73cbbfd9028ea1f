"""Alembic environment for the hub database."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import hub.models  # noqa: F401  (registers the tables)
from hub.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations on a durable connection (batch mode: SQLite alters by copying)."""
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "", immediate=False)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
