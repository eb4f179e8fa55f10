"""The columns of a profile table, shared by the Profiles tab and the review pack window."""
from __future__ import annotations

from insighta_desktop.ui.shared.table_model import Column


def _probability(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


# Country comes early so it stays in view at the default window size; headers are words, not abbreviations.
PROFILE_COLUMNS = [
    Column("Name", lambda p: p.name),
    Column("Gender", lambda p: p.gender),
    Column("Age", lambda p: p.age, True),
    Column("Country", lambda p: f"{p.country_name} ({p.country_id})"),
    Column("Age group", lambda p: p.age_group),
    Column("Gender confidence", lambda p: p.gender_probability, True, _probability),
    Column("Country confidence", lambda p: p.country_probability, True, _probability),
    Column("Added", lambda p: p.created_at.strftime("%Y-%m-%d %H:%M")),
]
