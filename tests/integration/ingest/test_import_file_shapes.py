"""Files as they really come, imported on SQLite and PostgreSQL through the CLI (--json) and the import service:
each line ending, delimiter and encoding (a small file generated per shape), the choices that override detection,
the format stored with the run and reused on resume, and UTF-32 refused by name."""
from __future__ import annotations

import codecs
import json

import pytest
from ingest_files import HEADER, distinct_name_keys, planned_file, profile_count

from insighta_desktop.cli import main
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import FileFormat
from insighta_desktop.ingest.pipeline import CancelToken, Importer, ImportOptions
from insighta_desktop.ingest.runs import get_run

pytestmark = pytest.mark.usefixtures("isolated_home")  # tests/integration/conftest.py

BOMS = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def shaped(rows: list[list[str]], delimiter: str = ",", newline: str = "\n", encoding: str = "utf-8",
           bom: bool = False) -> bytes:
    """The table as Excel writes it: fields holding the delimiter, a quote or a line break are quoted."""
    def field(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = "".join(delimiter.join(map(field, row)) + newline for row in [HEADER, *rows])
    return (BOMS[encoding] if bom else b"") + text.encode("utf-8" if encoding == "utf-8-sig" else encoding)


def planned(n: int = 40):
    """Rows with bad ones of each kind and repeats (ingest_files.planned_file), and names that need the encoding."""
    plan = planned_file(n)
    for row in plan.rows:
        row[0] = row[0].replace("Person", "Zoë Ångström").replace("PERSON", "ZOË ÅNGSTRÖM")
    plan.rows[3][0] = 'Ama "Amy", Jr; | O\'Neil'  # a field that must be quoted in every delimiter
    return plan


SHAPES = {  # name: (delimiter, newline, encoding, BOM, encoding reported)
    "CR": (",", "\r", "utf-8", False, "utf-8"),
    "CRLF": (",", "\r\n", "utf-8", False, "utf-8"),
    "semicolon": (";", "\r\n", "utf-8", False, "utf-8"),
    "tab": ("\t", "\n", "utf-8", False, "utf-8"),
    "pipe": ("|", "\n", "utf-8", False, "utf-8"),
    "UTF-16 LE BOM tab": ("\t", "\r\n", "utf-16-le", True, "utf-16-le"),
    "UTF-16 BE": (";", "\n", "utf-16-be", False, "utf-16-be"),
    "UTF-8 BOM": (",", "\r\n", "utf-8-sig", True, "utf-8-sig"),
    "cp1252": (";", "\r", "cp1252", False, "cp1252"),
}


def mixed_bytes(rows: list[list[str]]) -> bytes:
    """LF, CRLF and CR in one file (lines pasted together from different machines)."""
    lines = shaped(rows).decode().splitlines()
    ends = ["\r", "\n", "\r\n"]
    return "".join(line + ends[i % 3] for i, line in enumerate(lines)).encode()


def cli_json(capsys, *args: str) -> tuple[int, dict | None, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return code, (json.loads(lines[-1]) if code == 0 and lines else None), err


@pytest.mark.parametrize("shape", [*SHAPES, "mixed"])
def test_each_shape_imports_through_the_cli(db_url, db, tmp_path, capsys, shape):
    plan = planned()
    path = tmp_path / "people.csv"
    if shape == "mixed":
        path.write_bytes(mixed_bytes(plan.rows))
        delimiter, encoding = ",", "utf-8"
    else:
        delimiter, newline, codec, bom, encoding = SHAPES[shape]
        path.write_bytes(shaped(plan.rows, delimiter, newline, codec, bom))
    code, summary, err = cli_json(capsys, "--db", db_url, "import", str(path), "--json",
                                  "--rejects", str(tmp_path / "rejects.csv"))
    assert code == 0, err
    assert summary is not None
    assert (summary["total_rows"], summary["inserted"]) == (plan.total, plan.inserted)
    assert {k: v for k, v in summary["reasons"].items() if v} == plan.reasons
    assert (summary["encoding"], summary["delimiter"], summary["format_notes"]) == (encoding, delimiter, [])
    run = get_run(db, summary["run_id"])
    assert run is not None and (run.encoding, run.delimiter) == (encoding, delimiter)
    assert profile_count(db) == plan.inserted == distinct_name_keys(db)


def test_chosen_encoding_and_delimiter_through_the_cli(db_url, db, tmp_path, capsys):
    plan = planned()
    path = tmp_path / "latin.csv"
    path.write_bytes(shaped(plan.rows, "|", "\n", "latin-1"))
    code, summary, err = cli_json(capsys, "--db", db_url, "import", str(path), "--json", "--encoding", "LATIN1",
                                  "--delimiter", "|")
    assert code == 0, err
    assert summary is not None and (summary["inserted"], summary["encoding"]) == (plan.inserted, "iso8859-1")
    assert get_run(db, summary["run_id"]).encoding == "iso8859-1"
    tab = tmp_path / "tab.csv"
    tab.write_bytes(shaped(planned_file(20).rows, "\t"))
    for flag in ("tab", "\\t"):
        code, summary, err = cli_json(capsys, "--db", db_url, "import", str(tab), "--json", "--delimiter", flag)
        assert code == 0 and summary is not None and summary["delimiter"] == "\t", err


@pytest.mark.parametrize("args, message", [
    (["--encoding", "klingon"], "--encoding: unknown encoding 'klingon'"),
    (["--encoding", "utf-32"], "--encoding: UTF-32 files are not supported"),
    (["--delimiter", ":"], "--delimiter: unsupported delimiter ':'"),
])
def test_bad_choices_are_one_line(db_url, db, tmp_path, capsys, args, message):
    path = tmp_path / "p.csv"
    path.write_bytes(shaped(planned_file(5).rows))
    code, _, err = cli_json(capsys, "--db", db_url, "import", str(path), *args)
    assert code == 2 and message in err and err.strip().count("\n") == 0, err
    assert profile_count(db) == 0


def test_utf32_and_an_ambiguous_delimiter_are_said(db_url, db, tmp_path, capsys):
    wide = tmp_path / "wide.csv"
    wide.write_bytes(codecs.BOM_UTF32_LE + shaped(planned_file(5).rows).decode().encode("utf-32-le"))
    code, _, err = cli_json(capsys, "--db", db_url, "import", str(wide))
    assert code == 2 and "UTF-32" in err and err.strip().count("\n") == 0, err
    ambiguous = tmp_path / "two-ways.csv"
    ambiguous.write_bytes(b"col a,col b;col c\n1,2;3\n4,5;6\n")
    code, _, err = cli_json(capsys, "--db", db_url, "import", str(ambiguous))
    assert code == 2 and "the delimiter is ambiguous: comma and semicolon" in err, err
    code, _, err = cli_json(capsys, "--db", db_url, "import", str(ambiguous), "--delimiter", ";")
    assert code == 2 and "ambiguous" not in err and "'col a,col b', 'col c'" in err, err
    assert profile_count(db) == 0


@pytest.mark.parametrize("shape", ["UTF-16 LE BOM tab", "UTF-16 BE", "CR", "semicolon"])
def test_service_imports_each_shape(db, tmp_path, shape):
    plan = planned(60)
    delimiter, newline, codec, bom, encoding = SHAPES[shape]
    path = tmp_path / "svc.csv"
    path.write_bytes(shaped(plan.rows, delimiter, newline, codec, bom))
    summary = Importer(db).run(path, ImportOptions(batch_size=7, rejects_path=tmp_path / "r.csv"))
    assert (summary.status, summary.total_rows, summary.inserted) == ("success", plan.total, plan.inserted)
    assert (summary.encoding, summary.delimiter) == (encoding, delimiter)


def test_chosen_format_through_the_service_and_a_refusal_for_the_wrong_one(db, tmp_path):
    plan = planned()
    path = tmp_path / "be.csv"
    path.write_bytes(shaped(plan.rows, ";", "\r\n", "utf-16-be"))
    chosen = FileFormat(encoding="utf-16", delimiter=";")
    summary = Importer(db).run(path, ImportOptions(rejects_path=tmp_path / "r.csv", file_format=chosen))
    assert (summary.inserted, summary.encoding) == (plan.inserted, "utf-16-be")
    with pytest.raises(ImportRefused) as refused:  # read as UTF-8 it is NUL bytes, said before anything is written
        Importer(db).run(path, ImportOptions(rejects_path=tmp_path / "r2.csv", file_format=FileFormat("utf-8")))
    assert refused.value.code == "not_text"


@pytest.mark.parametrize("codec, delimiter, newline, bom", [
    ("utf-16-le", "\t", "\r\n", True), ("utf-16-le", "\t", "\r", True), ("utf-16-be", ";", "\n", False),
    ("cp1252", ";", "\r", False), ("utf-8-sig", "|", "\r\n", True)])
def test_import_resumes_from_its_byte_offset(db, tmp_path, codec, delimiter, newline, bom):
    plan = planned(900)
    if codec.startswith("utf"):  # a surrogate pair in UTF-16 before the resume point: its offsets count 4 bytes
        plan.rows[500][0] = "Emoji 😀 Person"
    path = tmp_path / "resume.csv"
    path.write_bytes(shaped(plan.rows, delimiter, newline, codec, bom))
    cancel = CancelToken()
    options = ImportOptions(batch_size=100, rejects_path=tmp_path / "resume.rejects.csv", progress_interval=0)

    def on_progress(p):
        if p.total_rows >= 600:
            cancel.cancel()

    first = Importer(db).run(path, options, on_progress=on_progress, cancel=cancel)
    assert first.status == "cancelled" and 600 <= first.total_rows < plan.total
    stopped = get_run(db, first.run_id)
    assert stopped is not None and (stopped.encoding, stopped.delimiter) == (codec, delimiter)
    if codec.startswith("utf-16"):
        assert stopped.last_offset % 2 == 0  # a code unit boundary
    resumed = Importer(db).run(path, ImportOptions(batch_size=100, resume=True,
                                                   rejects_path=tmp_path / "resume.rejects.csv"))
    assert resumed.run_id == first.run_id and resumed.status == "success"
    assert resumed.resumed_from_line == stopped.last_line + 1
    assert (resumed.total_rows, resumed.inserted) == (plan.total, plan.inserted)
    assert {k: v for k, v in resumed.reasons.items() if v} == plan.reasons
    assert profile_count(db) == plan.inserted == distinct_name_keys(db)


def test_resume_reads_with_the_delimiter_and_encoding_the_run_chose(db, tmp_path):
    # Latin-1 chosen by a person, pipe-delimited: detection alone would say cp1252 and comma.
    plan = planned(300)
    path = tmp_path / "chosen.csv"
    path.write_bytes(shaped(plan.rows, "|", "\n", "latin-1"))
    cancel = CancelToken()
    chosen = FileFormat(encoding="latin-1", delimiter="|")
    first = Importer(db).run(path, ImportOptions(batch_size=50, rejects_path=tmp_path / "c.rejects.csv",
                                                 progress_interval=0, file_format=chosen),
                             on_progress=lambda p: cancel.cancel() if p.total_rows >= 100 else None, cancel=cancel)
    assert first.status == "cancelled"
    resumed = Importer(db).run(path, ImportOptions(batch_size=50, resume=True,
                                                   rejects_path=tmp_path / "c.rejects.csv"))
    assert resumed.run_id == first.run_id
    assert (resumed.total_rows, resumed.inserted, resumed.encoding, resumed.delimiter) == (
        plan.total, plan.inserted, "iso8859-1", "|")
