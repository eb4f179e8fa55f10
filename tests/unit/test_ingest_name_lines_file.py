"""An update run's names found unchanged, as digests with their first lines, in a temporary SQLite database: it
answers as a dict keeping each digest's first line would (the full unsigned 64-bit range), past its 2 MB cache (on
disk)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.db.name_lines_file import CACHE_KIB, NameLinesFile
from insighta_desktop.ingest.name_hashes import name_hash

DIGESTS = st.one_of(st.integers(1, 2**64 - 1), st.sampled_from([1, 2**63 - 1, 2**63, 2**64 - 1]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(DIGESTS, st.integers(1, 2**32 - 1), max_size=40), max_size=8),
       st.lists(DIGESTS, max_size=30))
def test_answers_as_a_dict_keeping_first_lines(batches: list[dict[int, int]], asked: list[int]) -> None:
    names, expected = NameLinesFile(), {}
    try:
        for batch in batches:
            names.update_lines(batch)
            for h, line in batch.items():
                expected.setdefault(h, line)
        assert len(names) == len(expected)
        every = [h for batch in batches for h in batch] + asked
        assert names.lines_of(every) == {h: expected[h] for h in every if h in expected}
        assert all(names.get(h) == expected.get(h) for h in every)
    finally:
        names.close()


def test_keeps_every_name_past_its_cache_and_answers_a_batch_in_one_query() -> None:
    count = 200_000  # about 4 MB of table: twice the cache, so most of it is on disk
    names = NameLinesFile({name_hash(f"name {i}"): i + 2 for i in range(count)})
    try:
        names.update_lines({name_hash("name 5"): 99, name_hash("new"): 7})
        assert len(names) == count + 1 and CACHE_KIB * 1024 < count * 16
        asked = {name_hash(f"name {i}"): i + 2 for i in range(0, count, 97)}
        found = names.lines_of([*asked, name_hash("other"), name_hash("new")])
        assert found == {**asked, name_hash("new"): 7}
        assert names.get(name_hash("name 5")) == 7 and names.get(name_hash("nope")) is None
    finally:
        names.close()


def test_looks_names_up_by_their_key_not_by_scanning() -> None:
    names = NameLinesFile({2: 2})
    try:
        plan = " ".join(str(row) for row in names._db.execute(
            "EXPLAIN QUERY PLAN SELECT h, line FROM names WHERE h IN (SELECT value FROM json_each(?))", ("[1]",)))
        assert "INTEGER PRIMARY KEY" in plan or "rowid" in plan.lower(), plan
    finally:
        names.close()
