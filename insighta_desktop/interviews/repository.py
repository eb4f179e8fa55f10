"""Blocking database access for interviews (run it on a worker thread; the services do). The statements live in
db/interview_store.py, behind the storage boundary; this module is the interviews package's name for them."""
from __future__ import annotations

from insighta_desktop.db.interview_store import (
    InterviewView,
    NotFound,
    ReviewSources,
    TranscriptSources,
    add_chat_exchange,
    get_assessment,
    get_interview,
    list_chat,
    list_interviews,
    load_for_review,
    load_interview_view,
    load_transcript_sources,
)

__all__ = ["InterviewView", "NotFound", "ReviewSources", "TranscriptSources", "add_chat_exchange", "get_assessment",
           "get_interview", "list_chat", "list_interviews", "load_for_review", "load_interview_view",
           "load_transcript_sources"]
