"""`python -m hub` runs the kassa command line."""

from hub.cli import app

app(prog_name="kassa")
