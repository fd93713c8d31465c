"""`python -m corebank.cli`: the same as the `corebank` command."""

from corebank.cli import app

app()
