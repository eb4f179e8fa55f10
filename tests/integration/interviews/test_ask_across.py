"""Ask across interviews: Gemini (the fake on 127.0.0.1) answers from the best passages, citing [I1.T2] tags;
without a key or with the service down the matching passages are the answer. Both back ends."""
from __future__ import annotations

from datetime import timedelta

from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.interviews.ask_across import (
    AskAcrossService,
    find_passages,
    label_passages,
    parse_cross_citations,
    question_keywords,
)
from insighta_desktop.interviews.model import turn_id
from tests.fakes.server import Fault
from tests.integration.interviews.test_transcript_search import DAY, add_interview


def seed(db) -> dict[str, tuple[str, str]]:
    return {
        "amara": add_interview(db, "Amara Diallo", [
            "Which platforms have you run in production?",
            "Mostly Kubernetes on AWS, with Terraform for the clusters.",
            "How do you handle rate limits?",
            "Exponential backoff with jitter.",
        ], scheduled=DAY + timedelta(days=3)),
        "kofi": add_interview(db, "Kofi Mensah", [
            "Tell me about your container experience.",
            "We migrated forty services to Kubernetes last year.",
        ], scheduled=DAY),
        "fatima": add_interview(db, "Fatima Hassan", [
            "What dashboards did you build?",
            "A churn dashboard in Metabase.",
        ]),
    }


def test_keywords_drop_the_question_words():
    assert question_keywords("Which candidates mentioned Kubernetes?") == ["kubernetes"]
    assert question_keywords("Who talked about rate limits and backoff?") == ["rate", "limits", "backoff"]


def test_passages_bring_the_answer_after_a_matching_question(db):
    ids = seed(db)
    passages = find_passages(db, "Who has built dashboards?")  # "dashboards" also finds "dashboard"
    assert [(p.candidate_name, p.sequence_no) for p in passages] == [("Fatima Hassan", 1), ("Fatima Hassan", 2)]
    assert passages[1].turn_id == turn_id(ids["fatima"][1], 2)


async def test_gemini_answers_from_passages_with_citations(db, services, fake_gemini):
    ids = seed(db)
    question = "Which candidates mentioned Kubernetes?"
    tags = {c.candidate_name: c.tag for c in label_passages(find_passages(db, question))}
    assert sorted(tags.values()) == ["I1.T2", "I2.T2"]  # the best passage first: I1 is its interview
    amara, kofi = tags["Amara Diallo"], tags["Kofi Mensah"]
    fake_gemini.answer(f"Amara runs Kubernetes on AWS [{amara}]; Kofi migrated forty services [{kofi}, I7.T1].")
    seen: list[str] = []
    answer = await services.ask_across.ask(question, on_text=seen.append)
    assert answer.source == "gemini" and answer.notice is None
    assert seen[-1] == answer.text
    assert [(c.tag, c.candidate_name) for c in answer.citations] == [(amara, "Amara Diallo"), (kofi, "Kofi Mensah")]
    assert answer.citations[0].turn_id == turn_id(ids["amara"][1], 2)
    assert answer.citations[0].interview_id == ids["amara"][0] and answer.citations[0].elapsed == "00:00:30"
    request = fake_gemini.calls("streamGenerateContent")[0].body
    system = request["systemInstruction"]["parts"][0]["text"]
    assert f"Interview {amara[:2]}: Amara Diallo (Backend Engineer, 2026-03-05)" in system
    assert f"[{amara}] 00:00:30 Candidate: Mostly Kubernetes on AWS" in system
    assert f"[{kofi}] 00:00:30 Candidate: We migrated forty services to Kubernetes" in system
    assert "Metabase" not in system  # only matching passages go to the model
    assert request["contents"][-1]["parts"][0]["text"] == question
    data = answer.to_json()
    assert data["citations"][0] == {"tag": amara, "interview_id": ids["amara"][0], "candidate": "Amara Diallo",
                                    "turn_id": turn_id(ids["amara"][1], 2), "sequence_no": 2, "time": "00:00:30",
                                    "speaker": "Candidate"}


async def test_service_down_lists_the_matching_passages(db, services, fake_gemini, clock):
    seed(db)
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503))
    answer = await services.ask_across.ask("Which candidates mentioned Kubernetes?")
    assert answer.source == "local" and "could not be reached after 3 attempts" in answer.notice
    assert clock.waits == [1.0, 2.0]
    assert "Matching passages (not an AI answer)" in answer.text
    assert "Amara Diallo, 00:00:30, Candidate: Mostly Kubernetes on AWS" in answer.text
    assert sorted(c.tag for c in answer.citations) == ["I1.T2", "I2.T2"]
    assert all(f"[{c.tag}] {c.candidate_name}" in answer.text for c in answer.citations)


async def test_no_key_lists_passages_without_calling_gemini(db, services, fake_gemini):
    seed(db)
    offline = AskAcrossService(db, GeminiClient(GeminiConfig(api_key=None, base_url=fake_gemini.url)),
                               services.retrying)
    answer = await offline.ask("Who mentioned exponential backoff?")
    assert answer.source == "local" and "not configured" in answer.notice
    assert [c.tag for c in answer.citations] == ["I1.T4"]
    assert fake_gemini.requests == []


async def test_nothing_matching_asks_nothing(db, services, fake_gemini):
    seed(db)
    answer = await services.ask_across.ask("Who mentioned blockchain?")
    assert answer.source == "none" and answer.citations == [] and "No transcript passage" in answer.text
    assert fake_gemini.requests == []


def test_citation_tags_are_read_in_several_spellings(db):
    seed(db)
    labels = label_passages(find_passages(db, "kubernetes"))
    assert sorted(c.tag for c in labels) == ["I1.T2", "I2.T2"]
    cited = parse_citations_text("[I2 T2] then [i1.t2, I1:T2] and [I3.T9] or I1.T2", labels)
    assert cited == ["I2.T2", "I1.T2"]


def parse_citations_text(text, labels):
    return [c.tag for c in parse_cross_citations(text, labels)]
