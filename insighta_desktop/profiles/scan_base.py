"""The parser's scanner state and matching helpers, shared by its rule sets (profiles/parser.py, age_rules.py)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from insighta_desktop import countries
from insighta_desktop.profiles import vocabulary as v
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.model import MAX_AGE
from insighta_desktop.profiles.parsed import Correction, Interpretation, Suggestion
from insighta_desktop.profiles.vocabulary import Token

_FIRST_WORD_INDEXES: dict[int, dict[str, list[Sequence[str]]]] = {}


def _by_first_word(phrases: Iterable[Sequence[str]]) -> dict[str, list[Sequence[str]]]:
    """The vocabulary's phrase tables (module constants) indexed by their first word, built once per table."""
    index = _FIRST_WORD_INDEXES.get(id(phrases))
    if index is None:
        index = {}
        for phrase in phrases:
            index.setdefault(phrase[0], []).append(phrase)
        _FIRST_WORD_INDEXES[id(phrases)] = index
    return index


@cache
def phrase_index() -> dict[str, str]:
    return countries.phrase_index()


@dataclass
class Facts:
    genders: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    min_ages: list[int] = field(default_factory=list)
    max_ages: list[int] = field(default_factory=list)
    probabilities: dict[str, list[float]] = field(default_factory=dict)
    sort_by: str | None = None
    order: str | None = None
    limit: int | None = None
    notes: list[Interpretation] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


class ScannerBase:
    def __init__(self, text: str, tokens: list[Token], literal: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.literal = literal
        self.toks = tokens
        self.mixed_case = text != text.upper()
        self.facts = Facts()
        self.phrases = phrase_index()

    # -- small matching helpers ------------------------------------------------------------------------------------
    def words_at(self, i: int, phrase: Sequence[str]) -> int:
        """Length of `phrase` if the tokens at i spell it, else 0."""
        if i + len(phrase) > len(self.toks):
            return 0
        return len(phrase) if all(self.toks[i + k].norm == w for k, w in enumerate(phrase)) else 0

    def any_at(self, i: int, phrases: Iterable[Sequence[str]]) -> tuple[int, Sequence[str]]:
        """The longest of `phrases` spelled by the tokens at i, as (length, phrase); (0, ()) if none."""
        if i >= len(self.toks):
            return (0, ())
        best: tuple[int, Sequence[str]] = (0, ())
        for phrase in _by_first_word(phrases).get(self.toks[i].norm, ()):
            n = self.words_at(i, phrase)
            if n > best[0]:
                best = (n, phrase)
        return best

    def num_at(self, i: int) -> Token | None:
        return self.toks[i] if i < len(self.toks) and self.toks[i].kind == "num" else None

    def span(self, i: int, j: int) -> str:
        return self.text[self.toks[i].start:self.toks[j - 1].end]

    def note(self, i: int, j: int, meaning: str, field_name: str) -> int:
        self.facts.notes.append(Interpretation(self.span(i, j), meaning, field_name))
        return j - i

    def skip_age_suffix(self, j: int) -> int:
        return j + self.any_at(j, v.AGE_SUFFIXES)[0]

    def age_value(self, tok: Token) -> int:
        if tok.percent or tok.value is None or not float(tok.value).is_integer():
            raise InvalidQueryParameters(f"an age must be a whole number of years, got {tok.raw!r}")
        age = int(tok.value)
        if age > MAX_AGE:
            raise InvalidQueryParameters(f"age {age} is above {MAX_AGE}")
        return age

    # -- rules: each returns how many tokens it consumed (0 = no match) ------------------------------------------
    def _comparator(self, j: int) -> tuple[int, str | None]:
        n_min, _ = self.any_at(j, v.MIN_COMPARATORS)
        n_max, _ = self.any_at(j, v.MAX_COMPARATORS)
        if n_min >= n_max and n_min:
            return j + n_min, "min"
        if n_max:
            return j + n_max, "max"
        return j, None

