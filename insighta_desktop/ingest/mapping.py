"""Which column of a file feeds each profile field: matched automatically, or chosen (--map, --mapping, the preview).

Automatic matching goes stage by stage over every field, so an earlier stage always wins over a later one: the
exact header ("age"), then the header normalised (case, spaces, `_`/`-`: " AGE "), then the known aliases ("sex",
"years", "country_code"), then a similarity match ("Nation", "Full-Name", "Genders"). A column feeds at most one
field, and the same header row always gives the same mapping. Pure logic: no file, no database.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from difflib import SequenceMatcher
from pathlib import Path

from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.headers import ALIASES, FIELDS, REQUIRED_FIELDS, HeaderMapping, header_key

# A chosen mapping: field -> the column's header as written, or None ("do not import" / "not in file").
Chosen = Mapping[str, str | None]

# Names a user may give a field by, besides the field's own name.
FIELD_SYNONYMS = {"country": "country_id", "country_code": "country_id"}
# Extra spellings only the similarity stage uses (they are too loose to be aliases).
_SIMILAR_TO: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "person", "first_and_last_name"),
    "gender": ("gender", "sex"),
    "age": ("age", "years", "age_in_years"),
    "country_id": ("country", "country_code", "nationality", "nation", "iso_code"),
    "gender_probability": ("gender_probability", "probability_gender"),
    "country_probability": ("country_probability", "probability_country"),
    "age_group": ("age_group", "age_bracket", "age_category"),
    "country_name": ("country_name",),
}
SIMILARITY_THRESHOLD = 0.8


class MappingError(ImportRefused):
    """A chosen mapping names a field or a column that does not exist."""

    def __init__(self, message: str) -> None:
        super().__init__("bad_mapping", message)


def list_columns(headers: Sequence[str]) -> str:
    return ", ".join(repr(h.strip()) for h in headers) or "none"


def _similarity(key: str, target: str) -> float:
    if not key:
        return 0.0
    if key == target:
        return 1.0
    short, long = sorted((key, target), key=len)
    if len(short) >= 5 and len(short) * 2 >= len(long) and long.startswith(short):
        return 0.9  # "nation" / "nationality"
    return SequenceMatcher(None, key, target, autojunk=False).ratio()


def _alias_of_rank(rank: int) -> Callable[[str, str, str], bool]:
    def matches(name: str, header: str, key: str) -> bool:
        aliases = ALIASES[name]
        return rank < len(aliases) and key == aliases[rank]

    return matches


def auto_columns(headers: Sequence[str], fixed: Mapping[str, int | None] | None = None) -> dict[str, int]:
    """field -> column index for every field some column matches. `fixed` fields (None: left out) are taken as
    given and their columns are not offered to any other field."""
    fixed = dict(fixed or {})
    columns = {f: i for f, i in fixed.items() if i is not None}
    claimed = set(columns.values())
    open_fields = [f for f in FIELDS if f not in fixed]
    keys = [header_key(h) for h in headers]

    def claim(name: str, index: int) -> None:
        columns[name] = index
        claimed.add(index)

    def stage(matches: Callable[[str, str, str], bool]) -> None:
        for name in open_fields:
            if name in columns:
                continue
            for index, header in enumerate(headers):
                if index not in claimed and matches(name, header, keys[index]):
                    claim(name, index)
                    break

    stage(lambda name, header, key: header.strip() == name)
    stage(lambda name, header, key: key == name)
    depth = max(len(a) for a in ALIASES.values())
    for rank in range(depth):
        stage(_alias_of_rank(rank))
    if "country_name" in open_fields and "country_name" not in columns:
        stage(lambda name, header, key: name == "country_name" and key == "country")
    scored = []
    for name in open_fields:
        if name in columns:
            continue
        for index, key in enumerate(keys):
            if index in claimed:
                continue
            score = max(_similarity(key, target) for target in _SIMILAR_TO[name])
            if score >= SIMILARITY_THRESHOLD:
                scored.append((-score, FIELDS.index(name), index, name))
    for _, _, index, name in sorted(scored):
        if name not in columns and index not in claimed:
            claim(name, index)
    return columns


def field_name(text: str, headers: Sequence[str] | None = None) -> str:
    """A field as a user may write it ("Country", "age-group") -> the field, or MappingError (listing the file's
    columns when they are known)."""
    key = header_key(text)
    key = FIELD_SYNONYMS.get(key, key)
    if key not in FIELDS:
        columns = f"; the file's columns are: {list_columns(headers)}" if headers is not None else ""
        raise MappingError(f"unknown field {text.strip()!r} (the fields are: {', '.join(FIELDS)}){columns}")
    return key


def column_index(headers: Sequence[str], column: str) -> int:
    """The index of a column named case-insensitively (spaces around it ignored), or MappingError."""
    wanted = column.strip()
    for test in (lambda h: h.strip() == wanted, lambda h: h.strip().casefold() == wanted.casefold(),
                 lambda h: header_key(h) == header_key(wanted)):
        for index, header in enumerate(headers):
            if test(header):
                return index
    raise MappingError(f"no column {wanted!r} in the file; its columns are: {list_columns(headers)}")


def resolve(headers: Sequence[str], chosen: Chosen | None = None) -> HeaderMapping:
    """The mapping for a header row: chosen fields as given, the others matched automatically. Raises
    ImportRefused naming a required field no column feeds, with the file's columns."""
    if not any(header_key(h) for h in headers):
        raise ImportRefused("empty_header", "the first line is empty: a header row with name, gender, age and "
                                            "country_id is required")
    fixed: dict[str, int | None] = {}
    for name, column in (chosen or {}).items():
        field = field_name(name, headers)
        fixed[field] = None if column is None or not column.strip() else column_index(headers, column)
    used = [i for i in fixed.values() if i is not None]
    if len(used) != len(set(used)):
        twice = next(i for i in used if used.count(i) > 1)
        fields = [f for f, i in fixed.items() if i == twice]
        raise MappingError(f"column {headers[twice].strip()!r} is mapped to {' and '.join(fields)}; "
                           "a column can feed one field only")
    columns = auto_columns(headers, fixed)
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportRefused(
            "missing_columns",
            f"required field{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'have' if len(missing) > 1 else 'has'} no column (the file's columns: {list_columns(headers)})")
    claimed = set(columns.values())
    extra = tuple(h for i, h in enumerate(headers) if i not in claimed)
    renamed = {headers[i]: name for name, i in columns.items() if headers[i] != name}
    ordered = {name: columns[name] for name in FIELDS if name in columns}
    return HeaderMapping(tuple(headers), ordered, extra, renamed)


def as_chosen(mapping: HeaderMapping) -> dict[str, str | None]:
    """Every field -> its column's header (stripped) or None: what is stored with a run and per header row."""
    return {name: mapping.headers[mapping.columns[name]].strip() if name in mapping.columns else None
            for name in FIELDS}


def to_json(chosen: Chosen) -> str:
    return json.dumps({name: chosen.get(name) for name in FIELDS}, ensure_ascii=False)


def from_json(text: str | None) -> dict[str, str | None] | None:
    if not text:
        return None
    data = json.loads(text)
    return {str(k): (None if v is None else str(v)) for k, v in data.items()} if isinstance(data, dict) else None


def header_signature(headers: Sequence[str]) -> str:
    """The same for header rows that differ only in case, spacing and `_`/`-` (sha256, 64 hex digits)."""
    return hashlib.sha256("\x1f".join(header_key(h) for h in headers).encode("utf-8")).hexdigest()


def parse_map_options(items: Sequence[str]) -> dict[str, str | None]:
    """`--map FIELD=COLUMN` values (`FIELD=` for "do not import"), or MappingError naming the bad one."""
    chosen: dict[str, str | None] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip():
            raise MappingError(f"--map {item!r}: write FIELD=COLUMN, e.g. --map name='Full Name'")
        chosen[name.strip()] = column.strip() or None  # checked against the fields once the file's columns are known
    return chosen


def load_mapping_file(path: Path) -> dict[str, str | None]:
    """A JSON object {"name": "Full Name", "age_group": null, ...}, or MappingError saying what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MappingError(f"cannot read the mapping file {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise MappingError(f"the mapping file {path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or not all(v is None or isinstance(v, str) for v in data.values()):
        raise MappingError(f"the mapping file {path} must hold one object of field: column name (or null)")
    return {str(k).strip(): (v.strip() or None if isinstance(v, str) else None) for k, v in data.items()}


def differs_from_automatic(headers: Sequence[str], mapping: HeaderMapping) -> bool:
    try:
        return resolve(headers).columns != mapping.columns
    except ImportRefused:
        return True
