"""`insighta import` loads what importing needs: not the other command groups, not the keychain for a given --db."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from insighta_desktop.cli import COMMAND_GROUPS, chosen_command

pytestmark = pytest.mark.usefixtures("isolated_home")  # tests/integration/conftest.py

PROBE = """
import json, sys
from insighta_desktop.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.startswith(("insighta_desktop.cli.",
                  "keyring", "PySide6", "google", "httpx")))}))
"""


@pytest.mark.parametrize(("argv", "chosen"), [
    (["import", "f.csv"], "import"),
    (["--db", "sqlite:///x.db", "-v", "import", "f.csv"], "import"),
    (["--db", "search", "import"], "import"),  # an option's value is not the command
    (["--help"], None),
    (["--version", "import"], None),
    ([], None),
    (["no-such-command"], None),
])
def test_the_command_named_on_the_line(argv, chosen):
    assert chosen_command(argv) == chosen


def test_import_loads_neither_other_commands_nor_the_keychain(sqlite_url, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,gender,age,country_id\nAda Obi,female,30,NG\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", PROBE, "--db", sqlite_url, "import", str(path)],
                            capture_output=True, text=True, timeout=120, check=True)
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["code"] == 0
    loaded = set(probe["modules"])
    others = {module for command, module in COMMAND_GROUPS.items() if command != "import"}
    assert "insighta_desktop.cli.importer" in loaded
    assert not loaded & others, loaded & others
    assert not [m for m in loaded if m.startswith(("keyring", "PySide6", "google", "httpx"))], loaded


def test_help_still_lists_every_command(capsys):
    from insighta_desktop.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in COMMAND_GROUPS)
