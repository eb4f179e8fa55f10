"""What the plain-language parser answers: the filters, each understood phrase, corrections and suggestions."""
from __future__ import annotations

from dataclasses import dataclass

from insighta_desktop.profiles.filters import ProfileFilters


@dataclass(frozen=True)
class Interpretation:
    words: str  # as typed
    meaning: str  # e.g. "gender: female"
    # gender | age_group | country_id | age | min_gender_probability | min_country_probability | sort | limit
    field: str


@dataclass(frozen=True)
class Correction:
    """A misspelt word (or words) read as a vocabulary word: "nigerain" -> "Nigeria"."""
    from_: str  # as typed
    to: str  # the country's name, or the gender / age-group word

    def to_dict(self) -> dict[str, str]:
        return {"from": self.from_, "to": self.to}

    @property
    def text(self) -> str:
        return f"interpreted {self.from_!r} as {self.to}"


@dataclass(frozen=True)
class Suggestion:
    """A misspelt word equally close to words of different meanings: nothing is corrected, this is said."""
    words: str  # as typed
    options: tuple[str, ...]  # "Niger", "Nigeria"

    @property
    def text(self) -> str:
        return "did you mean " + " or ".join(self.options) + "?"

    def to_dict(self) -> dict[str, object]:
        return {"words": self.words, "did_you_mean": list(self.options)}


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    filters: ProfileFilters
    limit: int | None
    interpretation: tuple[Interpretation, ...]
    unknown_words: tuple[str, ...]
    corrections: tuple[Correction, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()

