"""`insighta-desktop --self-test`: the checks that need no Qt, each reported as one line.

The packaged app runs these on a throwaway embedded database to prove that what was frozen works: the schema,
the demo data, the search, the CSV import, the transcript, a review pack, and the keychain backend.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from insighta_desktop.config import CredentialStore
from insighta_desktop.context import AppContext

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
SEARCH_QUERY = "adult women from Nigeria"
SAMPLE_CSV = (
    "name,gender,age,country_id,gender_probability,country_probability\n"
    "Self Test Amara,female,28,SN,0.95,0.87\n"
    "Self Test Kwame,male,34,GH,0.92,0.78\n"
    "Self Test Zainab,female,-4,NG,0.90,0.80\n"  # rejected: invalid_age
    "self test amara,female,29,SN,0.90,0.80\n"  # rejected: duplicate_name
)


class CheckFailed(Exception):
    """A check ran and found something wrong; the message says what."""


class NotAvailable(Exception):
    """The feature a check exercises is not part of this build."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # PASS | FAIL | SKIP
    detail: str
    seconds: float

    def line(self) -> str:
        return f"{self.status}  {self.name:<13} {self.detail}  ({self.seconds:.2f} s)"


def run_check(name: str, check: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail, status = check(), PASS
    except NotAvailable as exc:
        detail, status = str(exc), SKIP
    except Exception as exc:  # a self-test reports every failure as a line, whatever its kind
        detail, status = f"{type(exc).__name__}: {exc}", FAIL
    return CheckResult(name, status, detail, time.perf_counter() - started)


def check_demo_data(ctx: AppContext) -> str:
    from insighta_desktop.db.engine import check_connection
    from insighta_desktop.demo.loader import load_demo_data

    added = load_demo_data(ctx.engine)
    if not added["profiles"] or not added["interviews"]:
        raise CheckFailed(f"the demo set did not load: {added}")
    return (f"{check_connection(ctx.engine)}: loaded {added['profiles']:,} profiles and {added['interviews']} "
            "interviews into a temporary database")


def check_search(ctx: AppContext) -> str:
    try:
        from insighta_desktop.profiles.search import ProfileSearch
    except ModuleNotFoundError as exc:
        if exc.name != "insighta_desktop.profiles.search":
            raise
        from insighta_desktop.profiles.browse import browse_profiles

        page = browse_profiles(ctx.engine, limit=10)
        if not page.rows:
            raise CheckFailed("browsing found no profiles") from None
        return f"browse: {len(page.rows)} of {page.total:,} profiles (the search service is not in this build)"
    result = ProfileSearch(ctx.engine).search_text(SEARCH_QUERY)
    if not result.rows:
        raise CheckFailed(f"{SEARCH_QUERY!r} found nothing in the demo data")
    wrong = [p.name for p in result.rows if (p.gender, p.country_id, p.age_group) != ("female", "NG", "adult")]
    if wrong:
        raise CheckFailed(f"{SEARCH_QUERY!r} returned profiles that do not match: {', '.join(wrong[:3])}")
    return (f"{SEARCH_QUERY!r}: {result.total_label} matches, "
            f"first page of {len(result.rows)} in {result.elapsed_ms:.0f} ms")


def check_import(ctx: AppContext, workdir: Path) -> str:
    try:
        from insighta_desktop.ingest.pipeline import Importer, ImportOptions
    except ModuleNotFoundError as exc:
        if exc.name not in ("insighta_desktop.ingest.pipeline", "insighta_desktop.ingest"):
            raise
        raise NotAvailable("the CSV import pipeline is not in this build yet") from None
    csv_path = workdir / "self-test.csv"
    csv_path.write_text(SAMPLE_CSV, encoding="utf-8")
    summary = Importer(ctx.engine).run(csv_path, ImportOptions(rejects_path=workdir / "self-test.rejects.csv"))
    expected = (summary.status, summary.total_rows, summary.inserted, summary.skipped)
    if expected != ("success", 4, 2, 2):
        raise CheckFailed(f"expected success with 4 rows, 2 inserted, 2 skipped; got {summary.to_dict()}")
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(summary.reasons.items()) if v)
    return f"{csv_path.name}: {summary.inserted} inserted, {summary.skipped} skipped ({reasons})"


def check_transcript(ctx: AppContext) -> str:
    import asyncio

    from insighta_desktop.interviews import repository
    from insighta_desktop.interviews.transcript import get_transcript_export

    for summary in repository.list_interviews(ctx.engine):
        export = asyncio.run(get_transcript_export(ctx.engine, summary.id, "txt"))
        lines = [line for line in export.text.splitlines() if line.startswith("[")]
        if lines:
            return f"{summary.candidate_name}: {len(lines)} turns from {export.source}, e.g. {lines[0][:48]}…"
    raise CheckFailed("no interview has a transcript to render")


def check_review_pack(ctx: AppContext, workdir: Path) -> str:
    import asyncio

    from insighta_desktop.interviews import repository
    from insighta_desktop.packs import SigningIdentity, export_pack, open_pack
    from insighta_desktop.packs.offline import PackInterviewServices

    ids = [s.id for s in repository.list_interviews(ctx.engine)][:3]
    path = workdir / "self-test.insighta-pack"
    passphrase = "self-test passphrase"  # a throwaway key too: the self-test leaves nothing in the keychain
    export_pack(ctx.engine, ids, path, passphrase=passphrase, signer=SigningIdentity.ephemeral("self-test"))
    services = PackInterviewServices(open_pack(path, passphrase))
    try:
        answer = asyncio.run(services.chat.ask(ids[0], "What did the candidate say about their recent work?"))
    finally:
        asyncio.run(services.aclose())
    if answer.source != "local":
        raise CheckFailed(f"the pack's chat answered from {answer.source}, not offline")
    return (f"exported {len(ids)} interviews ({path.stat().st_size / 1024:.0f} KiB, encrypted and signed), "
            "reopened read-only, chat offline")


def check_keyring(credentials: CredentialStore) -> str:
    kind = "persistent" if credentials.persistent else "session only"
    return f"{credentials.backend_name} ({kind})"


def core_checks(ctx: AppContext, workdir: Path) -> list[tuple[str, Callable[[], str]]]:
    """The checks in order; later ones rely on the demo data the first one loads."""
    return [
        ("demo data", lambda: check_demo_data(ctx)),
        ("search", lambda: check_search(ctx)),
        ("csv import", lambda: check_import(ctx, workdir)),
        ("transcript", lambda: check_transcript(ctx)),
        ("review pack", lambda: check_review_pack(ctx, workdir)),
        ("keyring", lambda: check_keyring(ctx.credentials)),
    ]


def verdict(results: list[CheckResult]) -> tuple[int, str]:
    failed = [r.name for r in results if r.status == FAIL]
    skipped = [r.name for r in results if r.status == SKIP]
    if failed:
        return 1, f"Self-test FAILED: {', '.join(failed)}"
    note = f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else ""
    passed = len(results) - len(skipped)
    return 0, f"Self-test passed: {passed} check{'s' if passed != 1 else ''}{note}"
