"""Cut the record stream into batches of N records, validate them, and drop repeats within each batch.

A batch also ends before it would hold more than `max_bytes` of the file's text, so a file of long lines costs no
more memory per batch than one of short lines (a batch is held several times over: parsed, validated, queued,
loading). A batch always takes at least one record, and ends at a record boundary, so resume offsets stay exact.

Repeats across batches are found by the database (see db/bulk_insert.py): the first occurrence was inserted with
this run's id and its line, so memory stays bounded by the batch size however long the file is.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress
from operator import ne, not_

from insighta_desktop.ingest.line_parser import RecordBlock
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rejects import Reject
from insighta_desktop.ingest.rows import CleanColumns, RowValidator

DUPLICATE = "duplicate_name"
# Of the file's text per batch at most. Peak RSS of a 500k long-name import: 155 MB without, 122 at 1 MB, 94 at 512 KB.
BATCH_BYTES = 512 * 1024


@dataclass
class Batch:
    columns: CleanColumns  # valid rows, each name once
    rejects: list[Reject]  # malformed, invalid and repeated-in-this-batch rows
    repeats: dict[int, str] = field(default_factory=dict)  # index in rejects -> name key, for repeats
    records: int = 0
    end_offset: int = 0  # byte offset just after the batch's last record
    last_line: int = 0
    corrected: dict[str, int] = field(default_factory=dict)  # corrections made in this batch
    encoding: str = ""


def slice_block(block: RecordBlock, start: int, stop: int) -> RecordBlock:
    return RecordBlock(block.line_numbers[start:stop], block.rows[start:stop], block.raws[start:stop],
                       block.ends[start:stop], block.problems[start:stop] if block.problems is not None else None)


def _drop_repeats(batch: Batch) -> None:
    columns = batch.columns
    keys, lines = columns.keys, columns.lines
    first = dict(zip(reversed(keys), reversed(lines), strict=True))  # the earliest line of each name wins
    if len(first) == len(keys):
        return
    repeated = list(map(ne, map(first.__getitem__, keys), lines))
    for i in compress(range(len(keys)), repeated):
        batch.repeats[len(batch.rejects)] = keys[i]
        batch.rejects.append(Reject(lines[i], DUPLICATE, f"repeats line {first[keys[i]]}",
                                    columns.raws[i].rstrip("\r")))
    batch.columns = columns.select(list(map(not_, repeated)))


def iter_batches(csv_file: CsvFile, validator: RowValidator, batch_size: int,
                 start_offset: int | None = None, max_bytes: int = BATCH_BYTES) -> Iterator[Batch]:
    """Batches of `batch_size` records, or fewer when `max_bytes` of text come first (the last may be smaller), in
    file order."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    if max_bytes < 1:
        raise ValueError("batch bytes must be at least 1")
    batch: Batch | None = None
    seen_corrections = dict(validator.corrected)
    batch_start = csv_file.data_offset if start_offset is None else max(start_offset, csv_file.data_offset)
    for block in csv_file.blocks(start_offset):
        start, size = 0, len(block.rows)
        ends = block.ends
        while start < size:
            if batch is None:
                batch = Batch(CleanColumns.from_rows([]), [])
            wanted = min(batch_size - batch.records, size - start)
            # The records of this block that end within the batch's byte budget.
            take = bisect_right(ends, batch_start + max_bytes, start, start + wanted) - start
            if take == 0 and batch.records:
                batch_start = batch.end_offset
                yield _finish(batch, validator, seen_corrections, csv_file)
                seen_corrections = dict(validator.corrected)
                batch = None
                continue
            full = take < wanted
            take = max(take, 1)  # a single record longer than the budget is a batch of its own
            piece = block if (start == 0 and take == size) else slice_block(block, start, start + take)
            columns, rejects = validator.validate_block(piece)
            batch.columns.extend(columns)
            batch.rejects.extend(rejects)
            batch.records += take
            batch.end_offset = piece.ends[-1]
            batch.last_line = piece.line_numbers[-1]
            start += take
            if batch.records == batch_size or full:
                batch_start = batch.end_offset
                yield _finish(batch, validator, seen_corrections, csv_file)
                seen_corrections = dict(validator.corrected)
                batch = None
    if batch is not None and batch.records:
        yield _finish(batch, validator, seen_corrections, csv_file)


def _finish(batch: Batch, validator: RowValidator, before: dict[str, int], csv_file: CsvFile) -> Batch:
    _drop_repeats(batch)
    batch.corrected = {k: v - before.get(k, 0) for k, v in validator.corrected.items()}
    batch.encoding = csv_file.encoding
    return batch
