"""The sealed container: a changed byte anywhere, a wrong passphrase, an expired pack, a crafted header."""
from __future__ import annotations

import base64
import json
import struct
import unicodedata
from datetime import date, datetime, timedelta

import pytest

from insighta_desktop.packs import (
    PackCorrupted,
    PackError,
    PackExpired,
    PackTampered,
    SigningIdentity,
    WrongPassphrase,
    open_pack,
    read_sealed,
)
from insighta_desktop.packs.container import MAGIC, PREFIX, SIGNATURE_SIZE, PackHeader
from insighta_desktop.packs.kdf import Argon2idParams, ScryptParams, argon2id_available, default_kdf
from tests.integration.packs.packdata import PASSPHRASE, TEST_SIGNER, export_test_pack, fill_source


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    from insighta_desktop.db.engine import create_engine_for
    from insighta_desktop.db.migrations import ensure_schema

    folder = tmp_path_factory.mktemp("sealing")
    engine = create_engine_for(f"sqlite:///{folder / 'source.db'}")
    ensure_schema(engine)
    ids = fill_source(engine)
    yield engine, ids
    engine.dispose()


@pytest.fixture(scope="module")
def small_pack(source, tmp_path_factory):
    engine, ids = source
    path = tmp_path_factory.mktemp("small") / "one.insighta-pack"
    export_test_pack(engine, ids[:1], path, expires=date(2099, 12, 31))
    return path


def test_every_changed_byte_is_refused_with_one_line(small_pack, tmp_path):
    """Each byte of the prefix and header, every 89th of the ciphertext, each of the signature, one at a time."""
    data = small_pack.read_bytes()
    header_end = PREFIX.size + struct.unpack_from(">I", data, len(MAGIC) + 2)[0]
    offsets = [*range(header_end), *range(header_end, len(data) - SIGNATURE_SIZE, 89),
               *range(len(data) - SIGNATURE_SIZE, len(data))]
    target = tmp_path / "changed.insighta-pack"
    kinds: dict[str, int] = {}
    for offset in offsets:
        changed = bytearray(data)
        changed[offset] ^= 0x01
        target.write_bytes(bytes(changed))
        with pytest.raises(PackError) as refused:
            open_pack(target, PASSPHRASE)
        message = str(refused.value)
        assert "\n" not in message and message.startswith("changed.insighta-pack"), (offset, message)
        kinds[type(refused.value).__name__] = kinds.get(type(refused.value).__name__, 0) + 1
        if offset >= header_end:  # in the ciphertext or the signature: only the signature can tell
            assert isinstance(refused.value, PackTampered), (offset, message)
            assert "was changed or damaged after it was signed" in message
    assert kinds["PackTampered"] > len(offsets) // 2, kinds  # most header bytes still parse: the signature catches them
    assert set(kinds) <= {"PackTampered", "PackCorrupted", "NotAPack", "PackTooNew"}, kinds


def test_bytes_added_to_the_end_are_refused(small_pack, tmp_path):
    target = tmp_path / "longer.insighta-pack"
    target.write_bytes(small_pack.read_bytes() + b"\x00" * 3)
    with pytest.raises(PackTampered, match="3 bytes were added to its end"):
        open_pack(target, PASSPHRASE)


def test_a_wrong_passphrase_is_refused_and_the_right_one_still_opens(small_pack):
    for wrong in ("correct horse battery stapl", PASSPHRASE.upper(), PASSPHRASE + " "):
        with pytest.raises(WrongPassphrase, match=r"^Wrong passphrase for one.insighta-pack\.$"):
            open_pack(small_pack, wrong)
    open_pack(small_pack, PASSPHRASE).close()


def test_a_passphrase_typed_in_another_unicode_form_opens_the_pack(source, tmp_path):
    engine, ids = source
    composed = unicodedata.normalize("NFC", "Crème brûlée à l'école")
    path = tmp_path / "accents.insighta-pack"
    export_test_pack(engine, ids[:1], path, passphrase=composed)
    open_pack(path, unicodedata.normalize("NFD", composed)).close()  # as macOS may hand it over


def test_an_expired_pack_is_refused_before_the_passphrase_is_asked(source, tmp_path):
    engine, ids = source
    path = tmp_path / "dated.insighta-pack"
    export_test_pack(engine, ids[:2], path, expires=date(2027, 1, 31),
                     now=lambda: datetime(2026, 12, 1, 9, 0).astimezone())
    open_pack(path, PASSPHRASE, today=date(2027, 1, 31)).close()  # its last day
    with pytest.raises(PackExpired, match=r"^This pack expired on 31 Jan 2027: dated.insighta-pack can no longer be "
                                          r"opened. Ask Test Exporter for a fresh pack.$"):
        read_sealed(path, today=date(2027, 2, 1))
    with pytest.raises(PackExpired, match="This pack expired on 31 Jan 2027"):
        open_pack(path, PASSPHRASE, today=date(2030, 1, 1))
    with pytest.raises(PackExpired):
        open_pack(path, "not even the passphrase", today=date(2027, 2, 1))


def test_the_expiry_date_cannot_be_moved_without_breaking_the_signature(source, tmp_path):
    engine, ids = source
    path = tmp_path / "dated.insighta-pack"
    export_test_pack(engine, ids[:1], path, expires=date.today() + timedelta(days=3))
    data = path.read_bytes()
    later = data.replace(json.dumps((date.today() + timedelta(days=3)).isoformat()).encode(), b'"2099-12-31"')
    assert later != data and len(later) == len(data)
    path.write_bytes(later)
    with pytest.raises(PackTampered, match="signature does not match"):
        read_sealed(path)


def test_export_refuses_a_past_expiry_and_a_short_passphrase(source, tmp_path):
    engine, ids = source
    with pytest.raises(PackError, match="is in the past: choose today or a later date"):
        export_test_pack(engine, ids[:1], tmp_path / "x.insighta-pack", expires=date.today() - timedelta(days=1))
    with pytest.raises(PackError, match="at least 10 characters"):
        export_test_pack(engine, ids[:1], tmp_path / "x.insighta-pack", passphrase="short")
    assert list(tmp_path.iterdir()) == []


def test_no_personal_data_is_readable_without_the_passphrase(source, tmp_path):
    from insighta_desktop.interviews import repository
    from insighta_desktop.packs.search_snapshot import snapshot_search
    from insighta_desktop.profiles.search import ProfileSearch

    engine, ids = source
    path = tmp_path / "private.insighta-pack"
    export_test_pack(engine, ids, path, search=snapshot_search(ProfileSearch(engine), "Nigerian women"), redact=False)
    data = path.read_bytes()
    for summary in repository.list_interviews(engine):
        for secret in (summary.candidate_name, summary.candidate_email, summary.id):
            assert secret.encode() not in data and secret.encode("utf-16-le") not in data
    for word in (b"Nigerian", b"EXPLAIN", b"SQLite format 3"):
        assert word not in data
    header = read_sealed(path).header
    assert header.contents == {"interviews": 8, "interview_sessions": 7, "interview_speakers": 0,
                               "transcript_turns": 57, "assessments": 3, "chat_messages": 2, "interview_highlights": 0,
                               "profiles": header.contents["profiles"], "search": True, "redacted": None}
    assert header.contents["profiles"] > 0


def test_a_crafted_header_cannot_make_the_app_derive_with_absurd_memory(small_pack, tmp_path):
    """The KDF parameters are read before the passphrase is checked: anyone can sign a header with their own key."""
    sealed = read_sealed(small_pack)
    attacker = SigningIdentity.ephemeral("Mallory")
    for kdf in ({"name": "argon2id", "iterations": 3, "lanes": 4, "memory_kib": 64 * 1024 * 1024},
                {"name": "scrypt", "n": 2**30, "r": 8, "p": 1}, {"name": "md5"}):
        header = json.loads(sealed.header.encode())
        header["kdf"] = kdf
        raw = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
        body = PREFIX.pack(MAGIC, 2, len(raw)) + raw + sealed.ciphertext
        target = tmp_path / "crafted.insighta-pack"
        target.write_bytes(body + attacker.sign(body))
        with pytest.raises(PackCorrupted, match="its header cannot be read \\((the key derivation|unknown key)"):
            read_sealed(target)


def test_the_product_default_key_derivation_is_strong_and_recorded(source, tmp_path):
    engine, ids = source
    path = tmp_path / "default.insighta-pack"
    export_test_pack(engine, ids[:1], path, kdf=None)  # no cheap parameters: the product default
    kdf = read_sealed(path).header.kdf
    assert kdf == default_kdf()
    if argon2id_available():
        assert kdf == Argon2idParams(iterations=3, lanes=4, memory_kib=64 * 1024)
    else:
        assert kdf == ScryptParams(n=2**16, r=8, p=1)
    open_pack(path, PASSPHRASE).close()


def test_a_pack_made_with_scrypt_opens_and_says_so(source, tmp_path):
    engine, ids = source
    path = tmp_path / "scrypt.insighta-pack"
    export_test_pack(engine, ids[:1], path, kdf=ScryptParams(n=2**12, r=8, p=1))
    header = read_sealed(path).header
    assert isinstance(header.kdf, ScryptParams) and header.kdf.describe() == "scrypt (N=2^12, r=8, p=1)"
    assert PackHeader.decode(header.encode()) == header
    open_pack(path, PASSPHRASE).close()


def test_a_pack_signed_again_by_someone_else_names_the_new_signer(small_pack, tmp_path):
    """Whoever re-signs a changed pack must put their own key in the header: trust is then the reader's call."""
    from insighta_desktop.packs.container import seal

    sealed = read_sealed(small_pack)
    mallory = SigningIdentity.ephemeral("Test Exporter")  # claims the exporter's name, cannot have their key
    forged = tmp_path / "forged.insighta-pack"
    h = sealed.header
    forged.write_bytes(seal(sealed.decrypt(PASSPHRASE), PASSPHRASE, mallory, created_at=h.created_at,
                            expires=h.expires, kdf=h.kdf, contents=h.contents))
    assert read_sealed(forged).signer.public_key == mallory.public_key != TEST_SIGNER.public_key
    assert read_sealed(forged).signer.fingerprint != read_sealed(small_pack).signer.fingerprint


def test_a_crafted_signer_name_is_shown_on_one_printable_line(small_pack, tmp_path):
    sealed = read_sealed(small_pack)
    header = json.loads(sealed.header.encode())
    header["signer"]["name"] = "Ada\nObi\x1b[31m  (really)\u202e"
    mallory = SigningIdentity.ephemeral("Mallory")
    header["signer"]["public_key"] = base64.b64encode(mallory.public_key).decode()
    raw = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    body = PREFIX.pack(MAGIC, 2, len(raw)) + raw + sealed.ciphertext
    target = tmp_path / "named.insighta-pack"
    target.write_bytes(body + mallory.sign(body))
    assert read_sealed(target).signer.name == "Ada Obi[31m (really)"
