"""Triggers and functions installed after the tables exist (run on create and after every upgrade).

Each statement must be idempotent (CREATE OR REPLACE / IF NOT EXISTS): it runs again after each upgrade.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection


def install_triggers(conn: Connection) -> None:
    """Install the dialect's triggers; none are needed by the base schema."""
    del conn
