"""`insighta interviews sync-meetmind [URL] [--json]`: copy new and changed interviews from a MeetMind database.

The URL is read-only to the app; it is shown with its password masked. Without URL: $INSIGHTA_MEETMIND_URL, then
the URL saved in Settings (its password from the keychain).
"""
from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from insighta_desktop.cli.common import open_cli_context
from insighta_desktop.context import resolve_meetmind_url
from insighta_desktop.db.engine import DatabaseUrlError, mask_url
from insighta_desktop.db.meetmind import MeetMindSchemaError
from insighta_desktop.db.synced_interviews import MeetMindCopy
from insighta_desktop.db.url_secrets import mask_secrets_in_text, redact_secrets
from insighta_desktop.interviews.meetmind_sync import SyncProgress, SyncReport, describe_source, sync_meetmind
from insighta_desktop.interviews.services import retry_notice
from insighta_desktop.resilience import RetryEvent


def add_parser(sub: Any, common: Any) -> None:
    p = sub.add_parser("sync-meetmind", help="copy new and changed interviews from a MeetMind database",
                       parents=[common])
    p.add_argument("url", nargs="?", metavar="URL",
                   help="MeetMind's PostgreSQL URL (default: $INSIGHTA_MEETMIND_URL, then the one in Settings)")
    p.add_argument("--json", action="store_true", help='print {"new", "updated", "unchanged", "interviews"}')
    p.set_defaults(func=run_sync)


def run_sync(args: Any) -> int:
    from insighta_desktop.cli import CliError

    ctx = open_cli_context(args)
    try:
        url = resolve_meetmind_url(args.url, ctx.settings, ctx.credentials)
        if not url:
            raise CliError("no MeetMind database: give its URL (postgresql://user:password@host/db), "
                           "set INSIGHTA_MEETMIND_URL or save it in Settings")
        try:
            report = asyncio.run(sync_meetmind(ctx.engine, url, on_progress=_progress, on_retry=_retry))
        except (DatabaseUrlError, MeetMindSchemaError) as exc:
            raise CliError(str(exc)) from None
        except Exception as exc:
            if type(exc).__module__.startswith(("sqlalchemy", "psycopg")):
                reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
                reason = mask_secrets_in_text(redact_secrets(reason, url))
                raise CliError(f"cannot sync from MeetMind at {mask_url(url)}: {reason}", exit_code=1) from None
            raise
    finally:
        ctx.close()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_report(report, mask_url(url))
    return 0


def _progress(progress: SyncProgress) -> None:
    if sys.stderr.isatty() and progress.stage == "copying":
        print(f"\r{progress.message}", end="", file=sys.stderr, flush=True)


def _retry(event: RetryEvent) -> None:
    print(retry_notice("MeetMind", event), file=sys.stderr)


def _print_report(report: SyncReport, source: str) -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"MeetMind {source}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged")
    for i in report.interviews:
        if i.outcome != "unchanged":
            print(f"  {i.outcome:<8} {i.id[:8]}  {i.candidate_name:<22} {i.role:<24} "
                  f"{i.turns} turns from {describe_source(i.transcript_source)}"
                  + (f", {i.notes} notes" if i.notes else "") + (", MeetMind assessment" if i.meetmind_assessment
                                                                   else ""))
    if report.missing_columns:
        print(f"  (this MeetMind database lacks {', '.join(report.missing_columns)}; read as empty)")


def copy_json(copy: MeetMindCopy | None) -> dict[str, Any] | None:
    """How `interviews show --json` reports an interview synced from MeetMind."""
    if copy is None:
        return None
    return {"source": copy.source_label, "synced_at": copy.synced_at.isoformat(),
            "transcript_source": copy.transcript_source, "speakers": copy.speakers,
            "assessment": copy.assessment, "assessment_status": copy.assessment_status,
            "notes": [{"sequence_no": n.sequence_no, "speaker": n.speaker, "content": n.content} for n in copy.notes]}


def print_copy(copy: MeetMindCopy | None) -> None:
    if copy is None:
        return
    print(f"From MeetMind {copy.source_label}, synced {copy.synced_at:%Y-%m-%d %H:%M} UTC; "
          f"transcript from {describe_source(copy.transcript_source)}")
    a = copy.assessment
    if a:
        print(f"MeetMind's assessment: {a.get('observation', '')}")
        for title, key in (("highlight", "highlights"), ("red flag", "red_flags")):
            for item in a.get(key) or []:
                print(f"  {title}: {item}")
    for n in copy.notes:
        print(f"  note ({'recruiter' if n.speaker == 'user' else 'assistant'}): {n.content}")
