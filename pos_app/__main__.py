"""`python -m pos_app` is the `caretill` command."""

from pos_app.cli.main import run

run()
