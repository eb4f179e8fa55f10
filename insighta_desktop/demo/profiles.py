"""Deterministic, realistic demo profiles: unique names, seed-like country/age/gender mixes, optional dirt."""
from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from insighta_desktop.countries import by_alpha2
from insighta_desktop.profiles.model import age_group_for
from insighta_desktop.resources import resource_path

# Share of each country in the real Insighta seed data (profiles per 2,026), plus a few other markets.
COUNTRY_WEIGHTS = {
    "NG": 123, "KE": 114, "ET": 87, "GH": 82, "ZA": 76, "BJ": 71, "EG": 64, "UG": 64, "TZ": 61, "US": 61,
    "CM": 54, "CD": 53, "CI": 52, "SN": 52, "FR": 51, "IN": 49, "GB": 48, "ML": 47, "RW": 45, "SD": 43,
    "MZ": 42, "MA": 41, "AO": 39, "MG": 31, "ZW": 30, "TN": 28, "BR": 27, "DE": 23, "ZM": 23, "CN": 20,
    "AU": 19, "JP": 19, "MR": 16, "SS": 16, "CA": 15, "MU": 14, "NA": 14, "SO": 14, "BW": 13, "CG": 13,
    "DJ": 13, "NE": 13, "ST": 13, "TG": 13, "BI": 12, "CF": 12, "DZ": 12, "EH": 12, "GN": 12, "MW": 12,
    "ER": 11, "GW": 11, "KM": 11, "LR": 11, "SC": 11, "SL": 11, "CV": 10, "GA": 10, "LS": 10, "SZ": 10,
    "BF": 8, "GM": 9, "GQ": 9, "TD": 9, "LY": 7,
}
# Profiles per decade of age in the seed data (0-9, 10-19, …, 90-99).
AGE_DECADE_WEIGHTS = (141, 259, 317, 298, 328, 281, 115, 122, 149, 16)
CSV_COLUMNS = ("name", "gender", "age", "country_id", "gender_probability", "country_probability")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DemoProfile:
    name: str
    gender: str
    gender_probability: float
    age: int
    age_group: str
    country_id: str
    country_name: str
    country_probability: float
    created_at: datetime


@cache
def _name_pools(gender: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    data = json.loads(resource_path("names.json").read_text(encoding="utf-8"))
    return tuple(data[f"{gender}_first_names"]), tuple(data["last_names"])


class UniqueNames:
    """The i-th name of a seeded permutation of first [middle] last combinations: unique without a set.

    Female and male pools share no first name, so names drawn from the two never collide.
    """

    def __init__(self, seed: int, gender: str):
        self.first, self.last = _name_pools(gender)
        f, l_ = len(self.first), len(self.last)
        self.two_part = f * l_
        self.size = self.two_part + f * f * l_
        rng = random.Random(seed)
        self.step = rng.randrange(1, self.size)
        while math.gcd(self.step, self.size) != 1:
            self.step += 1
        self.offset = rng.randrange(self.size)

    def __getitem__(self, i: int) -> str:
        if not 0 <= i < self.size:
            raise IndexError(f"only {self.size} unique demo names")
        j = (i * self.step + self.offset) % self.size
        f, l_ = len(self.first), len(self.last)
        if j < self.two_part:
            return f"{self.first[j // l_]} {self.last[j % l_]}"
        j -= self.two_part
        first, rest = divmod(j, f * l_)
        middle, last = divmod(rest, l_)
        return f"{self.first[first]} {self.first[middle]} {self.last[last]}"


def _country_name(code: str) -> str:
    country = by_alpha2(code)
    if country is None:
        raise ValueError(f"COUNTRY_WEIGHTS names an unknown country {code!r}")
    return country.name


def generate_profiles(count: int, seed: int = 2026) -> Iterator[DemoProfile]:
    rng = random.Random(seed)
    names = {g: UniqueNames(seed, g) for g in ("female", "male")}
    drawn = {"female": 0, "male": 0}
    countries = list(COUNTRY_WEIGHTS)
    country_weights = list(COUNTRY_WEIGHTS.values())
    country_names = {code: _country_name(code) for code in countries}
    decades = range(len(AGE_DECADE_WEIGHTS))
    for i in range(count):
        age = rng.choices(decades, AGE_DECADE_WEIGHTS)[0] * 10 + rng.randrange(10)
        country = rng.choices(countries, country_weights)[0]
        gender = "female" if rng.random() < 0.512 else "male"
        name = names[gender][drawn[gender]]
        drawn[gender] += 1
        yield DemoProfile(
            name=name,
            gender=gender,
            gender_probability=round(rng.uniform(0.5, 1.0), 2),
            age=age,
            age_group=age_group_for(age),
            country_id=country,
            country_name=country_names[country],
            country_probability=round(rng.uniform(0.05, 1.0), 2),
            created_at=EPOCH + timedelta(seconds=i * 7 + rng.randrange(7)),
        )


def _dirty(rng: random.Random, row: list[str], recent_names: list[str]) -> list[str] | str:
    """One realistic bad row or a repeat of an earlier name (as a list of fields, or a raw malformed line)."""
    kind = rng.randrange(9)
    if kind == 0:
        row[0] = ""
    elif kind == 1:
        row[1] = rng.choice(["unknown", "x", "Mal", "N/A"])
    elif kind == 2:
        row[2] = rng.choice(["-3", "abc", "200", "12.5", ""])
    elif kind == 3:
        row[3] = rng.choice(["ZZ", "Atlantis", "N1", "QQQ"])
    elif kind == 4:
        row[4] = rng.choice(["1.5", "-0.2", "high", "150%"])
    elif kind == 5:
        return ",".join(row[:3])  # too few columns
    elif kind == 6:
        return ",".join(row) + ",extra,field"
    else:
        if recent_names:
            name = rng.choice(recent_names)
            row[0] = rng.choice([name, name.upper(), f"  {name.lower()} "])
    return row


def write_profiles_csv(path: Path, rows: int, *, seed: int = 2026, dirty: bool = False,
                       bad_share: float = 0.03, duplicate_share: float = 0.02) -> int:
    """Write `rows` data lines (a header first); with `dirty`, a share of bad rows and in-file duplicates."""
    rng = random.Random(seed + 1)
    recent: list[str] = []
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for p in generate_profiles(rows, seed):
            row = [p.name, p.gender, str(p.age), p.country_id, f"{p.gender_probability:.2f}",
                   f"{p.country_probability:.2f}"]
            if dirty:
                roll = rng.random()
                if roll < duplicate_share and recent:
                    name = rng.choice(recent)
                    row[0] = rng.choice([name, name.upper(), f"  {name.lower()} "])
                elif roll < duplicate_share + bad_share:
                    bad = _dirty(rng, row, recent)
                    if isinstance(bad, str):
                        fh.write(bad + "\n")
                        continue
                    row = bad
                if len(recent) < 1000:
                    recent.append(p.name)
                elif rng.random() < 0.01:
                    recent[rng.randrange(1000)] = p.name
            writer.writerow(row)
    return rows
