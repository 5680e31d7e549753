"""``twosource settings``: the effective settings as TOML (or JSON), each field with its
description and where its value came from — default, the data directory's ``twosource.toml``,
a ``TWOSOURCE_*`` environment variable, or the command line."""

from __future__ import annotations

import json
import os
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from index.settings import SETTINGS_FILE, Settings

from .clikit import command_settings, echo_json

DEFAULT = "default"
FILE = "file"
ENVIRONMENT = "environment"
COMMAND_LINE = "command line"
ENV_PREFIX = "TWOSOURCE_"


def _flatten(tree: dict, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in tree.items():
        path = (*prefix, str(key).lower())
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


def _from_environment(environ: dict[str, str]) -> dict[tuple[str, ...], str]:
    """Setting paths named by ``TWOSOURCE_*`` variables (nested with ``__``; a group may also be
    given whole as JSON), with the variable's name."""
    found: dict[tuple[str, ...], str] = {}
    for name, raw in environ.items():
        if not name.upper().startswith(ENV_PREFIX):
            continue
        path = tuple(name[len(ENV_PREFIX) :].lower().split("__"))
        found[path] = name
        if len(path) == 1:
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.update({p: name for p in _flatten(value, path)})
    return found


def settings_sources(
    settings: Settings,
    cli_overrides: dict | None = None,
    environ: dict[str, str] | None = None,
    data_dir_source: str | None = None,
) -> dict[str, tuple[Any, str, str]]:
    """Every field of ``settings`` as ``"group.field" → (value, source, description)``.

    Args:
        settings: the effective settings.
        cli_overrides: the nested overrides given on the command line.
        environ: the environment (default ``os.environ``).
        data_dir_source: where the data directory came from, if known.

    Returns:
        Fields in declaration order; ``source`` is one of default / file / environment /
        command line, with the file's path or the variable's name.
    """
    environ = dict(os.environ if environ is None else environ)
    toml_path = Path(settings.data_dir) / SETTINGS_FILE
    in_file: dict[tuple[str, ...], Any] = {}
    if toml_path.is_file():
        in_file = _flatten(tomllib.loads(toml_path.read_text(encoding="utf-8")))
    in_env = _from_environment(environ)
    on_cli = _flatten(cli_overrides or {})

    def source(path: tuple[str, ...]) -> str:
        if path in on_cli:
            return COMMAND_LINE
        if path in in_env:
            return f"{ENVIRONMENT} {in_env[path]}"
        if path in in_file:
            return f"{FILE} {toml_path}"
        return DEFAULT

    out: dict[str, tuple[Any, str, str]] = {}
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            for sub, subfield in type(value).model_fields.items():
                out[f"{name}.{sub}"] = (
                    getattr(value, sub),
                    source((name, sub)),
                    subfield.description or "",
                )
        else:
            where = source((name,))
            if name == "data_dir" and data_dir_source:
                where = data_dir_source
            out[name] = (value, where, field.description or "")
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def settings_toml(fields: dict[str, tuple[Any, str, str]], width: int = 100) -> str:
    """The fields as a TOML document: a ``#`` comment with each description, and the source
    after each value. Unset optional values are shown commented out."""
    lines = [
        "# Effective TwoSource settings. Precedence: command line > environment (TWOSOURCE_*,",
        f"# nested with __) > {SETTINGS_FILE} in the data directory > default.",
    ]
    group = ""
    # TOML wants top-level keys before the first table.
    ordered = sorted(fields.items(), key=lambda item: "." in item[0])
    for key, (value, where, description) in ordered:
        head, _, name = key.rpartition(".")
        if head != group:
            group = head
            lines += ["", f"[{head}]"]
        else:
            lines.append("")
        lines += textwrap.wrap(description, width - 2, initial_indent="# ", subsequent_indent="# ")
        if value is None:
            lines.append(f"# {name} is not set  # {where}")
        else:
            lines.append(f"{name} = {_toml_value(value)}  # {where}")
    return "\n".join(lines) + "\n"


def _data_dir_source(ctx: click.Context) -> str:
    root = ctx.find_root()
    given = root.get_parameter_source("data")
    if given is click.core.ParameterSource.COMMANDLINE:
        return COMMAND_LINE
    if given is click.core.ParameterSource.ENVIRONMENT:
        return f"{ENVIRONMENT} TWOSOURCE_DATA_DIR"
    return DEFAULT


@click.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print value, source and description.")
@click.pass_context
def settings_command(ctx: click.Context, as_json: bool) -> None:
    """Show the effective settings, each with its description and where it came from."""
    settings = command_settings(ctx)
    fields = settings_sources(
        settings,
        (ctx.obj or {}).get("overrides", {}),
        data_dir_source=_data_dir_source(ctx),
    )
    if as_json:
        echo_json(
            {
                key: {
                    "value": str(value) if isinstance(value, Path) else value,
                    "source": where,
                    "description": description,
                }
                for key, (value, where, description) in fields.items()
            }
        )
        return
    click.echo(settings_toml(fields), nl=False)


__all__ = ["settings_command", "settings_sources", "settings_toml"]
