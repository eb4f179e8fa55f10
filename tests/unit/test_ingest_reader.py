"""The streaming reader: decoding rule, offsets, malformed records; chunk size never changes the result."""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.ingest.decoding import LineDecoder, binary_reason
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.headers import header_key, map_headers
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rejects import Reject, RejectsWriter, neutralise

HEADER = b"name,gender,age,country_id\n"


def records(path, chunk_size=256 * 1024, start=None):
    f = CsvFile(path, chunk_size=chunk_size)
    out = []
    for block in f.blocks(start):
        for i, fields in enumerate(block.rows):
            out.append((block.line_numbers[i], fields, block.raws[i].rstrip("\r"), block.ends[i],
                        block.problems[i] if block.problems else None))
    return f, out


def test_decoding_rule_ascii_then_latin1():
    decoder = LineDecoder()
    assert decoder.decode(b"plain ascii") == ("plain ascii", True)
    assert decoder.decode(b"Sidib\xe9") == ("Sidibé", True)
    assert decoder.encoding == "cp1252"
    assert decoder.decode("é".encode()) == ("Ã©", True)  # from now on the file is cp1252


def test_decoding_rule_utf8_then_broken_line():
    decoder = LineDecoder()
    assert decoder.decode("José".encode()) == ("José", True)
    text, ok = decoder.decode(b"bad \xe9 byte")
    assert not ok and "\\xe9" in text and decoder.encoding == "utf-8"


def test_undefined_cp1252_bytes_read_as_latin1():
    decoder = LineDecoder()
    assert decoder.decode(b"a\x81\x93b\x94") == ("a\x81“b”", True)


@pytest.mark.parametrize("head, fragment", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"), (b"PK\x03\x04rest", "Excel"), (b"\xff\xfen\x00a\x00", "UTF-16"),
    (bytes(range(1, 256)) * 4, "binary"), (b"\x00\x01name", "NUL"),
])
def test_binary_files_are_named(head, fragment):
    assert fragment in binary_reason(head)


def test_text_is_not_binary():
    assert binary_reason(HEADER + "Sidibé,male,3,ML\n".encode()) is None


def test_offsets_line_numbers_and_crlf(tmp_path):
    path = tmp_path / "crlf.csv"
    data = b"Name,Gender,Age,Country_ID\r\nAda,f,3,NG\r\n\r\n\"Bo, Jr\",m,4,GH\r\nCy,m,5,KE"
    path.write_bytes(data)
    f, recs = records(path)
    assert [(r[0], r[1]) for r in recs] == [(2, ["Ada", "f", "3", "NG"]), (4, ["Bo, Jr", "m", "4", "GH"]),
                                          (5, ["Cy", "m", "5", "KE"])]
    assert [r[3] for r in recs] == [data.index(b"\r\n\r\n") + 2, data.index(b"Cy"), len(data)]
    assert recs[1][2] == '"Bo, Jr",m,4,GH'


def test_resume_from_an_offset_keeps_line_numbers_and_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(HEADER + b"Ann,f,1,NG\nSidib\xe9,m,2,ML\nZo\xeb,f,3,GH\n")
    _, full = records(path)
    f, tail = records(path, start=full[1][3])
    assert tail == full[2:]
    assert tail[0][1][0] == "Zoë" and f.encoding == "cp1252"


def test_multiline_quoted_field_is_one_record(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_bytes(HEADER + b'"Ada\nObi",f,3,NG\nBo,m,4,GH\n')
    _, recs = records(path)
    assert [(r[0], r[1][0], r[4]) for r in recs] == [(2, "Ada\nObi", None), (4, "Bo", None)]


def test_unterminated_quote_rejects_only_its_line(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_bytes(HEADER + b'"Ada,f,3,NG\nBo,m,4,GH\nCy,m,5,KE\n"Dee,f,6,NG')
    _, recs = records(path)
    assert [(r[0], r[4]) for r in recs] == [(2, "unterminated quote"), (3, None), (4, None),
                                            (5, "unterminated quote")]


def test_over_long_line_is_skipped_without_holding_it(tmp_path):
    from insighta_desktop.ingest import reader

    path = tmp_path / "long.csv"
    path.write_bytes(HEADER + b"A," + b"x" * (reader.MAX_LINE_BYTES + 2 * 1024 * 1024) + b",3,NG\nBo,m,4,GH\n")
    _, recs = records(path, chunk_size=1 << 20)
    assert recs[0][4].startswith("line longer than") and recs[1][1] == ["Bo", "m", "4", "GH"]


@pytest.mark.parametrize("content, code", [
    (b"", "empty_file"), (b"\n\n", "empty_file"), (HEADER, "header_only"), (b"name,gender\nA,m\n", "missing_columns"),
])
def test_refusals(tmp_path, content, code):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as caught:
        CsvFile(path)
    assert caught.value.code == code


def test_semicolon_files_are_read(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_bytes(b"name;gender;age;country_id\nAda;f;3;NG\n")
    f, recs = records(path)
    assert f.delimiter == ";" and recs[0][1] == ["Ada", "f", "3", "NG"]


def test_header_mapping_with_aliases_and_extras():
    mapping = map_headers([" Full_Name ", "SEX", "Age", "country", "Country ID", "notes"])
    assert mapping.columns == {"name": 0, "gender": 1, "age": 2, "country_id": 4, "country_name": 3}
    assert mapping.extra == ("notes",)
    assert header_key("\ufeffCountry-ID ") == "country_id"


def test_rejects_writer_neutralises_formulas(tmp_path):
    assert neutralise("=1+1") == "'=1+1" and neutralise("+1") == "'+1" and neutralise("ok") == "ok"
    path = tmp_path / "r.csv"
    with RejectsWriter(path) as writer:
        writer.write([Reject(2, "invalid_age", "age '-3'", "-3,x"), Reject(3, "malformed_row", "x", "@cmd")])
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows == [["line_number", "reason", "detail", "raw_line"], ["2", "invalid_age", "age '-3'", "'-3,x"],
                    ["3", "malformed_row", "x", "'@cmd"]]


cell = st.text(alphabet=st.sampled_from(list('ab ,"\r\né\x00;')), max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell, min_size=1, max_size=5), min_size=1, max_size=20), st.sampled_from(["\n", "\r\n"]),
       st.integers(min_value=1, max_value=40))
def test_chunk_size_never_changes_the_records(tmp_path_factory, rows, newline, chunk):
    """Any file reads to the same records, offsets and problems whether chunks are 1 byte or 256 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(["name", "gender", "age", "country_id"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("chunks") / "f.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    def read(size):
        try:
            return records(path, chunk_size=size)[1]
        except ImportRefused as exc:  # all rows blank, or mostly control characters: refused the same way
            return exc.code

    big = read(256 * 1024)
    assert read(chunk) == big
    if isinstance(big, str):
        return
    for _line, fields, _raw, _end, problem in big:
        assert problem is not None or len(fields) == 4


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters='"\r\n\x00'), max_size=10),
                min_size=1, max_size=6))
def test_split_fast_path_equals_the_csv_module(fields):
    line = ",".join(fields)
    assert line.split(",") == next(csv.reader([line]), [""]) or (line == "" and next(csv.reader([line]), []) == [])
