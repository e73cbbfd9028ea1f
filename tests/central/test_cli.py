"""The `kassa central` commands: add a store, load the demo, list the stores."""

from __future__ import annotations

from typer.testing import CliRunner

from sync.central.cli import central_app
from sync.central.db import Database
from sync.central.services.stores import store_for_token
from sync.demo_catalog import demo_catalog


def test_add_store_seed_demo_and_list_stores(db_url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(central_app, ["add-store", "malmo-1", "--name", "Kassa Malmö",
                                        "--database-url", db_url])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[0]
    twice = runner.invoke(central_app, ["add-store", "malmo-1", "--database-url", db_url])
    assert twice.exit_code == 1 and "exists already" in twice.output
    seeded = runner.invoke(central_app, ["seed-demo", "--database-url", db_url,
                                         "--store", "malmo-1"])
    assert seeded.exit_code == 0, seeded.output
    assert f"{len(demo_catalog())} products loaded" in seeded.stdout
    listed = runner.invoke(central_app, ["stores", "--database-url", db_url])
    assert "malmo-1" in listed.stdout and "never" in listed.stdout
    db = Database(db_url)
    with db.transaction() as session:
        assert store_for_token(session, token).name == "Kassa Malmö"
    db.dispose()
