"""Plain paging over all profiles, newest first: what the Profiles tab shows before any search."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from insighta_desktop.db.profile_store import ProfileStore, profile_store_for
from insighta_desktop.profiles.model import Profile

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class ProfilePage:
    rows: list[Profile]
    offset: int
    total: int


def browse_profiles(store: ProfileStore | Engine, offset: int = 0, limit: int = 100) -> ProfilePage:
    store = store if isinstance(store, ProfileStore) else profile_store_for(store)
    rows, total = store.browse(offset, limit)
    return ProfilePage(rows, offset, total)
