"""One UUIDv7 generator and one naive-means-UTC rule for the whole app."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from insighta_desktop.profiles.ids import Uuid7Batches, uuid7
from insighta_desktop.timestamps import as_utc


def test_a_single_id_and_a_batch_share_the_uuid7_layout():
    now_ms = 1_790_000_000_000
    single = uuid7(now_ms)
    batch = [uuid.UUID(hex=h) for h in Uuid7Batches().next_ids(5, now_ms)]
    for value in (single, *batch):
        assert value.version == 7 and value.variant == uuid.RFC_4122
        assert value.int >> 80 == now_ms
    assert batch == sorted(batch)
    assert uuid7().int >> 80 > now_ms


def test_as_utc_reads_naive_as_utc_and_converts_other_zones():
    naive = datetime(2026, 3, 1, 12, 0)
    assert as_utc(naive) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    lagos = datetime(2026, 3, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    converted = as_utc(lagos)
    assert converted.tzinfo is UTC and converted.hour == 12
    assert as_utc(None) is None
