"""`insighta import` options for import v2: the column mapping, the duplicates policy, the dry run, and the note
about a file that was imported before."""
from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import Engine

from insighta_desktop.ingest.mapping import load_mapping_file, parse_map_options
from insighta_desktop.ingest.pipeline import ImportOptions
from insighta_desktop.ingest.summary import ImportSummary


def add_import_v2_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                     help="read FIELD from COLUMN (case-insensitive); repeatable; FIELD= leaves the field out. "
                          "Fields: name, gender, age, country_id (or country), gender_probability, "
                          "country_probability, age_group, country_name")
    cmd.add_argument("--mapping", type=Path, metavar="FILE.json",
                     help='the mapping as a JSON object, e.g. {"name": "Full Name", "age": "Years"}; '
                          "--map options override it")
    cmd.add_argument("--on-duplicate", choices=("skip", "update"), default="skip",
                     help="a name already stored: skip the row (default) or update the stored profile with the "
                          "file's values (its id and creation time are kept)")
    cmd.add_argument("--dry-run", action="store_true",
                     help="check the whole file and print the summary an import would give, writing nothing")


def chosen_columns(args: argparse.Namespace) -> dict[str, str | None] | None:
    """--mapping then --map, or ImportRefused (MappingError) naming the bad field, column or file."""
    chosen: dict[str, str | None] = {}
    if args.mapping is not None:
        chosen.update(load_mapping_file(args.mapping))
    chosen.update(parse_map_options(args.map))
    return chosen or None


def format_v2_lines(summary: ImportSummary) -> list[str]:
    lines = []
    if summary.on_duplicate == "update":
        lines.append(f"  updated {summary.updated:,}, unchanged {summary.unchanged:,} (names already stored)")
    if summary.resume_note:
        lines.append(f"  {summary.resume_note}")
    if summary.dry_run:
        lines.append("  dry run: nothing was written")
    return lines


def same_file_note(engine: Engine, path: Path, options: ImportOptions | None = None) -> str | None:
    """What the database knows of a file with this content: imported before, or an unfinished run to resume.
    With `options`, the file is opened first as the import will open it, so a file the import refuses (a bad
    mapping, no header) raises ImportRefused here and is one line, not a note and then the refusal."""
    from insighta_desktop.ingest.same_file import same_file

    if options is not None:
        from insighta_desktop.ingest.reader import CsvFile
        from insighta_desktop.ingest.run_start import column_mapper

        CsvFile(path, map_columns=column_mapper(engine, options.columns)[0], file_format=options.file_format)

    try:
        known = same_file(engine, path)
    except OSError:
        return None  # the import reports the file's problem itself
    if known.unfinished is not None:
        return f"{known.describe_unfinished()}; run the same command with --resume to continue it"
    if known.finished is not None:
        return known.describe_finished()
    return None
