"""The command line of an import run in a child process: the `insighta import` command itself, given the import's
options as JSON so that every option the GUI chose (and any option added to ImportOptions later) reaches the child
without a flag of its own being added here.

From source or an installed package the child is ``python -m insighta_desktop.cli``; in the PyInstaller bundle
`sys.executable` is the desktop app, and the bundle's second program, ``insighta``, sits beside it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from insighta_desktop.ingest.pipeline import ImportOptions

PROGRESS_JSON_FLAG = "--progress-json"
OPTIONS_JSON_FLAG = "--options-json"


def options_to_json(options: ImportOptions) -> str:
    data: dict[str, Any] = {}
    for field in dataclasses.fields(options):
        value = getattr(options, field.name)
        if isinstance(value, Path):
            value = str(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):  # FileFormat
            value = dataclasses.asdict(value)
        data[field.name] = value
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def options_from_json(text: str, base: ImportOptions | None = None) -> ImportOptions:
    """The options a parent sent; fields this version does not know are refused (a parent and child of different
    versions would otherwise import differently than shown)."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("import options must be a JSON object")
    base = base or ImportOptions()
    known = {field.name: field for field in dataclasses.fields(base)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"unknown import options: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        current = getattr(base, name)
        if value is not None and ("Path" in str(known[name].type) or isinstance(current, Path)):
            value = Path(value)
        elif isinstance(value, dict) and dataclasses.is_dataclass(current) and not isinstance(current, type):
            value = type(current)(**value)  # a nested option such as the file format
        elif isinstance(value, list) and isinstance(current, tuple):
            value = tuple(value)
        elif isinstance(value, dict) and dataclasses.is_dataclass(current) and not isinstance(current, type):
            value = type(current)(**value)
        values[name] = value
    return dataclasses.replace(base, **values)


def cli_program(frozen: bool | None = None, executable: str | None = None) -> list[str]:
    """The program and leading arguments that run the `insighta` command line."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    executable = executable or sys.executable
    if frozen:
        name = "insighta.exe" if executable.lower().endswith(".exe") else "insighta"
        return [str(Path(executable).with_name(name))]
    return [executable, "-m", "insighta_desktop.cli"]


def import_command(path: Path, options: ImportOptions, *, frozen: bool | None = None,
                   executable: str | None = None) -> list[str]:
    return [*cli_program(frozen, executable), "import", str(path), PROGRESS_JSON_FLAG,
            OPTIONS_JSON_FLAG, options_to_json(options)]


def child_environment(database_url: str, home: Path | None = None,
                      base: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment, with the database it uses (as an environment variable, not an argument another
    user's `ps` could read) and its home folder when it has one of its own."""
    from insighta_desktop.config import HOME_ENV
    from insighta_desktop.context import DATABASE_URL_ENV

    env = dict(os.environ if base is None else base)
    env[DATABASE_URL_ENV] = database_url
    if home is not None:
        env[HOME_ENV] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env
