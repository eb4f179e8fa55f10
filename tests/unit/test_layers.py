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
