"""A source database with interviews stored every way the app meets them, plus chat history; test pack exports."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.model import Citation
from insighta_desktop.packs import SigningIdentity, export_pack
from insighta_desktop.packs.kdf import ScryptParams


def fill_source(engine) -> list[str]:
    """Demo interviews (turns table only, transcript_json only, a dropped write, none) and a chat exchange."""
    load_demo_data(engine, profiles=40)
    ids = [i.id for i in repository.list_interviews(engine)]
    asked = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    first = ids[1]
    repository.add_chat_exchange(engine, first, [
        {"id": str(uuid.uuid4()), "role": "user", "content": "Did they mention indexes?", "citations": [],
         "source": None, "created_at": asked},
        {"id": str(uuid.uuid4()), "role": "assistant", "content": "Yes — composite indexes [T6].",
         "citations": [Citation(str(uuid.uuid4()), 6, "00:03:10", "Candidate")], "source": "gemini",
         "created_at": asked + timedelta(microseconds=1)},
    ])
    return ids


PASSPHRASE = "correct horse battery staple"
# Tests derive keys with cheap scrypt parameters, passed explicitly; the product default (kdf.default_kdf) is
# exercised by test_pack_sealing.py's default-parameters test and measured by tests/benchmarks/bench_pack_open.py.
CHEAP_KDF = ScryptParams(n=2**10, r=8, p=1)
TEST_SIGNER = SigningIdentity.ephemeral("Test Exporter")


def export_test_pack(engine, interview_ids, out, *, signer: SigningIdentity = TEST_SIGNER,
                     passphrase: str = PASSPHRASE, **options):
    """export_pack with a test passphrase, a test signer and cheap key derivation (all overridable)."""
    options.setdefault("kdf", CHEAP_KDF)
    return export_pack(engine, interview_ids, out, passphrase=passphrase, signer=signer, **options)
