"""`insighta interviews list | show | transcript | assess | ask | email | sync-meetmind | outbox | import`,
`search`, `ask-all`, and `highlight | highlights | compare` (cli/review.py).

An interview is named by its id or a unique prefix of it. Retry notices go to stderr; a failed
assess/ask/email exits non-zero with the reason on stderr (`ask` answered by local search exits 3).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from insighta_desktop.cli import interview_import, interview_search, meetmind, review
from insighta_desktop.cli.common import Subparsers, open_cli_context, stdout_stream
from insighta_desktop.interviews.export import FORMATS
from insighta_desktop.interviews.meetmind_sync import load_meetmind_copy
from insighta_desktop.interviews.model import Assessment
from insighta_desktop.interviews.services import InterviewServices, retry_notice
from insighta_desktop.interviews.talk_time import talk_time
from insighta_desktop.resilience import RetryEvent

EXIT_FAILED = 1
EXIT_LOCAL_ANSWER = 3

Command: TypeAlias = Callable[[InterviewServices, argparse.Namespace], Awaitable[int]]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    top = subparsers.add_parser("interviews", help="review AI interviews", parents=[common])
    sub = top.add_subparsers(dest="interviews_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="interviews with their assessment status", parents=[common])
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=lambda a: _run(a, _list))

    p = sub.add_parser("show", help="one interview, its assessment and transcript source", parents=[common])
    p.add_argument("id", help="interview id or a unique prefix")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda a: _run(a, _show))

    p = sub.add_parser("transcript", help="print the transcript", parents=[common])
    p.add_argument("id")
    p.add_argument("--format", choices=sorted(FORMATS), default="txt")
    p.set_defaults(func=lambda a: _run(a, _transcript))

    p = sub.add_parser("assess", help="generate (or regenerate) the AI assessment", parents=[common])
    p.add_argument("id")
    p.set_defaults(func=lambda a: _run(a, _assess))

    p = sub.add_parser("ask", help="ask a question about the interview", parents=[common])
    p.add_argument("id")
    p.add_argument("question")
    p.set_defaults(func=lambda a: _run(a, _ask))

    p = sub.add_parser("email", help="email the assessment through the outbox", parents=[common])
    p.add_argument("id")
    p.add_argument("to", metavar="TO", help="recipient address")
    p.add_argument("--transcript", action="store_true", help="include the transcript")
    p.set_defaults(func=lambda a: _run(a, _email))

    meetmind.add_parser(sub, common)
    review.add_parsers(sub, common, _run, _resolve)

    p = sub.add_parser("outbox", help="list the email outbox; --retry sends what is unsent, --cancel ID drops one",
                       parents=[common])
    action = p.add_mutually_exclusive_group()
    action.add_argument("--retry", action="store_true", help="send every queued or failed email now")
    action.add_argument("--cancel", metavar="ID", help="cancel an unsent email (its id or a unique prefix)")
    p.set_defaults(func=lambda a: _run(a, _outbox))

    interview_import.register(sub, common)
    interview_search.register(sub, common, _run)


def _run(args: argparse.Namespace, command: Command) -> int:
    ctx = open_cli_context(args)
    services = ctx.interviews

    async def main() -> int:
        try:
            await services.assessments.recover_interrupted()
            return await command(services, args)
        finally:
            await ctx.aclose()

    try:
        return asyncio.run(main())
    finally:
        ctx.close()


def _notice(service: str) -> Callable[[RetryEvent], None]:
    def report(event: RetryEvent) -> None:
        print(retry_notice(service, event), file=sys.stderr)
    return report


async def _resolve(services: InterviewServices, ident: str) -> str:
    from insighta_desktop.cli import CliError

    matches = [s.id for s in await services.list() if s.id.startswith(ident.strip())]
    if len(matches) == 1:
        return matches[0]
    raise CliError(f"no interview matches {ident!r}" if not matches else
                   f"{ident!r} matches {len(matches)} interviews; give more of the id")


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


async def _list(services: InterviewServices, args: argparse.Namespace) -> int:
    items = await services.list()
    if args.json:
        _print_json([i.to_json() for i in items])
        return 0
    for i in items:
        when = f"{i.scheduled_at:%Y-%m-%d}" if i.scheduled_at else "—"
        print(f"{i.id[:8]}  {when}  {i.candidate_name:<22} {i.role:<24} {i.status:<10} "
              f"assessment: {i.assessment_status or 'none'}")
    if not items:
        print("No interviews yet (try: insighta demo-data load)")
    return 0


async def _show(services: InterviewServices, args: argparse.Namespace) -> int:
    interview_id = await _resolve(services, args.id)
    interview = await services.interview(interview_id)
    assessment = await services.assessments.get(interview_id)
    transcript = await services.transcript(interview_id)
    copy = await load_meetmind_copy(services.engine, interview_id, services.retrying)
    talk = talk_time(transcript.turns)
    data = {**interview.summary.to_json(), "rubric": interview.rubric,
            "assessment": assessment.to_json() if assessment else {"status": None, "content": None},
            "transcript": {"turns": len(transcript.turns), "source": transcript.source, "note": transcript.note},
            "talk_time": talk.to_json(), "meetmind": meetmind.copy_json(copy)}
    if args.json:
        _print_json(data)
        return 0
    s = interview.summary
    print(f"{s.candidate_name} — {s.role} ({s.status})\nid: {s.id}")
    print(f"Transcript: {len(transcript.turns)} turns from {transcript.source}" +
          (f" ({transcript.note})" if transcript.note else ""))
    if transcript.turns:
        print(f"Talk-time: {review.talk_time_line(talk)}")
    _print_assessment(assessment)
    meetmind.print_copy(copy)
    return 0


def _print_assessment(assessment: Assessment | None) -> None:
    if assessment is None:
        print("Assessment: none")
        return
    print(f"Assessment: {assessment.status}")
    if assessment.error:
        print(f"  error: {assessment.error}")
    c = assessment.content or {}
    if c:
        print(f"  recommendation: {c.get('recommendation')}\n  {c.get('summary')}")
        for s in c.get("scores", []):
            print(f"  - {s['skill']}: {s['score'] if s.get('score') is not None else 'n/a'}/5")


async def _transcript(services: InterviewServices, args: argparse.Namespace) -> int:
    export = await services.export(await _resolve(services, args.id), args.format)
    sys.stdout.write(export.text)
    if export.source == "transcript_json":
        print("note: rebuilt from the session record", file=sys.stderr)
    return 0


async def _assess(services: InterviewServices, args: argparse.Namespace) -> int:
    from insighta_desktop.interviews.assessments import AssessmentError
    from insighta_desktop.resilience import CircuitOpenError

    interview_id = await _resolve(services, args.id)
    try:
        result = await services.assessments.generate(interview_id, on_retry=_notice("Gemini"))
    except (AssessmentError, CircuitOpenError) as exc:  # not configured, paused, or another live run has it
        print(f"insighta: assessment not started: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if result.status != "completed":
        print(f"insighta: assessment failed: {result.error}", file=sys.stderr)
        return EXIT_FAILED
    _print_assessment(result)
    return 0


async def _ask(services: InterviewServices, args: argparse.Namespace) -> int:
    interview_id = await _resolve(services, args.id)
    stream = stdout_stream()

    answer = await services.chat.ask(interview_id, args.question, on_text=stream, on_retry=_notice("Gemini"))
    sys.stdout.write("\n")
    if answer.source == "local":
        print(f"insighta: {answer.notice} The answer above comes from local search.", file=sys.stderr)
        return EXIT_LOCAL_ANSWER
    return 0


async def _email(services: InterviewServices, args: argparse.Namespace) -> int:
    from insighta_desktop.interviews.email import EmailError, sender_warning

    interview_id = await _resolve(services, args.id)
    try:
        draft = await services.outbox.draft(interview_id, args.to, include_transcript=args.transcript)
    except EmailError as exc:
        print(f"insighta: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if (warning := sender_warning(draft.sender)) is not None:
        print(f"insighta: warning: {warning}", file=sys.stderr)
    item, reused = await services.outbox.queue(draft)
    if reused:
        print(f"insighta: sending again the unsent email {item.id[:8]} (same Idempotency-Key, "
              f"{item.attempts} attempt{'s' if item.attempts != 1 else ''} so far)", file=sys.stderr)
    result = await services.outbox.deliver(item.id, on_retry=_notice("Resend"))
    if result.status != "sent":
        print(f"insighta: email not sent (kept in the outbox for a later retry): {result.last_error}",
              file=sys.stderr)
        return EXIT_FAILED
    print(f"Sent to {result.to_address} (message {result.provider_message_id})")
    return 0


async def _outbox(services: InterviewServices, args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError
    from insighta_desktop.interviews.email import EmailError

    if args.retry:
        await services.outbox.deliver_pending(on_retry=_notice("Resend"))
    if args.cancel is not None:
        prefix = args.cancel.strip()
        matches = [i.id for i in await services.outbox.items() if prefix and i.id.startswith(prefix)]
        if len(matches) != 1:
            raise CliError(f"no outbox item matches {prefix!r}" if not matches else
                           f"{prefix!r} matches {len(matches)} outbox items; give more of the id")
        try:
            cancelled = await services.outbox.cancel(matches[0])
        except EmailError as exc:
            print(f"insighta: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(f"Cancelled the email to {cancelled.to_address} ({cancelled.subject})")
    items = await services.outbox.items()
    for i in items:
        print(f"{i.id[:8]}  {i.status:<8}  attempts {i.attempts}  {i.to_address}  {i.subject}" +
              (f"  ({i.last_error})" if i.last_error and i.status != "sent" else ""))
    if not items:
        print("The outbox is empty.")
    return EXIT_FAILED if any(i.unsent for i in items) else 0
