"""Rule-based, deterministic plain-language parser: "Nigerian females aged 20 to 45" -> ProfileFilters.

At each position the rules are tried in a fixed order (probabilities, sort, limit, age phrases, age words, gender,
countries, negation, filler); the first that matches consumes its words. Every match is recorded as an
Interpretation (words -> meaning); words no rule takes are returned as unknown. The rules are documented in
docs/search.md.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from insighta_desktop import countries
from insighta_desktop.profiles import typos
from insighta_desktop.profiles import vocabulary as v
from insighta_desktop.profiles.errors import InvalidQueryParameters, UninterpretableQuery
from insighta_desktop.profiles.filters import DEFAULT_ORDER, DEFAULT_SORT_BY, ProfileFilters, normalise
from insighta_desktop.profiles.model import MAX_AGE
from insighta_desktop.profiles.vocabulary import Token

MAX_QUERY_LENGTH = 500
_MAX_COUNTRY_WORDS = 9
_MAX_TYPO_WORDS = 3


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
def _phrase_index() -> dict[str, str]:
    return countries.phrase_index()


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


@dataclass
class _Facts:
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


class _Scanner:
    def __init__(self, text: str, tokens: list[Token], literal: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.literal = literal
        self.toks = tokens
        self.mixed_case = text != text.upper()
        self.facts = _Facts()
        self.phrases = _phrase_index()

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
    def probability(self, i: int) -> int:
        j = i + self.words_at(i, ("with",))
        j += self.any_at(j, v.PROBABILITY_PREFIXES)[0]
        subject = self.toks[j].norm if j < len(self.toks) else ""
        if (subject in v.PROBABILITY_SUBJECTS and j + 1 < len(self.toks)
                and self.toks[j + 1].norm in v.PROBABILITY_NOUNS):
            k = j + 2
            while (k < len(self.toks) and self.toks[k].norm in v.PROBABILITY_LINKS
                   and not self.words_at(k, ("at", "least")) and not self.words_at(k, ("at", "most"))):
                k += 1
            k, direction = self._comparator(k)
            if self.num_at(k):
                return self._set_probability(i, k + 1, subject, self.toks[k], direction or "min")
            return 0
        k, direction = self._comparator(j)
        if direction is None and not self.num_at(j):
            return 0
        tok = self.num_at(k)
        if tok is None:
            return 0
        k += 1
        k += self.any_at(k, v.PROBABILITY_OPEN_UP)[0]
        k += self.words_at(k, ("of",))
        subject = self.toks[k].norm if k < len(self.toks) else ""
        if (subject in v.PROBABILITY_SUBJECTS and k + 1 < len(self.toks)
                and self.toks[k + 1].norm in v.PROBABILITY_NOUNS):
            return self._set_probability(i, k + 2, subject, tok, direction or "min")
        return 0

    def _comparator(self, j: int) -> tuple[int, str | None]:
        n_min, _ = self.any_at(j, v.MIN_COMPARATORS)
        n_max, _ = self.any_at(j, v.MAX_COMPARATORS)
        if n_min >= n_max and n_min:
            return j + n_min, "min"
        if n_max:
            return j + n_max, "max"
        return j, None

    def _set_probability(self, i: int, j: int, subject: str, tok: Token, direction: str) -> int:
        name = v.PROBABILITY_SUBJECTS[subject]
        label = name.removeprefix("min_").replace("_", " ")
        if direction != "min":
            raise InvalidQueryParameters(f"only a minimum {label} can be set; {self.span(i, j)!r} asks for a maximum")
        value = float(tok.value or 0)
        if tok.percent or value > 1:
            value /= 100
        if not 0 <= value <= 1:
            raise InvalidQueryParameters(f"{label} {tok.raw} is outside 0 to 1 (or 0% to 100%)")
        self.facts.probabilities.setdefault(name, []).append(value)
        return self.note(i, j, f"{label} ≥ {value:g}", name)

    def sort(self, i: int) -> int:
        n, phrase = self.any_at(i, v.SORT_PHRASES)
        if n:
            self.facts.sort_by, self.facts.order = v.SORT_PHRASES[tuple(phrase)]
            return self.note(i, i + n, f"sort: {self.facts.sort_by} {self.facts.order}", "sort")
        n_verb, _ = self.any_at(i, v.SORT_VERBS)
        if n_verb:
            n_field, field_phrase = self.any_at(i + n_verb, v.SORT_FIELDS)
            if n_field:
                sort_by = v.SORT_FIELDS[tuple(field_phrase)]
                j = i + n_verb + n_field
                order = v.DIRECTIONS.get(self.toks[j].norm) if j < len(self.toks) else None
                j += 1 if order else 0
                self.facts.sort_by, self.facts.order = sort_by, order or v.SORT_DEFAULT_ORDER[sort_by]
                return self.note(i, j, f"sort: {self.facts.sort_by} {self.facts.order}", "sort")
        if self.toks[i].norm in v.DIRECTIONS:
            self.facts.order = v.DIRECTIONS[self.toks[i].norm]
            return self.note(i, i + 1, f"order: {self.facts.order}", "sort")
        return 0

    def limit(self, i: int) -> int:
        n, _ = self.any_at(i, v.LIMIT_BEFORE)
        tok = self.num_at(i + n) if n else None
        j = i + n + 1
        if tok is None:
            tok = self.num_at(i)
            nxt = self.toks[i + 1].norm if i + 1 < len(self.toks) else ""
            if tok is None or nxt not in v.LIMIT_AFTER:
                return 0
            j = i + 2
        if tok.percent or not float(tok.value or 0).is_integer():
            raise InvalidQueryParameters(f"a limit must be a whole number, got {tok.raw!r}")
        self.facts.limit = int(tok.value or 0)
        return self.note(i, j, f"limit: {self.facts.limit}", "limit")

    def age_range(self, i: int) -> int:
        j = i + (1 if i < len(self.toks) and self.toks[i].norm in v.AGE_PREFIXES else 0)
        between = self.words_at(j, ("between",))
        if between:
            j += 1
            j += self.words_at(j, ("the",))
            j += 1 if j < len(self.toks) and self.toks[j].norm in v.AGE_PREFIXES else 0
            j += self.words_at(j, ("of",))
        else:
            j += self.words_at(j, ("from",))
        low = self.num_at(j)
        if low is None:
            return 0
        k = self.skip_age_suffix(j + 1) if between else j + 1
        joiners = v.RANGE_JOINERS | ({"and"} if between else set())
        if k >= len(self.toks) or self.toks[k].norm not in joiners:
            return 0
        high = self.num_at(k + 1)
        if high is None:
            return 0
        end = self.skip_age_suffix(k + 2)
        a, b = sorted((self.age_value(low), self.age_value(high)))
        self.facts.min_ages.append(a)
        self.facts.max_ages.append(b)
        return self.note(i, end, f"age {a}–{b}", "age")

    def age_compare(self, i: int) -> int:
        j = i + (1 if self.toks[i].norm in v.AGE_PREFIXES else 0)
        j, direction = self._comparator(j)
        if direction is None:
            return 0
        j += self.any_at(j, v.AGE_AFTER_COMPARATOR)[0]
        tok = self.num_at(j)
        if tok is None:
            return 0
        age = self.age_value(tok)
        end = self.skip_age_suffix(j + 1)
        if direction == "min":
            self.facts.min_ages.append(age)
            return self.note(i, end, f"age ≥ {age}", "age")
        self.facts.max_ages.append(age)
        return self.note(i, end, f"age ≤ {age}", "age")

    def age_open(self, i: int) -> int:
        j = i + (1 if self.toks[i].norm in v.AGE_PREFIXES else 0)
        tok = self.num_at(j)
        if tok is None:
            return 0
        k = self.skip_age_suffix(j + 1)
        up, _ = self.any_at(k, v.OPEN_UP)
        down, _ = self.any_at(k, v.OPEN_DOWN)
        if not up and not down:
            return 0
        age = self.age_value(tok)
        if up:
            self.facts.min_ages.append(age)
            return self.note(i, k + up, f"age ≥ {age}", "age")
        self.facts.max_ages.append(age)
        return self.note(i, k + down, f"age ≤ {age}", "age")

    def decade(self, i: int) -> int:
        j = i + self.any_at(i, v.DECADE_PREFIXES)[0]
        part = self.toks[j].norm if j < len(self.toks) else ""
        offsets = v.DECADE_PARTS.get(part, (0, 9))
        j += 1 if part in v.DECADE_PARTS else 0
        if j >= len(self.toks) or self.toks[j].kind != "decade":
            return 0
        base = int(self.toks[j].value or 0)
        low, high = base + offsets[0], base + offsets[1]
        self.facts.min_ages.append(low)
        self.facts.max_ages.append(high)
        return self.note(i, j + 1, f"age {low}–{high}", "age")

    def age_exact(self, i: int) -> int:
        prefixed = self.toks[i].norm in ("aged", "age")
        j = i + (1 if prefixed else 0)
        tok = self.num_at(j)
        if tok is None:
            return 0
        end = self.skip_age_suffix(j + 1)
        if not prefixed and end == j + 1:
            return 0
        age = self.age_value(tok)
        self.facts.min_ages.append(age)
        self.facts.max_ages.append(age)
        return self.note(i, end, f"age {age}", "age")

    def age_words(self, i: int) -> int:
        n, _ = self.any_at(i, v.YOUNG_PHRASES)
        if n:
            low, high = v.YOUNG_RANGE
            self.facts.min_ages.append(low)
            self.facts.max_ages.append(high)
            return self.note(i, i + n, f"age {low}–{high} (young)", "age")
        n, phrase = self.any_at(i, v.GROUP_PHRASES)
        if n:
            group = v.GROUP_PHRASES[tuple(phrase)]
        elif self.toks[i].norm == "old" and i + 1 < len(self.toks) and self.toks[i + 1].norm in v.OLD_BEFORE:
            n, group = 1, "senior"
        else:
            return 0
        self.facts.groups.append(group)
        return self.note(i, i + n, f"age group: {group}", "age_group")

    def gender(self, i: int) -> int:
        n, _ = self.any_at(i, v.BOTH_GENDER_PHRASES)
        if n:
            self.facts.genders.extend(("male", "female"))
            return self.note(i, i + n, "both genders: no gender filter", "gender")
        gender = v.GENDER_WORDS.get(self.toks[i].norm) if self.toks[i].kind == "word" else None
        if gender is None:
            return 0
        self.facts.genders.append(gender)
        return self.note(i, i + 1, f"gender: {gender}", "gender")

    def country(self, i: int) -> int:
        for n in range(min(_MAX_COUNTRY_WORDS, len(self.toks) - i), 0, -1):
            window = self.toks[i:i + n]
            if any(t.kind != "word" for t in window):
                continue
            code = self.phrases.get(" ".join(t.norm for t in window))
            if code and (n > 1 or self._plain_word_is_country(self.toks[i])):
                return self._add_country(i, i + n, code)
        tok = self.toks[i]
        if tok.kind == "word" and len(tok.raw) in (2, 3) and tok.raw.isascii() and tok.raw.isalpha():
            found = (countries.by_alpha2(tok.raw) if len(tok.raw) == 2 else countries.resolve(tok.raw.upper())) \
                if self._code_allowed(i) else None
            if found is not None:
                return self._add_country(i, i + 1, found.alpha2)
        return 0

    def _plain_word_is_country(self, tok: Token) -> bool:
        return tok.norm not in v.ENGLISH_SHORT_WORDS or (tok.raw.isupper() and (self.mixed_case or len(self.toks) == 1))

    def _code_allowed(self, i: int) -> bool:
        tok = self.toks[i]
        if tok.raw.isupper() and (self.mixed_case or len(self.toks) == 1 or tok.norm not in v.ENGLISH_SHORT_WORDS):
            return True
        previous = self.toks[i - 1].norm if i else ""
        return tok.norm not in v.ENGLISH_SHORT_WORDS and previous in ("from", "in", "country", "countries")

    def _add_country(self, i: int, j: int, code: str) -> int:
        self.facts.countries.append(code)
        country = countries.by_alpha2(code)
        return self.note(i, j, f"country: {country.name if country else code} ({code})", "country_id")

    def negation(self, i: int) -> int:
        if self.toks[i].norm in v.NEGATIONS:
            raise UninterpretableQuery(
                f"exclusions such as {self.toks[i].raw!r} are not supported; name what to include instead")
        return 0

    def corrected(self, i: int, rules: Sequence[Callable[[int], int]]) -> int:
        """Read a misspelt word (or up to three words) at i as the vocabulary word nearest to it (see typos.py)."""
        first = self.toks[i]
        if first.kind != "word" or first.norm in v.FILLERS or typos.is_known_word(first.norm):
            return 0
        ambiguity: tuple[int, typos.Ambiguity] | None = None
        for n in range(min(_MAX_TYPO_WORDS, len(self.toks) - i), 0, -1):
            window = self.toks[i:i + n]
            if any(t.kind != "word" for t in window) or any(
                    t.norm in v.FILLERS or typos.is_known_word(t.norm) for t in window[1:]):
                continue
            typed = " ".join(t.norm for t in window)
            if typed in self.literal:
                continue
            found = typos.best_match(typed, n)
            if isinstance(found, typos.Ambiguity):
                ambiguity = ambiguity or (n, found)
            elif found is not None and (consumed := self._apply(i, n, found, rules)):
                return consumed
        if ambiguity:
            n, found = ambiguity
            self.facts.suggestions.append(Suggestion(self.span(i, i + n), found.labels))
        return 0

    def _apply(self, i: int, n: int, match: typos.Match, rules: Sequence[Callable[[int], int]]) -> int:
        typed = self.toks[i:i + n]
        start, end = typed[0].start, typed[-1].end
        raw = self.text[start:end]
        replacement = [Token("word", word, raw, start, end) for word in match.candidate.phrase.split(" ")]
        self.toks[i:i + n] = replacement
        notes_before = len(self.facts.notes)
        consumed = next((c for rule in rules if (c := rule(i))), 0)
        if consumed != len(replacement) or len(self.facts.notes) != notes_before + 1:
            del self.facts.notes[notes_before:]
            self.toks[i:i + len(replacement)] = typed
            return 0
        self.facts.corrections.append(Correction(raw, match.candidate.label))
        return consumed

    def scan(self) -> _Facts:
        rules = (self.probability, self.sort, self.limit, self.age_range, self.age_compare, self.age_open,
                 self.decade, self.age_exact, self.age_words, self.gender, self.country, self.negation)
        i = 0
        while i < len(self.toks):
            consumed = next((n for rule in rules if (n := rule(i))), 0) or self.corrected(i, rules)
            if consumed:
                i += consumed
                continue
            tok = self.toks[i]
            if tok.norm not in v.FILLERS:
                self.facts.unknown.append(tok.raw)
            i += 1
        return self.facts


def parse_query(text: str, literal: Iterable[str] = ()) -> ParsedQuery:
    """Parse plain language into canonical filters. Raises only UninterpretableQuery or InvalidQueryParameters.

    Misspelt vocabulary words are corrected and reported (ParsedQuery.corrections); words in `literal` (as typed or
    as a correction's `from_`) are taken literally, never corrected: that is how a correction is undone.
    """
    if not isinstance(text, str) or not text.strip():
        raise UninterpretableQuery("the query is empty; describe who to find, e.g. 'Nigerian females aged 20 to 45'")
    if len(text) > MAX_QUERY_LENGTH:
        raise UninterpretableQuery(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    kept = frozenset(countries.normalise_phrase(w) for w in literal)
    facts = _Scanner(text, v.tokenise(text), kept).scan()
    if not facts.notes:
        if facts.unknown:
            hint = "".join(f"; {s.text}" for s in facts.suggestions)
            raise UninterpretableQuery(
                f"no filter words understood (not understood: {', '.join(repr(w) for w in facts.unknown)}){hint}")
        raise UninterpretableQuery(f"{text.strip()!r} names no gender, age, country, probability or sort order")
    genders = set(facts.genders)
    notes = list(facts.notes)
    if len(genders) > 1 and not any(n.meaning.startswith("both genders") for n in notes):
        notes.append(Interpretation(" / ".join(n.words for n in notes if n.field == "gender"),
                                    "both genders: no gender filter", "gender"))
    probabilities = {name: max(values) for name, values in facts.probabilities.items()}
    sort_by = facts.sort_by or DEFAULT_SORT_BY
    order = facts.order or (v.SORT_DEFAULT_ORDER[sort_by] if facts.sort_by else DEFAULT_ORDER)
    filters = normalise(ProfileFilters(
        gender=genders.pop() if len(genders) == 1 else None,
        age_groups=tuple(facts.groups),
        country_ids=tuple(facts.countries),
        min_age=max(facts.min_ages) if facts.min_ages else None,
        max_age=min(facts.max_ages) if facts.max_ages else None,
        min_gender_probability=probabilities.get("min_gender_probability"),
        min_country_probability=probabilities.get("min_country_probability"),
        sort_by=sort_by,
        order=order,
    ))
    return ParsedQuery(text=text, filters=filters, limit=facts.limit, interpretation=tuple(notes),
                       unknown_words=tuple(facts.unknown), corrections=tuple(facts.corrections),
                       suggestions=tuple(facts.suggestions))
