"""`insighta interviews highlight | highlights | compare`: a recruiter's review from a terminal.

    interviews highlight ID --turn TURN [--to TURN] [--note TEXT] [--json]
    interviews highlights ID [--delete HIGHLIGHT_ID] [--json]
    interviews compare ID ID [ID ID] [--json]

A turn is named by its tag as the transcript shows it (T4, or 4), its id, or a unique prefix of its id (8 characters
or more); `interviews transcript ID --format json` lists the ids.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from insighta_desktop.cli.common import Subparsers
from insighta_desktop.db.highlights_store import HighlightNotFound
from insighta_desktop.interviews.compare import MAX_COMPARED, MIN_COMPARED, NOT_ASSESSED, CompareError, Comparison
from insighta_desktop.interviews.highlights import HighlightError
from insighta_desktop.interviews.model import ResolvedHighlight
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.interviews.talk_time import TalkTime, format_duration

Command: TypeAlias = Callable[[InterviewServices, argparse.Namespace], Awaitable[int]]
Runner: TypeAlias = Callable[[argparse.Namespace, Command], int]
Resolver: TypeAlias = Callable[[InterviewServices, str], Awaitable[str]]


def add_parsers(sub: Subparsers, common: argparse.ArgumentParser, run: Runner, resolve: Resolver) -> None:
    p = sub.add_parser("highlight", help="highlight a turn or a range of turns, with an optional note",
                       parents=[common])
    p.add_argument("id", help="interview id or a unique prefix")
    p.add_argument("--turn", required=True, metavar="TURN", help="the first turn: T4, 4, or a turn id")
    p.add_argument("--to", metavar="TURN", help="the last turn of a range (default: the first)")
    p.add_argument("--note", default=None, help="a note about the highlight")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda a: run(a, _highlight(resolve)))

    p = sub.add_parser("highlights", help="list an interview's highlights", parents=[common])
    p.add_argument("id", help="interview id or a unique prefix")
    p.add_argument("--delete", metavar="HIGHLIGHT_ID", help="delete one highlight (its id or a unique prefix)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda a: run(a, _highlights(resolve)))

    p = sub.add_parser("compare", help=f"compare {MIN_COMPARED} to {MAX_COMPARED} interviews of one role",
                       parents=[common])
    p.add_argument("ids", nargs="+", metavar="ID", help="interview ids or unique prefixes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda a: run(a, _compare(resolve)))


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def highlight_line(h: ResolvedHighlight) -> str:
    where = f"{h.range_tag:<8} {h.elapsed}  {h.speakers}: “{h.excerpt(90)}”" if h.turns else \
        "(its turns are no longer in the transcript)"
    return f"{h.id[:8]}  {where}" + (f"\n          note: {h.note}" if h.note else "")


def _highlight(resolve: Resolver) -> Command:
    async def command(services: InterviewServices, args: argparse.Namespace) -> int:
        from insighta_desktop.cli import CliError

        interview_id = await resolve(services, args.id)
        try:
            made = await services.highlights.add(interview_id, args.turn, args.to, args.note)
        except HighlightError as exc:
            raise CliError(str(exc)) from None
        if args.json:
            _print_json(made.to_json())
        else:
            print(f"Highlighted {made.range_tag} ({made.speakers}) in {interview_id[:8]}; highlight {made.id[:8]}")
        return 0
    return command


def _highlights(resolve: Resolver) -> Command:
    async def command(services: InterviewServices, args: argparse.Namespace) -> int:
        from insighta_desktop.cli import CliError

        interview_id = await resolve(services, args.id)
        items = await services.highlights.list(interview_id)
        if args.delete is not None:
            prefix = args.delete.strip()
            matches = [h for h in items if prefix and h.id.startswith(prefix)]
            if len(matches) != 1:
                raise CliError(f"no highlight of this interview matches {prefix!r}" if not matches else
                               f"{prefix!r} matches {len(matches)} highlights; give more of the id")
            try:
                await services.highlights.delete(matches[0].id)
            except HighlightNotFound as exc:
                raise CliError(str(exc)) from None
            print(f"Deleted highlight {matches[0].id[:8]} ({matches[0].range_tag})", file=sys.stderr)
            items = [h for h in items if h.id != matches[0].id]
        if args.json:
            _print_json([h.to_json() for h in items])
            return 0
        for h in items:
            print(highlight_line(h))
        if not items:
            print("No highlights yet (insighta interviews highlight ID --turn T4 --note …)")
        return 0
    return command


def _compare(resolve: Resolver) -> Command:
    async def command(services: InterviewServices, args: argparse.Namespace) -> int:
        from insighta_desktop.cli import CliError

        ids = [await resolve(services, ident) for ident in args.ids]
        try:
            comparison = await services.compare(ids)
        except CompareError as exc:
            raise CliError(str(exc)) from None
        if args.json:
            _print_json(comparison.to_json())
        else:
            print_comparison(comparison)
        return 0
    return command


def talk_time_line(talk: TalkTime) -> str:
    if not talk.speakers:
        return "no transcript"
    shares = "; ".join(f"{s.label} {s.time_share:.0%} of time, {s.word_share:.0%} of words, "
                       f"{s.questions} question{'s' if s.questions != 1 else ''}" for s in talk.speakers)
    m = talk.longest_monologue
    longest = f"; longest monologue {m.label} {format_duration(m.seconds)} at T{m.sequence_no}" if m else ""
    return shares + longest


def print_comparison(comparison: Comparison) -> None:
    print(f"Role: {comparison.role}")
    for item in comparison.interviews:
        s = item.interview.summary
        print(f"\n{s.candidate_name} ({s.id[:8]}) — recommendation: {item.recommendation or NOT_ASSESSED}")
        for e in item.scores:
            score = f"{e.score}/5" if e.score is not None else NOT_ASSESSED
            where = f" [T{e.sequence_no} {e.elapsed}]" if e.sequence_no is not None else ""
            quote = f" “{e.quote}”" if e.quote else ""
            print(f"  {e.skill}: {score}{where}{quote}")
        for title, items in (("highlights", item.highlights), ("red flags", item.red_flags)):
            if items:
                print(f"  {title}: " + "; ".join(items))
        if item.marked:
            print("  recruiter highlights: " + "; ".join(
                f"{h.range_tag}" + (f" ({h.note})" if h.note else "") for h in item.marked))
        print(f"  talk-time: {talk_time_line(item.talk_time)}")
