"""The Profiles tab's words for a lost link and for a database this user may only read."""
from __future__ import annotations

from insighta_desktop.resilience.reasons import format_seconds

ADD_TIP = "Predict a profile from a name (Genderize, Agify, Nationalize) and store it"
SAVE_TIP = "Keep this search under a name (in the database: everyone using it sees it)"


def offline_text(retry_in: float, rows_shown: int) -> str:
    """Under the table while a search waits for the link (short: the charts' note shares the line)."""
    kept = " · showing the last results" if rows_shown else ""
    return f"Offline — retrying in {format_seconds(retry_in)}{kept}"


def read_only_refusal(action: str, reason: str) -> str:
    return f"{action} is not possible: this database is read-only for you ({reason})."
