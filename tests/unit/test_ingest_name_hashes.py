"""The dry run's compact set of names: it answers as a set of the names would, through growth."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.ingest.name_hashes import NameHashes, name_hash


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
