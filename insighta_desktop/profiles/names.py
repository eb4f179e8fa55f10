"""Names in search: the folded search key, its words, trigram similarity, and the parser's rules for name words.

The search key (`fold`) is what the profile store keeps beside each name (profiles.name_search) and what a typed name
is compared with: case folded, accents stripped (NFKD without combining marks), anything but letters and digits a
space. "Kaboré" and "KABORE" both fold to "kabore"; "Jean-Luc N'Diaye" to "jean luc n diaye". A name search matches
profiles where every typed word is the beginning of some word of the name ("ama ob" finds "Amara Obi").

When a word begins no stored word, the search falls back to the stored word most similar to it (trigram similarity,
the measure of PostgreSQL's pg_trgm: shared trigrams over all trigrams of the two words padded with spaces).

How the parser decides that words are a name (`name_after`, `is_bare_name`) — a name word is never read as a
country, gender or age word, and never typo-corrected:
1. After "named", "called", "name is", "with the name", "with name", "whose name is", "by the name": the next word is
   a name whatever it is ("named Niger" is a person, "niger" alone is the country), and so are up to three more
   words after it, until a number or symbol, a filler ("from", "and", "in"...) or a word the vocabulary knows
   exactly ("women", "nigerian", "aged").
2. A whole query is a name when no word of it is understood exactly, it has one to four words, and each word looks
   like a name: letters of any script (with ' - . inside), and either Capitalised as typed ("Amara Obi") or one of
   the known names ("kabore"). Typo corrections are not tried then: a person's name must not silently become a
   country. So "Nigerain" alone is a name search; "nigerain" alone (not name-looking) is still read as Nigeria,
   and "Nigerain women" (other filter words) too, within the typo rules.
3. Exact vocabulary words keep their meaning everywhere outside rule 1: "Niger" alone is the country.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from insighta_desktop.profiles.typos import osa_distance
from insighta_desktop.resources import resource_path

MAX_NAME_WORDS = 4
MAX_NAME_LENGTH = 200
# Candidates for the fuzzy match are the stored words at least this similar (pg_trgm's default is 0.3; a
# transposition in a five-letter word scores 0.17, in a six-letter one 0.27), the most similar first.
SIMILARITY_THRESHOLD = 0.15
FUZZY_CANDIDATES = 20
# Among them, a word within this many edits (Damerau-Levenshtein) wins over a merely more similar one; without one,
# only a candidate as similar as pg_trgm's default threshold is offered.
CLOSE_SIMILARITY = 0.3

NAME_MARKERS: tuple[tuple[str, ...], ...] = (
    ("named",), ("called",), ("name", "is"), ("names", "like"), ("with", "the", "name"), ("with", "name"),
    ("whose", "name", "is"), ("by", "the", "name", "of"), ("by", "the", "name"),
)
_NOT_ALNUM = re.compile(r"[\W_]+")
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?$")


def fold(text: str) -> str:
    """The accent- and case-insensitive search key of a name: words of letters and digits, single spaces."""
    if text.isascii():
        return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", unicodedata.normalize("NFC", stripped)).split())


def name_terms(text: str) -> tuple[str, ...]:
    """The words a name search looks for, folded, in order, without repeats."""
    return tuple(dict.fromkeys(fold(text).split()))


def canonical_name(text: str) -> str | None:
    """A typed name as filters keep it: trimmed, inner whitespace collapsed; None when it has no letter or digit."""
    collapsed = " ".join(str(text).split())
    return collapsed if name_terms(collapsed) else None


def prefix_bounds(term: str) -> tuple[str, str]:
    """[low, high) of every word that begins with `term`, in code point (binary / "C" collation) order."""
    return term, term + "\U0010ffff"


def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two words: shared trigrams over all their trigrams (0 to 1)."""
    x, y = trigrams(a), trigrams(b)
    return len(x & y) / len(x | y) if x or y else 0.0


def max_edits(term: str) -> int:
    """Edits a misspelt name word may hold: 1 up to four letters, 2 up to eight, then 3."""
    return 1 if len(term) <= 4 else 2 if len(term) <= 8 else 3


def best_matches(term: str, candidates: Sequence[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """The stored words a misspelt `term` is read as, from the candidates (word, trigram similarity) the index found.

    Trigrams find the candidates and rank them, but one transposition breaks three trigrams, so a short misspelt
    word can share more trigrams with another name than with its own: among candidates within `max_edits`, the
    fewest edits win ("torue": "toure", one transposition, not "torres"), then the most similar; without such a
    candidate, the most similar one if it reaches CLOSE_SIMILARITY. Exact ties are all kept."""
    kept = [(w, s) for w, s in candidates if s >= SIMILARITY_THRESHOLD and w != term]
    limit = max_edits(term)
    edits = {w: osa_distance(term, w, limit) for w, _ in kept}
    close = [(w, s) for w, s in kept if edits[w] <= limit]
    if close:
        fewest = min(edits[w] for w, _ in close)
        close = [(w, s) for w, s in close if edits[w] == fewest]
    else:
        close = [(w, s) for w, s in kept if s >= CLOSE_SIMILARITY]
    if not close:
        return ()
    top = max(s for _, s in close)
    return tuple(sorted((w, s) for w, s in close if s >= top - 1e-9))


class NameCount(NamedTuple):
    """How many profiles a name matches, counted in the word index up to `limit` + 1 rows: `rows` of it (a profile
    with two words starting so is two rows), `profiles` the distinct ones among them when they were counted (None:
    too many rows to be worth it). More than `limit` rows: the name matches more than `limit` profiles (wrong only
    if a limit's worth had two such words)."""

    rows: int
    profiles: int | None
    limit: int

    @property
    def more(self) -> bool:
        return self.rows > self.limit


@dataclass(frozen=True)
class TermMatch:
    """How one typed word of a name was matched: as a prefix, or by similarity to `words` (best first)."""

    term: str
    kind: str  # prefix | fuzzy | none
    words: tuple[tuple[str, float], ...] = ()  # fuzzy: the stored words used and their similarity

    def to_dict(self) -> dict[str, object]:
        return {"term": self.term, "match": self.kind,
                "words": [{"word": w, "similarity": round(s, 3)} for w, s in self.words]}


@dataclass(frozen=True)
class NameMatch:
    """How a name filter was answered, and which index the fuzzy step has (for --explain and the GUI)."""

    terms: tuple[TermMatch, ...]
    fuzzy_index: str | None  # e.g. "pg_trgm GIN index ix_name_words_trgm"; None: prefix only

    @property
    def kind(self) -> str:
        kinds = {t.kind for t in self.terms}
        return "none" if "none" in kinds else "fuzzy" if "fuzzy" in kinds else "prefix"

    @property
    def search_text(self) -> str:
        """The words the rows are matched with (fuzzy terms replaced by their best stored word)."""
        return " ".join(t.words[0][0] if t.kind == "fuzzy" else t.term for t in self.terms)

    def describe(self) -> str:
        parts = []
        for t in self.terms:
            if t.kind == "prefix":
                parts.append(f"{t.term!r}: prefix of a word of the name")
            elif t.kind == "fuzzy":
                shown = ", ".join(f"{w!r} ({s:.2f})" for w, s in t.words)
                parts.append(f"{t.term!r}: no name word starts with it; fuzzy match by similarity: {shown}")
            else:
                parts.append(f"{t.term!r}: no name word starts with it and none is similar enough")
        index = self.fuzzy_index or "none (prefix only)"
        return "; ".join(parts) + f". Prefix index: profile_name_words primary key; fuzzy index: {index}"

    def to_dict(self) -> dict[str, object]:
        return {"match": self.kind, "terms": [t.to_dict() for t in self.terms], "fuzzy_index": self.fuzzy_index}


# -- the parser's rules ----------------------------------------------------------------------------------------------
@cache
def known_names() -> frozenset[str]:
    """Folded first and last names of the bundled name list: lowercase words that are read as names."""
    data = json.loads(resource_path("names.json").read_text(encoding="utf-8"))
    return frozenset(w for names in data.values() for name in names for w in fold(name).split())


def looks_like_name(raw: str) -> bool:
    """A word as typed that may be a name: letters only (inner ' - . allowed), Capitalised or a known name."""
    if not _NAME_WORD.match(raw):
        return False
    return (raw[0].isupper() and not (len(raw) > 1 and raw.isupper())) or fold(raw) in known_names()


def is_bare_name(raw_words: Sequence[str], understood_any: bool) -> bool:
    """Rule 2: a whole query of one to four name-looking words, none understood exactly."""
    return not understood_any and 0 < len(raw_words) <= MAX_NAME_WORDS and all(map(looks_like_name, raw_words))
