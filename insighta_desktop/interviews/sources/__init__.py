"""Interview transcripts from files: WebVTT, SRT, MeetMind JSON and plain text. Pure functions, no Qt, no SQL."""
from insighta_desktop.interviews.sources.detect import MAX_BYTES, parse_transcript, parse_transcript_text
from insighta_desktop.interviews.sources.model import (
    FORMAT_LABELS,
    NotATranscript,
    ParsedTranscript,
    ParsedTurn,
    merge_cues,
)

__all__ = ["FORMAT_LABELS", "MAX_BYTES", "NotATranscript", "ParsedTranscript", "ParsedTurn", "merge_cues",
           "parse_transcript", "parse_transcript_text"]
