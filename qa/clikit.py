"""Helpers shared by the click command groups (``qa.cli`` and ``qa.eval.cli``): the settings a
command runs with, and JSON output. Kept apart so a command group in a subpackage needs no
import of ``qa.cli`` (which registers it)."""

from __future__ import annotations

import json

import click

from index.settings import Settings, load_settings


def command_settings(ctx: click.Context, **overrides) -> Settings:
    """The settings for a command: ``--data`` and the global flags of the root command, then
    this command's own ``overrides`` (empty values are ignored)."""
    obj = ctx.obj or {}
    merged = {k: v for k, v in {**obj.get("overrides", {}), **overrides}.items() if v}
    return load_settings(obj.get("data"), **merged)


def echo_json(payload) -> None:
    """Print ``payload`` as indented UTF-8 JSON."""
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


__all__ = ["command_settings", "echo_json"]
