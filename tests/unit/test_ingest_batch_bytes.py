"""Batches end at a row count or a byte budget, whichever comes first, always at a record boundary."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insighta_desktop.ingest.batches import iter_batches
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rows import RowValidator

HEADER = b"name,gender,age,country_id\n"


def _write(path: Path, name_lengths: list[int]) -> Path:
    lines = [HEADER]
    for i, n in enumerate(name_lengths):
        lines.append(f"{'n' * n} {i:05d},{'male' if i % 2 else 'female'},{20 + i % 50:02d},NG\n".encode())
    path.write_bytes(b"".join(lines))
    return path


def _batches(path: Path, batch_size: int, max_bytes: int, start: int | None = None) -> list[tuple[int, int, int]]:
    """(records, bytes of text, end offset) of each batch."""
    csv_file = CsvFile(path, chunk_size=4096)
    begin = csv_file.data_offset if start is None else start
    out = []
    for batch in iter_batches(csv_file, RowValidator(csv_file.mapping), batch_size, start, max_bytes=max_bytes):
        out.append((batch.records, batch.end_offset - begin, batch.end_offset))
        begin = batch.end_offset
    return out


def test_long_lines_end_a_batch_before_its_row_count(tmp_path: Path) -> None:
    path = _write(tmp_path / "long.csv", [150] * 1000)
    line = len(path.read_bytes().splitlines(keepends=True)[1])
    batches = _batches(path, 500, 20 * line)
    assert [records for records, _, _ in batches] == [20] * 50
    assert all(size <= 20 * line for _, size, _ in batches)


def test_row_count_still_ends_a_batch_of_short_lines(tmp_path: Path) -> None:
    path = _write(tmp_path / "short.csv", [5] * 1000)
    assert [records for records, _, _ in _batches(path, 300, 1 << 20)] == [300, 300, 300, 100]


def test_a_line_longer_than_the_budget_is_a_batch_of_its_own(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.csv", [10, 10, 180, 10])
    assert [records for records, _, _ in _batches(path, 100, 60)] == [2, 1, 1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lengths=st.lists(st.integers(1, 120), min_size=1, max_size=300), batch_size=st.integers(1, 80),
       max_bytes=st.integers(1, 5000))
def test_batches_cover_every_record_once_and_resume_exactly(tmp_path: Path, lengths: list[int], batch_size: int,
                                                            max_bytes: int) -> None:
    path = _write(tmp_path / "any.csv", lengths)
    batches = _batches(path, batch_size, max_bytes)
    assert sum(records for records, _, _ in batches) == len(lengths)
    assert batches[-1][2] == path.stat().st_size
    for records, size, _ in batches:
        assert records <= batch_size
        assert size <= max_bytes or records == 1
    # Resuming at any batch's end gives exactly the batches after it.
    if len(batches) > 1:
        middle = len(batches) // 2
        assert _batches(path, batch_size, max_bytes, batches[middle - 1][2]) == batches[middle:]


def test_batch_bytes_must_be_positive(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", [5])
    with pytest.raises(ValueError):
        _batches(path, 10, 0)
