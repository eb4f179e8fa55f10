"""Recruiter chat: grounded streaming answers with citations, stored history, local fallback."""
from __future__ import annotations

from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.interviews.chat import ChatService, parse_citations
from insighta_desktop.interviews.transcript import get_transcript
from tests.fakes.gemini import rate_limited
from tests.fakes.server import Fault
from tests.integration.interviews.seed import seed_interview


async def test_answer_streams_cites_turns_and_is_stored(services, fake_gemini, db):
    interview = seed_interview(db)
    fake_gemini.answer("They read the EXPLAIN ANALYZE plan [T4] and honour Retry-After [T6].")
    seen: list[str] = []
    answer = await services.chat.ask(interview, "How do they debug slow queries?", on_text=seen.append)
    assert answer.source == "gemini" and answer.stored
    assert answer.text == "They read the EXPLAIN ANALYZE plan [T4] and honour Retry-After [T6]."
    assert len(seen) > 2 and seen[-1] == answer.text
    transcript = await get_transcript(db, interview, services.retrying)
    assert [c.turn_id for c in answer.citations] == [transcript.turns[3].id, transcript.turns[5].id]
    assert [c.elapsed for c in answer.citations] == ["00:00:55", "01:01:40"]
    request = fake_gemini.calls("streamGenerateContent")[0].body
    system = request["systemInstruction"]["parts"][0]["text"]
    assert "[T4] 00:00:55 Candidate: I read the EXPLAIN ANALYZE plan" in system
    history = await services.chat.history(interview)
    assert [(m.role, m.source) for m in history] == [("user", None), ("assistant", "gemini")]
    assert history[1].citations == answer.citations

    fake_gemini.answer("Five years [T2].")
    await services.chat.ask(interview, "How experienced?")
    follow_up = fake_gemini.calls("streamGenerateContent")[1].body["contents"]
    assert [c["role"] for c in follow_up] == ["user", "model", "user"]


async def test_retry_restarts_the_stream_after_a_cut(services, fake_gemini, db, clock):
    interview = seed_interview(db)
    fake_gemini.answer("partial answer that is cut", "Complete answer [T2].")
    fake_gemini.fail("streamGenerateContent", Fault.cut_stream())
    seen: list[str] = []
    answer = await services.chat.ask(interview, "Experience?", on_text=seen.append)
    assert answer.text == "Complete answer [T2]." and answer.source == "gemini"
    assert "" in seen[1:]  # the restarted stream cleared the partial text
    assert clock.waits == [1.0]


async def test_offline_after_retries_gives_a_local_answer_kept_in_the_history_as_local(services, fake_gemini, db,
                                                                                        clock):
    interview = seed_interview(db)
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503))
    answer = await services.chat.ask(interview, "How do they handle rate limiting by an API?")
    assert answer.source == "local" and answer.stored and answer.fix is None  # busy, not a key problem
    assert "could not be reached after 3 attempts" in answer.notice
    assert "Local search" in answer.text
    assert answer.citations and answer.citations[0].sequence_no in (5, 6)
    assert "[T6]" in answer.text
    assert clock.waits == [1.0, 2.0]
    history = await services.chat.history(interview)  # what the recruiter sees on coming back to the interview
    assert [(m.role, m.source) for m in history] == [("user", None), ("assistant", "local")]
    assert history[1].content == answer.text and history[1].citations == answer.citations

    # Gemini is back: the local exchange is not part of the conversation it is sent
    fake_gemini.reset()
    fake_gemini.answer("They back off exponentially [T6].")
    await services.chat.ask(interview, "And with jitter?")
    sent = fake_gemini.calls("streamGenerateContent")[0].body["contents"]
    assert [(c["role"], c["parts"][0]["text"]) for c in sent] == [("user", "And with jitter?")]
    assert [m.source for m in await services.chat.history(interview)] == [None, "local", None, "gemini"]


async def test_no_api_key_answers_locally_without_network(db, fake_gemini, services):
    interview = seed_interview(db)
    chat = ChatService(db, GeminiClient(GeminiConfig(api_key=None, base_url=fake_gemini.url)), services.retrying)
    answer = await chat.ask(interview, "composite index")
    assert answer.source == "local" and "not configured" in answer.notice and answer.fix == "settings"
    assert [c.sequence_no for c in answer.citations] == [3, 4]  # the matching question and its answer
    assert fake_gemini.requests == []


async def test_daily_quota_is_reported_and_not_retried(services, fake_gemini, db, clock):
    interview = seed_interview(db)
    fake_gemini.fail("streamGenerateContent", rate_limited(5, per_day=True))
    answer = await services.chat.ask(interview, "backoff")
    assert answer.source == "local" and "daily quota" in answer.notice
    assert clock.waits == []


async def test_unknown_words_give_a_clear_local_answer(db, services):
    interview = seed_interview(db)
    chat = ChatService(db, None, services.retrying)
    answer = await chat.ask(interview, "zebra xylophone")
    assert answer.citations == [] and "No passage" in answer.text


async def test_citation_parsing_ranges_and_unknown_turns(db, services):
    interview = seed_interview(db)
    transcript = await get_transcript(db, interview, services.retrying)
    cited = parse_citations("See [T2-T4], [T4, T7] and [T99] or T5.", transcript)
    assert [c.sequence_no for c in cited] == [2, 3, 4, 7]
