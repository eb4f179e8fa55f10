"""The columns of a profile table, shared by the Profiles tab and the review pack window."""
from __future__ import annotations

from insighta_desktop.ui.shared.table_model import Column


def _probability(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


PROFILE_COLUMNS = [
    Column("Name", lambda p: p.name),
    Column("Gender", lambda p: p.gender),
    Column("Gender p", lambda p: p.gender_probability, True, _probability),
    Column("Age", lambda p: p.age, True),
    Column("Age group", lambda p: p.age_group),
    Column("Country", lambda p: f"{p.country_name} ({p.country_id})"),
    Column("Country p", lambda p: p.country_probability, True, _probability),
    Column("Created", lambda p: p.created_at.strftime("%Y-%m-%d %H:%M")),
]
