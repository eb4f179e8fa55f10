"""`insighta import FILE`: the CSV import from a terminal, with a progress bar and an optional JSON summary."""
from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from insighta_desktop.cli.background import ForegroundSignal, continue_when_parent_dies, lower_priority
from insighta_desktop.cli.common import Subparsers, open_cli_context, require_writes
from insighta_desktop.cli.import_options import add_import_v2_arguments, chosen_columns, format_v2_lines, same_file_note
from insighta_desktop.ingest.child_command import OPTIONS_JSON_FLAG, PROGRESS_JSON_FLAG, options_from_json
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import FileFormat, delimiter_name, normalise_encoding, parse_delimiter
from insighta_desktop.ingest.pipeline import CancelToken, ImportOptions
from insighta_desktop.ingest.progress import CANCEL_COMMAND, ProgressTicker, summary_line
from insighta_desktop.ingest.summary import REASONS, ImportProgress, ImportSummary

if TYPE_CHECKING:
    from insighta_desktop.context import AppContext

BAR_WIDTH = 30


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    cmd = subparsers.add_parser("import", help="import a CSV file of profiles", parents=[common],
                                description="Import a CSV file of profiles (name, gender, age, country_id, and "
                                            "optional probabilities). Bad rows are skipped and listed in a "
                                            "rejects CSV next to the file.")
    cmd.add_argument("file", type=Path, metavar="FILE", help="the CSV file")
    cmd.add_argument("--batch-size", type=int, metavar="N",
                     help="rows per transaction (default: the import_batch_size setting, 10000 unless changed)")
    cmd.add_argument("--rejects", type=Path, metavar="PATH", help="where to write the rejected rows "
                                                                  "(default FILE.rejects.csv next to FILE)")
    cmd.add_argument("--resume", action="store_true",
                     help="continue the last cancelled, failed or interrupted import of this same file")
    cmd.add_argument("--delimiter", metavar="CHAR",
                     help="the field delimiter: ',' ';' '|' or tab (also 'tab' or '\\t'); default: detected from "
                          "the first 64 KB")
    cmd.add_argument("--encoding", metavar="NAME",
                     help="the file's encoding, e.g. utf-8, cp1252, utf-16, latin-1; default: UTF-8 or Windows-1252 "
                          "as the bytes say, UTF-16 from its byte-order mark or NUL bytes")
    cmd.add_argument("--json", action="store_true", help="print the summary as JSON on the last line of stdout")
    add_import_v2_arguments(cmd)
    cmd.add_argument(PROGRESS_JSON_FLAG, dest="progress_json", action="store_true",
                     help="for the desktop app: progress as JSON lines on stdout (ten a second), the summary as the "
                          "last line; a line 'cancel' on stdin (or its end) stops the import")
    cmd.add_argument(OPTIONS_JSON_FLAG, dest="options_json", metavar="JSON", help=argparse.SUPPRESS)
    cmd.set_defaults(func=run_import)


class TerminalProgress:
    """A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.drawn = False

    def __call__(self, p: ImportProgress) -> None:
        if not self.enabled:
            return
        filled = int(BAR_WIDTH * p.fraction)
        eta = f" ETA {p.eta_s:4.0f}s" if p.eta_s is not None and p.phase == "importing" else ""
        note = f"  {p.message}" if p.message else ""
        line = (f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {p.fraction:6.1%}  {p.total_rows:,} rows  "
                f"{p.inserted:,} inserted  {p.skipped:,} skipped  {p.rows_per_s:,.0f} rows/s{eta}{note}")
        self.stream.write(line.ljust(110))
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def format_summary(summary: ImportSummary) -> str:
    lines = [f"{summary.file_name}: {summary.status} — {summary.total_rows:,} rows, {summary.inserted:,} inserted, "
             f"{summary.skipped:,} skipped ({summary.encoding}, {delimiter_name(summary.delimiter)}-separated)"]
    if summary.resumed_from_line:
        lines.append(f"  {summary.speed_text()}")
    else:
        lines[0] = lines[0][:-1] + f", {summary.duration_s:.1f} s, {summary.rows_per_s:,.0f} rows/s)"
    lines += [f"  note: {note}" for note in summary.format_notes]
    for reason in REASONS:
        if summary.reasons.get(reason):
            lines.append(f"  {reason:<20} {summary.reasons[reason]:>10,}")
    corrected = {k: v for k, v in summary.corrected.items() if v}
    if corrected:
        lines.append("  corrected: " + ", ".join(f"{v:,} {k}" for k, v in corrected.items()))
    if summary.extra_columns:
        lines.append("  ignored columns: " + ", ".join(summary.extra_columns))
    if summary.skipped and summary.rejects_path:
        lines.append(f"  rejected rows: {summary.rejects_path}")
    lines += format_v2_lines(summary)
    if summary.error:
        lines.append(f"  error: {summary.error}")
    if summary.run_status in ("cancelled", "failed"):
        lines.append("  run the same command with --resume to continue from the last committed batch")
    return "\n".join(lines)


def chosen_format(args: argparse.Namespace) -> FileFormat:
    """--encoding and --delimiter, checked: a bad one is one line naming it."""
    from insighta_desktop.cli import CliError

    checks = (("encoding", args.encoding, normalise_encoding), ("delimiter", args.delimiter, parse_delimiter))
    chosen: dict[str, str | None] = {}
    for flag, value, check in checks:
        try:
            chosen[flag] = check(value) if value else None
        except ValueError as exc:
            raise CliError(f"--{flag}: {exc}") from None
    encoding, delimiter = chosen["encoding"], chosen["delimiter"]
    return FileFormat(encoding, delimiter)


def run_import(args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError

    if args.batch_size is not None and args.batch_size < 1:
        raise CliError("--batch-size must be at least 1")
    if args.dry_run and args.resume:
        raise CliError("--dry-run checks the whole file; it cannot be combined with --resume")
    if not args.file.exists():
        raise CliError(f"{args.file}: no such file")
    try:
        columns = chosen_columns(args)
    except ImportRefused as exc:
        raise CliError(f"cannot import {args.file.name}: {exc.message}") from None
    file_format = chosen_format(args)
    ctx = open_cli_context(args)
    options = ImportOptions(batch_size=args.batch_size or ctx.settings.import_batch_size,
                            rejects_path=args.rejects, resume=args.resume, columns=columns,
                            on_duplicate=args.on_duplicate, dry_run=args.dry_run,
                            file_format=file_format)
    if args.options_json:
        try:
            options = options_from_json(args.options_json, options)
        except (ValueError, TypeError) as exc:
            ctx.close()
            raise CliError(f"--options-json: {exc}") from None
    if not options.dry_run:
        require_writes(ctx)
    if args.progress_json:
        return _run_for_parent(args, ctx, options)
    progress = TerminalProgress(sys.stderr)
    cancel = CancelToken()
    try:
        if not args.resume and not args.dry_run:
            note = same_file_note(ctx.engine, args.file, options)
            if note:
                print(f"insighta: {note}", file=sys.stderr)
        summary = ctx.importer.run(args.file, options, on_progress=progress, cancel=cancel)
    except ImportRefused as exc:
        progress.finish()
        hint = " — choose its column with --map FIELD=COLUMN" if exc.code == "missing_columns" else ""
        raise CliError(f"cannot import {args.file.name}: {exc.message}{hint}") from None
    except KeyboardInterrupt:
        progress.finish()
        print("insighta: import interrupted; committed batches are kept — run again with --resume to continue",
              file=sys.stderr)
        return 130
    finally:
        ctx.close()
    progress.finish()
    print(format_summary(summary), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False))
    if summary.run_status == "failed":
        print(f"insighta: import failed: {summary.error}", file=sys.stderr)
        return 1
    return 0


def _run_for_parent(args: argparse.Namespace, ctx: AppContext, options: ImportOptions) -> int:
    """The desktop app's import: progress as JSON lines on stdout, cancel from stdin, the summary as the last line.
    A refused file is one line on stderr and exit 2, as from a terminal."""
    from insighta_desktop.cli import CliError

    lower_priority()
    continue_when_parent_dies()
    foreground = ForegroundSignal()
    foreground.install()
    cancel = CancelToken()
    threading.Thread(target=_watch_stdin, args=(cancel,), name="import-cancel", daemon=True).start()
    try:
        with ProgressTicker(sys.stdout) as ticker:
            summary = ctx.importer.run(args.file, options, on_progress=ticker, cancel=cancel, foreground=foreground)
    except ImportRefused as exc:
        raise CliError(f"cannot import {args.file.name}: {exc.message}") from None
    finally:
        ctx.close()
    print(summary_line(summary), flush=True)
    return 1 if summary.run_status == "failed" else 0


def _watch_stdin(cancel: CancelToken) -> None:
    """A line 'cancel', or the end of stdin (the parent closed it, or died), cancels the import."""
    try:
        for line in sys.stdin:
            if line.strip() == CANCEL_COMMAND:
                break
    except (OSError, ValueError):
        pass
    cancel.cancel()
