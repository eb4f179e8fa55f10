"""Statements on `import_mappings`: the column mapping last chosen for a header row, offered for the next such file."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db.schema import import_mappings


def get_mapping(engine: Engine, signature: str) -> tuple[str, str, datetime] | None:
    """(headers_json, mapping_json, updated_at) saved for this header signature, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(import_mappings.c.headers_json, import_mappings.c.mapping_json,
                                     import_mappings.c.updated_at)
                           .where(import_mappings.c.header_signature == signature)).first()
    return (row[0], row[1], row[2]) if row else None


def save_mapping(engine: Engine, signature: str, headers_json: str, mapping_json: str, now: datetime) -> None:
    values = {"headers_json": headers_json, "mapping_json": mapping_json, "updated_at": now}
    with engine.begin() as conn:
        updated = conn.execute(sa.update(import_mappings)
                               .where(import_mappings.c.header_signature == signature).values(**values)).rowcount
        if not updated:
            conn.execute(import_mappings.insert().values(header_signature=signature, **values))


def forget_mapping(engine: Engine, signature: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(import_mappings).where(import_mappings.c.header_signature == signature))
