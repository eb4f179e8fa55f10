"""Tokens and word tables for the plain-language parser (see docs/search.md for the rules they implement)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from insighta_desktop.countries import normalise_phrase


@dataclass(frozen=True)
class Token:
    kind: str  # word | num | decade | sym
    norm: str  # normalised text: folded word, "-" for any dash, digits for numbers
    raw: str  # as typed
    start: int
    end: int
    value: float | None = None  # numbers and decades
    percent: bool = False


GENDER_WORDS = {
    "male": "male", "males": "male", "man": "male", "men": "male", "boy": "male", "boys": "male",
    "gentleman": "male", "gentlemen": "male", "gent": "male", "gents": "male", "guys": "male",
    "female": "female", "females": "female", "woman": "female", "women": "female", "girl": "female",
    "girls": "female", "lady": "female", "ladies": "female", "gals": "female",
}
BOTH_GENDER_PHRASES = [("both", "genders"), ("both", "sexes"), ("any", "gender"), ("all", "genders"),
                       ("either", "gender")]

GROUP_PHRASES: dict[tuple[str, ...], str] = {
    ("child",): "child", ("children",): "child", ("kid",): "child", ("kids",): "child", ("childs",): "child",
    ("teen",): "teenager", ("teens",): "teenager", ("teenager",): "teenager", ("teenagers",): "teenager",
    ("teenage",): "teenager", ("adolescent",): "teenager", ("adolescents",): "teenager",
    ("adult",): "adult", ("adults",): "adult", ("grown", "ups"): "adult", ("grownups",): "adult",
    ("senior",): "senior", ("seniors",): "senior", ("elderly",): "senior", ("elder",): "senior",
    ("elders",): "senior", ("pensioners",): "senior", ("retirees",): "senior", ("old", "people"): "senior",
    ("old", "persons"): "senior", ("old", "folks"): "senior", ("older", "people"): "senior",
    ("senior", "citizens"): "senior",
}
# "old" before a gender or people word ("old men") means senior too, consuming only "old".
OLD_BEFORE = set(GENDER_WORDS) | {"people", "persons", "folks", "individuals", "profiles"}

YOUNG_RANGE = (16, 24)
YOUNG_PHRASES = [("young", "people"), ("young",), ("youth",), ("youths",), ("youngsters",), ("youngster",)]

MIN_COMPARATORS = [("older", "than"), ("more", "than"), ("greater", "than"), ("at", "least"), ("no", "younger", "than"),
                   ("not", "younger", "than"), ("above",), ("over",), ("from",), ("min",), ("minimum",), ("past",),
                   (">",), (">=",), ("=>",), ("≥",)]
MAX_COMPARATORS = [("younger", "than"), ("less", "than"), ("at", "most"), ("up", "to"), ("no", "older", "than"),
                   ("not", "older", "than"), ("under",), ("below",), ("max",), ("maximum",), ("<",), ("<=",),
                   ("=<",), ("≤",)]
AGE_PREFIXES = {"aged", "age", "ages"}
AGE_AFTER_COMPARATOR = [("the", "age", "of"), ("age", "of"), ("age",), ("aged",)]
AGE_SUFFIXES = [("years", "old"), ("year", "old"), ("years", "of", "age"), ("year", "olds"), ("yrs", "old"),
                ("years",), ("yrs",), ("yo",), ("y", "o")]
RANGE_JOINERS = {"to", "-", "through", "thru", "till", "until"}
OPEN_UP = [("or", "older"), ("or", "over"), ("or", "above"), ("or", "more"), ("and", "older"), ("and", "over"),
           ("and", "above"), ("and", "up"), ("and", "upwards"), ("or", "higher"), ("plus",), ("+",)]
OPEN_DOWN = [("or", "younger"), ("or", "under"), ("or", "below"), ("or", "less"), ("and", "younger"),
             ("and", "under"), ("and", "below"), ("or", "lower")]
DECADE_PREFIXES = [("in", "their"), ("in", "the"), ("in", "his"), ("in", "her")]
DECADE_PARTS = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}

PROBABILITY_SUBJECTS = {"gender": "min_gender_probability", "sex": "min_gender_probability",
                        "country": "min_country_probability", "nationality": "min_country_probability"}
PROBABILITY_NOUNS = {"probability", "probabilities", "confidence", "certainty", "score", "likelihood", "prob"}
PROBABILITY_LINKS = {"of", "is", "=", ":", "at"}
PROBABILITY_PREFIXES = [("min",), ("minimum",)]
PROBABILITY_OPEN_UP = [("or", "more"), ("or", "higher"), ("+",), ("plus",)]

SORT_PHRASES: dict[tuple[str, ...], tuple[str, str]] = {
    ("oldest", "first"): ("age", "desc"), ("oldest",): ("age", "desc"), ("eldest",): ("age", "desc"),
    ("youngest", "first"): ("age", "asc"), ("youngest",): ("age", "asc"),
    ("newest", "first"): ("created_at", "desc"), ("newest",): ("created_at", "desc"),
    ("latest",): ("created_at", "desc"),
    ("most", "recent"): ("created_at", "desc"), ("recent", "first"): ("created_at", "desc"),
    ("recently", "added"): ("created_at", "desc"), ("earliest",): ("created_at", "asc"),
    ("first", "added"): ("created_at", "asc"), ("alphabetically",): ("name", "asc"), ("alphabetical",): ("name", "asc"),
    ("a", "z"): ("name", "asc"), ("a", "to", "z"): ("name", "asc"), ("z", "a"): ("name", "desc"),
    ("z", "to", "a"): ("name", "desc"), ("most", "confident"): ("gender_probability", "desc"),
    ("least", "confident"): ("gender_probability", "asc"),
}
SORT_VERBS = [("sorted", "by"), ("sort", "by"), ("ordered", "by"), ("order", "by"), ("ranked", "by"), ("rank", "by"),
              ("sorted",), ("sort",), ("by",)]
SORT_FIELDS = {
    ("gender", "probability"): "gender_probability", ("gender", "confidence"): "gender_probability",
    ("probability",): "gender_probability", ("confidence",): "gender_probability",
    ("created", "at"): "created_at", ("date", "added"): "created_at", ("creation", "date"): "created_at",
    ("created",): "created_at", ("date",): "created_at", ("age",): "age", ("name",): "name", ("names",): "name",
}
SORT_DEFAULT_ORDER = {"age": "asc", "name": "asc", "created_at": "desc", "gender_probability": "desc"}
DIRECTIONS = {"asc": "asc", "ascending": "asc", "desc": "desc", "descending": "desc",
              "increasing": "asc", "decreasing": "desc"}

LIMIT_BEFORE = [("top",), ("first",), ("limit", "to"), ("limit",), ("only",)]
LIMIT_AFTER = {"results", "result", "rows", "profiles", "records", "matches", "entries"}

NEGATIONS = {"not", "non", "except", "excluding", "exclude", "without", "no", "nor", "neither", "never"}

FILLERS = {
    "a", "an", "the", "all", "any", "every", "some", "of", "and", "or", "with", "who", "whom", "whose", "that",
    "which", "are", "is", "be", "were", "was", "been", "people", "persons", "person", "profiles", "profile",
    "individuals", "individual", "users", "user", "citizens", "citizen", "nationals", "national", "residents",
    "resident", "folks", "everyone", "everybody", "those", "them", "show", "me", "find", "list", "get", "give",
    "search", "for", "display", "fetch", "return", "look", "looking", "i", "want", "need", "see", "please", "can",
    "you", "in", "from", "living", "live", "lives", "based", "located", "residing", "reside", "born", "at", "on",
    "who's", "whos", "aged", "age", "ages", "years", "year", "old", "yrs", "gender", "sex", "country", "countries",
    "nationality", "origin", "just", "also", "as", "well", "plus", "&", "/", "=", "their", "there", "here",
    "what", "how", "many", "much", "do", "does", "have", "has", "to", "by", "per", "records", "entries", "results",
    "both", "either", "each", "group", "groups", "range", "between",
}
# Two- and three-letter words that are also ISO codes: a code only when typed in capitals in mixed-case text.
ENGLISH_SHORT_WORDS = {
    "in", "is", "it", "at", "to", "no", "me", "my", "by", "am", "as", "be", "do", "so", "us", "an", "or", "of",
    "on", "up", "we", "he", "id", "and", "are", "can", "per", "for", "the", "who", "all", "any", "has", "not",
    "man", "men", "see", "get", "top", "old", "new", "age", "ago", "aus", "ben", "col", "com", "dom", "est",
    "fin", "gab", "gin", "gum", "mac", "mar", "nor", "pan", "pol", "sur", "swe", "tun", "ven", "arm", "bel",
    "cod", "cub", "lie", "mli", "nic", "pak", "pry", "ton", "tur", "som", "mus", "car",
}

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
                "eighties": 80, "nineties": 90}

_TOKEN = re.compile(
    r"""(?P<decade>\b\d0)['’]?s\b
      | (?P<num>\d+(?:\.\d+)?|\.\d+)(?P<pct>\s*%)?
      | (?P<word>[^\W\d_]+(?:['’.][^\W\d_]+)*\.?)
      | (?P<sym>>=|<=|=>|=<|[<>≥≤=+\-–—&/])""",
    re.VERBOSE,
)
_WORD_HYPHEN = re.compile(r"(?<=[^\W_])[-–](?=[^\W\d_])|(?<=[^\W\d_])[-–](?=\d)")


def tokenise(text: str) -> list[Token]:
    """Words, numbers (with % and number words folded in), decades ("30s", "thirties") and comparison symbols."""
    prepared = _WORD_HYPHEN.sub(" ", text)
    raw_tokens: list[Token] = []
    for m in _TOKEN.finditer(prepared):
        start, end = m.span()
        if m.group("decade"):
            raw_tokens.append(Token("decade", m.group("decade"), text[start:end], start, end, float(m.group("decade"))))
        elif m.group("num"):
            value = float(m.group("num"))
            raw_tokens.append(Token("num", m.group("num"), text[start:end], start, end, value, bool(m.group("pct"))))
        elif m.group("word"):
            norm = normalise_phrase(m.group("word")).replace(" ", "")
            raw_tokens.append(Token("word", norm, text[start:end], start, end))
        else:
            sym = m.group("sym")
            raw_tokens.append(Token("sym", "-" if sym in "-–—" else sym, text[start:end], start, end))
    return _fold_number_words(raw_tokens, text)


def _fold_number_words(tokens: list[Token], text: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "word" and tok.norm in DECADE_WORDS:
            out.append(Token("decade", tok.norm, tok.raw, tok.start, tok.end, float(DECADE_WORDS[tok.norm])))
            i += 1
            continue
        if tok.kind == "word" and (tok.norm in TENS or tok.norm in UNITS or tok.norm == "hundred"):
            value, j = _number_word_value(tokens, i)
            if j > i:
                end = tokens[j - 1].end
                percent = j < len(tokens) and tokens[j].kind == "word" and tokens[j].norm in ("percent", "pct")
                if percent:
                    end = tokens[j].end
                    j += 1
                out.append(Token("num", str(value), text[tok.start:end], tok.start, end, float(value), percent))
                i = j
                continue
        if tok.kind == "num" and not tok.percent and i + 1 < len(tokens) and tokens[i + 1].norm in ("percent", "pct"):
            nxt = tokens[i + 1]
            out.append(Token("num", tok.norm, text[tok.start:nxt.end], tok.start, nxt.end, tok.value, True))
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def _number_word_value(tokens: list[Token], i: int) -> tuple[int, int]:
    norm = tokens[i].norm
    if norm == "hundred":
        return 100, i + 1
    if norm in UNITS:
        if UNITS[norm] == 1 and i + 1 < len(tokens) and tokens[i + 1].norm == "hundred":
            return 100, i + 2
        return UNITS[norm], i + 1
    value = TENS[norm]
    if i + 1 < len(tokens) and tokens[i + 1].kind == "word" and UNITS.get(tokens[i + 1].norm, 10) < 10:
        return value + UNITS[tokens[i + 1].norm], i + 2
    return value, i + 1
