"""A source database with interviews stored every way the app meets them, plus chat history."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.model import Citation


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
