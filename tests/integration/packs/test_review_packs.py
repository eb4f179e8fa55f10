"""Review packs: what a pack serves equals the source database, on SQLite and PostgreSQL as source; offline use."""
from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from insighta_desktop.interviews import repository
from insighta_desktop.interviews.model import SOURCE_JSON, SOURCE_NONE, SOURCE_TURNS
from insighta_desktop.interviews.transcript import get_transcript, get_transcript_export
from insighta_desktop.packs import PackError, open_pack
from insighta_desktop.packs.offline import (
    EMAIL_UNAVAILABLE,
    OFFLINE_NOTICE,
    REGENERATE_UNAVAILABLE,
    OfflineUnavailable,
    PackInterviewServices,
)
from insighta_desktop.packs.search_snapshot import SearchSnapshot
from insighta_desktop.packs.writer import transcript_digest
from insighta_desktop.profiles.browse import browse_profiles
from tests.integration.packs.netguard import is_loopback, watch_network
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack, fill_source


async def test_export_then_open_serves_what_the_source_serves(db, tmp_path):
    ids = fill_source(db)
    # unmasked, so every row must come back exactly (masking is tested in test_pack_redaction.py)
    manifest = export_test_pack(db, ids, tmp_path / "review.insighta-pack", redact=False)
    pack = open_pack(tmp_path / "review.insighta-pack", PASSPHRASE)
    services = PackInterviewServices(pack)
    try:
        served = {entry.id: entry for entry in manifest.interviews}
        assert list(served) == ids
        sources = set()
        for interview_id in ids:
            live = await get_transcript(db, interview_id)
            offline = await services.transcript(interview_id)
            assert offline == live
            sources.add(live.source)
            assert served[interview_id].transcript_sha256 == transcript_digest(offline)
            assert served[interview_id].turns == len(live.turns)
            assert await services.assessments.get(interview_id) == repository.get_assessment(db, interview_id)
            assert await services.chat.history(interview_id) == repository.list_chat(db, interview_id)
            assert await services.interview(interview_id) == repository.get_interview(db, interview_id)
            for fmt in ("txt", "json", "vtt"):
                assert (await services.export(interview_id, fmt)) == await get_transcript_export(db, interview_id, fmt)
        # the demo set covers every way a transcript is stored, so each was carried over
        assert sources == {SOURCE_TURNS, SOURCE_JSON, SOURCE_NONE}
        assert await services.list() == repository.list_interviews(db)
        assert sum(len(repository.list_chat(db, i)) for i in ids) == 2
        carried = [i for i in ids if await services.assessments.get(i) is not None]
        assert carried and carried == [i for i in ids if repository.get_assessment(db, i) is not None]
    finally:
        await services.aclose()


async def test_a_subset_of_interviews_carries_only_those(sqlite_engine, tmp_path):
    ids = fill_source(sqlite_engine)
    chosen = [ids[3], ids[1]]
    export_test_pack(sqlite_engine, chosen + [ids[3]], tmp_path / "two.insighta-pack")
    pack = open_pack(tmp_path / "two.insighta-pack", PASSPHRASE)
    try:
        assert pack.interview_ids == chosen
        listed = await PackInterviewServices(pack).list()
        assert sorted(i.id for i in listed) == sorted(chosen)
        with pack.engine.connect() as conn:
            sessions = conn.execute(sa.text("select count(*) from interview_sessions")).scalar_one()
        assert sessions == 2
    finally:
        pack.close()


async def test_the_pack_is_opened_read_only_and_never_changes(sqlite_engine, tmp_path):
    ids = fill_source(sqlite_engine)
    path = tmp_path / "ro.insighta-pack"
    export_test_pack(sqlite_engine, ids, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    pack = open_pack(path, PASSPHRASE)
    services = PackInterviewServices(pack)
    await services.chat.ask(ids[1], "indexes for a slow query")
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        with pack.engine.begin() as conn:
            conn.execute(sa.text("delete from chat_messages"))
    await services.aclose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("ro.")) == ["ro.insighta-pack"]


async def test_opening_a_pack_makes_no_network_connection(sqlite_engine, tmp_path, fake_gemini, fake_resend,
                                                          monkeypatch):
    ids = fill_source(sqlite_engine)
    path = tmp_path / "offline.insighta-pack"
    export_test_pack(sqlite_engine, ids, path)
    # everything a live session would use to go online points at the fakes: the pack must ignore it all
    monkeypatch.setenv("GEMINI_API_KEY", "test-gemini-key")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake_gemini.url)
    monkeypatch.setenv("RESEND_API_KEY", "re_test_key")
    monkeypatch.setenv("RESEND_API_URL", fake_resend.url)
    fake_ports = {int(fake_gemini.url.rsplit(":", 1)[1]), int(fake_resend.url.rsplit(":", 1)[1])}
    with_turns = next(i for i in ids if "indexes" in str(repository.load_transcript_sources(sqlite_engine, i)))

    with watch_network() as seen:
        pack = open_pack(path, PASSPHRASE)
        services = PackInterviewServices(pack)
        await services.list()
        transcript = await services.transcript(with_turns)
        answer = await services.chat.ask(with_turns, "How do they choose indexes for a slow PostgreSQL query?")
        with pytest.raises(OfflineUnavailable) as regenerate:
            await services.assessments.generate(with_turns)
        with pytest.raises(OfflineUnavailable) as email:
            await services.outbox.queue_assessment(with_turns, "recruiter@example.com")
        await services.aclose()

    connections = [address for event, address in seen if event == "socket.connect"]
    assert not [a for a in connections if not is_loopback(a)], seen
    assert not [a for a in connections if isinstance(a, tuple) and a[1] in fake_ports], seen
    assert not [entry for entry in seen if entry[0] == "socket.getaddrinfo"], seen
    assert fake_gemini.requests == [] and fake_resend.requests == []
    assert answer.source == "local" and answer.notice == OFFLINE_NOTICE and not answer.stored
    assert answer.text.startswith("Offline review pack")
    cited = {c.sequence_no for c in answer.citations}
    assert cited and all(transcript.turn_by_seq(n) is not None for n in cited)
    assert any("index" in transcript.turn_by_seq(n).content.lower() for n in cited)
    assert str(regenerate.value) == REGENERATE_UNAVAILABLE and "offline" in str(regenerate.value)
    assert str(email.value) == EMAIL_UNAVAILABLE


def test_the_network_watch_does_see_connections():
    import contextlib
    import socket

    with watch_network() as seen:
        s = socket.socket()
        s.settimeout(0.2)
        with contextlib.suppress(OSError):
            s.connect(("127.0.0.1", 9))
        s.close()
    assert [e for e in seen if e[0] == "socket.connect"] == [("socket.connect", ("127.0.0.1", 9))]


async def test_a_search_result_travels_in_the_pack(db, tmp_path):
    ids = fill_source(db)
    page = browse_profiles(db, limit=15)
    snapshot = SearchSnapshot("adults", {"age_group": "adult"}, total_matches=page.total, profiles=page.rows)
    manifest = export_test_pack(db, ids[:1], tmp_path / "search.insighta-pack", search=snapshot)
    assert manifest.search.included == 15 and manifest.search.total_matches == page.total
    assert manifest.search.truncated == (page.total > 15)
    pack = open_pack(tmp_path / "search.insighta-pack", PASSPHRASE)
    try:
        assert browse_profiles(pack.engine, limit=100).rows == page.rows
        assert pack.manifest.search == manifest.search
    finally:
        pack.close()


def test_export_refuses_unknown_interviews_and_empty_selections(sqlite_engine, tmp_path):
    fill_source(sqlite_engine)
    with pytest.raises(repository.NotFound, match="no-such-id"):
        export_test_pack(sqlite_engine, ["no-such-id"], tmp_path / "x.insighta-pack")
    with pytest.raises(PackError, match="at least one interview"):
        export_test_pack(sqlite_engine, [], tmp_path / "x.insighta-pack")
    assert list(tmp_path.glob("*pack*")) == []  # no half-written file left behind
