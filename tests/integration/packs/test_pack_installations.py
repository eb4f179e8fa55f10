"""Packs between installations: each has its own INSIGHTA_HOME and its own keychain (or none, like the CLI here).

The exporter's key is made once and kept in its keychain; the reviewer trusts it on first use, recognises it on
the next pack, and is warned when a pack claims the exporter's name with another key.
"""
from __future__ import annotations

import base64
from datetime import date, datetime, timedelta

import pytest

from insighta_desktop.cli import main as cli_main
from insighta_desktop.config import KEYRING_SERVICE, CredentialStore
from insighta_desktop.packs import PackExpired, PackTampered, WrongPassphrase, load_identity, open_pack, unlock
from insighta_desktop.packs.signing import SESSION_ONLY_NOTICE, SIGNING_KEY_NAME
from tests.integration.packs.installations import Installation
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack, fill_source


@pytest.fixture
def exporter(tmp_path):
    return Installation(tmp_path / "exporter")


@pytest.fixture
def reviewer(tmp_path):
    return Installation(tmp_path / "reviewer")


def test_a_pack_travels_from_one_installation_to_another_with_trust_on_first_use(db, exporter, reviewer, tmp_path):
    ids = fill_source(db)
    ada = exporter.identity("Ada Obi")
    assert ada.persistent and ada.keychain_notice is None
    stored = exporter.keyring.secrets[(KEYRING_SERVICE, SIGNING_KEY_NAME)]
    assert len(base64.b64decode(stored)) == 32 and not reviewer.keyring.secrets
    first = tmp_path / "week-47.insighta-pack"
    export_test_pack(db, ids[:3], first, signer=ada)

    sealed, verdict = reviewer.inspect(first)
    assert verdict.status == "unknown" and not verdict.trusted
    assert verdict.summary() == f"Signed by Ada Obi · fingerprint {ada.fingerprint} · NOT trusted"
    assert verdict.warning().startswith("Unknown signer: no pack signed by Ada Obi with this key was opened here")
    pack = unlock(first, sealed, PASSPHRASE)
    pack.close()
    reviewer.trust.trust(sealed.signer)  # what "Trust this signer" records
    assert (reviewer.paths.config_dir / "trusted_signers.json").exists()
    assert not (exporter.paths.config_dir / "trusted_signers.json").exists()

    again = exporter.identity("Ada Obi")  # a later run of the exporter: the same key from its keychain
    assert again.fingerprint == ada.fingerprint
    second = tmp_path / "week-48.insighta-pack"
    export_test_pack(db, ids[3:5], second, signer=again)
    _, verdict = reviewer.inspect(second)
    assert verdict.status == "trusted" and verdict.warning() is None
    assert verdict.summary().startswith(f"Signed by Ada Obi · fingerprint {ada.fingerprint} · trusted since ")

    _, own = exporter.inspect(second)  # the exporter opening its own pack
    assert own.status == "own" and own.trusted and "(this installation)" in own.summary()


def test_a_new_key_for_a_known_name_is_a_warning_not_trust(sqlite_engine, exporter, reviewer, tmp_path):
    ids = fill_source(sqlite_engine)
    genuine = tmp_path / "genuine.insighta-pack"
    export_test_pack(sqlite_engine, ids[:1], genuine, signer=exporter.identity("Ada Obi"))
    reviewer.trust.trust(reviewer.inspect(genuine)[0].signer)
    impostor = Installation(tmp_path / "impostor").identity("  ada   OBI ")  # the same name, told apart by key
    forged = tmp_path / "forged.insighta-pack"
    export_test_pack(sqlite_engine, ids[:1], forged, signer=impostor)

    _, verdict = reviewer.inspect(forged)
    assert verdict.status == "key_changed" and not verdict.trusted
    trusted = reviewer.trust.signers()[0]
    day = datetime.fromisoformat(trusted.first_seen)
    assert verdict.warning() == (
        f"Warning: ada OBI's key has changed (the key trusted on {day.day} {day:%b %Y} has fingerprint "
        f"{trusted.fingerprint}). This pack may not come from ada OBI: check with the sender.")
    assert verdict.summary().endswith("NOT trusted")
    assert impostor.fingerprint != trusted.fingerprint
    open_pack(forged, PASSPHRASE).close()  # reading it stays the reviewer's choice; nothing was trusted
    assert [s.fingerprint for s in reviewer.trust.signers()] == [trusted.fingerprint]


def test_the_reviewer_refuses_tampering_a_wrong_passphrase_and_an_expired_pack(sqlite_engine, exporter, reviewer,
                                                                                tmp_path):
    ids = fill_source(sqlite_engine)
    path = tmp_path / "dated.insighta-pack"
    expires = date.today() + timedelta(days=30)
    export_test_pack(sqlite_engine, ids[:2], path, signer=exporter.identity("Ada Obi"), expires=expires)
    sealed, _ = reviewer.inspect(path)
    with pytest.raises(WrongPassphrase, match="Wrong passphrase for dated.insighta-pack"):
        unlock(path, sealed, "not the passphrase at all")
    with pytest.raises(PackExpired, match=f"This pack expired on {expires.day} {expires:%b %Y}"):
        open_pack(path, PASSPHRASE, today=expires + timedelta(days=1))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(PackTampered, match="was changed or damaged after it was signed"):
        reviewer.inspect(path)


def test_without_a_keychain_the_key_lasts_one_session_and_the_user_is_told(sqlite_engine, reviewer, tmp_path):
    import keyring.backends.fail

    no_keychain = keyring.backends.fail.Keyring()
    first_run = load_identity(CredentialStore(no_keychain), "Ada Obi")
    assert not first_run.persistent and first_run.keychain_notice == SESSION_ONLY_NOTICE
    next_run = load_identity(CredentialStore(no_keychain), "Ada Obi")
    assert next_run.fingerprint != first_run.fingerprint
    ids = fill_source(sqlite_engine)
    one, two = tmp_path / "one.insighta-pack", tmp_path / "two.insighta-pack"
    export_test_pack(sqlite_engine, ids[:1], one, signer=first_run)
    export_test_pack(sqlite_engine, ids[:1], two, signer=next_run)
    reviewer.trust.trust(reviewer.inspect(one)[0].signer)
    assert reviewer.inspect(two)[1].status == "key_changed"


def test_cli_between_two_homes(sqlite_engine, tmp_path, capsys, monkeypatch):
    """`insighta pack export` in one INSIGHTA_HOME, `pack info` in another (this machine has no keychain)."""
    url = sqlite_engine.url.render_as_string(hide_password=False)
    ids = fill_source(sqlite_engine)
    secret = tmp_path / "passphrase.txt"
    secret.write_text(f"{PASSPHRASE}\r\n", encoding="utf-8")
    pack = tmp_path / "from-cli.insighta-pack"
    home_a, home_b = tmp_path / "exporter", tmp_path / "reviewer"

    monkeypatch.setenv("INSIGHTA_HOME", str(home_a))
    assert cli_main(["pack", "export", "--db", url, "--interviews", *ids[:2], "--out", str(pack), "--expires",
                     (date.today() + timedelta(days=7)).isoformat(), "--passphrase-file", str(secret),
                     "--signer-name", "Ada Obi"]) == 0
    out, err = capsys.readouterr()
    assert "Signed by Ada Obi, fingerprint " in out and "opens until " in out
    assert "emails and phone numbers masked (2 emails, 0 phone numbers)" in out
    credentials = CredentialStore()
    if not credentials.persistent:
        assert "No system keychain is available here" in err
    fingerprint = out.split("fingerprint ", 1)[1].splitlines()[0]

    monkeypatch.setenv("INSIGHTA_HOME", str(home_b))
    assert cli_main(["pack", "info", str(pack)]) == 0
    out = capsys.readouterr().out
    assert f"Signed by Ada Obi · fingerprint {fingerprint} · NOT trusted" in out
    assert "Unknown signer" in out and "Contents: 2 interviews" in out
    assert cli_main(["pack", "info", str(pack), "--trust"]) == 0
    assert f"Trusted Ada Obi (fingerprint {fingerprint}) for future packs." in capsys.readouterr().out
    assert cli_main(["pack", "info", str(pack)]) == 0
    out = capsys.readouterr().out
    assert f"fingerprint {fingerprint} · trusted since " in out and "Unknown signer" not in out

    if not credentials.persistent:  # each CLI run without a keychain signs with a new key
        monkeypatch.setenv("INSIGHTA_HOME", str(home_a))
        assert cli_main(["pack", "export", "--db", url, "--interviews", ids[0], "--out", str(pack),
                         "--passphrase-file", str(secret), "--signer-name", "Ada Obi", "--no-redact"]) == 0
        assert "emails and phone numbers NOT masked" in capsys.readouterr().out
        monkeypatch.setenv("INSIGHTA_HOME", str(home_b))
        assert cli_main(["pack", "info", str(pack)]) == 0
        out = capsys.readouterr().out
        assert "Warning: Ada Obi's key has changed" in out and f"fingerprint {fingerprint}" in out


def test_cli_info_refuses_an_expired_pack_after_showing_it(sqlite_engine, tmp_path, capsys, monkeypatch):
    from insighta_desktop.packs import read_sealed

    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "reviewer"))
    ids = fill_source(sqlite_engine)
    pack = tmp_path / "old.insighta-pack"
    export_test_pack(sqlite_engine, ids[:1], pack, expires=date.today())
    sealed = read_sealed(pack)
    past = date.today() - timedelta(days=2)
    # the same pack as it would look two days after its last day: made and signed with an expiry in the past
    from insighta_desktop.packs.container import seal
    from tests.integration.packs.packdata import TEST_SIGNER

    h = sealed.header
    pack.write_bytes(seal(sealed.decrypt(PASSPHRASE), PASSPHRASE, TEST_SIGNER, created_at=h.created_at,
                          expires=past, kdf=h.kdf, contents=h.contents))
    assert cli_main(["pack", "info", str(pack)]) == 3
    out, err = capsys.readouterr()
    assert "Signed by Test Exporter" in out and f"opens until {past.day} {past:%b %Y}" in out
    assert f"This pack expired on {past.day} {past:%b %Y}" in err
