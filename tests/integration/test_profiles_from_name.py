"""A profile from a name: Genderize, Agify and Nationalize (fakes on 127.0.0.1) through the retry layer, stored on
SQLite and PostgreSQL under the Insighta contract; the CLI's `profiles add`."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from insighta_desktop.cli import main
from insighta_desktop.integrations.name_prediction import NameServices, NameServicesConfig
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.from_name import ProfileFromName
from insighta_desktop.profiles.model import normalise_name
from insighta_desktop.profiles.search import ProfileSearch
from tests.fakes.clock import FakeClock
from tests.fakes.name_services import Person, rate_limited
from tests.fakes.server import Fault


@pytest.fixture
def clock():
    return FakeClock()


def service(db, fake_names, clock, key=None, timeout_s=5.0, **retry):
    config = NameServicesConfig.resolve(lambda: key, env=fake_names.base_urls(), timeout_s=timeout_s)
    return ProfileFromName(db, NameServices(config, clock.retrying(**retry)))


async def add(svc, name):
    try:
        return await svc.add(name)
    finally:
        await svc.predictor.aclose()


def stored_names(db):
    return {p.name for p in ProfileSearch(db).search(build_filters(), PageRequest(limit=100)).rows}


async def test_a_name_becomes_a_stored_profile_under_the_contract(db, fake_names, clock):
    fake_names.people["amara"] = Person("female", 0.97, 1200, 34, [("GH", 0.2), ("NG", 0.41)])
    search = ProfileSearch(db)
    before = search.search(build_filters(country_id="NG")).total
    version = search.data_version()
    result = await add(service(db, fake_names, clock), "  Amara ")
    assert result.outcome == "created" and result.ok
    p = result.profile
    assert (p.name, p.gender, p.gender_probability, p.age, p.age_group) == ("Amara", "female", 0.97, 34, "adult")
    assert (p.country_id, p.country_name, p.country_probability) == ("NG", "Nigeria", 0.41)
    assert uuid.UUID(p.id).version == 7
    assert p.created_at.utcoffset().total_seconds() == 0
    assert result.message == "Added Amara: female (97%), 34 (adult), Nigeria (41%)."
    assert [fake_names.names_asked(r) for r in ("genderize", "agify", "nationalize")] == [["Amara"]] * 3
    # the counts triggers and the data version moved: a cached search sees the new profile
    assert search.data_version() > version
    assert search.search(build_filters(country_id="NG")).total == before + 1
    assert "Amara" in stored_names(db)


async def test_the_three_services_are_asked_at_once(db, fake_names, clock):
    fake_names.people["kofi"] = Person("male", 0.99, 500, 41, [("GH", 0.6)])
    for route in ("genderize", "agify", "nationalize"):
        fake_names.fail(route, Fault.slow(0.4))
    started = time.perf_counter()
    result = await add(service(db, fake_names, clock), "Kofi")
    assert result.outcome == "created"
    assert time.perf_counter() - started < 1.0  # not 3 x 0.4 s
    assert fake_names.max_concurrent == 3


async def test_a_stored_name_is_shown_whatever_its_case_and_spaces(db, fake_names, clock):
    fake_names.people["amara obi"] = Person()
    first = await add(service(db, fake_names, clock), "Amara Obi")
    fake_names.reset()
    again = await add(service(db, fake_names, clock), "  AMARA   obi ")
    assert again.outcome == "exists" and again.ok
    assert again.profile == first.profile
    assert again.message.startswith("Amara Obi is already stored: female (97%)")
    assert fake_names.requests == []  # no service asked


@pytest.mark.parametrize(("person", "missing"), [
    (None, ("Genderize", "Agify", "Nationalize")),
    (Person(gender=None), ("Genderize",)),
    (Person(count=0), ("Genderize",)),
    (Person(age=None), ("Agify",)),
    (Person(countries=[]), ("Nationalize",)),
    (Person(countries=[("ZZ", 0.9)]), ("Nationalize",)),  # not an ISO 3166-1 country
])
async def test_no_prediction_is_not_stored_and_names_the_service(db, fake_names, clock, person, missing):
    if person is not None:
        fake_names.people["zzyzx"] = person
    result = await add(service(db, fake_names, clock), "Zzyzx")
    assert (result.outcome, result.missing, result.profile) == ("no_prediction", missing, None)
    assert result.message == "No profile stored for 'Zzyzx': " + ", ".join(
        f"{m} had no prediction" for m in missing) + "."
    assert "Zzyzx" not in stored_names(db)


async def test_retry_after_is_honoured(db, fake_names, clock):
    fake_names.people["ngozi"] = Person()
    fake_names.fail("agify", rate_limited(retry_after=7))
    result = await add(service(db, fake_names, clock, initial_delay=1.0), "Ngozi")
    assert result.outcome == "created"
    assert clock.waits == [7.0]
    assert len(fake_names.calls("agify")) == 2 and len(fake_names.calls("genderize")) == 1


async def test_server_errors_are_retried_then_reported_without_storing(db, fake_names, clock):
    fake_names.people["tunde"] = Person()
    fake_names.fail("nationalize", Fault.error(503), Fault.error(500))
    assert (await add(service(db, fake_names, clock), "Tunde")).outcome == "created"
    assert len(clock.waits) == 2

    fake_names.people["chidi"] = Person()
    fake_names.fail_always("genderize", Fault.error(502))
    result = await add(service(db, fake_names, clock), "Chidi")
    assert result.outcome == "failed" and not result.ok
    assert result.message == "No profile for 'Chidi': Genderize answered HTTP 502: HTTP 502"
    assert "Chidi" not in stored_names(db)


async def test_a_daily_limit_is_not_waited_for(db, fake_names, clock):
    fake_names.fail_always("genderize", Fault.error(429, {"error": "Request limit reached"},
                                                   headers={"X-Rate-Limit-Reset": "30000"}))
    result = await add(service(db, fake_names, clock), "Ada")
    assert result.outcome == "failed" and "Genderize answered HTTP 429: Request limit reached" in result.message
    assert clock.waits == []


async def test_a_slow_answer_times_out_and_is_retried(db, fake_names, clock):
    fake_names.people["emeka"] = Person()
    fake_names.fail("agify", Fault.slow(1.5))
    result = await add(service(db, fake_names, clock, timeout_s=0.3), "Emeka")
    assert result.outcome == "created"
    assert len(fake_names.calls("agify")) == 2


async def test_the_api_key_is_sent_when_set(db, fake_names, clock):
    fake_names.people["ama"] = Person()
    fake_names.required_key = "k-123"
    assert (await add(service(db, fake_names, clock), "Ama")).outcome == "failed"  # 401: not retried
    assert clock.waits == []
    assert (await add(service(db, fake_names, clock, key="k-123"), "Ama")).outcome == "created"


async def test_many_names_five_at_a_time(db, fake_names, clock):
    names = [f"Name{i}" for i in range(12)]
    for n in names:
        fake_names.people[n.casefold()] = Person()
    for route in ("genderize", "agify", "nationalize"):
        fake_names.fail(route, *[Fault.slow(0.15)] * len(names))
    svc = service(db, fake_names, clock)
    seen = []
    try:
        results = await svc.add_many(names, on_result=seen.append)
    finally:
        await svc.predictor.aclose()
    assert [r.outcome for r in results] == ["created"] * 12 and len(seen) == 12
    assert 6 <= fake_names.max_concurrent <= 15  # 5 names x 3 services at most
    keys = {normalise_name(n) for n in names}
    assert {normalise_name(n) for n in stored_names(db)} >= keys


def test_cli_profiles_add_json(db, db_url, fake_names, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    fake_names.people["amara"] = Person()
    assert main(["--db", db_url, "profiles", "add", "Amara", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["results"]
    assert row["outcome"] == "created" and row["profile"]["country_name"] == "Nigeria"
    assert row["profile"]["age_group"] == "adult" and row["missing"] == []
    assert main(["--db", db_url, "profiles", "add", "amara", "Qwxz", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)["results"]
    assert [(r["outcome"], r["missing"]) for r in rows] == [("exists", []),
                                                             ("no_prediction", ["Genderize", "Agify", "Nationalize"])]
    assert main(["--db", db_url, "profiles", "add", "Amara"]) == 0
    assert capsys.readouterr().out.startswith("Amara is already stored: female (97%), 34 (adult), Nigeria (41%).")
