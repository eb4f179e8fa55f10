"""The self-test's checks on a temporary embedded database from source (the packaged run is in tests/packaging)."""
from __future__ import annotations

import keyring.backends.fail

from insighta_desktop.config import AppPaths, CredentialStore
from insighta_desktop.context import open_context
from insighta_desktop.selftest import FAIL, PASS, SKIP, NotAvailable, core_checks, run_check, verdict


def test_every_core_check_passes_on_a_fresh_embedded_database(tmp_path):
    paths = AppPaths.under(tmp_path / "home").ensure()
    ctx = open_context(f"sqlite:///{(paths.data_dir / 'self-test.db').as_posix()}", paths=paths,
                       credentials=CredentialStore(keyring.backends.fail.Keyring()))
    try:
        results = [run_check(name, check) for name, check in core_checks(ctx, tmp_path)]
    finally:
        ctx.close()
    assert [(r.name, r.status) for r in results] == [
        ("demo data", PASS), ("search", PASS), ("csv import", PASS), ("transcript", PASS), ("review pack", PASS),
        ("keyring", PASS)], [r.line() for r in results]
    by_name = {r.name: r.detail for r in results}
    assert "2 inserted, 2 skipped (duplicate_name 1, invalid_age 1)" in by_name["csv import"]
    assert by_name["keyring"] == "fail Keyring (session only)"
    assert verdict(results) == (0, "Self-test passed: 6 checks")


def test_a_failing_check_is_named_and_a_missing_feature_is_skipped():
    def broken() -> str:
        raise ValueError("no rows")

    def absent() -> str:
        raise NotAvailable("not in this build")

    results = [run_check("search", broken), run_check("csv import", absent), run_check("keyring", lambda: "ok")]
    assert [r.status for r in results] == [FAIL, SKIP, PASS]
    assert results[0].line().startswith("FAIL  search        ValueError: no rows")
    assert verdict(results) == (1, "Self-test FAILED: search")
    assert verdict(results[1:]) == (0, "Self-test passed: 1 check, 1 skipped (csv import)")
