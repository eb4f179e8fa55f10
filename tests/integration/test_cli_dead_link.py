"""`insighta search` against a database it cannot reach (issue 11 §3): one clear line on stderr, no traceback,
whether nothing listens, the host never answers, or the link drops in the middle of a command."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from insighta_desktop.cli import main
from insighta_desktop.cli.common import database_failure
from insighta_desktop.db.engine import create_engine_for
from tests.latency_proxy import LatencyProxy


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def test_nothing_listening_is_one_line(isolated_home, closed_port, capsys):
    code = main(["search", "women", "--db", f"postgresql://postgres:s3cret@127.0.0.1:{closed_port}/test"])
    line = one_line(capsys.readouterr().err)
    assert code == 2 and line.startswith("insighta: cannot open postgresql") and "Connection refused" in line
    assert "s3cret" not in line


def test_a_host_that_never_answers_is_one_line(isolated_home, pg_server_url, capsys):
    server = make_url(pg_server_url)
    with LatencyProxy(server.host or "127.0.0.1", server.port or 5432, answer=False) as hanging:
        code = main(["search", "women", "--db",
                     f"postgresql://postgres@127.0.0.1:{hanging.port}/test?connect_timeout=1"])
    line = one_line(capsys.readouterr().err)
    assert code == 2 and "timeout" in line.lower()


def test_a_link_that_drops_mid_command_is_one_line(pg_server_url):
    server = make_url(pg_server_url)
    with LatencyProxy(server.host or "127.0.0.1", server.port or 5432, rtt_ms=2) as link:
        url = server.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
        engine = create_engine_for(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("select 1")
            link.stop()
            with pytest.raises(sa.exc.OperationalError) as caught:
                conn.exec_driver_sql("select 1")
        engine.dispose()
    line = database_failure(caught.value, url)
    assert line is not None and line.startswith("the database connection failed: ")
    assert "\n" not in line and "sqlalche.me" not in line and "select 1" not in line
