"""Properties of the transcript parsers: any input is parsed or refused with a reason (never another exception);
consecutive cues of one speaker merge into one turn; every format gives back the conversation it was written from."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insighta_desktop.interviews.sources import (
    NotATranscript,
    ParsedTranscript,
    merge_cues,
    parse_transcript,
    parse_transcript_text,
)
from insighta_desktop.interviews.sources.model import Cue

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of every format, so random text reaches deep into the parsers and not only the "unknown format" refusal.
FRAGMENTS = st.sampled_from([
    "WEBVTT", "WEBVTT - Zoom", "", "", "1", "00:00:01.000 --> 00:00:04.000", "00:01.000 --> 00:02.500 align:start",
    "00:00:0x.000 --> 00:00:04.000", "-->", "<v Jane Smith>", "</v>", "<v.loud Bob>Hi <c.yellow>there</c>",
    "<00:00:02.000>", "NOTE a note", "STYLE", "REGION", "Jane: hello", "Bob Lee: yes, I did", "00:00:01,000 --> "
    "00:00:02,000", "{\\an8}", "<i>", "[00:05] Ann: hi", "[01:02:03] Ann: later", "[12:7x] Ann: bad", "[inaudible]",
    "Ann Lee  0:05", "Ann  1:02:03", "Ann  0:75", '{"speaker": "ai", "content": "x"}', '[{"speaker": "ai"', "]",
    '{"transcript_json": "[]"}', "&amp;", "&lt;3", "\ufeff", "\t", "::", "Interview of 2026-01-01 10:00 UTC",
])
TIMINGS = st.sampled_from(["00:00:01.000 --> 00:00:04.000", "00:02.000 --> 00:03.000 line:90%", "1:00.5 --> 1:02",
                           "00:00:01,000 --> 00:00:02,000", "99:99:99.999 --> 0", "--> 00:01.000", "garbage"])
CUE_BLOCKS = st.lists(st.tuples(st.sampled_from(["", "7\n", "id-1/2\n"]), TIMINGS,
                                st.one_of(FRAGMENTS, st.text(max_size=20))), max_size=10)
DOCUMENTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=40).map("\n".join),
    st.lists(FRAGMENTS, max_size=60).map("\n".join),
    st.tuples(st.sampled_from(["WEBVTT\n\n", "", "\ufeffWEBVTT Kind: captions\n"]), CUE_BLOCKS).map(
        lambda doc: doc[0] + "\n\n".join(f"{ident}{timing}\n{text}" for ident, timing, text in doc[1])),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["speaker", "content", "sequence_no", "timestamp_sec", "speaker_name", "candidate_name",
                         "role", "transcript_json", "turns", "x"]), inner, max_size=6),
    max_leaves=30)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
TURN_LISTS = st.lists(st.fixed_dictionaries(
    {"speaker": st.sampled_from(["ai", "candidate", "interviewer", "user", "Hiring_manager", ""]) | SCALARS,
     "content": st.text(max_size=15) | SCALARS},
    optional={"sequence_no": SCALARS, "timestamp_sec": SCALARS | st.integers(1_700_000_000, 1_800_000_000),
              "speaker_name": SCALARS}), max_size=10)


def check(result: ParsedTranscript) -> None:
    assert result.turns and result.speakers
    assert set(result.speakers) == {t.speaker for t in result.turns}
    assert all(a.speaker != b.speaker for a, b in zip(result.turns, result.turns[1:], strict=False))
    assert result.turns[0].elapsed == 0.0
    assert all(a.elapsed <= b.elapsed for a, b in zip(result.turns, result.turns[1:], strict=False))
    assert all(t.text.strip() for t in result.turns)
    assert result.skipped >= 0 and result.duration >= result.turns[-1].elapsed


@SETTINGS
@given(DOCUMENTS)
def test_any_text_is_parsed_or_refused_with_a_reason(text):
    try:
        result = parse_transcript_text(text)
    except NotATranscript as exc:
        assert str(exc)
        return
    check(result)


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_are_parsed_or_refused_with_a_reason(data):
    try:
        check(parse_transcript(data))
    except NotATranscript as exc:
        assert str(exc)


@SETTINGS
@given(JSON_VALUES | TURN_LISTS | TURN_LISTS.map(lambda turns: {"candidate_name": "Ann", "transcript_json": turns})
       | TURN_LISTS.map(lambda turns: {"role": "X", "transcript_json": json.dumps(turns)}))
def test_any_json_is_parsed_or_refused_with_a_reason(value):
    try:
        check(parse_transcript_text(json.dumps(value)))
    except NotATranscript as exc:
        assert str(exc)


CUES = st.lists(st.builds(Cue, st.sampled_from(["A", "B", "C"]), st.text(max_size=12),
                          st.floats(0, 10_000, allow_nan=False)), max_size=30)


@SETTINGS
@given(CUES)
def test_merging_keeps_every_word_in_order_and_alternates_speakers(cues):
    turns, duration = merge_cues(cues)
    spoken = [c for c in cues if c.text.strip()]
    assert " ".join(t.text for t in turns) == " ".join(c.text.strip() for c in spoken)
    assert len(turns) <= len(spoken)
    assert all(a.speaker != b.speaker for a, b in zip(turns, turns[1:], strict=False))
    runs = [c.speaker for i, c in enumerate(spoken) if i == 0 or spoken[i - 1].speaker != c.speaker]
    assert [t.speaker for t in turns] == runs  # one turn per run of one speaker's cues
    if turns:
        assert turns[0].elapsed == 0.0 and duration >= turns[-1].elapsed
        assert all(0 <= a.elapsed <= b.elapsed for a, b in zip(turns, turns[1:], strict=False))


@SETTINGS
@given(st.lists(st.builds(Cue, st.sampled_from(["A", "B"]), st.text(min_size=1, max_size=8).filter(str.strip),
                          st.integers(0, 5000).map(float)), min_size=1, max_size=20).map(
    lambda cues: sorted(cues, key=lambda c: c.start)))
def test_a_turn_takes_its_first_cues_time(cues):
    turns, _ = merge_cues(cues)
    origin = cues[0].start
    starts = [c.start - origin for i, c in enumerate(cues) if i == 0 or cues[i - 1].speaker != c.speaker]
    assert [t.elapsed for t in turns] == starts


# --- every format gives back the conversation written into it -------------------------------------
NAMES = st.from_regex(r"[A-Z][a-z]{1,7}( [A-Z][a-z]{1,7})?", fullmatch=True)
TEXTS = st.lists(st.from_regex(r"[A-Za-z0-9.,?!']{1,9}", fullmatch=True), min_size=1, max_size=8).map(" ".join)


@st.composite
def conversations(draw):
    people = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    count = draw(st.integers(1, 12))
    gaps = draw(st.lists(st.integers(1, 4000), min_size=count, max_size=count))
    start = draw(st.integers(0, 300))
    times = [start + sum(gaps[:i]) for i in range(count)]
    return [(draw(st.sampled_from(people)), draw(TEXTS), float(t)) for t in times]


def clock(seconds: float, millis: bool, sep: str = ".") -> str:
    s = int(seconds)
    text = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{text}{sep}000" if millis else text


def as_vtt(conv):
    cues = [f"{clock(t, True)} --> {clock(t + 1, True)} align:start\n<v {who}>{text}</v>" for who, text, t in conv]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def as_zoom_vtt(conv):
    cues = [f"{i}\n{clock(t, True)} --> {clock(t + 1, True)}\n{who}: {text}" for i, (who, text, t) in enumerate(conv)]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def as_srt(conv):
    return "\n\n".join(f"{i}\n{clock(t, True, ',')} --> {clock(t + 1, True, ',')}\n{who}: {text}"
                       for i, (who, text, t) in enumerate(conv, start=1)) + "\n"


def as_bracketed(conv):
    return "\n".join(f"[{clock(t, False)}] {who}: {text}" for who, text, t in conv) + "\n"


def as_otter(conv):
    def stamp(t):
        s = int(t)
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    return "\n\n".join(f"{who}  {stamp(t)}\n{text}" for who, text, t in conv) + "\n"


def as_json(conv):
    return json.dumps([{"speaker": "candidate" if who == conv[0][0] else "interviewer", "speaker_name": who,
                        "content": text, "sequence_no": i, "timestamp_sec": 1767254400 + t}
                       for i, (who, text, t) in enumerate(conv, start=1)])


def expected(conv):
    cues = [Cue(who, text, t) for who, text, t in conv]
    turns, _ = merge_cues(cues)
    return [(t.speaker, t.text, t.elapsed) for t in turns]


@SETTINGS
@given(conversations(), st.sampled_from([as_vtt, as_zoom_vtt, as_srt, as_bracketed, as_otter]))
def test_each_format_gives_back_its_conversation(conv, render):
    parsed = parse_transcript_text(render(conv))
    assert [(t.speaker, t.text, t.elapsed) for t in parsed.turns] == expected(conv)
    assert parsed.skipped == 0


@SETTINGS
@given(conversations())
def test_meetmind_json_gives_back_its_conversation(conv):
    parsed = parse_transcript_text(as_json(conv))
    assert [(t.speaker, t.text, t.elapsed) for t in parsed.turns] == expected(conv)
    assert parsed.candidate_speaker == conv[0][0]
