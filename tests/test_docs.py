"""The docs match the code: every command and setting is in the README."""

from __future__ import annotations

from pathlib import Path

from kgtool.cli import cli
from kgtool.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented():
    for name in cli.commands:
        assert f"`kgtool {name}" in README, name


def test_every_setting_is_documented():
    for setting in SETTINGS:
        assert f"KGTOOL_{setting.name.upper()}" in README, setting.name


def test_readme_quick_start_names_the_two_commands():
    assert "bash scripts/serve" in README and "bash scripts/test" in README
