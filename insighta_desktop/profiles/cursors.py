"""Keyset page cursors: the last row's sort value and id, tied to the filters that produced them."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime

from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.filters import ProfileFilters


def _fingerprint(filters: ProfileFilters) -> str:
    return hashlib.sha256(filters.cache_key().encode()).hexdigest()[:12]


def encode_cursor(filters: ProfileFilters, sort_value: object, row_id: object) -> str:
    if isinstance(sort_value, datetime):
        sort_value = {"t": sort_value.isoformat()}
    payload = [_fingerprint(filters), sort_value, str(row_id)]
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(filters: ProfileFilters, cursor: str) -> tuple[object, object]:
    """(sort value, id) from a cursor made for these filters; InvalidQueryParameters for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        fingerprint, sort_value, row_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidQueryParameters("the page cursor is not valid; start again from the first page") from None
    if fingerprint != _fingerprint(filters):
        raise InvalidQueryParameters("the page cursor belongs to another query; start again from the first page")
    if isinstance(sort_value, dict) and set(sort_value) == {"t"} and isinstance(sort_value["t"], str):
        try:
            sort_value = datetime.fromisoformat(sort_value["t"])
        except ValueError:
            raise InvalidQueryParameters("the page cursor is not valid; start again from the first page") from None
    elif not isinstance(sort_value, (int, float, str)) or isinstance(sort_value, bool):
        raise InvalidQueryParameters("the page cursor is not valid; start again from the first page")
    if not isinstance(row_id, str) or len(row_id) > 40:
        raise InvalidQueryParameters("the page cursor is not valid; start again from the first page")
    return sort_value, row_id
