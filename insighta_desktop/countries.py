"""ISO 3166-1 countries with the names, aliases and demonyms people type.

The data lives in ``insighta_desktop/data/countries.json`` and is loaded once, lazily. Every lookup goes through
:func:`normalise_phrase`, so matching ignores case, accents, surrounding space and punctuation such as dots and hyphens.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from insighta_desktop.resources import resource_path

DATA_FILE = "countries.json"


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NOT_WORD = re.compile(r"[^\w']+")


def normalise_phrase(text: str) -> str:
    """Fold case and accents, drop dots, turn other punctuation (except apostrophes) into spaces, collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    folded = folded.replace(".", "").replace("&", " and ").replace("_", " ")
    return " ".join(_NOT_WORD.sub(" ", folded).split())


@cache
def _countries() -> tuple[Country, ...]:
    raw = json.loads(resource_path(DATA_FILE).read_text(encoding="utf-8"))
    return tuple(
        Country(
            alpha2=row["alpha2"],
            alpha3=row["alpha3"],
            name=row["name"],
            aliases=tuple(row.get("aliases", ())),
            demonyms=tuple(row.get("demonyms", ())),
        )
        for row in raw["countries"]
    )


@cache
def _by_alpha2() -> dict[str, Country]:
    return {c.alpha2: c for c in _countries()}


@cache
def _by_alpha3() -> dict[str, Country]:
    return {c.alpha3: c for c in _countries()}


def _plurals(demonym: str) -> tuple[str, ...]:
    if demonym.endswith("man"):
        return (demonym[:-3] + "men",)
    if demonym.endswith(("s", "sh", "ese", "ch")) and not demonym.endswith("czech"):
        return ()
    return (demonym + "s",)


@cache
def _phrases() -> dict[str, str]:
    """Normalised name/alias/demonym (and demonym plural) -> alpha2. Names win over aliases over demonyms."""
    index: dict[str, str] = {}
    countries = _countries()
    for c in countries:
        index.setdefault(normalise_phrase(c.name), c.alpha2)
    for c in countries:
        for alias in c.aliases:
            index.setdefault(normalise_phrase(alias), c.alpha2)
    for c in countries:
        for demonym in c.demonyms:
            key = normalise_phrase(demonym)
            index.setdefault(key, c.alpha2)
            for plural in _plurals(key):
                index.setdefault(plural, c.alpha2)
    index.pop("", None)
    return index


def all_countries() -> list[Country]:
    return list(_countries())


def by_alpha2(code: str) -> Country | None:
    if not isinstance(code, str):
        return None
    return _by_alpha2().get(code.strip().upper())


def resolve(text: str) -> Country | None:
    """A country from an alpha-2 or alpha-3 code (any case), its name, an alias or a demonym; None if unknown."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if len(stripped) == 2 and stripped.isascii() and stripped.isalpha():
        found = _by_alpha2().get(stripped.upper())
        if found:
            return found
    if len(stripped) == 3 and stripped.isascii() and stripped.isalpha():
        found = _by_alpha3().get(stripped.upper())
        if found:
            return found
    code = _phrases().get(normalise_phrase(stripped))
    return _by_alpha2()[code] if code else None


def phrase_index() -> dict[str, str]:
    """Normalised phrase (names, aliases, demonyms and their plurals; not bare ISO codes) -> alpha2.

    A copy: callers may keep or change it freely.
    """
    return dict(_phrases())
