"""Nothing outside insighta_desktop/ui imports Qt: the CLI, the services and the benchmarks run headless."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from insighta_desktop.db.schema import SCHEMA_VERSION


def test_every_module_outside_ui_imports_without_pyside6():
    script = textwrap.dedent("""
        import importlib, importlib.abc, pkgutil, sys

        class NoQt(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "PySide6" or name.startswith(("PySide6.", "shiboken6", "qasync")):
                    raise ImportError(f"{name} is not importable in this test")
                return None

        sys.meta_path.insert(0, NoQt())
        import insighta_desktop
        failures, imported = [], 0
        for mod in pkgutil.walk_packages(insighta_desktop.__path__, "insighta_desktop."):
            if mod.name.startswith("insighta_desktop.ui") or mod.name == "insighta_desktop.__main__":
                continue
            try:
                importlib.import_module(mod.name)
                imported += 1
            except ImportError as exc:
                failures.append(f"{mod.name}: {exc}")
        print(imported)
        print("\\n".join(failures))
        sys.exit(1 if failures else 0)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.split()[0]) >= 10  # the walk really imported the core, not an empty list


def test_the_cli_runs_without_qt(tmp_path):
    env = {"INSIGHTA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['PySide6'] = None; "
                               "from insighta_desktop.cli import main; sys.exit(main(['db', 'status', '--json']))"],
        capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f'"schema_version": {SCHEMA_VERSION}' in result.stdout


# -- the storage boundary ------------------------------------------------------------------------------------------
# Nothing outside insighta_desktop/db/ imports a database driver, reaches a driver connection or builds SQL: the
# services call the stores in db/ with dataclasses. packs/ is set aside: a review pack *is* an SQLite file, which
# packs/ writes and opens itself (see DESIGN.md).
#
# What the check sees, and its limits: it reads every module's syntax tree (nothing is imported or run).
# - a driver: `import sqlite3`, `import psycopg…` (and from-imports of them);
# - SQL through SQLAlchemy: importing `sqlalchemy` itself or anything from it but the `engine` types (Engine,
#   Connection, URL) and `exc`, and importing the tables of db.schema (a table object builds statements);
# - a driver connection: the names exec_driver_sql, driver_connection, raw_connection, psycopg_connection,
#   sqlite_connection, dbapi_connection;
# - SQL text: a string literal (f-string parts included) holding SELECT … FROM, INSERT INTO, UPDATE … SET,
#   DELETE FROM, CREATE/DROP/ALTER TABLE|INDEX|TRIGGER|SCHEMA|DATABASE, in upper case. Lower-case SQL, SQL built
#   from fragments too short to match, or SQL read from a file would pass unseen; a reviewer still reads the code.
import ast  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import insighta_desktop  # noqa: E402

PACKAGE = Path(insighta_desktop.__file__).parent
BOUNDARY_EXEMPT = ("db", "packs")
DRIVERS = ("sqlite3", "psycopg", "psycopg2", "psycopg_pool", "pysqlite2", "asyncpg")
SQLALCHEMY_ALLOWED = ("sqlalchemy.engine", "sqlalchemy.exc")
DRIVER_NAMES = {"exec_driver_sql", "driver_connection", "raw_connection", "psycopg_connection", "sqlite_connection",
                "dbapi_connection"}
SQL_TEXT = re.compile(r"\bSELECT\b[\s\S]+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
                      r"|\b(CREATE|DROP|ALTER)\s+(TEMP\s+|UNIQUE\s+)?(TABLE|INDEX|TRIGGER|SCHEMA|DATABASE)\b")
# Modules that still hold SQL of their own, each to move into a store of db/ (issue 11 §1): an empty list is the goal.
NOT_YET_BEHIND_A_STORE: dict[str, str] = {}


def _boundary_findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []

    def imported(module: str, line: int) -> None:
        root = module.split(".")[0]
        if root in DRIVERS:
            found.append(f"line {line}: imports the driver {module}")
        elif root == "sqlalchemy" and not module.startswith(SQLALCHEMY_ALLOWED):
            found.append(f"line {line}: imports {module} (SQL construction)")
        elif module == "insighta_desktop.db.schema":
            found.append(f"line {line}: imports the schema's tables")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sqlalchemy":
                names = [a.name for a in node.names if a.name not in ("engine", "exc")]
                if names:
                    found.append(f"line {node.lineno}: imports {', '.join(names)} from sqlalchemy")
            elif node.module == "insighta_desktop.db.schema":
                names = [a.name for a in node.names if a.name != "SCHEMA_VERSION"]
                if names:
                    found.append(f"line {node.lineno}: imports {', '.join(names)} from db.schema")
            else:
                imported(node.module, node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in DRIVER_NAMES:
            found.append(f"line {node.lineno}: uses .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in DRIVER_NAMES:
            found.append(f"line {node.lineno}: uses {node.id}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
            found.append(f"line {node.lineno}: SQL text {node.value[:60]!r}")
    return found


def _modules_outside_db() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py"))
            if path.relative_to(PACKAGE).parts[0] not in BOUNDARY_EXEMPT]


def test_no_module_outside_db_imports_a_driver_or_builds_sql():
    problems = {}
    for path in _modules_outside_db():
        relative = path.relative_to(PACKAGE).as_posix()
        findings = _boundary_findings(path)
        if findings and relative not in NOT_YET_BEHIND_A_STORE:
            problems[relative] = findings
    assert not problems, "\n".join(f"{module}: {'; '.join(found)}" for module, found in problems.items())


def test_the_modules_waiting_for_a_store_still_need_the_exemption():
    # An exemption that is no longer needed is removed, so the list only shrinks.
    stale = [module for module in NOT_YET_BEHIND_A_STORE if not _boundary_findings(PACKAGE / module)]
    assert not stale, f"no SQL left in {stale}: take them off NOT_YET_BEHIND_A_STORE"


def test_the_boundary_check_sees_what_it_claims_to(tmp_path):
    # The check itself, on snippets of each kind (so a regex or AST change cannot quietly blind it).
    cases = {
        "import sqlite3\n": "driver",
        "from psycopg import sql\n": "driver",
        "import sqlalchemy as sa\n": "SQL construction",
        "from sqlalchemy import select\n": "from sqlalchemy",
        "from insighta_desktop.db.schema import profiles\n": "db.schema",
        "def f(conn):\n    return conn.exec_driver_sql('x')\n": "exec_driver_sql",
        "Q = 'SELECT name FROM profiles'\n": "SQL text",
        "def f(t):\n    return f'DELETE FROM {t}'\n": "SQL text",
        "Q = '''UPDATE profiles\n SET age = 1'''\n": "SQL text",
    }
    for source, expected in cases.items():
        path = tmp_path / "snippet.py"
        path.write_text(source, encoding="utf-8")
        findings = _boundary_findings(path)
        assert any(expected in f for f in findings), (source, findings)
    clean = tmp_path / "clean.py"
    clean.write_text("from sqlalchemy.engine import Engine\nTEXT = 'Select the rows you want from the list'\n",
                     encoding="utf-8")
    assert _boundary_findings(clean) == []
