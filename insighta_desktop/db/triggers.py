"""Triggers and functions installed after the tables exist (run on create and after every upgrade).

Each statement must be idempotent (CREATE OR REPLACE / IF NOT EXISTS): it runs again after each upgrade.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from insighta_desktop.db.name_index import install_name_index
from insighta_desktop.db.profile_counts import install_profile_triggers
from insighta_desktop.db.transcript_index import install_transcript_index_triggers


def install_triggers(conn: Connection) -> None:
    """Install the dialect's triggers."""
    install_profile_triggers(conn)
    install_name_index(conn)
    install_transcript_index_triggers(conn)
