"""One classification of transient failures, on the real exception types of each library."""
from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap

import httpx
import httpx2
import pytest
import sqlalchemy as sa
from google.genai import errors as genai_errors
from resend import exceptions as resend_errors

# The integrations register the rules for their SDKs' errors when imported, as the app imports them.
from insighta_desktop.integrations import gemini, resend_mail  # noqa: F401
from insighta_desktop.resilience import is_daily_quota, is_transient, parse_retry_after, retry_after_seconds


def gemini_error(code: int, status: str, details: list | None = None, headers: dict | None = None):
    body = {"error": {"code": code, "message": f"{status} happened", "status": status, "details": details or []}}
    response = httpx.Response(code, headers=headers or {}, json=body,
                              request=httpx.Request("POST", "http://127.0.0.1/v1beta/models/m:generateContent"))
    with pytest.raises(genai_errors.APIError) as caught:
        genai_errors.APIError.raise_error(code, body, response)
    return caught.value


def resend_error(code: int, kind: str, headers: dict | None = None):
    with pytest.raises(resend_errors.ResendError) as caught:
        resend_errors.raise_for_code_and_type(code=code, error_type=kind, message=kind, headers=headers)
    return caught.value


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
def test_transient_status_codes(code):
    assert is_transient(gemini_error(code, "UNAVAILABLE"))
    response = httpx.Response(code, request=httpx.Request("GET", "http://x"))
    assert is_transient(httpx.HTTPStatusError("x", request=response.request, response=response))


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422, 501])
def test_permanent_status_codes(code):
    assert not is_transient(gemini_error(code, "INVALID_ARGUMENT"))
    response = httpx.Response(code, request=httpx.Request("GET", "http://x"))
    assert not is_transient(httpx.HTTPStatusError("x", request=response.request, response=response))


@pytest.mark.parametrize("mod", [httpx, httpx2])
def test_network_failures_of_both_httpx_flavours_are_transient(mod):
    request = mod.Request("GET", "http://127.0.0.1:9")
    for exc in (mod.ConnectError("refused", request=request), mod.ReadTimeout("slow", request=request),
                mod.ReadError("reset", request=request),
                mod.RemoteProtocolError("Server disconnected", request=request)):
        assert is_transient(exc), exc
    assert not is_transient(mod.UnsupportedProtocol("ftp", request=request))


def test_gemini_daily_quota_is_not_transient_but_a_per_minute_one_is():
    per_day = [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
        {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
         "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]
    per_minute = [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
        {"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}]
    daily = gemini_error(429, "RESOURCE_EXHAUSTED", per_day)
    minute = gemini_error(429, "RESOURCE_EXHAUSTED", per_minute)
    assert is_daily_quota(daily) and not is_transient(daily)
    assert not is_daily_quota(minute) and is_transient(minute)
    assert retry_after_seconds(minute) == 17.0


def test_gemini_retry_after_header_is_read_from_the_response():
    exc = gemini_error(503, "UNAVAILABLE", headers={"Retry-After": "4"})
    assert retry_after_seconds(exc) == 4.0


def test_resend_rate_limit_kinds():
    assert is_transient(resend_error(429, "rate_limit_exceeded", {"retry-after": "2"}))
    assert retry_after_seconds(resend_error(429, "rate_limit_exceeded", {"retry-after": "2"})) == 2.0
    assert not is_transient(resend_error(429, "daily_quota_exceeded"))
    assert not is_transient(resend_error(429, "monthly_quota_exceeded"))


def test_resend_server_errors_are_transient_client_errors_are_not():
    assert is_transient(resend_error(500, "application_error"))
    assert is_transient(resend_error(503, "service_unavailable"))
    assert is_transient(resend_errors.ResendError(500, "HttpClientError", "Request failed: reset", ""))
    assert not is_transient(resend_error(400, "validation_error"))
    assert not is_transient(resend_error(422, "missing_required_field"))
    assert not is_transient(resend_error(401, "missing_api_key"))
    assert not is_transient(resend_error(403, "invalid_api_key"))


def test_database_connection_loss_is_transient_and_programming_errors_are_not(tmp_path):
    refused = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2")
    with pytest.raises(sa.exc.OperationalError) as caught:
        refused.connect()
    assert is_transient(caught.value)
    lite = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with lite.connect() as conn, pytest.raises(sa.exc.OperationalError) as missing:
        conn.execute(sa.text("SELECT * FROM no_such_table"))
    assert not is_transient(missing.value)
    with lite.connect() as conn, pytest.raises(sa.exc.DBAPIError) as syntax:
        conn.execute(sa.text("SELEKT 1"))
    assert not is_transient(syntax.value)
    assert is_transient(sqlite3.OperationalError("database is locked"))


def test_postgres_programming_error_is_not_transient(pg_server_url):
    engine = sa.create_engine(pg_server_url)
    try:
        with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as caught:
            conn.execute(sa.text("SELECT * FROM definitely_missing_table"))
        assert not is_transient(caught.value)
    finally:
        engine.dispose()


def test_never_transient_kinds():
    assert not is_transient(asyncio.CancelledError())
    assert not is_transient(KeyboardInterrupt())
    assert not is_transient(ValueError("validation"))
    assert not is_transient(TypeError("programming"))
    assert is_transient(ConnectionResetError("reset"))
    assert is_transient(TimeoutError())


def test_parse_retry_after_seconds_and_dates():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_classifying_a_database_error_loads_no_ai_sdk():
    """The import's writer thread classifies database errors: that must not load google-genai or resend (2 s)."""
    script = textwrap.dedent("""
        import sqlite3, sys
        import sqlalchemy.exc
        import insighta_desktop.integrations.gemini, insighta_desktop.integrations.resend_mail
        from insighta_desktop.resilience import is_transient

        locked = sqlalchemy.exc.OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))
        duplicate = sqlalchemy.exc.IntegrityError("INSERT …", {}, sqlite3.IntegrityError("UNIQUE failed"))
        assert is_transient(locked) and not is_transient(duplicate) and is_transient(ConnectionResetError())
        print(sorted(m for m in sys.modules if m.startswith(("google.genai", "resend"))))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("what", "transient"), [
    ("user=insighta_no_such_role dbname=test", False),  # the server answered FATAL: stays wrong
    ("user=postgres dbname=insighta_no_such_database", False),
    ("user=postgres dbname=test host=no-such-host.invalid", False),  # the name does not exist
])
def test_a_connection_the_server_or_the_name_refuses_is_permanent(pg_server_url, what, transient):
    import psycopg

    url = sa.engine.make_url(pg_server_url)
    dsn = f"host={url.host} port={url.port or 5432} connect_timeout=3 {what}"
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(dsn).close()
    assert is_transient(caught.value) is transient
    assert is_transient(sa.exc.OperationalError("connect", {}, caught.value)) is transient


def test_a_server_that_refuses_for_now_is_transient():
    import psycopg

    for text in ('connection failed: connection to server at "db", port 5432 failed: FATAL:  the database system '
                 "is starting up", "connection failed: FATAL:  sorry, too many clients already",
                 'connection failed: connection to server at "db", port 5432 failed: Connection refused',
                 "failed to resolve host 'db.example.com': [Errno -3] Temporary failure in name resolution"):
        assert is_transient(psycopg.OperationalError(text)), text
