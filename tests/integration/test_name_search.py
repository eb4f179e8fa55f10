"""Name search on both back ends: prefix of any word, accents and case ignored, the fuzzy fallback ranked by
similarity, names combined with other filters, every writer keeping the words, the CLI's --name, links and saved
searches carrying the name."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from insighta_desktop.cli import main
from insighta_desktop.db.bulk_insert import ProfileBatch
from insighta_desktop.db.profile_store import profile_store_for
from insighta_desktop.db.schema import name_words, profile_name_words, profiles
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.ids import uuid7
from insighta_desktop.profiles.links import parse_link, to_link
from insighta_desktop.profiles.model import Profile, age_group_for, normalise_name
from insighta_desktop.profiles.names import fold
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.saved_searches import SavedSearches
from insighta_desktop.profiles.search import ProfileSearch

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
PEOPLE = [  # name, gender, age, country
    ("Aïssata Kaboré", "female", 31, "BF"), ("Kojo Kaboré", "male", 45, "BF"), ("Amara Obi", "female", 28, "NG"),
    ("Amara Okafor", "female", 52, "NG"), ("Amadou Traoré", "male", 38, "ML"), ("Chérie Kabila", "female", 24, "CD"),
    ("Obinna Eze", "male", 33, "NG"), ("Jean-Luc N'Diaye", "male", 41, "SN"), ("AMARA BELLO", "male", 19, "NG"),
]


def _row(i: int, name: str, gender: str, age: int, country: str) -> dict[str, object]:
    created = EPOCH + timedelta(minutes=i)
    return {"id": str(uuid7(int(created.timestamp() * 1000))), "name": name, "name_key": normalise_name(name),
            "gender": gender, "gender_probability": 0.9, "age": age, "age_group": age_group_for(age),
            "country_id": country, "country_name": country, "country_probability": 0.5, "created_at": created}


@pytest.fixture
def people(db):
    with db.begin() as conn:  # a SQLAlchemy insert: name_search comes from the column's default
        conn.execute(profiles.insert().values([_row(i, *p) for i, p in enumerate(PEOPLE)]))
    return db


def names_of(result) -> list[str]:
    return sorted(p.name for p in result.rows)


def test_prefix_of_any_word_ignoring_case_and_accents(people):
    search = ProfileSearch(people)
    assert names_of(search.search(build_filters(name="kabore"))) == ["Aïssata Kaboré", "Kojo Kaboré"]
    assert names_of(search.search(build_filters(name="KABORÉ"))) == ["Aïssata Kaboré", "Kojo Kaboré"]
    assert names_of(search.search(build_filters(name="aissata"))) == ["Aïssata Kaboré"]
    assert names_of(search.search(build_filters(name="obi"))) == ["Amara Obi", "Obinna Eze"]
    assert names_of(search.search(build_filters(name="ama ob"))) == ["Amara Obi"]  # every word must match
    assert names_of(search.search(build_filters(name="n diaye"))) == ["Jean-Luc N'Diaye"]
    assert names_of(search.search(build_filters(name="luc"))) == ["Jean-Luc N'Diaye"]
    result = search.search(build_filters(name="amara"))
    assert (result.total, result.total_kind) == (3, "exact")
    assert result.name_match is not None and result.name_match.kind == "prefix"


def test_names_combine_with_other_filters_and_sort(people):
    search = ProfileSearch(people)
    parsed = parse_query("women named Amara from Nigeria")
    result = search.search(parsed.filters)
    assert names_of(result) == ["Amara Obi", "Amara Okafor"]
    by_age = search.search(build_filters(name="amara", sort_by="age", order="asc"))
    assert [p.name for p in by_age.rows] == ["AMARA BELLO", "Amara Obi", "Amara Okafor"]
    first = search.search(build_filters(name="amara", sort_by="name", order="asc"), PageRequest(limit=2))
    rest = search.search(build_filters(name="amara", sort_by="name", order="asc"),
                         PageRequest(page=2, limit=2, cursor=first.next_cursor))
    assert [p.name for p in first.rows + rest.rows] == ["AMARA BELLO", "Amara Obi", "Amara Okafor"]
    facets = search.facets(build_filters(name="amara"))
    assert dict(facets.genders) == {"female": 2, "male": 1} and facets.kind == "exact"


def test_fuzzy_match_when_no_word_starts_so(people):
    search = ProfileSearch(people)
    result = search.search(build_filters(name="kabroe"))  # a transposition: no prefix matches
    assert names_of(result) == ["Aïssata Kaboré", "Kojo Kaboré"]  # kabore wins over the equally similar kabila
    match = result.name_match
    assert match is not None and match.kind == "fuzzy"
    assert [w for w, _ in match.terms[0].words] == ["kabore"]
    assert match.terms[0].words[0][1] == pytest.approx(3 / 11, abs=1e-3)
    expected_index = "pg_trgm GIN" if people.dialect.name == "postgresql" else "FTS5 trigram"
    assert match.fuzzy_index and expected_index in match.fuzzy_index
    assert result.filters.name == "kabroe"  # the filters stay as typed; the match says what was used
    assert dict(search.facets(build_filters(name="kabroe")).genders) == {"female": 1, "male": 1}
    nothing = search.search(build_filters(name="zzzzzz"))
    assert nothing.rows == () and nothing.total == 0 and nothing.name_match.kind == "none"


def test_every_writer_keeps_the_name_words(db):
    store = profile_store_for(db)
    names = ["Zoë Ouédraogo", "Théophile Sidibé"]
    batch = ProfileBatch(
        ids=[uuid.uuid4().hex for _ in names], names=names, keys=[normalise_name(n) for n in names],
        genders=["female", "male"], gender_ps=[0.9, 0.8], ages=[30, 40], age_groups=["adult", "adult"],
        country_ids=["BF", "ML"], country_names=["Burkina Faso", "Mali"], country_ps=[0.5, 0.6],
        source_lines=[2, 3], created_at=EPOCH, import_run_id=None)
    with store.write() as write:  # the importer's path: COPY / executemany, the dictionary added by the caller
        loaded = write.load(batch)
        write.add_counts(loaded)
        write.commit()
    profile = Profile(id=str(uuid7(int(EPOCH.timestamp() * 1000))), name="Fortuné Compaoré", gender="male",
                      gender_probability=0.9, age=50, age_group="adult", country_id="BF", country_name="Burkina Faso",
                      country_probability=0.4, created_at=EPOCH)
    assert store.insert_one(profile, normalise_name(profile.name))[1] is True  # a profile predicted from a name
    load_demo_data(db, profiles=50, interviews=0)
    with db.connect() as conn:
        keys = dict(conn.execute(sa.select(profiles.c.name, profiles.c.name_search)).all())
        words = {(w, str(i).replace("-", "")) for w, i in conn.execute(sa.select(profile_name_words))}
        dictionary = set(conn.execute(sa.select(name_words.c.word)).scalars())
        ids = {name: str(i).replace("-", "") for name, i in conn.execute(sa.select(profiles.c.name, profiles.c.id))}
    assert len(keys) == 53 and all(key == fold(name) for name, key in keys.items())
    assert words == {(w, ids[name]) for name, key in keys.items() for w in key.split()}
    assert dictionary == {w for w, _ in words}
    search = ProfileSearch(db)
    assert names_of(search.search(build_filters(name="ouedraogo"))) == ["Zoë Ouédraogo"]
    assert names_of(search.search(build_filters(name="sidbie"))) == ["Théophile Sidibé"]  # fuzzy, via the caller
    assert names_of(search.search(build_filters(name="fortune compaore"))) == ["Fortuné Compaoré"]


def test_renaming_and_deleting_keep_the_words_in_step(people):
    with people.begin() as conn:
        conn.execute(profiles.update().where(profiles.c.name == "Amara Obi")
                     .values(name="Amara Obiageli", name_search=fold("Amara Obiageli")))
        conn.execute(profiles.delete().where(profiles.c.name == "Kojo Kaboré"))
    search = ProfileSearch(people)
    assert names_of(search.search(build_filters(name="obiag"))) == ["Amara Obiageli"]
    assert names_of(search.search(build_filters(name="kabore"))) == ["Aïssata Kaboré"]
    with people.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(profile_name_words)).scalar_one() == \
            sum(len(fold(p[0]).split()) for p in PEOPLE) - 2 + 0  # Kojo Kaboré's two words gone


def test_links_and_saved_searches_carry_the_name(people):
    filters = parse_query("women named Amara from Nigeria").filters
    link = to_link(filters, "women named Amara from Nigeria")
    assert "name=Amara" in link and parse_link(link).filters == filters
    saved = SavedSearches(people)
    saved.save("Amaras", "women named Amara from Nigeria", filters)
    again = saved.get("Amaras")
    assert again.filters == filters and again.filters.name == "Amara"
    assert names_of(ProfileSearch(people).search(again.filters)) == ["Amara Obi", "Amara Okafor"]


@pytest.mark.usefixtures("isolated_home")
def test_cli_name_option_json_and_explain(people, db_url, capsys):
    assert main(["--db", db_url, "search", "--name", "kabore", "--json", "--explain"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["filters"]["name"] == "kabore"
    assert sorted(r["name"] for r in payload["data"]) == ["Aïssata Kaboré", "Kojo Kaboré"]
    assert payload["name_match"]["match"] == "prefix"
    assert main(["--db", db_url, "search", "women", "--name", "kabroe", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "no name starts with 'kabroe': showing names with 'kabore' (similarity 0.27)" in out
    assert "Name match: fuzzy" in out and ("pg_trgm GIN index" in out or "FTS5 trigram table" in out)
    assert "Aïssata Kaboré" in out and "Kojo" not in out
    assert main(["--db", db_url, "search", "Amara", "Obi"]) == 0
    assert "Amara Obi" in capsys.readouterr().out


def test_a_profile_with_two_words_starting_so_counts_once(db):
    with db.begin() as conn:
        conn.execute(profiles.insert().values([_row(i, name, "female", 30, "NG") for i, name in enumerate(
            ["Ama Amadou", "Amara Obi", "Kofi Mensah", "Amaka Amara Ama"])]))
    search = ProfileSearch(db)
    assert search.search(build_filters(name="ama")).total == 3  # the name alone: counted in the word index
    assert search.search(build_filters(name="ama"), PageRequest(limit=1)).total == 3
    assert search.search(build_filters(name="ama ama"), PageRequest(limit=1)).total == 3
    assert search.search(build_filters(name="ama obi"), PageRequest(limit=1)).total == 1
    capped = ProfileSearch(db, count_cap=2).search(build_filters(name="ama"), PageRequest(limit=1))
    assert (capped.total, capped.total_kind) == (2, "at_least")
    # six rows in the word index start with "ama", three profiles: under a cap of 3 the total is still exact
    at_cap = ProfileSearch(db, count_cap=3).search(build_filters(name="ama"), PageRequest(limit=1))
    assert (at_cap.total, at_cap.total_kind) == (3, "exact")
    with_gender = search.search(build_filters(name="ama", gender="female"), PageRequest(limit=1))
    assert (with_gender.total, with_gender.total_kind) == (3, "exact")


def test_a_name_matching_many_profiles_walks_the_sort_order(people, monkeypatch):
    """Past FEW_NAME_MATCHES the rows are not read by id first; the answers are the same."""
    from insighta_desktop.db import name_match

    monkeypatch.setattr(name_match, "FEW_NAME_MATCHES", 0)
    search = ProfileSearch(people)
    assert names_of(search.search(build_filters(name="kabore"))) == ["Aïssata Kaboré", "Kojo Kaboré"]
    assert names_of(search.search(build_filters(name="ama ob"))) == ["Amara Obi"]
    assert names_of(search.search(parse_query("women named Amara from Nigeria").filters)) == ["Amara Obi",
                                                                                            "Amara Okafor"]
    # With other filters PostgreSQL checks each walked row's own folded name: a word's start, never its middle
    # ("ka" is inside "okafor"), and any word of the name, not only the first.
    assert names_of(search.search(build_filters(name="ka", gender="female"))) == ["Aïssata Kaboré", "Chérie Kabila"]
    assert names_of(search.search(build_filters(name="diaye", gender="male"))) == ["Jean-Luc N'Diaye"]
    assert names_of(search.search(build_filters(name="luc n", country_id="SN"))) == ["Jean-Luc N'Diaye"]
    by_age = search.search(build_filters(name="amara", sort_by="age", order="asc"), PageRequest(limit=2))
    rest = search.search(build_filters(name="amara", sort_by="age", order="asc"),
                         PageRequest(page=2, limit=2, cursor=by_age.next_cursor))
    assert [p.name for p in by_age.rows + rest.rows] == ["AMARA BELLO", "Amara Obi", "Amara Okafor"]
    by_number = search.search(build_filters(name="amara", sort_by="age", order="asc"), PageRequest(page=2, limit=2))
    assert [p.name for p in by_number.rows] == ["Amara Okafor"]
    newest = search.search(build_filters(name="amara"), PageRequest(limit=2))
    assert [p.name for p in newest.rows] == ["AMARA BELLO", "Amara Okafor"]  # PEOPLE's order: the last added first
    assert by_age.total == 3
    assert names_of(search.search(build_filters(name="kabroe"))) == ["Aïssata Kaboré", "Kojo Kaboré"]
    assert dict(search.facets(build_filters(name="amara", gender="female")).genders) == {"female": 2}


def test_several_words_are_looked_up_by_the_dictionary_words_they_begin(people, monkeypatch):
    """Each typed word of several is matched by the stored words it begins (one word: equality, a merge join on
    PostgreSQL; a few: probed by primary key on SQLite); past EXPANSION_WORDS a word is a range. Same answers."""
    from insighta_desktop.db import name_match

    search = ProfileSearch(people)
    for limit in (name_match.EXPANSION_WORDS, 1, 0):
        monkeypatch.setattr(name_match, "EXPANSION_WORDS", limit)
        assert names_of(search.search(build_filters(name="kojo kabore"))) == ["Kojo Kaboré"], limit
        amara_o = search.search(build_filters(name="amara o"), PageRequest(limit=1))
        assert (amara_o.total, amara_o.total_kind) == (2, "exact"), limit
        assert names_of(search.search(build_filters(name="amara o"))) == ["Amara Obi", "Amara Okafor"], limit
        assert names_of(search.search(build_filters(name="ama ob"))) == ["Amara Obi"], limit
        assert names_of(search.search(build_filters(name="o ama"))) == ["Amara Obi", "Amara Okafor"], limit
        assert search.search(build_filters(name="kojo zzzz")).rows == (), limit


def test_a_misspelling_sharing_no_inner_trigram_is_still_found(db):
    """'torue' and 'toure' share no unpadded trigram (SQLite's FTS5) but their first letters (pg_trgm's padding)."""
    with db.begin() as conn:
        conn.execute(profiles.insert().values([_row(i, name, "female", 30, "ML") for i, name in enumerate(
            ["Awa Touré", "Maria Torres", "Ahmed Ali"])]))
    search = ProfileSearch(db)
    assert names_of(search.search(build_filters(name="torue"))) == ["Awa Touré"]
    assert names_of(search.search(build_filters(name="ahemd"))) == ["Ahmed Ali"]


def test_a_common_name_with_other_filters_is_estimated_past_the_cap(people, monkeypatch):
    """Past FEW_NAME_MATCHES and the count cap, a name with gender/age/country filters is not counted by reading
    every profile of the name: its share of all profiles times the filters' exact count, labelled an estimate."""
    from insighta_desktop.db import name_match

    monkeypatch.setattr(name_match, "FEW_NAME_MATCHES", 0)
    search = ProfileSearch(people, count_cap=1)
    women = search.search(build_filters(name="amara", gender="female"), PageRequest(limit=1))
    females = sum(1 for p in PEOPLE if p[1] == "female")
    amaras = sum(1 for p in PEOPLE if "amara" in fold(p[0]).split())
    assert women.rows[0].name in {"Amara Obi", "Amara Okafor"}
    assert (women.total, women.total_kind) == (round(amaras * females / len(PEOPLE)), "estimate")
    # the few-matches path still counts (up to the cap), and so does a name with a probability filter
    monkeypatch.setattr(name_match, "FEW_NAME_MATCHES", 3_000)
    few = search.search(build_filters(name="amara", gender="female"), PageRequest(limit=1))
    assert (few.total, few.total_kind) == (1, "at_least")
    probable = ProfileSearch(people).search(build_filters(name="amara", min_gender_probability=0.5),
                                            PageRequest(limit=1))
    assert (probable.total, probable.total_kind) == (3, "exact")


def test_an_update_that_keeps_the_names_keeps_the_words(people):
    with people.begin() as conn:
        before = sorted(tuple(r) for r in conn.execute(sa.select(profile_name_words)))
        conn.execute(profiles.update().values(age=profiles.c.age + 1))
        after = sorted(tuple(r) for r in conn.execute(sa.select(profile_name_words)))
    assert after == before and before
    with people.begin() as conn:  # a name changed in the same statement as others that do not
        conn.execute(profiles.update().values(
            name_search=sa.case((profiles.c.name == "Obinna Eze", "obinna ezeh"), else_=profiles.c.name_search)))
    assert names_of(ProfileSearch(people).search(build_filters(name="ezeh"))) == ["Obinna Eze"]
    assert names_of(ProfileSearch(people).search(build_filters(name="eze"))) == ["Obinna Eze"]
    assert names_of(ProfileSearch(people).search(build_filters(name="kabore"))) == ["Aïssata Kaboré", "Kojo Kaboré"]
