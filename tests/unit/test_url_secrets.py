"""Every secret part of a database URL is masked wherever a URL is shown (issue 11 §5): the userinfo password and
the `password` / `sslpassword` query parameters, in the URL, in messages that quote it, and in log lines."""
from __future__ import annotations

from urllib.parse import quote, quote_plus

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import URL, make_url

from insighta_desktop.config import CredentialStore, Settings
from insighta_desktop.context import resolve_database_url, resolve_meetmind_url, store_database_url, store_meetmind_url
from insighta_desktop.db.url_secrets import (
    UrlSecrets,
    mask_secrets_in_text,
    mask_url,
    redact_secrets,
    split_secrets,
    with_secrets,
)
from tests.fakes.memory_keyring import MemoryKeyring

secrets_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=4, max_size=24)
FIXED_PARTS = ("postgresql+psycopg://reader:***@db.example.com:5432/insighta?sslmode=require&passfile=/home/r/.pgpass"
               "&password=***&sslpassword=*** connection to failed: password authentication failed for user \"reader\"")


def spellings(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}


def usable(secret: str) -> bool:
    """A secret that cannot be found by chance in what the masked URL keeps (the host, the mask itself...)."""
    return secret.strip() == secret and not any(form in FIXED_PARTS or MASK_LIKE in form for form in spellings(secret))


MASK_LIKE = "***"


def build(userinfo: str | None, query_password: str | None, sslpassword: str | None) -> URL:
    query = {"sslmode": "require", "passfile": "/home/r/.pgpass"}
    if query_password is not None:
        query["password"] = query_password
    if sslpassword is not None:
        query["sslpassword"] = sslpassword
    return URL.create("postgresql+psycopg", "reader", userinfo, "db.example.com", 5432, "insighta", query)


@settings(max_examples=300, deadline=None)
@given(userinfo=st.one_of(st.none(), secrets_text), query_password=st.one_of(st.none(), secrets_text),
       sslpassword=st.one_of(st.none(), secrets_text))
def test_no_generated_secret_survives_masking(userinfo, query_password, sslpassword):
    given_secrets = [s for s in (userinfo, query_password, sslpassword) if s is not None]
    assume(given_secrets and all(usable(s) for s in given_secrets))
    url = build(userinfo, query_password, sslpassword)
    typed = url.render_as_string(hide_password=False)  # what a person pastes
    message = f"connection to {typed} failed: password authentication failed for user \"reader\""
    shown = {
        "mask_url(text)": mask_url(typed),
        "mask_url(URL)": mask_url(url),
        "mask_url(parsed)": mask_url(make_url(typed)),
        "redact_secrets": redact_secrets(message, typed),
        "mask_secrets_in_text": mask_secrets_in_text(message),
        "settings URL": split_secrets(make_url(typed))[0].render_as_string(hide_password=False),
    }
    for where, text in shown.items():
        for secret in given_secrets:
            for form in spellings(secret):
                assert form not in text, (where, secret, text)
    assert "db.example.com:5432/insighta" in shown["mask_url(text)"]
    assert "sslmode=require" in shown["mask_url(text)"]


def test_the_mask_keeps_what_is_not_secret():
    url = "postgresql://reader:pw1@db:5432/app?password=pw2&sslpassword=pw3&sslmode=verify-full&passfile=/r/.pgpass"
    assert mask_url(url) == ("postgresql://reader:***@db:5432/app?password=***&sslpassword=***"
                             "&sslmode=verify-full&passfile=/r/.pgpass")
    assert mask_url("not a url ?password=x") == "<unparseable database URL>"
    conninfo = "invalid connection option: host=db password='two words' sslpassword=abc port=5"
    assert mask_secrets_in_text(conninfo) == "invalid connection option: host=db password=*** sslpassword=*** port=5"


def test_split_and_restore_secrets_round_trip():
    url = make_url("postgresql+psycopg://u@h/db?password=p%26w&sslpassword=s%20p&sslmode=require")
    bare, found = split_secrets(url)
    assert found == UrlSecrets(password="p&w", sslpassword="s p")
    assert bare.password is None and dict(bare.query) == {"sslmode": "require"}
    restored = with_secrets(bare, found)
    assert restored.password == "p&w" and restored.query["sslpassword"] == "s p"


def _credentials() -> tuple[CredentialStore, MemoryKeyring]:
    keyring = MemoryKeyring()
    return CredentialStore(keyring, trusted_modules=(MemoryKeyring.__module__,)), keyring


def test_a_query_password_goes_to_the_keychain_not_settings_json(tmp_path):
    credentials, keyring = _credentials()
    settings_ = Settings()
    store_database_url("postgresql://reader@db.example.com/insighta?password=Qp-s3cret&sslpassword=Ssl-s3cret"
                       "&sslmode=require", settings_, credentials)
    path = tmp_path / "settings.json"
    settings_.save(path)
    saved = path.read_text(encoding="utf-8")
    assert "Qp-s3cret" not in saved and "Ssl-s3cret" not in saved and "sslmode=require" in saved
    assert "Qp-s3cret" in keyring.secrets.values() and "Ssl-s3cret" in keyring.secrets.values()
    paths = type("P", (), {"data_dir": tmp_path})()
    resolved = make_url(resolve_database_url(None, Settings.load(path), credentials, paths))
    assert resolved.password == "Qp-s3cret" and resolved.query["sslpassword"] == "Ssl-s3cret"
    store_database_url(None, settings_, credentials)
    assert keyring.secrets == {}


def test_a_meetmind_query_password_goes_to_the_keychain_too(tmp_path, monkeypatch):
    monkeypatch.delenv("INSIGHTA_MEETMIND_URL", raising=False)
    credentials, keyring = _credentials()
    settings_ = Settings()
    store_meetmind_url("postgresql://reader@mm/meetmind?password=Mm-s3cret", settings_, credentials)
    assert "Mm-s3cret" not in (settings_.meetmind_url or "")
    assert list(keyring.secrets.values()) == ["Mm-s3cret"]
    resolved = resolve_meetmind_url(None, settings_, credentials)
    assert resolved is not None and make_url(resolved).password == "Mm-s3cret"
