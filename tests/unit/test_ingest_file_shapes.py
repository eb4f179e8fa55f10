"""Files as they really come: line endings, delimiters and encodings, detected from the first 64 KB or chosen.

Each shape is a small file generated here. The round-trip property: any table written with any delimiter, line
ending and encoding reads back the same, from any chunk size, and from any record boundary (resume)."""
from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import (
    DETECT,
    FileFormat,
    detect_format,
    normalise_encoding,
    parse_delimiter,
    sniff_delimiter,
)
from insighta_desktop.ingest.reader import CsvFile

HEADER = ["name", "gender", "age", "country_id"]
ROWS = [["Zoë Ann", "female", "30", "NG"], ['Bo "B" Ray', "male", "41", "GH"], ["Cy; Jr, | x", "m", "5", "KE"]]
BOMS = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def table_bytes(rows, delimiter=",", newline="\n", encoding="utf-8", bom=False, header=HEADER) -> bytes:
    # As Excel writes: a field is quoted when it holds the delimiter, a quote or a line break of any kind (the csv
    # module's writer leaves a "\n" bare when its line terminator is "\r").
    def field(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = "".join(delimiter.join(map(field, row)) + newline for row in [header, *rows])
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    return (BOMS[encoding] if bom else b"") + text.encode(codec)


def read_all(path, chunk_size=256 * 1024, file_format=DETECT, start=None):
    f = CsvFile(path, chunk_size=chunk_size, file_format=file_format)
    out = []
    for block in f.blocks(start):
        for i, fields in enumerate(block.rows):
            out.append((block.line_numbers[i], fields, block.ends[i], block.problems[i] if block.problems else None))
    return f, out


SHAPES = [  # name, bytes, encoding reported, delimiter, newline
    ("LF", table_bytes(ROWS), "utf-8", ",", "LF"),
    ("CRLF", table_bytes(ROWS, newline="\r\n"), "utf-8", ",", "CRLF"),
    ("CR (Excel for Mac)", table_bytes(ROWS, newline="\r"), "utf-8", ",", "CR"),
    ("mixed", b"name,gender,age,country_id\rZo\xc3\xab Ann,female,30,NG\n"
              b"\"Bo \"\"B\"\" Ray\",male,41,GH\r\n\"Cy; Jr, | x\",m,5,KE\r", "utf-8", ",", "mixed (LF, CRLF, CR)"),
    ("semicolon", table_bytes(ROWS, ";"), "utf-8", ";", "LF"),
    ("tab", table_bytes(ROWS, "\t"), "utf-8", "\t", "LF"),
    ("pipe", table_bytes(ROWS, "|", "\r\n"), "utf-8", "|", "CRLF"),
    ("UTF-16 LE BOM, tab (Excel Unicode text)", table_bytes(ROWS, "\t", "\r\n", "utf-16-le", bom=True),
     "utf-16-le", "\t", "CRLF"),
    ("UTF-16 LE no BOM", table_bytes(ROWS, ";", "\n", "utf-16-le"), "utf-16-le", ";", "LF"),
    ("UTF-16 BE BOM", table_bytes(ROWS, ",", "\r", "utf-16-be", bom=True), "utf-16-be", ",", "CR"),
    ("UTF-16 BE no BOM", table_bytes(ROWS, ";", "\r\n", "utf-16-be"), "utf-16-be", ";", "CRLF"),
    ("UTF-8 BOM", table_bytes(ROWS, ",", "\r\n", "utf-8-sig", bom=True), "utf-8-sig", ",", "CRLF"),
    ("cp1252", table_bytes(ROWS, ";", "\r\n", "cp1252"), "cp1252", ";", "CRLF"),
]


@pytest.mark.parametrize("name, data, encoding, delimiter, newline", SHAPES, ids=[s[0] for s in SHAPES])
def test_each_shape_reads_the_same_rows(tmp_path, name, data, encoding, delimiter, newline):
    path = tmp_path / "shape.csv"
    path.write_bytes(data)
    for chunk in (256 * 1024, 7, 2):
        f, records = read_all(path, chunk)
        assert (f.encoding, f.delimiter, f.format.newline, f.format.notes) == (encoding, delimiter, newline, ())
        assert f.header == HEADER
        assert [fields for _, fields, _, _ in records] == ROWS
        assert [line for line, _, _, _ in records] == [2, 3, 4]
        assert records[-1][2] == len(data)
        for k in range(1, len(records)):  # resume from each record boundary
            assert read_all(path, chunk, start=records[k - 1][2])[1] == records[k:]


def test_utf32_is_refused_by_name(tmp_path):
    for data in (codecs.BOM_UTF32_LE + "name,gender,age,country_id\nA,f,3,NG\n".encode("utf-32-le"),
                 "name,gender,age,country_id\nA,f,3,NG\n".encode("utf-32-be")):
        path = tmp_path / "wide.csv"
        path.write_bytes(data)
        with pytest.raises(ImportRefused) as refused:
            CsvFile(path)
        assert refused.value.code == "utf32" and "UTF-32" in refused.value.message


def test_ambiguous_delimiter_is_said_and_comma_used():
    delimiter, note = sniff_delimiter("a,b;c\n1,2;3\n4,5;6\n")
    assert delimiter == "," and note is not None and "ambiguous" in note and "comma and semicolon" in note
    fmt = detect_format(b"a,b;c\n1,2;3\n", FileFormat(delimiter=";"))
    assert fmt.delimiter == ";" and fmt.chosen_delimiter and fmt.notes == ()


def test_profile_headers_break_a_tie():
    # Both split the header into two fields; only the comma gives column names a profile has.
    assert sniff_delimiter("name,age;x\nA,1;2\n") == (",", None)
    assert sniff_delimiter("x,name;age\n1,A;2\n") == (";", None)


def test_a_comma_inside_a_semicolon_file_does_not_win():
    assert sniff_delimiter("name;gender;age;country_id\nDoe, Jane;f;30;NG\nRoe, Al;m;31;GH\n") == (";", None)


def test_chosen_encoding_and_delimiter_win(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(table_bytes([["Zoë", "f", "3", "NG"]], "|", encoding="latin-1"))
    f, records = read_all(path, file_format=FileFormat(encoding="latin1", delimiter="pipe"))
    assert (f.encoding, f.delimiter, records[0][1]) == ("iso8859-1", "|", ["Zoë", "f", "3", "NG"])
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(table_bytes(ROWS, "\t", "\r\n", "utf-16-le", bom=True))
    f, records = read_all(utf16, file_format=FileFormat(encoding="UTF-16"))
    assert (f.encoding, [r[1] for r in records]) == ("utf-16-le", ROWS)


@pytest.mark.parametrize("name, message", [("klingon", "unknown encoding"), ("utf-32", "UTF-32"),
                                           ("utf-7", "unsupported encoding")])
def test_bad_encoding_names_are_one_line(name, message):
    with pytest.raises(ValueError) as bad:
        normalise_encoding(name)
    assert message in str(bad.value) and "\n" not in str(bad.value)


def test_encoding_and_delimiter_names():
    assert [normalise_encoding(n) for n in ("UTF8", "UTF-16LE", "UTF-16BE", "latin1", "windows-1252")] == [
        "utf-8", "utf-16-le", "utf-16-be", "iso8859-1", "cp1252"]
    assert [parse_delimiter(t) for t in (",", ";", "tab", "\\t", "\t", "|", "semicolon")] == [
        ",", ";", "\t", "\t", "\t", "|", ";"]
    with pytest.raises(ValueError):
        parse_delimiter(":")


def test_utf16_broken_surrogate_and_odd_byte_reject_only_their_line(tmp_path):
    good = "name,gender,age,country_id\nAda,f,3,NG\n".encode("utf-16-le")
    bad = "Bo".encode("utf-16-le") + b"\x00\xd8" + ",m,4,GH\n".encode("utf-16-le")
    path = tmp_path / "broken.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + good + bad + "Cy,m,5,KE\n".encode("utf-16-le") + b"X")
    _, records = read_all(path, 5)
    assert [(line, problem is None) for line, _, _, problem in records] == [(2, True), (3, False), (4, True),
                                                                             (5, False)]
    assert records[-1][2] == path.stat().st_size


def test_stray_cr_in_an_lf_file_ends_its_line(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_bytes(b"name,gender,age,country_id\nAda,f,3,NG\nBo,m\r4,GH\nCy,m,5,KE\n")
    _, records = read_all(path)
    assert [(line, problem) for line, _, _, problem in records] == [
        (2, None), (3, "expected 4 fields, found 2"), (4, "expected 4 fields, found 2"), (5, None)]


cell = st.text(alphabet=st.sampled_from(list('ab ,;|\t"\né😀')), max_size=6)
encodings = st.sampled_from([("utf-8", False), ("utf-8-sig", True), ("utf-16-le", True), ("utf-16-le", False),
                             ("utf-16-be", True), ("utf-16-be", False), ("cp1252", False)])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=12),
       st.sampled_from([",", ";", "\t", "|"]), st.sampled_from(["\n", "\r\n", "\r"]), encodings,
       st.integers(min_value=1, max_value=64), st.data())
def test_any_table_round_trips(tmp_path, rows, delimiter, newline, encoding, chunk, data):
    codec, bom = encoding
    if codec == "cp1252":  # é before ASCII is never valid UTF-8, so the rule decides cp1252 as Excel meant
        rows = [[c.replace("😀", "é") for c in row] for row in rows]
    path = tmp_path / "round.csv"
    path.write_bytes(table_bytes(rows, delimiter, newline, codec, bom))
    # No BOM, UTF-16: the NUL-byte pattern may not show in a table of emoji; say it, as a person would.
    chosen = FileFormat(encoding=codec if codec.startswith("utf-16") and not bom else None, delimiter=delimiter)
    f, records = read_all(path, chunk, chosen)
    assert [fields for _, fields, _, problem in records if problem is None] == rows
    ends = [end for _, _, end, _ in records]
    assert ends == sorted(ends) and ends[-1] == path.stat().st_size
    k = data.draw(st.integers(min_value=0, max_value=len(records) - 1))
    if k:
        _, resumed = read_all(path, chunk, chosen, start=ends[k - 1])
        assert resumed == records[k:]


@given(st.lists(st.lists(st.text(alphabet="abcXYZ é0123", min_size=1, max_size=8), min_size=4, max_size=4),
                min_size=1, max_size=10), st.sampled_from([",", ";", "\t", "|"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_sniffer_finds_the_delimiter_of_plain_tables(rows, delimiter, newline):
    text = table_bytes(rows, delimiter, newline).decode()
    assert sniff_delimiter(text) == (delimiter, None)


def test_a_chosen_format_reaches_the_child_process_import():
    from insighta_desktop.ingest.child_command import options_from_json, options_to_json
    from insighta_desktop.ingest.pipeline import ImportOptions

    options = ImportOptions(file_format=FileFormat(encoding="utf-16-le", delimiter=";"))
    assert options_from_json(options_to_json(options)).file_format == FileFormat("utf-16-le", ";")
    assert options_from_json(options_to_json(ImportOptions())).file_format == FileFormat()


@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le"])
@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_an_overlong_line_rejects_only_itself_and_offsets_stay_exact(tmp_path, codec, newline):
    lines = ["name\tgender\tage\tcountry_id", "Ada\tf\t3\tNG", "X" * (5 * 1024 * 1024) + "\tm\t4\tGH", "Cy\tm\t5\tKE"]
    bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else b""
    path = tmp_path / "long.csv"
    path.write_bytes(bom + "".join(line + newline for line in lines).encode(codec))
    expected = [len(bom + "".join(line + newline for line in lines[:k]).encode(codec)) for k in (2, 3, 4)]
    for chunk in (256 * 1024, 4099):
        _, records = read_all(path, chunk)
        assert [(line, end) for line, _, end, _ in records] == list(zip((2, 3, 4), expected, strict=True))
        assert [problem for *_, problem in records] == [None, "line longer than 4 MiB", None]


def test_resume_keeps_every_stored_encoding_but_an_undecided_utf8():
    from insighta_desktop.ingest.file_format import resume_format

    assert resume_format(FileFormat(), "cp1252", ";") == FileFormat("cp1252", ";")
    assert resume_format(FileFormat(), "utf-16-be", "\t") == FileFormat("utf-16-be", "\t")
    assert resume_format(FileFormat(), "utf-8-sig", ",") == FileFormat("utf-8-sig", ",")
    assert resume_format(FileFormat(), "utf-8", None) == FileFormat(None, None)  # the rule may still be undecided
    assert resume_format(FileFormat("latin-1", "|"), "cp1252", ";") == FileFormat("latin-1", "|")  # chosen now wins
    assert normalise_encoding("utf-8-sig") == "utf-8"


def test_fixing_rejected_rows_reopens_the_file_as_its_run_read_it(tmp_path):
    """UTF-16 BE without a BOM and mostly CJK: too few NUL bytes to detect, so a person chose it; the rejected rows'
    editor reopens the file with the run's encoding and delimiter, not detection's guess."""
    from types import SimpleNamespace

    from insighta_desktop.ingest.fixed_rows import layout_for_run

    rows = [["张伟王芳" * 30 + str(i), "male", "30", "CN"] for i in range(10)]
    path = tmp_path / "cjk.csv"
    path.write_bytes(table_bytes(rows, ";", "\r\n", "utf-16-be"))
    with pytest.raises(ImportRefused):
        CsvFile(path)
    _, records = read_all(path, file_format=FileFormat("utf-16-be", ";"))
    assert [fields for _, fields, _, _ in records] == rows
    record = SimpleNamespace(file_name=str(path), mapping_json=None, encoding="utf-16-be", delimiter=";")
    layout = layout_for_run(record)
    assert (layout.headers, layout.delimiter) == (tuple(HEADER), ";")
