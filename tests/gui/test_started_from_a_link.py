"""insighta-desktop started by the desktop with an insighta:// link: the window opens at that search, one log line
says so."""
from __future__ import annotations

import os
import subprocess
import sys

from insighta_desktop.config import AppPaths
from insighta_desktop.ui.shared.startup_probe import PROBE_ENV, PROBE_PREFIX


def test_the_app_started_from_a_link_opens_its_window_and_logs_one_line(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INSIGHTA_HOME": str(tmp_path), PROBE_ENV: "1"}
    result = subprocess.run([sys.executable, "-m", "insighta_desktop", "--no-demo", "insighta://search?q=women"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert any(line.startswith(PROBE_PREFIX) for line in result.stdout.splitlines()), result.stdout
    log = (AppPaths.under(tmp_path).log_dir / "insighta.log").read_text(encoding="utf-8")
    lines = [line for line in log.splitlines() if "insighta://search?q=women" in line]
    assert len(lines) == 1 and "Started from the link" in lines[0], lines  # the link opens its search
    assert "Traceback" not in result.stderr
