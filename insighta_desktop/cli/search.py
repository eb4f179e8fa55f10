"""`insighta search TEXT [filters…]`: plain language and/or structured filters, as a table or one JSON object."""
from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from insighta_desktop.cli.common import Subparsers, open_cli_context
from insighta_desktop.profiles.errors import QueryError
from insighta_desktop.profiles.filters import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ORDERS,
    SORT_FIELDS,
    PageRequest,
    ProfileFilters,
    build_filters,
    validate_paging,
)
from insighta_desktop.profiles.model import AGE_GROUPS
from insighta_desktop.profiles.parser import ParsedQuery, parse_query
from insighta_desktop.profiles.saved_searches import SavedSearchNotFound
from insighta_desktop.profiles.search import ProfileSearch, SearchResult

STRUCTURED = ("name", "gender", "age_group", "country_id", "min_age", "max_age", "min_gender_probability",
              "min_country_probability", "sort_by", "order")


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    cmd = subparsers.add_parser(
        "search", parents=[common], help="search profiles in plain words and/or with filters",
        description="Search profiles. TEXT is plain language (\"Nigerian females aged 20 to 45\"); the options add "
                    "or override filters. Rules: docs/search.md.")
    cmd.add_argument("text", nargs="*", metavar="TEXT", help="plain-language query")
    cmd.add_argument("--name", metavar="TEXT",
                     help="a person's name: each word the start of a word of the name, accents and case ignored "
                          "(\"kabore\" finds Kaboré); similar names when none starts so")
    cmd.add_argument("--gender", choices=("male", "female"))
    cmd.add_argument("--country", action="append", metavar="CODE", dest="country_id",
                     help="ISO code or name; repeat or separate with commas for several")
    cmd.add_argument("--age-group", action="append", choices=tuple(AGE_GROUPS), dest="age_group",
                     help="repeat for several")
    cmd.add_argument("--min-age", metavar="N", dest="min_age")
    cmd.add_argument("--max-age", metavar="N", dest="max_age")
    cmd.add_argument("--min-gender-probability", metavar="P", dest="min_gender_probability")
    cmd.add_argument("--min-country-probability", metavar="P", dest="min_country_probability")
    cmd.add_argument("--sort-by", choices=SORT_FIELDS, dest="sort_by")
    cmd.add_argument("--order", choices=ORDERS)
    cmd.add_argument("--page", metavar="N", default="1", help="page number from 1 (default 1)")
    cmd.add_argument("--limit", metavar="N", help=f"rows per page, 1-{MAX_LIMIT} (default {DEFAULT_LIMIT})")
    cmd.add_argument("--cursor", help="continue after the page that printed this next_cursor (keyset paging)")
    cmd.add_argument("--literal", action="append", default=[], metavar="WORD",
                     help="take WORD as typed, never as a correction of a misspelling (repeat for several)")
    cmd.add_argument("--saved", metavar="NAME", help="run the search saved under NAME (options still override)")
    cmd.add_argument("--explain", action="store_true", help="show how each word was understood")
    cmd.add_argument("--json", action="store_true", help="print one JSON object")
    cmd.set_defaults(func=run_search)


def build_request(args: argparse.Namespace, saved: ProfileFilters | None = None,
                  ) -> tuple[ParsedQuery | None, ProfileFilters, PageRequest]:
    """Parsed text (if any), canonical filters (a saved search's, then the text's, then the options), and the page."""
    from insighta_desktop.cli import CliError

    text = " ".join(args.text).strip()
    options = {name: getattr(args, name) for name in STRUCTURED if getattr(args, name, None) is not None}
    if not text and not options and saved is None:
        raise CliError("give a query TEXT or at least one filter option (see insighta search --help)")
    try:
        parsed = parse_query(text, literal=args.literal) if text else None
        combined = saved.to_dict() if saved is not None else {}
        if parsed:
            defaults = build_filters().to_dict()  # the text's default sort does not undo a saved search's sort
            combined.update({k: v for k, v in parsed.filters.to_dict().items()
                             if v is not None and not (k in ("sort_by", "order") and v == defaults[k])})
        combined.update(options)
        filters = build_filters(**combined)
        limit = args.limit if args.limit is not None else (parsed.limit if parsed and parsed.limit else DEFAULT_LIMIT)
        page = validate_paging(args.page, limit, max_limit=MAX_LIMIT)
    except QueryError as exc:
        raise CliError(str(exc)) from None
    return parsed, filters, PageRequest(page=page.page, limit=page.limit, cursor=args.cursor)


def run_search(args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError

    ctx = open_cli_context(args)
    try:
        saved = ctx.saved_searches.get(args.saved).filters if getattr(args, "saved", None) else None
    except SavedSearchNotFound as exc:
        ctx.close()
        raise CliError(f"{exc} (insighta searches list shows them)", 1) from None
    try:
        parsed, filters, page = build_request(args, saved)
        result = ProfileSearch(ctx.engine, max_limit=MAX_LIMIT).search(
            filters, page, interpretation=parsed.interpretation if parsed else (),
            unknown_words=parsed.unknown_words if parsed else ())
    except QueryError as exc:
        raise CliError(str(exc)) from None
    finally:
        ctx.close()
    if args.json:
        payload = result.to_dict()
        payload["corrections"] = [c.to_dict() for c in parsed.corrections] if parsed else []
        if parsed and parsed.suggestions:
            payload["suggestions"] = [s.to_dict() for s in parsed.suggestions]
        if args.explain:
            payload["interpretation"] = [{"words": i.words, "meaning": i.meaning, "field": i.field}
                                         for i in result.interpretation]
            payload["unknown_words"] = list(result.unknown_words)
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    for line in corrections_text(parsed) + name_match_text(result):
        print(line)
    if args.explain:
        print(explanation(result))
    print(table(result))
    return 0


def corrections_text(parsed: ParsedQuery | None) -> list[str]:
    """ "interpreted 'nigerain' as Nigeria (--literal nigerain to keep it)" and "'nigeri': did you mean …?" lines."""
    if parsed is None:
        return []
    lines = [f"{c.text} (--literal {c.from_!r} to keep it as typed)" for c in parsed.corrections]
    lines += [f"{s.words!r}: {s.text}" for s in parsed.suggestions]
    return lines


def name_match_text(result: SearchResult) -> list[str]:
    """ "no name starts with 'kabroe': showing names with 'kabore' (similarity 0.27)" for each fuzzy-matched word."""
    match = result.name_match
    if match is None:
        return []
    return [f"no name starts with {t.term!r}: showing names with "
            + " or ".join(f"{w!r} (similarity {s:.2f})" for w, s in t.words)
            for t in match.terms if t.kind == "fuzzy"]


def explanation(result: SearchResult) -> str:
    lines = ["Understood:"]
    lines += [f"  {i.words!r:<30} → {i.meaning}" for i in result.interpretation] or ["  (structured filters only)"]
    if result.name_match is not None:
        lines.append(f"Name match: {result.name_match.kind} — {result.name_match.describe()}")
    if result.unknown_words:
        lines.append("Not understood: " + ", ".join(repr(w) for w in result.unknown_words))
    lines.append("Filters: " + json.dumps({k: v for k, v in result.filters.to_dict().items() if v is not None},
                                          ensure_ascii=False))
    return "\n".join(lines) + "\n"


def table(result: SearchResult) -> str:
    headers = ("Name", "Gender", "Age", "Country", "Gender p", "Country p", "Created (UTC)")
    rows = [(p.name, p.gender, str(p.age), f"{p.country_name} ({p.country_id})",
             "" if p.gender_probability is None else f"{p.gender_probability:.2f}",
             "" if p.country_probability is None else f"{p.country_probability:.2f}",
             p.created_at.strftime("%Y-%m-%d %H:%M")) for p in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    numeric = {2, 4, 5}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    out = [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    first = (result.page - 1) * result.limit + 1
    kind = {"exact": "", "at_least": " (at least)", "estimate": " (estimate)"}[result.total_kind]
    if result.rows:
        out.append(f"\n{first:,}–{first + len(result.rows) - 1:,} of {result.total_label}{kind} · "
                   f"{result.elapsed_ms:.1f} ms")
    else:
        out.append(f"\nNo profiles match · {result.elapsed_ms:.1f} ms")
    if result.next_cursor:
        out.append(f"Next page: --page {result.page + 1} --cursor {result.next_cursor}")
    return "\n".join(out)
