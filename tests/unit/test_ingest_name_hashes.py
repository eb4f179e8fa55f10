"""The dry run's compact set of names: it answers as a set of the names would, through growth."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.ingest.name_hashes import NameHashes, NameLines, name_hash


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=300), st.lists(st.text(max_size=40), max_size=50))
def test_answers_as_a_set_would(added: list[str], asked: list[str]) -> None:
    hashes, names = NameHashes(), set()
    for key in added:
        assert hashes.add(key) == (key not in names)
        names.add(key)
    assert len(hashes) == len(names)
    for key in added + asked:
        assert (key in hashes) == (key in names)


def test_grows_past_its_first_table_and_keeps_every_name() -> None:
    hashes = NameHashes()
    keys = [f"name {i}" for i in range(50_000)]
    hashes.update(keys)
    assert len(hashes) == 50_000
    assert all(key in hashes for key in keys)
    assert not any(f"other {i}" in hashes for i in range(5_000))


def test_digest_is_never_the_empty_slot_marker() -> None:
    assert all(name_hash(k) != 0 for k in ("", "a", "\ud800"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=30), st.integers(1, 2**32 - 1)), max_size=300),
       st.lists(st.text(max_size=30), max_size=30))
def test_name_lines_answer_as_a_dict_keeping_first_lines(items: list[tuple[str, int]], asked: list[str]) -> None:
    lines, expected = NameLines(), {}
    for key, line in items:
        assert lines.setdefault(key, line) == expected.setdefault(key, line)
    assert len(lines) == len(expected)
    for key in [k for k, _ in items] + asked:
        assert (key in lines) == (key in expected)
        assert lines.get(key) == expected.get(key)


def test_name_lines_grow_and_update_from_a_dict() -> None:
    lines = NameLines({f"name {i}": i + 2 for i in range(40_000)})
    lines.update_lines({"name 5": 99, "new": 7})
    assert len(lines) == 40_001
    assert lines.get("name 5") == 7 and lines.get("new") == 7 and lines.get("name 39999") == 40_001
