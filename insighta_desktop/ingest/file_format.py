"""A CSV file's format: its encoding, delimiter and line endings, detected from the first 64 KB or chosen.

`FileFormat` is what a person asked for (None: detect); `DetectedFormat` is what the reader uses, with notes for
anything detection was not sure of. Encodings: the streaming UTF-8 / cp1252 rule (decoding.py) unless a BOM or the
NUL-byte pattern says UTF-16 (LE or BE); UTF-32 is refused by name. Delimiters: comma, semicolon, tab, pipe,
chosen by consistent field counts across the sample's records; a tie is reported, and comma wins it.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.headers import ALIASES, header_key

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
AUTO = "auto"  # the UTF-8 / cp1252 rule decides while reading
UTF16_LE, UTF16_BE = "utf-16-le", "utf-16-be"
WIDE = (UTF16_LE, UTF16_BE)
BOMS = {UTF16_LE: codecs.BOM_UTF16_LE, UTF16_BE: codecs.BOM_UTF16_BE}
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_ASCII_PROBE = bytes(range(0x20, 0x7F)) + b"\t\r\n"
_SAMPLE_RECORDS = 200
_KNOWN_HEADERS = frozenset(alias for aliases in ALIASES.values() for alias in aliases)


@dataclass(frozen=True)
class FileFormat:
    """What to read a file as; None leaves that part to detection."""

    encoding: str | None = None  # a codec name, checked by normalise_encoding
    delimiter: str | None = None  # one of DELIMITERS


DETECT = FileFormat()


@dataclass(frozen=True)
class DetectedFormat:
    encoding: str  # AUTO, a UTF-16 codec, or another ASCII-compatible codec's canonical name
    delimiter: str
    newline: str  # "LF", "CRLF", "CR", or "mixed (…)" as seen in the sample
    bom: int  # bytes of byte-order mark before the header
    chosen_encoding: bool = False  # given by a person rather than detected
    chosen_delimiter: bool = False
    notes: tuple[str, ...] = ()  # what detection was not sure of, in words

    @property
    def wide(self) -> bool:
        return self.encoding in WIDE


# A run stored as utf-8 may have been all ASCII so far, with the UTF-8 / cp1252 rule still undecided: it re-detects on
# resume (replaying the rule over the bytes before the resume point). Any other stored encoding is final: cp1252 is
# where the rule ends, utf-8-sig had its BOM, and UTF-16 or a chosen codec do not change; it is kept.
REDETECT_ON_RESUME = ("utf-8",)


def resume_format(chosen: FileFormat, encoding: str | None, delimiter: str | None) -> FileFormat:
    """The format to resume a run with: what is chosen now, else what the run was read with."""
    stored_encoding = encoding if encoding and encoding not in REDETECT_ON_RESUME else None
    stored_delimiter = delimiter if delimiter in DELIMITERS else None
    return FileFormat(chosen.encoding or stored_encoding, chosen.delimiter or stored_delimiter)


def delimiter_name(delimiter: str) -> str:
    return DELIMITER_NAMES.get(delimiter, repr(delimiter))


def parse_delimiter(text: str) -> str:
    """`;`, `tab`, `\\t`, `semicolon`… as a delimiter character; ValueError with a one-line reason otherwise."""
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "bar": "|"}.get(
        text.strip().lower(), text)
    if value not in DELIMITERS:
        raise ValueError(f"unsupported delimiter {text!r}: use one of ',' ';' '|' or tab")
    return value


def normalise_encoding(name: str) -> str:
    """A codec name as stored and used: `UTF16LE` gives utf-16-le, `latin1` iso8859-1; the auto rule's names (utf-8,
    cp1252) stay. ValueError with a one-line reason for an unknown or unsupported encoding."""
    try:
        canonical = codecs.lookup(name.strip()).name
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}") from None
    if canonical.startswith("utf-32"):
        raise ValueError("UTF-32 files are not supported; save the file as UTF-8 or UTF-16")
    if canonical in ("utf-16", *WIDE):
        return canonical
    if canonical == "utf-8-sig":  # UTF-8, whose BOM is skipped when there is one
        return "utf-8"
    try:
        ascii_compatible = _ASCII_PROBE.decode(canonical) == _ASCII_PROBE.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        ascii_compatible = False
    if not ascii_compatible or len(canonical) > 16:
        raise ValueError(f"unsupported encoding {name!r}: CSV files must be ASCII-compatible or UTF-16")
    return canonical


def _utf32(head: bytes) -> bool:
    if head.startswith(_UTF32_BOMS):
        return True
    sample = head[:4096 - 4096 % 4]
    groups = len(sample) // 4
    if groups < 4:
        return False
    le = sum(1 for i in range(0, len(sample), 4) if sample[i + 1:i + 4] == b"\0\0\0" and sample[i])
    be = sum(1 for i in range(0, len(sample), 4) if sample[i:i + 3] == b"\0\0\0" and sample[i + 3])
    return max(le, be) >= groups * 0.6


def _utf16_by_nuls(head: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes in every other position (mostly-ASCII text)."""
    sample = head[:4096 - 4096 % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.05:
        return UTF16_LE
    if even >= pairs * 0.3 and odd <= pairs * 0.05:
        return UTF16_BE
    return None


def detect_encoding(head: bytes, chosen: str | None = None) -> tuple[str, int]:
    """(encoding, BOM length) for a file starting with `head`; ImportRefused for UTF-32."""
    if chosen is None and head.startswith(codecs.BOM_UTF8):
        return AUTO, len(codecs.BOM_UTF8)
    if chosen is None and _utf32(head):
        raise ImportRefused("utf32", "the file is UTF-32 text, which is not supported; save it as CSV UTF-8 "
                                     "(or UTF-16)")
    if chosen is not None and chosen not in ("utf-16", *WIDE):
        utf8_bom = chosen == "utf-8" and head.startswith(codecs.BOM_UTF8)
        return chosen, len(codecs.BOM_UTF8) if utf8_bom else 0
    for codec, bom in BOMS.items():
        if head.startswith(bom) and chosen in (None, "utf-16", codec):
            return codec, len(bom)
    if chosen in WIDE:
        assert chosen is not None
        return chosen, 0
    by_nuls = _utf16_by_nuls(head)
    if chosen == "utf-16":
        return by_nuls or UTF16_LE, 0
    return (by_nuls, 0) if by_nuls else (AUTO, 0)


def sample_text(head: bytes, encoding: str, bom: int) -> str:
    """The head decoded well enough to count delimiters and line endings (the last line may be cut)."""
    data = head[bom:]
    if encoding in WIDE:
        data = data[:len(data) - len(data) % 2]
        return data.decode(encoding, "replace")
    if encoding == AUTO:
        try:
            return data.decode("utf-8", "strict")
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3:  # a character cut at the end of the sample
                return data[:exc.start].decode("utf-8", "replace")
            return data.decode("cp1252", "replace")
    return data.decode(encoding, "replace")


def detect_newline(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf - text.endswith("\r")
    lf = text.count("\n") - crlf
    seen = [name for name, n in (("LF", lf), ("CRLF", crlf), ("CR", cr)) if n > 0]
    if not seen:
        return "LF"
    return seen[0] if len(seen) == 1 else f"mixed ({', '.join(seen)})"


def _records(text: str, delimiter: str) -> list[list[str]]:
    """The sample's first complete records read with this delimiter (blank lines left out)."""
    cut = max(text.rfind("\n"), text.rfind("\r"))
    text = text[:cut + 1] if cut >= 0 else text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    records = []
    try:
        for fields in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if fields and any(f.strip() for f in fields):
                records.append(fields)
            if len(records) >= _SAMPLE_RECORDS:
                break
    except csv.Error:
        pass
    return records


def sniff_delimiter(text: str) -> tuple[str, str | None]:
    """(delimiter, a note when the choice is not clear).

    A candidate fits when its header has at least two fields and at least 70% of the records after it have as many.
    Among those that fit, the most header fields named like profile fields wins, then the most fields; a tie on both
    is reported (comma wins it when it is one of them). When none fits, the header line alone decides, the same way.
    """
    records = {d: _records(text, d) for d in DELIMITERS}
    fits: dict[str, tuple[int, int]] = {}
    for d, rows in records.items():
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        rest = rows[1:]
        if not rest or sum(1 for r in rest if len(r) == width) >= 0.7 * len(rest):
            fits[d] = (_known(rows[0]), width)
    if fits:
        best = max(fits.values())
        tied = [d for d in DELIMITERS if fits.get(d) == best]
        return (tied[0], None) if len(tied) == 1 else (_tie_choice(tied), _tie_note(tied))
    first = text.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]
    in_header = {d: (_known(first.split(d)), first.count(d)) for d in DELIMITERS if first.count(d)}
    if not in_header:
        return ",", None
    best = max(in_header.values())
    tied = [d for d in DELIMITERS if in_header.get(d) == best]
    if len(tied) > 1:
        return _tie_choice(tied), _tie_note(tied)
    return tied[0], (f"the lines do not all have as many {delimiter_name(tied[0])}-separated fields as the "
                     "header; check the delimiter")


def _known(header: list[str]) -> int:
    return sum(1 for h in header if header_key(h) in _KNOWN_HEADERS)


def _tie_choice(tied: list[str]) -> str:
    return "," if "," in tied else tied[0]


def _tie_note(tied: list[str]) -> str:
    chosen = _tie_choice(tied)
    names = " and ".join(delimiter_name(d) for d in tied)
    return f"the delimiter is ambiguous: {names} fit the first lines equally; reading it as " \
           f"{delimiter_name(chosen)}-separated (choose another if that is wrong)"


def detect_format(head: bytes, chosen: FileFormat = DETECT) -> DetectedFormat:
    """The format of a file that starts with `head` (its first SAMPLE_BYTES), honouring what was chosen."""
    wanted = normalise_encoding(chosen.encoding) if chosen.encoding else None
    encoding, bom = detect_encoding(head, wanted)
    text = sample_text(head, encoding, bom)
    notes: list[str] = []
    if chosen.delimiter:
        delimiter = parse_delimiter(chosen.delimiter)
    else:
        delimiter, note = sniff_delimiter(text)
        if note:
            notes.append(note)
    return DetectedFormat(encoding, delimiter, detect_newline(text), bom, chosen_encoding=wanted is not None,
                          chosen_delimiter=bool(chosen.delimiter), notes=tuple(notes))
