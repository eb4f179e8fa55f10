"""Pages by number are bounded (issue 11 §5): past the last page, or deeper than OFFSET should go, a search is
refused with one line naming the last page, before any row is read; deep pages are reached by keyset cursor."""
from __future__ import annotations

import math
import time

import pytest

from insighta_desktop.cli import main
from insighta_desktop.db.profile_store import profile_store_for
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.search import ProfileSearch

PROFILES = 600


pytestmark = pytest.mark.usefixtures("isolated_home")  # tests/integration/conftest.py


@pytest.fixture
def demo(db):
    load_demo_data(db, profiles=PROFILES, interviews=0)
    return db


@pytest.mark.parametrize("page", ["999999999999999999999999", "99999999999"])
def test_a_page_far_past_the_end_is_one_line_naming_the_last_page(demo, db_url, capsys, page):
    started = time.perf_counter()
    assert main(["--db", db_url, "search", "--gender", "female", "--page", page, "--limit", "10"]) == 2
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err.strip()
    total = ProfileSearch(demo).search(build_filters(gender="female")).total
    last = math.ceil(total / 10)
    assert len(err.splitlines()) == 1, err
    assert f"is past the last page ({last:,} at 10 per page)" in err
    assert "Invalid query parameters" in err
    assert not any(word in err for word in ("Traceback", "DataError", "SELECT", "OFFSET", "bigint"))
    assert elapsed < 10  # it took 31-46 s on SQLite when the OFFSET reached the database


def test_the_last_page_is_served_and_the_one_after_is_refused(demo):
    search = ProfileSearch(demo)
    filters = build_filters(country_id="NG")
    total = search.search(filters, PageRequest(limit=7)).total
    last = math.ceil(total / 7)
    final = search.search(filters, PageRequest(page=last, limit=7))
    assert len(final.rows) == total - (last - 1) * 7 and final.next_cursor is None
    with pytest.raises(InvalidQueryParameters, match=rf"page {last + 1} is past the last page \({last} at 7"):
        search.search(filters, PageRequest(page=last + 1, limit=7))


def test_deep_pages_by_number_are_refused_and_keyset_reaches_them(demo):
    search = ProfileSearch(demo, max_offset=50)
    filters = build_filters()
    assert len(search.search(filters, PageRequest(page=6, limit=10)).rows) == 10  # offset 50: still by number
    with pytest.raises(InvalidQueryParameters, match=r"page 7 is too deep to reach by number \(pages 1-6 at 10 "
                                                     r"per page; the last page is 60\): go on from a page with its "
                                                     r"next cursor"):
        search.search(filters, PageRequest(page=7, limit=10))
    result = search.search(filters, PageRequest(limit=10))
    seen = list(result.rows)
    while result.next_cursor:  # every row, by keyset, far past the OFFSET bound
        result = search.search(filters, PageRequest(page=result.page + 1, limit=10, cursor=result.next_cursor))
        seen += result.rows
    assert len(seen) == PROFILES and len({p.id for p in seen}) == PROFILES


def test_a_refused_page_reads_no_rows(demo):
    """The bound is checked against the total before the page statement: no OFFSET ever reaches the server."""
    search = ProfileSearch(demo)
    store = profile_store_for(demo)
    seen: list[str] = []
    filters = build_filters(gender="male", min_gender_probability=0.1)  # a total that needs a count
    with store.reading() as run:
        def recording(statement):
            seen.append(statement.sql)
            return run(statement)

        with pytest.raises(InvalidQueryParameters, match="past the last page|too deep"):
            search.execute(recording, filters, PageRequest(page=99_999_999_999, limit=50))
    assert seen  # the total was counted...
    assert not any(sql.startswith("SELECT id, name") or "OFFSET" in sql for sql in seen)  # ...and no page read
