"""Alembic environment for the central database."""

from __future__ import annotations

from alembic import context

from sync.central.db import make_engine
from sync.central.models import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    """Run migrations (batch mode, so SQLite can alter tables by copying)."""
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
