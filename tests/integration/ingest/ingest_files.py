"""Helpers for import tests: CSV files built row by row, with the expected outcome known by construction."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from insighta_desktop.db.schema import import_rejects, profiles

HEADER = ["name", "gender", "age", "country_id", "gender_probability", "country_probability"]


@dataclass
class Planned:
    """Rows to write and what importing them into an empty database must give."""

    rows: list[list[str]] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    inserted: int = 0
    last_good: str = ""

    def good(self, name: str) -> None:
        self.rows.append([name, "female", "30", "NG", "0.9", "0.8"])
        self.inserted += 1
        self.last_good = name

    def bad(self, reason: str, row: list[str]) -> None:
        self.rows.append(row)
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    @property
    def total(self) -> int:
        return len(self.rows)


def planned_file(n: int) -> Planned:
    """n rows: every 10th a bad row of a rotating kind, every 15th a repeat of an earlier name."""
    plan = Planned()
    kinds = [
        ("missing_fields", lambda i: ["", "male", "20", "GH", "", ""]),
        ("invalid_gender", lambda i: [f"Bad Gender {i}", "robot", "20", "GH", "", ""]),
        ("invalid_age", lambda i: [f"Bad Age {i}", "male", "-4", "GH", "", ""]),
        ("invalid_country", lambda i: [f"Bad Country {i}", "male", "20", "Atlantis", "", ""]),
        ("invalid_probability", lambda i: [f"Bad Prob {i}", "male", "20", "GH", "1.5", ""]),
        ("malformed_row", lambda i: [f"Short {i}", "male", "20"]),
    ]
    for i in range(n):
        if i % 10 == 9:
            reason, make = kinds[(i // 10) % len(kinds)]
            plan.bad(reason, make(i))
        elif i % 15 == 14:
            plan.bad("duplicate_name", [f"  {plan.last_good.upper()} ", "male", "40", "KE", "", ""])
        else:
            plan.good(f"Person {i}")
    return plan


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, **kwargs) -> Path:
    with path.open("w", newline="", encoding=kwargs.pop("encoding", "utf-8")) as fh:
        writer = csv.writer(fh, **kwargs)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def seed_csv(sample_data_dir: Path, path: Path) -> tuple[Path, int]:
    data = json.loads((sample_data_dir / "seed_profiles.json").read_text(encoding="utf-8"))["profiles"]
    columns = ["name", "gender", "gender_probability", "age", "age_group", "country_id", "country_name",
               "country_probability"]
    rows = [[str(p[c]) if p[c] is not None else "" for c in columns] for p in data]
    return write_csv(path, rows, columns), len(rows)


def profile_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(profiles)).scalar_one()


def distinct_name_keys(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count(sa.distinct(profiles.c.name_key)))).scalar_one()


def rejects_of(engine, run_id: int) -> list[tuple[int, str, str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(import_rejects.c.line_number, import_rejects.c.reason, import_rejects.c.detail,
                      import_rejects.c.raw_line)
            .where(import_rejects.c.run_id == run_id).order_by(import_rejects.c.line_number))]

