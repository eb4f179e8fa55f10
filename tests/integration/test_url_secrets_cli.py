"""A password given in a URL's query (`?password=`, `&sslpassword=`) never reaches stdout, stderr or the log."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy.engine import make_url

SECRET = "Qp-9f1d-s3cret"
SSL_SECRET = "Ssl-77ab-s3cret"


def _run(tmp_path, *argv: str) -> tuple[subprocess.CompletedProcess[str], str]:
    home = tmp_path / "home"
    env = {**os.environ, "INSIGHTA_HOME": str(home)}
    env.pop("INSIGHTA_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", "import sys; from insighta_desktop.cli import main; "
                             "sys.exit(main())", *argv], capture_output=True, text=True, env=env, timeout=120)
    logs = "".join(p.read_text(encoding="utf-8") for p in home.rglob("*.log*"))
    return result, logs


def test_db_status_with_a_query_password_shows_it_nowhere(pg_url, tmp_path):
    url = make_url(pg_url).update_query_dict({"password": SECRET, "sslpassword": SSL_SECRET})
    result, logs = _run(tmp_path, "--db", url.render_as_string(hide_password=False), "--verbose", "db", "status")
    assert result.returncode == 0, result.stderr
    assert "password=***" in result.stdout and "sslpassword=***" in result.stdout
    assert "Using database" in logs  # the log really was written
    for text in (result.stdout, result.stderr, logs):
        assert SECRET not in text and SSL_SECRET not in text


def test_a_failed_connection_error_does_not_quote_the_password(tmp_path):
    url = f"postgresql://reader:{SECRET}@127.0.0.1:1/insighta?password={SECRET}&connect_timeout=2"
    result, logs = _run(tmp_path, "--db", url, "db", "status")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot open postgresql://reader:***@127.0.0.1:1/insighta?password=***" in result.stderr
    for text in (result.stdout, result.stderr, logs):
        assert SECRET not in text


def test_an_unparseable_url_is_not_echoed(tmp_path):
    result, _ = _run(tmp_path, "--db", f"postgresql://reader:{SECRET}@db:notaport/x?password={SECRET}", "db",
                     "status")
    assert result.returncode != 0 and SECRET not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
