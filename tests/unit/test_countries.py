"""The country data: complete ISO list, names that match the seed data, and forgiving lookups."""
from __future__ import annotations

import json

import pytest

from insighta_desktop import countries
from insighta_desktop.countries import Country, all_countries, by_alpha2, normalise_phrase, phrase_index, resolve


def test_every_iso_country_once_with_codes_in_shape():
    rows = all_countries()
    assert len(rows) == 249
    assert len({c.alpha2 for c in rows}) == 249
    assert len({c.alpha3 for c in rows}) == 249
    for c in rows:
        assert isinstance(c, Country)
        assert len(c.alpha2) == 2 and c.alpha2.isupper() and c.alpha2.isalpha()
        assert len(c.alpha3) == 3 and c.alpha3.isupper() and c.alpha3.isalpha()
        assert c.name.strip() == c.name and c.name
        assert isinstance(c.aliases, tuple) and isinstance(c.demonyms, tuple)


def test_names_match_every_pair_in_the_seed_profiles(sample_data_dir):
    seed = sample_data_dir / "seed_profiles.json"
    pairs = {(p["country_id"], p["country_name"]) for p in json.loads(seed.read_text("utf-8"))["profiles"]}
    assert len(pairs) > 60
    mismatched = {(code, name, by_alpha2(code) and by_alpha2(code).name) for code, name in pairs
                  if by_alpha2(code) is None or by_alpha2(code).name != name}
    assert mismatched == set()


@pytest.mark.parametrize(
    ("code", "name"),
    [("CD", "DR Congo"), ("CI", "Côte d'Ivoire"), ("CG", "Republic of the Congo"), ("ST", "São Tomé and Príncipe"),
     ("GB", "United Kingdom"), ("US", "United States"), ("TZ", "Tanzania"), ("SZ", "Eswatini")],
)
def test_display_names(code, name):
    assert by_alpha2(code).name == name
    assert by_alpha2(code.lower()).name == name


@pytest.mark.parametrize(
    ("text", "code"),
    [("ng", "NG"), ("NGA", "NG"), ("nga", "NG"), ("Nigeria", "NG"), ("  NIGERIA ", "NG"), ("Nigerian", "NG"),
     ("nigerians", "NG"), ("Nigerien", "NE"), ("Niger", "NE"), ("Kenyan", "KE"), ("kenyans", "KE"),
     ("British", "GB"), ("uk", "GB"), ("U.K.", "GB"), ("Britain", "GB"), ("England", "GB"), ("usa", "US"),
     ("U.S.A.", "US"), ("American", "US"), ("Americans", "US"), ("ivory coast", "CI"), ("Cote d'Ivoire", "CI"),
     ("côte d’ivoire", "CI"), ("Ivorian", "CI"), ("drc", "CD"), ("dr congo", "CD"), ("D.R. Congo", "CD"),
     ("Congolese", "CD"), ("congo-brazzaville", "CG"), ("sao tome and principe", "ST"), ("SÃO TOMÉ", "ST"),
     ("south africa", "ZA"), ("South Africans", "ZA"), ("bosnia and herzegovina", "BA"), ("guinea bissau", "GW"),
     ("Guinea-Bissau", "GW"), ("Guinea", "GN"), ("equatorial guinea", "GQ"), ("swaziland", "SZ"),
     ("Tanzanian", "TZ"), ("chinese", "CN"), ("Dutch", "NL"), ("holland", "NL"), ("Swiss", "CH"),
     ("Filipinos", "PH"), ("czechs", "CZ"), ("Turkey", "TR"), ("cape verde", "CV"), ("Cabo Verde", "CV"),
     ("burma", "MM"), ("South Sudanese", "SS"), ("sudanese", "SD"), ("Åland Islands", "AX"), ("aland islands", "AX")],
)
def test_resolve(text, code):
    found = resolve(text)
    assert found is not None, text
    assert found.alpha2 == code


@pytest.mark.parametrize("text", ["", "   ", "xx", "XYZ", "atlantis", "men", None, 42])
def test_resolve_unknown(text):
    assert resolve(text) is None


@pytest.mark.parametrize(("text", "code"), [("us", "US"), ("Us", "US"), ("in", "IN"), ("and", "AD"), ("gbr", "GB")])
def test_resolve_accepts_codes_in_any_case(text, code):
    # Codes resolve in any case; the parser, not resolve(), decides when "us" or "in" is an English word.
    assert resolve(text).alpha2 == code


def test_phrase_index_leaves_out_bare_codes():
    index = phrase_index()
    for word in ("us", "in", "and", "at", "to", "no", "is", "it", "me", "can", "per"):
        assert word not in index


def test_phrase_index_is_normalised_and_consistent_with_resolve():
    index = phrase_index()
    assert index["south africa"] == "ZA"
    assert index["dr congo"] == "CD"
    assert index["nigerians"] == "NG"
    for phrase, code in index.items():
        assert phrase == normalise_phrase(phrase)
        assert by_alpha2(code) is not None
    index["nigeria"] = "XX"  # a copy: the module's index is untouched
    assert phrase_index()["nigeria"] == "NG"


def test_every_name_alias_and_demonym_resolves_to_its_own_country_or_a_preferred_one():
    index = phrase_index()
    for c in all_countries():
        assert index[normalise_phrase(c.name)] == c.alpha2
        for phrase in (*c.aliases, *c.demonyms):
            assert normalise_phrase(phrase) in index


def test_normalise_phrase():
    assert normalise_phrase("  Côte   d’Ivoire ") == "cote d'ivoire"
    assert normalise_phrase("Guinea-Bissau") == "guinea bissau"
    assert normalise_phrase("U.S.A.") == "usa"
    assert normalise_phrase("Trinidad & Tobago") == "trinidad and tobago"


def test_data_is_loaded_once():
    first = countries._countries()
    assert countries._countries() is first
