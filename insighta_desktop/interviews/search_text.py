"""The words of a transcript search, and the matching sentence shown for each hit.

Query syntax (as in web search engines): words must all appear, in any order and case, accents optional;
"quoted words" must appear together; `or` between two terms accepts either; a leading `-` excludes a term.
Punctuation separates words, so `C++` searches for c, `Node.js` for the phrase node js, `real-time` for real time.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from insighta_desktop.db.transcript_search import Clause, Phrase, TextQuery

WORD = re.compile(r"[^\W_]+")
MAX_QUERY_CHARS = 1_000
MAX_WORDS = 32
MAX_WORD_CHARS = 255  # far beyond any real word; keeps every lexeme within PostgreSQL's limits
SNIPPET_CHARS = 220
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_OR = object()


class EmptySearch(ValueError):
    """The text holds nothing to search for."""


def parse_search_text(text: str) -> TextQuery:
    """The query in `text`; raises EmptySearch when it has no word to look for."""
    items: list[object] = []
    words = 0
    for phrase, excluded, is_or in _terms(text[:MAX_QUERY_CHARS]):
        if is_or:
            items.append(_OR)
            continue
        phrase = tuple(w for w in phrase if len(w) <= MAX_WORD_CHARS)[: MAX_WORDS - words]
        if phrase:
            words += len(phrase)
            items.append((phrase, excluded))
    clauses: list[Clause] = []
    joining = False
    for index, item in enumerate(items):
        if item is _OR:
            between = (clauses and not clauses[-1].excluded and index + 1 < len(items)
                       and items[index + 1] is not _OR and not items[index + 1][1])  # type: ignore[index]
            if between:
                joining = True
            else:  # "or" with nothing to join is the word itself
                clauses.append(Clause((("or",),)))
            continue
        phrase, excluded = item  # type: ignore[misc]
        if joining:
            clauses[-1] = Clause(clauses[-1].alternatives + (phrase,))
        else:
            clauses.append(Clause((phrase,), excluded))
        joining = False
    query = TextQuery(tuple(clauses))
    if not query.searchable:
        raise EmptySearch("A leading '-' only excludes a word; add a word to find." if clauses else
                          "Type a word or a \"quoted phrase\" to search the transcripts.")
    return query


def _terms(text: str) -> list[tuple[Phrase, bool, bool]]:
    """(words, excluded, is_or) for each whitespace-separated chunk or quoted phrase."""
    terms: list[tuple[Phrase, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        excluded = text[i] == "-" and i + 1 < n and (text[i + 1] == '"' or bool(WORD.match(text[i + 1])))
        if excluded:
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            chunk, i = text[i + 1:end], end + 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] != '"':
                i += 1
            chunk = text[start:i]
            if not excluded and chunk.lower() == "or":
                terms.append(((), False, True))
                continue
        terms.append((tuple(w.lower() for w in WORD.findall(chunk)), excluded, False))
    return terms


def fold(word: str) -> str:
    """Lower case without accents, for matching a query word against a transcript word."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Snippet:
    """The sentence of a turn that matched, with the spans of the matching words."""

    text: str
    marks: tuple[tuple[int, int], ...]

    def markdown(self) -> str:
        """The text with each match in **bold** (the CLI's plain-text form)."""
        return self._wrap("**", "**", str)

    def html(self) -> str:
        return self._wrap("<b>", "</b>", html.escape)

    def _wrap(self, before: str, after: str, convert: Callable[[str], str]) -> str:
        out, last = [], 0
        for start, end in self.marks:
            out += [convert(self.text[last:start]), before, convert(self.text[start:end]), after]
            last = end
        out.append(convert(self.text[last:]))
        return "".join(out)


def make_snippet(content: str, query: TextQuery, limit: int = SNIPPET_CHARS) -> Snippet:
    """The sentence with the most matches (the first on a tie), cut around its first match when long."""
    tokens = [(m.start(), m.end(), fold(m.group())) for m in WORD.finditer(content)]
    marks: list[tuple[int, int]] = []
    for clause in query.clauses:
        if clause.excluded:
            continue
        for phrase in clause.alternatives:
            wanted = [fold(w) for w in phrase]
            for i in range(len(tokens) - len(wanted) + 1):
                if all(tokens[i + k][2] == wanted[k] for k in range(len(wanted))):
                    marks.append((tokens[i][0], tokens[i + len(wanted) - 1][1]))
    marks = _merge(marks)
    start, end = _best_sentence(content, marks)
    begin, stop = start, end
    if end - start > limit:
        first = next(((s, e) for s, e in marks if start <= s < end), (start, start))
        begin = max(start, min(first[0] - limit // 3, end - limit))
        if begin > start:  # start at a word
            space = content.find(" ", begin - 1, first[0])
            begin = space + 1 if space >= 0 else begin
        stop = min(end, begin + limit)
        if stop < end:  # end at a word, keeping the first match whole
            space = content.rfind(" ", max(begin, first[1]), stop)
            stop = space if space >= 0 else max(stop, first[1])
    text = content[begin:stop]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    offset = begin + lead
    prefix = "…" if begin > start else ""
    suffix = "…" if stop < end else ""
    shift = len(prefix) - offset
    inside = tuple((s + shift, e + shift) for s, e in marks if s >= offset and e <= offset + len(text))
    return Snippet(prefix + text + suffix, inside)


def _merge(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(marks):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _best_sentence(content: str, marks: list[tuple[int, int]]) -> tuple[int, int]:
    bounds, start = [], 0
    for gap in _SENTENCE_END.finditer(content):
        bounds.append((start, gap.start()))
        start = gap.end()
    bounds.append((start, len(content)))
    return max(bounds, key=lambda b: (sum(1 for s, _ in marks if b[0] <= s < b[1]), -b[0]))
