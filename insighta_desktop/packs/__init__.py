"""Review packs: interviews (and a profile search result) exported to one portable SQLite file, opened offline."""
from insighta_desktop.packs.format import (
    FILE_SUFFIX, FORMAT_VERSION, Manifest, NotAPack, PackCorrupted, PackError, PackTampered, PackTooNew)
from insighta_desktop.packs.reader import ReviewPack, open_pack, verify
from insighta_desktop.packs.search_snapshot import SearchSnapshot, snapshot_search
from insighta_desktop.packs.writer import export_pack

__all__ = ["FILE_SUFFIX", "FORMAT_VERSION", "Manifest", "NotAPack", "PackCorrupted", "PackError", "PackTampered",
           "PackTooNew", "ReviewPack", "SearchSnapshot", "export_pack", "open_pack", "snapshot_search", "verify"]
