"""Validate one parsed row against a header mapping: a clean profile row, or the first reason it fails."""
from __future__ import annotations

import re
import unicodedata
from itertools import compress, repeat
from operator import is_, itemgetter, lt, not_
from typing import Any, NamedTuple, cast

from insighta_desktop.countries import Country
from insighta_desktop.ingest.headers import REQUIRED_FIELDS, HeaderMapping
from insighta_desktop.ingest.line_parser import RecordBlock
from insighta_desktop.ingest.rejects import Reject
from insighta_desktop.ingest.validators import (
    MAX_NAME_LENGTH,
    MISSING,
    CountryLookup,
    Invalid,
    validate_age,
    validate_gender,
    validate_name,
    validate_probability,
)
from insighta_desktop.profiles.model import MAX_AGE, age_group_for, normalise_name

MALFORMED = "malformed_row"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_AGE_GROUPS = [age_group_for(age) for age in range(MAX_AGE + 1)]
_MISS = object()
_NOWHERE = ("", "")
_CACHE_LIMIT = 65536


class CleanRow(NamedTuple):
    name: str
    name_key: str
    gender: str
    gender_probability: float | None
    age: int
    age_group: str
    country_id: str
    country_name: str
    country_probability: float | None


class CleanColumns(NamedTuple):
    """Valid rows column by column (the line each came from first), in file order: cheap to filter and to bulk-load."""

    lines: list[int]
    names: list[str]
    keys: list[str]
    genders: list[str]
    gender_ps: list[float | None]
    ages: list[int]
    age_groups: list[str]
    country_ids: list[str]
    country_names: list[str]
    country_ps: list[float | None]
    raws: list[str]  # the record's text, for a reject entry if the row turns out to be a duplicate

    @classmethod
    def from_rows(cls, rows: list[tuple[Any, ...]]) -> CleanColumns:
        if not rows:
            return cls([], [], [], [], [], [], [], [], [], [], [])
        return cls._make(map(list, zip(*rows, strict=True)))

    def select(self, keep: list[bool]) -> CleanColumns:
        return CleanColumns._make(list(compress(column, keep)) for column in self)

    def rows(self) -> list[tuple[Any, ...]]:
        return list(zip(*self, strict=True))

    def extend(self, other: CleanColumns) -> None:
        for field in self._fields:
            getattr(self, field).extend(getattr(other, field))


class RowValidator:
    """Callable on a row's fields. Counts supplied age_group / country_name values it had to correct."""

    def __init__(self, mapping: HeaderMapping, countries: CountryLookup | None = None) -> None:
        cols = mapping.columns
        self._name, self._gender, self._age, self._country = (cols[f] for f in REQUIRED_FIELDS)
        self._gender_p = cols.get("gender_probability")
        self._country_p = cols.get("country_probability")
        self._age_group = cols.get("age_group")
        self._country_name = cols.get("country_name")
        self._required = tuple((f, cols[f]) for f in REQUIRED_FIELDS)
        self._countries = countries or CountryLookup()
        self.corrected = {"age_group": 0, "country_name": 0}
        # Memos of raw text -> valid value, filled by rows that passed the full check.
        self._genders: dict[str, str] = {g: g for g in ("male", "female")}
        self._ages: dict[str, int] = {str(a): a for a in range(MAX_AGE + 1)}
        self._country_memo: dict[str, tuple[str, str]] = {}
        self._probs: dict[str, float | None] = {"": None}

    def __call__(self, fields: list[str]) -> CleanRow | Invalid:
        missing = [f for f, i in self._required if not fields[i] or fields[i].isspace()]
        if missing:
            return Invalid(MISSING, f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} empty")
        name = validate_name(fields[self._name])
        if type(name) is Invalid:
            return name
        gender = validate_gender(fields[self._gender])
        if type(gender) is Invalid:
            return gender
        age = validate_age(fields[self._age])
        if type(age) is Invalid:
            return age
        country = self._countries(fields[self._country])
        if type(country) is Invalid:
            return country
        gender_p = country_p = None
        if self._gender_p is not None:
            checked = validate_probability(fields[self._gender_p], "gender_probability")
            if type(checked) is Invalid:
                return checked
            gender_p = checked
        if self._country_p is not None:
            checked = validate_probability(fields[self._country_p], "country_probability")
            if type(checked) is Invalid:
                return checked
            country_p = checked
        age_group = age_group_for(age)
        if self._age_group is not None:
            supplied = fields[self._age_group].strip()
            if supplied and supplied.lower() != age_group:
                self.corrected["age_group"] += 1
        if self._country_name is not None:
            self._check_country_name(fields[self._country_name], country)
        return CleanRow(name, normalise_name(name), gender, gender_p, age, age_group,
                        country.alpha2, country.name, country_p)

    def _check_country_name(self, text: str, country: Country) -> None:
        supplied = text.strip()
        if not supplied or supplied == country.name:
            return
        same = self._countries(supplied)
        if type(same) is Invalid or same.alpha2 != country.alpha2:
            self.corrected["country_name"] += 1


    def validate_block(self, block: RecordBlock) -> tuple[CleanColumns, list[Reject]]:
        """Every record of a block: the valid rows (as columns, in file order) and the rejects.

        Values are looked up column by column in memos of values that passed before; a row with anything not
        found there goes through __call__, so a rejected row always gets the reason __call__ gives.
        """
        rows, numbers, raws, problems = block.rows, block.line_numbers, block.raws, block.problems
        rejects: list[Reject] = []
        if problems is not None:
            ok = [p is None for p in problems]
            for i, problem in enumerate(problems):
                if problem is not None:
                    rejects.append(Reject(numbers[i], MALFORMED, problem, raws[i].rstrip("\r")))
            keep = list(compress(range(len(rows)), ok))
            rows = list(map(rows.__getitem__, keep))
            numbers = list(map(numbers.__getitem__, keep))
            raws = list(map(raws.__getitem__, keep))
        if not rows:
            return CleanColumns.from_rows([]), rejects
        if not isinstance(raws, list):
            raws = list(raws)
        if self._age_group is not None or self._country_name is not None:
            return self._validate_each(rows, numbers, raws, rejects)
        m = len(rows)
        index = range(m)
        raw_names = list(map(itemgetter(self._name), rows))
        names = list(map(" ".join, map(str.split, raw_names)))
        genders = list(map(self._genders.get, map(itemgetter(self._gender), rows)))
        found_ages = list(map(self._ages.get, map(itemgetter(self._age), rows)))
        found_places = list(map(self._country_memo.get, map(itemgetter(self._country), rows)))
        gender_ps = self._probabilities(rows, self._gender_p, m)
        country_ps = self._probabilities(rows, self._country_p, m)
        suspect: set[int] = set()
        if not "".join(names).isascii():
            for i in compress(index, map(not_, map(str.isascii, names))):
                names[i] = unicodedata.normalize("NFC", names[i])
        if not all(names):
            suspect.update(compress(index, map(not_, names)))
        if max(map(len, names)) > MAX_NAME_LENGTH:
            suspect.update(compress(index, map(lt, repeat(MAX_NAME_LENGTH), map(len, names))))
        if _CONTROL.search(" ".join(raw_names)):
            suspect.update(compress(index, map(bool, map(_CONTROL.search, raw_names))))
        if None in genders:
            suspect.update(compress(index, map(is_, genders, repeat(None))))
        if None in found_ages:
            suspect.update(compress(index, map(is_, found_ages, repeat(None))))
            ages = [0 if a is None else a for a in found_ages]
        else:
            ages = cast(list[int], found_ages)
        if None in found_places:
            suspect.update(compress(index, map(is_, found_places, repeat(None))))
            places = [_NOWHERE if c is None else c for c in found_places]
        else:
            places = cast(list[tuple[str, str]], found_places)
        for column in (gender_ps, country_ps):
            if _MISS in column:
                suspect.update(compress(index, map(is_, column, repeat(_MISS))))
        keys = list(map(str.casefold, names))
        columns: tuple[list[Any], ...] = (
            list(numbers), names, keys, genders, gender_ps, ages, list(map(_AGE_GROUPS.__getitem__, ages)),
            list(map(itemgetter(0), places)), list(map(itemgetter(1), places)), country_ps, raws)
        if not suspect:
            return CleanColumns._make(columns), rejects  # every value was found in the memos: no None left
        # A suspect row that is valid after all (a value seen for the first time) takes its place in the columns;
        # the rest are dropped column by column (a third of the rows in a file with 30% bad rows: going through
        # row tuples and back cost a tenth of the import's Python time).
        keep_mask = [True] * m
        for i in sorted(suspect):
            result = self(rows[i])
            if type(result) is Invalid:
                keep_mask[i] = False
                rejects.append(Reject(numbers[i], result.reason, result.detail, raws[i].rstrip("\r")))
            else:
                self._remember(rows[i], result)
                for filled, value in zip(columns[1:-1], result, strict=True):
                    filled[i] = value
        rejects.sort(key=itemgetter(0))
        return CleanColumns._make(list(compress(column, keep_mask)) for column in columns), rejects

    def _probabilities(self, rows: list[list[str]], column: int | None, m: int) -> list[float | None | object]:
        if column is None:
            return [None] * m
        return list(map(self._probs.get, map(itemgetter(column), rows), repeat(_MISS)))

    def _validate_each(self, rows: list[list[str]], numbers: list[int] | range, raws: list[str],
                       rejects: list[Reject]) -> tuple[CleanColumns, list[Reject]]:
        good: list[tuple[Any, ...]] = []
        for i, fields in enumerate(rows):
            result = self(fields)
            if type(result) is Invalid:
                rejects.append(Reject(numbers[i], result.reason, result.detail, raws[i].rstrip("\r")))
            else:
                good.append((numbers[i], *result, raws[i]))
        rejects.sort(key=itemgetter(0))
        return CleanColumns.from_rows(good), rejects

    def _remember(self, fields: list[str], row: CleanRow) -> None:
        if len(self._genders) < _CACHE_LIMIT:
            self._genders[fields[self._gender]] = row.gender
        if len(self._ages) < _CACHE_LIMIT:
            self._ages[fields[self._age]] = row.age
        if len(self._country_memo) < _CACHE_LIMIT:
            self._country_memo[fields[self._country]] = (row.country_id, row.country_name)
        if len(self._probs) < _CACHE_LIMIT:
            if self._gender_p is not None:
                self._probs[fields[self._gender_p]] = row.gender_probability
            if self._country_p is not None:
                self._probs[fields[self._country_p]] = row.country_probability
