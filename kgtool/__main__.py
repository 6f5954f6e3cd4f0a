"""`python -m kgtool` runs the command line."""

from kgtool.cli import cli

cli()
