"""`insighta interviews search "text"` and `insighta interviews ask-all "question"`: across every transcript.

search prints the best turns (matches in **bold**); --json gives
[{"interview_id", "turn_id", "time", "speaker", "snippet"}]. ask-all prints Gemini's answer with its
[I1.T14] citations listed below it; answered from the matching passages instead (no key, service down) it exits 3.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from insighta_desktop.cli.common import stdout_stream
from insighta_desktop.interviews.search_text import EmptySearch
from insighta_desktop.interviews.services import InterviewServices, retry_notice
from insighta_desktop.resilience import RetryEvent

EXIT_PASSAGES_ONLY = 3


def register(sub: Any, common: Any, run: Callable[[Any, Any], int]) -> None:
    p = sub.add_parser("search", help="find words and \"phrases\" in every transcript", parents=[common],
                       description='Words must all appear (any case, accents optional); "quoted words" together; '
                                   "`or` between terms accepts either; -word excludes a word (put -- before a text "
                                   "that starts with -).")
    p.add_argument("text", help='what to find, e.g. kubernetes or "exponential backoff"')
    p.add_argument("--limit", type=int, default=50, help="at most this many turns (default 50)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=lambda a: run(a, _search))

    p = sub.add_parser("ask-all", help="ask a question across all interviews (Gemini, citing turns)",
                       parents=[common])
    p.add_argument("question", help='e.g. "Which candidates mentioned Kubernetes?"')
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=lambda a: run(a, _ask_all))


async def _search(services: InterviewServices, args: Any) -> int:
    from insighta_desktop.cli import CliError

    if not 1 <= args.limit <= 500:
        raise CliError("--limit must be between 1 and 500")
    try:
        hits = await services.search.search(args.text, limit=args.limit)
    except EmptySearch as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
        return 0
    for h in hits:
        print(f"{h.interview_id[:8]}  T{h.sequence_no:<4} {h.elapsed}  {h.candidate_name} ({h.speaker_label}): "
              f"{h.snippet.markdown()}")
    if not hits:
        print(f"No transcript matches {args.text!r}.")
    return 0


async def _ask_all(services: InterviewServices, args: Any) -> int:
    stream = stdout_stream()

    def notice(event: RetryEvent) -> None:
        print(retry_notice("Gemini", event), file=sys.stderr)

    try:
        answer = await services.ask_across.ask(args.question, on_text=None if args.json else stream,
                                               on_retry=notice)
    except ValueError as exc:
        from insighta_desktop.cli import CliError

        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write("\n")
        if answer.source == "gemini" and answer.citations:
            print("\nSources:")
            for c in answer.citations:
                print(f"  [{c.tag}] {c.candidate_name}, {c.elapsed}, {c.speaker_label} "
                      f"(interview {c.interview_id[:8]})")
    if answer.source == "local":
        print(f"insighta: {answer.notice} The passages above come from the transcripts, not from Gemini.",
              file=sys.stderr)
        return EXIT_PASSAGES_ONLY
    return 0
