"""Typo tolerance for the plain-language parser: a word no rule understood is matched against country names, aliases
and demonyms, gender words and age-group words by Damerau–Levenshtein distance (optimal string alignment).

Rules (docs/search.md): words of 1–3 letters are never corrected; 4–8 letters allow distance 1; 9 or more allow 2.
A typo in the first letter counts 2. An exact vocabulary word is never corrected (the parser's rules take it first).
When the nearest candidates mean different things ("nigeri": Niger and Nigeria, both at 1), nothing is corrected and
the ambiguity is reported as a suggestion instead.

Speed: a symmetric-deletion index (SymSpell's idea) is built once: every candidate with up to two letters deleted.
Two strings within edit distance d share a string reachable by at most d deletions from each (a transposition is
one deletion on each side), so a typed word looks up its own deletions (up to its allowed distance) and computes the
exact distance only for the few candidates found.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from insighta_desktop import countries
from insighta_desktop.profiles import vocabulary as v


@dataclass(frozen=True)
class Candidate:
    phrase: str  # normalised vocabulary phrase, words separated by one space ("south africa")
    meaning: tuple[str, str]  # ("country", "NG") | ("gender", "female") | ("age_group", "adult")
    label: str  # what the user is told: "Nigeria", "females", "adults"


@dataclass(frozen=True)
class Match:
    words: int  # how many typed words the match replaces
    candidate: Candidate
    distance: int


@dataclass(frozen=True)
class Ambiguity:
    words: int
    labels: tuple[str, ...]  # "Niger", "Nigeria"


MAX_DISTANCE = 2
_MAX_TYPED_WORDS = 3  # the parser tries windows of up to three typed words
_MAX_TYPED_LETTERS = 24


def allowed_distance(letters: int) -> int:
    """The largest distance a typed word (or phrase) of this many letters may be from a candidate."""
    if letters <= 3:
        return 0
    return 1 if letters <= 8 else 2


def letters_of(phrase: str) -> int:
    return len(phrase.replace(" ", ""))


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment (restricted Damerau–Levenshtein) distance, or limit + 1 once it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    start = 0  # a shared prefix and suffix cost nothing: only the differing middle goes through the table
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    return _osa_table(a[start:end_a], b[start:end_b], limit)


def _osa_table(a: str, b: str, limit: int) -> int:
    if not a or not b:
        return min(max(len(a), len(b)), limit + 1)
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            best = previous[j - 1] + (a[i - 1] != b[j - 1])
            if previous[j] + 1 < best:
                best = previous[j] + 1
            if current[j - 1] + 1 < best:
                best = current[j - 1] + 1
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and previous2[j - 2] + 1 < best:
                best = previous2[j - 2] + 1
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def typo_cost(typed: str, phrase: str, limit: int) -> int:
    """Distance with a changed first letter counted as 2 (limit + 1 when above limit)."""
    distance = osa_distance(typed, phrase, limit)
    if typed[:1] != phrase[:1]:
        distance += 1
    return distance if distance <= limit else limit + 1


@dataclass(frozen=True)
class _Index:
    by_phrase: dict[str, tuple[Candidate, ...]]
    by_deletion: dict[str, tuple[str, ...]]  # the phrase with up to its reachable distance deleted -> phrases


def _candidates() -> list[Candidate]:
    found: list[Candidate] = []
    for phrase, code in countries.phrase_index().items():
        country = countries.by_alpha2(code)
        found.append(Candidate(phrase, ("country", code), country.name if country else code))
    for word, gender in v.GENDER_WORDS.items():
        found.append(Candidate(word, ("gender", gender), word))
    for words, group in v.GROUP_PHRASES.items():
        found.append(Candidate(" ".join(words), ("age_group", group), " ".join(words)))
    return found


def _vocabulary_words() -> set[str]:
    words: set[str] = set(v.FILLERS) | set(v.NEGATIONS) | set(v.DIRECTIONS) | set(v.LIMIT_AFTER)
    tables: list[object] = [v.GENDER_WORDS, v.BOTH_GENDER_PHRASES, v.GROUP_PHRASES, v.YOUNG_PHRASES,
                            v.MIN_COMPARATORS, v.MAX_COMPARATORS, v.AGE_PREFIXES, v.AGE_AFTER_COMPARATOR,
                            v.AGE_SUFFIXES, v.RANGE_JOINERS, v.OPEN_UP, v.OPEN_DOWN, v.DECADE_PREFIXES,
                            v.DECADE_PARTS, v.PROBABILITY_SUBJECTS, v.PROBABILITY_NOUNS, v.PROBABILITY_LINKS,
                            v.PROBABILITY_PREFIXES, v.PROBABILITY_OPEN_UP, v.SORT_PHRASES, v.SORT_VERBS,
                            v.SORT_FIELDS, v.LIMIT_BEFORE, v.UNITS, v.TENS, v.DECADE_WORDS, v.OLD_BEFORE]
    for table in tables:
        for entry in table:  # type: ignore[attr-defined]
            words.update((entry,) if isinstance(entry, str) else entry)
    return words


@cache
def index() -> _Index:
    by_phrase: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in _candidates():
        by_phrase[candidate.phrase].append(candidate)
    by_deletion: dict[str, list[str]] = defaultdict(list)
    for phrase in by_phrase:
        if phrase.count(" ") >= _MAX_TYPED_WORDS or len(phrase) > _MAX_TYPED_LETTERS + MAX_DISTANCE:
            continue  # no typed window is that long
        # A typed word within 1 of this phrase has at most len + 1 letters, within 2 at least 9 letters.
        depth = MAX_DISTANCE if letters_of(phrase) + MAX_DISTANCE >= 9 else 1
        for variant in _deletions(phrase, depth):
            by_deletion[variant].append(phrase)
    return _Index({p: tuple(c) for p, c in by_phrase.items()}, {k: tuple(p) for k, p in by_deletion.items()})


@cache
def _known_words() -> frozenset[str]:
    single = {p for p in countries.phrase_index() if " " not in p}
    return frozenset(_vocabulary_words() | single)


def _deletions(word: str, depth: int) -> set[str]:
    """`word` and every string made by deleting up to `depth` of its characters."""
    level = {word}
    found = {word}
    for _ in range(depth):
        level = {w[:k] + w[k + 1:] for w in level for k in range(len(w))}
        found |= level
    return found


def is_known_word(norm: str) -> bool:
    """A word that already means something on its own (vocabulary, fillers, one-word countries): never corrected."""
    return norm in _known_words()


def _near(typed: str, limit: int) -> dict[str, int]:
    """Candidate phrases within `limit` of `typed` (first-letter rule applied), with their cost."""
    idx = index()
    found: dict[str, int] = {}
    for variant in _deletions(typed, limit):
        for phrase in idx.by_deletion.get(variant, ()):
            if phrase not in found and (cost := typo_cost(typed, phrase, limit)) <= limit:
                found[phrase] = cost
    return found


def best_match(typed: str, words: int) -> Match | Ambiguity | None:
    """The correction for a typed phrase (normalised, words joined by spaces), an ambiguity, or None."""
    if not typed or len(typed) > _MAX_TYPED_LETTERS or typed in index().by_phrase:
        return None
    limit = allowed_distance(letters_of(typed))
    if limit == 0:
        return None
    near = _near(typed, limit)
    if not near:
        return None
    best = min(near.values())
    closest = [c for phrase, cost in near.items() if cost == best for c in index().by_phrase[phrase]]
    meanings = {c.meaning for c in closest}
    if len(meanings) > 1:
        labels = sorted({_meaning_label(c) for c in closest})
        return Ambiguity(words, tuple(labels))
    chosen = min(closest, key=lambda c: (abs(len(c.phrase) - len(typed)), c.phrase))
    return Match(words, chosen, best)


def _meaning_label(candidate: Candidate) -> str:
    kind, value = candidate.meaning
    return candidate.label if kind == "country" else value
