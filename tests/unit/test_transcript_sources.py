"""The transcript parsers on real-looking exports (tests/data/interviews) and on the edge cases of each format."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from insighta_desktop.interviews.sources import NotATranscript, parse_transcript, parse_transcript_text

DATA = Path(__file__).resolve().parents[1] / "data" / "interviews"


def parse(name: str):
    return parse_transcript((DATA / name).read_bytes())


def test_zoom_vtt_speakers_from_name_prefixes_and_cues_merged():
    t = parse("zoom.vtt")
    assert t.source_format == "webvtt" and t.speakers == ("Daniel Reyes", "Ngozi Okafor")
    assert t.cues == 13 and len(t.turns) == 10 and t.skipped == 0
    first, second = t.turns[0], t.turns[1]
    assert first.text == ("Hi Ngozi, thanks for making the time today. Could you start by telling me about your "
                          "current role?")
    assert first.elapsed == 0.0 and second.elapsed == pytest.approx(11.9 - 2.34)  # from the first cue
    assert t.duration == pytest.approx(99.8 - 2.34)
    assert t.started_at is None


def test_teams_vtt_voice_tags_note_block_and_cue_identifiers():
    t = parse("teams.vtt")
    assert t.speakers == ("Priya Raman", "Lina Haddad", "Samuel Osei")
    texts = [turn.text for turn in t.turns]
    assert "Transcript of" not in " ".join(texts)  # the NOTE block
    assert not any("3f1c9a2e" in text or "</v>" in text for text in texts)
    assert texts[4] == ("At my last job I built a churn dashboard in SQL and Metabase for the subscriptions team. The "
                        "cohort view showed churn was concentrated in the second month, so we changed onboarding.")


def test_meet_vtt_with_bom_style_cue_settings_inline_tags_and_a_damaged_cue():
    raw = (DATA / "meet.vtt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    t = parse("meet.vtt")
    assert t.source_format == "webvtt" and t.skipped == 1 and t.cues == 8
    assert t.speakers == ("Grace Kim", "Tomás Álvarez")
    assert t.turns[0].text == "Hi Tomás, welcome. Shall we get started?"  # <v.loud>, <c.…>, <00:03.100> gone
    assert t.turns[1].text == "Hi Grace & thanks for having me."
    assert t.turns[3].text.endswith("as removable chips.")
    assert "<3 days later>" in t.turns[5].text  # escaped text stays text
    assert not any("align:" in turn.text or "color" in turn.text for turn in t.turns)
    assert t.turns[1].elapsed == pytest.approx(3.8)  # MM:SS.mmm times


def test_srt_names_tags_multiline_cues_and_a_damaged_cue():
    t = parse("interview.srt")
    assert t.source_format == "srt" and t.skipped == 1
    assert t.speakers == ("Fatima Hassan", "Kofi Mensah")
    assert t.turns[2].text == "Tell me about an unhappy customer you turned around."
    # <i> stripped; the {\an8} cue without a name continues Kofi's turn
    assert t.turns[3].text == ("A logistics client was about to churn after an outage. I set up weekly calls and a "
                               "shared fix plan. They renewed for two years.")
    assert t.turns[-1].speaker == "Fatima Hassan" and t.turns[-1].text == "Thank you, Kofi."  # inside <font>


def test_meetmind_list_skips_notes_and_damaged_turns_and_keeps_unix_time():
    t = parse("meetmind-transcript.json")
    assert t.source_format == "meetmind-json"
    assert t.speakers == ("Meet Mind", "Candidate", "Joseph Njoroge")
    assert t.candidate_speaker == "Candidate" and t.candidate_name is None
    assert t.skipped == 1  # content 42
    assert not any("Recruiter note" in turn.text for turn in t.turns)
    assert t.turns[3].text.endswith("after each ticket. We review them every Monday.")  # merged across the note
    assert t.started_at == datetime.fromtimestamp(1767254400, UTC)
    assert t.turns[-1].elapsed == 141.0


def test_meetmind_session_object_with_transcript_json_as_text():
    t = parse("meetmind-session.json")
    assert t.candidate_name == "Chidinma Eze" and t.role == "Data Analyst"
    assert t.candidate_speaker == "Chidinma Eze" and t.speakers == ("Meet Mind", "Chidinma Eze")
    assert t.started_at == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_meetmind_sorted_by_sequence_and_times_never_go_back():
    items = [{"speaker": "candidate", "content": "second", "sequence_no": 2, "timestamp_sec": 1767254400},
             {"speaker": "ai", "content": "first", "sequence_no": 1, "timestamp_sec": 1767254410}]
    t = parse_transcript_text(json.dumps(items))
    assert [turn.text for turn in t.turns] == ["first", "second"]
    assert [turn.elapsed for turn in t.turns] == [0.0, 0.0]


def test_bracketed_export_with_continuation_and_a_damaged_stamp():
    t = parse("meetmind-export.txt")
    assert t.source_format == "text-bracketed" and t.skipped == 1
    assert t.speakers == ("Meet Mind", "Paul Sidibé")
    assert t.turns[3].text.endswith("three short steps. Completion went from 61% to 84%.")
    assert [turn.elapsed for turn in t.turns][-2:] == [105.0, 140.0]


def test_bracketed_hours_and_this_apps_own_export_header():
    t = parse("bracketed-hours.txt")
    assert t.speakers == ("Interviewer", "Candidate")
    assert t.candidate_name == "Véronique Mukendi" and t.role == "Backend Engineer"
    assert t.started_at == datetime(2026, 3, 9, 14, 30, tzinfo=UTC)
    assert t.turns[-1].elapsed == 98.0


def test_otter_blocks_title_date_and_merging():
    t = parse("otter.txt")
    assert t.source_format == "text-otter" and t.speakers == ("Kwame Asante", "Amara Diallo")
    assert t.turns[1].text.endswith("test with five users. Usually within the same week.")
    assert t.started_at == datetime(2026, 2, 17, 10, 5, tzinfo=UTC)
    assert t.turns[-1].elapsed == 62.0


@pytest.mark.parametrize(("name", "reason"), [
    ("not-a-transcript.txt", "not a transcript this app reads"),
    ("profiles.csv", "not a transcript this app reads"),
    ("screenshot.png", "binary file"),
])
def test_files_that_are_not_transcripts_are_refused_with_the_reason(name, reason):
    with pytest.raises(NotATranscript, match=reason):
        parse(name)


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nno speaker anywhere\n", "names no speaker"),
    ("WEBVTT\n\n00:00:aa.000 --> 00:00:02.000\n<v A>broken</v>\n", r"no spoken text.*1 damaged cue skipped"),
    ('{"candidate_name": "A"}', "not a MeetMind transcript"),
    ('{"transcript_json": "[oops"}', "transcript_json is not valid JSON"),
    ("[1, 2, 3]", "not transcript turns"),
    ("WEBVTT\n", "no spoken text"),
])
def test_refusals_say_why(text, reason):
    with pytest.raises(NotATranscript, match=reason):
        parse_transcript_text(text)


def test_encodings_utf16_bom_and_windows_1252():
    text = "[00:01] José: ¿Qué tal?\n[00:03] Ana: Bien, gracias.\n"
    assert parse_transcript(text.encode("utf-16")).speakers == ("José", "Ana")
    assert parse_transcript(text.encode("cp1252")).turns[0].text == "¿Qué tal?"
    crlf = "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v A>Hi</v>\r\n\r\n00:02.000 --> 00:03.000\r\n<v B>Yo</v>\r\n"
    assert [t.text for t in parse_transcript(crlf.encode()).turns] == ["Hi", "Yo"]


def test_a_vtt_cue_with_two_voices_gives_two_speakers():
    t = parse_transcript_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ann>How are you?\n<v Bob>Fine.\n")
    assert [(turn.speaker, turn.text) for turn in t.turns] == [("Ann", "How are you?"), ("Bob", "Fine.")]


def test_cues_before_the_first_name_are_an_unknown_speaker():
    t = parse_transcript_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello?\n\n"
                              "00:00:03.000 --> 00:00:04.000\nAnn: Hi there.\n")
    assert t.speakers == ("Unknown speaker", "Ann")
