"""Saved searches and the search history live in the database searched, on SQLite and PostgreSQL: shared by
everyone using it, names in any case, the last 100 searches kept."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.saved_searches import HISTORY_SIZE, SavedSearches, SavedSearchNotFound


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def service(db):
    return SavedSearches(db, clock=Clock())


def test_save_get_list_replace_and_delete(service):
    women = build_filters(gender="female", country_id="NG", min_age=30)
    assert service.save("Lagos  women", "nigerian women over 30", women) is False
    assert service.save("Kenyan seniors", "kenyan seniors", build_filters(country_id="KE", age_group="senior")) is False
    found = service.get("lagos women")  # any case, any spacing
    assert (found.name, found.query, found.filters) == ("Lagos women", "nigerian women over 30", women)
    assert found.at.tzinfo is not None
    assert found.link == "insighta://search?q=nigerian+women+over+30&gender=female&country=NG&min_age=30"
    assert [s.name for s in service.list()] == ["Kenyan seniors", "Lagos women"]
    men = build_filters(gender="male", country_id="NG")
    assert service.save("LAGOS WOMEN", "nigerian men", men) is True  # the same name replaces
    assert [(s.name, s.filters) for s in service.list()] == [
        ("Kenyan seniors", build_filters(country_id="KE", age_group="senior")), ("LAGOS WOMEN", men)]
    service.delete("lagos women")
    assert [s.name for s in service.list()] == ["Kenyan seniors"]
    with pytest.raises(SavedSearchNotFound, match="no saved search named 'lagos women'"):
        service.delete("lagos women")
    with pytest.raises(SavedSearchNotFound):
        service.get("nothing")
    with pytest.raises(InvalidQueryParameters, match="needs a name"):
        service.save("   ", "x", men)


def test_a_team_on_one_database_shares_saved_searches(db, db_url):
    other_engine = create_engine_for(db_url)  # a colleague's app on the same database
    try:
        SavedSearches(db).save("Shortlist", "women in ghana", build_filters(gender="female", country_id="GH"))
        assert [s.name for s in SavedSearches(other_engine).list()] == ["Shortlist"]
    finally:
        other_engine.dispose()


def test_history_keeps_the_last_100_newest_first_and_refinements_replace(service):
    service.record("nigeri", build_filters(country_id="NG"))
    service.record("nigerian", build_filters(country_id="NG"))  # the same filters: typing refined one search
    service.record("nigerian women", build_filters(country_id="NG", gender="female"))
    history = service.history()
    assert [h.query for h in history] == ["nigerian women", "nigerian"]
    assert history[0].at > history[1].at and history[0].name == ""
    for age in range(HISTORY_SIZE + 5):
        service.record(f"aged {age}", build_filters(min_age=age, max_age=age))
    history = service.history()
    assert len(history) == HISTORY_SIZE
    assert history[0].query == f"aged {HISTORY_SIZE + 4}" and history[-1].query == "aged 5"
    assert history[0].filters == build_filters(min_age=HISTORY_SIZE + 4, max_age=HISTORY_SIZE + 4)
