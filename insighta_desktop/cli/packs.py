"""`insighta pack export | info`: review packs from the terminal."""
from __future__ import annotations

import json
from pathlib import Path

from insighta_desktop.cli.common import open_cli_context


def register(subparsers, common) -> None:
    pack = subparsers.add_parser("pack", help="review packs: interviews to review offline", parents=[common])
    sub = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    export = sub.add_parser("export", help="write interviews (and a search result) into a review pack",
                            parents=[common])
    export.add_argument("--interviews", nargs="+", metavar="ID", default=[], help="interview ids to include")
    export.add_argument("--search", metavar="QUERY", help='include the profiles this search finds, e.g. '
                                                          '"Nigerian females aged 20 to 45"')
    export.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the pack to write (.insighta-pack is added when there is no suffix)")
    export.set_defaults(func=run_export)
    info = sub.add_parser("info", help="check a review pack and show what it holds", parents=[common])
    info.add_argument("file", type=Path, metavar="FILE")
    info.add_argument("--json", action="store_true", help="print the whole manifest as JSON")
    info.set_defaults(func=run_info)


def run_export(args) -> int:
    from insighta_desktop.cli import CliError
    from insighta_desktop.interviews.repository import NotFound
    from insighta_desktop.packs import FILE_SUFFIX, PackError, export_pack, snapshot_search

    if not args.interviews and not args.search:
        raise CliError("name at least one interview (--interviews ID …) or a search (--search QUERY)")
    out = args.out if args.out.suffix else args.out.with_suffix(FILE_SUFFIX)
    ctx = open_cli_context(args)
    try:
        snapshot = snapshot_search(ctx.engine, args.search) if args.search else None
        manifest = export_pack(ctx.engine, args.interviews, out, search=snapshot)
    except (PackError, NotFound) as exc:
        raise CliError(str(exc)) from None
    finally:
        ctx.close()
    print(f"Wrote {out} ({out.stat().st_size / 1024:.0f} KiB): {describe(manifest)}")
    return 0


def run_info(args) -> int:
    from insighta_desktop.cli import CliError
    from insighta_desktop.packs import PackError, verify

    try:
        manifest = verify(args.file)
    except PackError as exc:
        raise CliError(str(exc), exit_code=3) from None
    if args.json:
        print(json.dumps(json.loads(manifest.to_json_text()), indent=2, ensure_ascii=False))
        return 0
    print(f"{args.file.name}: Insighta review pack, format {manifest.format_version}, checksums OK")
    print(f"Created {manifest.created_at} by Insighta Desktop {manifest.app_version} "
          f"from a {manifest.source_backend or 'unknown'} database")
    print(describe(manifest))
    for entry in manifest.interviews:
        assessment = entry.assessment_status or "none"
        print(f"  {entry.id}  {entry.candidate_name} — {entry.role}: {entry.turns} turns ({entry.transcript_source}), "
              f"assessment {assessment}, {entry.chat_messages} chat messages")
    if manifest.search is not None:
        s = manifest.search
        more = f" of {s.total_matches:,} matches" if s.truncated else ""
        print(f'  search "{s.query}": {s.included:,} profiles{more}')
    return 0


def describe(manifest) -> str:
    count = len(manifest.interviews)
    parts = [f"{count} interview{'s' if count != 1 else ''}"]
    if manifest.search is not None:
        parts.append(f'{manifest.search.included:,} profiles for "{manifest.search.query}"')
    return ", ".join(parts)
