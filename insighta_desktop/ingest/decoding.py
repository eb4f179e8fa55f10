"""Per-line text decoding with the streaming UTF-8 / cp1252 rule, and the "is this text at all" check.

The rule: while every byte so far is ASCII the encoding is undecided. At the first line holding a non-ASCII byte,
valid UTF-8 decides UTF-8. Invalid UTF-8 decides cp1252 when every byte before the offending one was ASCII (those
bytes read the same in both encodings); otherwise the file is UTF-8 and the line is broken.
"""
from __future__ import annotations

import codecs

UTF8_BOM = b"\xef\xbb\xbf"
ASCII = "ascii"
UTF8 = "utf-8"
UTF8_SIG = "utf-8-sig"
CP1252 = "cp1252"
FIXED = "fixed"  # an encoding chosen by a person (not the rule): `codec` decodes every line

_CP1252_FALLBACK = "insighta-cp1252-latin1"


def _latin1_for_unmapped(exc: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; read them as Latin-1 (as browsers do).
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error(_CP1252_FALLBACK, _latin1_for_unmapped)


def decode_cp1252(data: bytes) -> str:
    return data.decode(CP1252, _CP1252_FALLBACK)


class LineDecoder:
    """Decodes one line of bytes at a time; `encoding` says what the file turned out to be."""

    __slots__ = ("state", "bom", "codec")

    def __init__(self, state: str = ASCII, bom: bool = False, codec: str = "") -> None:
        self.state = state
        self.bom = bom
        self.codec = codec  # with state FIXED

    @classmethod
    def chosen(cls, codec: str, bom: bool = False) -> LineDecoder:
        """A decoder for an encoding a person chose: UTF-8 and cp1252 keep their own decoding, others use codec."""
        if codec == UTF8:
            return cls(UTF8, bom=bom)
        if codec == CP1252:
            return cls(CP1252)
        return cls(FIXED, codec=codec)

    @property
    def encoding(self) -> str:
        """The encoding reported to people: an all-ASCII file is reported as UTF-8 (it is valid UTF-8)."""
        if self.state == FIXED:
            return self.codec
        if self.bom:
            return UTF8_SIG
        return CP1252 if self.state == CP1252 else UTF8

    def decode(self, line: bytes) -> tuple[str, bool]:
        """(text, ok). When ok is False the line is not valid in the file's encoding; text shows its bytes escaped."""
        state = self.state
        if state == ASCII:
            if line.isascii():
                return line.decode(ASCII), True
            try:
                text = line.decode(UTF8)
            except UnicodeDecodeError as exc:
                if line[:exc.start].isascii():
                    self.state = CP1252
                    return decode_cp1252(line), True
                self.state = UTF8
                return line.decode(UTF8, "backslashreplace"), False
            self.state = UTF8
            return text, True
        if state == UTF8 or state == FIXED:
            codec = self.codec if state == FIXED else UTF8
            try:
                return line.decode(codec), True
            except UnicodeDecodeError:
                return line.decode(codec, "backslashreplace"), False
        return decode_cp1252(line), True

    def observe(self, chunk: bytes) -> None:
        """Advance the state over bytes already imported (resume), without keeping any text."""
        if self.state != ASCII or chunk.isascii():
            return
        for line in chunk.split(b"\n"):
            self.decode(line)
            if self.state != ASCII:
                return


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx); save it as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls); save it as CSV"),
    (b"\x1f\x8b", "a gzip archive; uncompress it first"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_BINARY_CONTROL = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"


def signature_reason(head: bytes) -> str | None:
    """The kind of file its first bytes say it is, when that is a known kind that is not CSV text."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return f"this is {what}, not a CSV text file"
    return None


def binary_reason(head: bytes) -> str | None:
    """Why the first bytes of an 8-bit file say it is not a CSV text file, or None when it looks like text."""
    signature = signature_reason(head)
    if signature:
        return signature
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16 text; read it as UTF-16 (or leave the encoding to detection)"
    sample = head[:8192]
    first_line = sample.replace(b"\r", b"\n").split(b"\n", 1)[0]
    if b"\x00" in first_line:
        return ("the header line contains NUL bytes: this is not a CSV text file (if it is UTF-16 text, choose "
                "UTF-16 as its encoding)")
    return control_reason(sample.decode("latin-1"))


_CONTROL_CHARS = {c: None for c in _BINARY_CONTROL}


def control_reason(sample: str) -> str | None:
    """A sample of text that is more than 5% control characters is binary data."""
    controls = len(sample) - len(sample.translate(_CONTROL_CHARS))
    if sample and controls / len(sample) > 0.05:
        return "the file is mostly binary data, not CSV text"
    return None
