"""Rule-based, deterministic plain-language parser: "Nigerian females aged 20 to 45" -> ProfileFilters.

At each position the rules are tried in a fixed order (names after "named"/"called", probabilities, sort, limit, age
phrases, age words, gender, countries, negation, filler); the first that matches consumes its words. Every match is
recorded as an Interpretation (words -> meaning); words no rule takes are returned as unknown. The rules are
documented in docs/search.md; when words are read as a person's name is documented in profiles/names.py.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from insighta_desktop import countries
from insighta_desktop.profiles import names, typos
from insighta_desktop.profiles import vocabulary as v
from insighta_desktop.profiles.age_rules import AgeRules
from insighta_desktop.profiles.errors import InvalidQueryParameters, UninterpretableQuery
from insighta_desktop.profiles.filters import DEFAULT_ORDER, DEFAULT_SORT_BY, ProfileFilters, normalise
from insighta_desktop.profiles.parsed import Correction, Interpretation, ParsedQuery, Suggestion
from insighta_desktop.profiles.scan_base import Facts
from insighta_desktop.profiles.vocabulary import Token

__all__ = ["MAX_QUERY_LENGTH", "Correction", "Interpretation", "ParsedQuery", "Suggestion", "parse_query"]

MAX_QUERY_LENGTH = 500
_MAX_COUNTRY_WORDS = 9
_MAX_TYPO_WORDS = 3


class _Scanner(AgeRules):
    def __init__(self, text: str, tokens: list[Token], literal: frozenset[str] = frozenset(),
                 correct: bool = True) -> None:
        super().__init__(text, tokens, literal)
        self.correct = correct  # try typo corrections (not while testing whether a whole query is a name)

    def name(self, i: int) -> int:
        """Rule 1 of profiles/names.py: the words after "named", "called"... are a name, read literally."""
        n, _ = self.any_at(i, names.NAME_MARKERS)
        if not n:
            return 0
        start = k = i + n
        while k < len(self.toks) and k - start < names.MAX_NAME_WORDS:
            tok = self.toks[k]
            if tok.kind != "word" or (k > start and (tok.norm in v.FILLERS or typos.is_known_word(tok.norm))):
                break
            k += 1
        if k == start:
            return 0
        typed = self.span(start, k)
        self.facts.names.append(typed)
        return self.note(i, k, f"name: {typed} (the start of any word of the name)", "name")

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

    def scan(self) -> Facts:
        rules = (self.name, self.probability, self.sort, self.limit, self.age_range, self.age_compare, self.age_open,
                 self.decade, self.age_exact, self.age_words, self.gender, self.country, self.negation)
        i = 0
        while i < len(self.toks):
            consumed = next((n for rule in rules if (n := rule(i))), 0) or (self.correct and self.corrected(i, rules))
            if consumed:
                i += consumed
                continue
            tok = self.toks[i]
            if tok.norm not in v.FILLERS:
                self.facts.unknown.append(tok.raw)
            i += 1
        return self.facts


def _bare_name(text: str, tokens: list[Token], kept: frozenset[str]) -> Facts | None:
    """Rule 2 of profiles/names.py: the whole query is a name (scanned without typo corrections to be sure that no
    word of it means anything exactly)."""
    if not all(t.kind == "word" and not typos.is_known_word(t.norm) for t in tokens):
        return None
    if not names.is_bare_name([t.raw for t in tokens], understood_any=False):
        return None
    facts = _Scanner(text, list(tokens), kept, correct=False).scan()
    if facts.notes:
        return None
    typed = text.strip()
    facts.unknown.clear()
    facts.suggestions.clear()
    facts.names.append(typed)
    facts.notes.append(Interpretation(typed, f"name: {typed} (the start of any word of the name)", "name"))
    return facts


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
    tokens = v.tokenise(text)
    facts = _bare_name(text, tokens, kept) or _Scanner(text, list(tokens), kept).scan()
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
        name=names.canonical_name(" ".join(facts.names)) if facts.names else None,
    ))
    return ParsedQuery(text=text, filters=filters, limit=facts.limit, interpretation=tuple(notes),
                       unknown_words=tuple(facts.unknown), corrections=tuple(facts.corrections),
                       suggestions=tuple(facts.suggestions))
