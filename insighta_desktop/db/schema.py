"""One schema for SQLite and PostgreSQL, as SQLAlchemy Core tables.

The version in SCHEMA_VERSION is what this build writes; db/migrations.py creates, upgrades or refuses a database.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from insighta_desktop.profiles.names import fold
from insighta_desktop.timestamps import as_utc

SCHEMA_VERSION = 11

metadata = sa.MetaData()


class UtcDateTimeType(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes on both back ends (SQLite keeps no zone; PostgreSQL answers in the session's zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return as_utc(value)


UtcDateTime = UtcDateTimeType()
# One float type on both back ends and for parameters: a REAL column compared with a double parameter drops
# rows equal to the threshold (0.9 as real is not >= 0.9 as double).
Probability: sa.Double[float] = sa.Double()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", UtcDateTime, nullable=False),
    sa.Column("app_version", sa.String(32), nullable=False),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_key", sa.String(200), nullable=False),
    sa.Column("gender", sa.String(6), nullable=False),
    sa.Column("gender_probability", Probability),
    sa.Column("age", sa.Integer, nullable=False),
    sa.Column("age_group", sa.String(8), nullable=False),
    sa.Column("country_id", sa.String(2), nullable=False),
    sa.Column("country_name", sa.String(80), nullable=False),
    sa.Column("country_probability", Probability),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("import_run_id", sa.Integer),
    sa.Column("source_line", sa.Integer),
    # The name's search key (profiles/names.py fold: case and accents folded, words of letters and digits), written
    # with every row (COPY and executemany compute it; SQLAlchemy inserts by this default); its words go to
    # profile_name_words by trigger (db/name_index.py).
    sa.Column("name_search", sa.String(200), default=lambda ctx: fold(ctx.get_current_parameters()["name"])),
    sa.Index("uq_profiles_name_key", "name_key", unique=True),
    # Chosen by measuring the plans of the search mix on 5,000,000 rows (tests/benchmarks/bench_search.py): each
    # sort order has an index that returns the first page without sorting (id breaks ties, for keyset paging),
    # country and gender filters have one that leads with them, and the probabilities ride along so counts and
    # facet samples with a probability filter read the index alone (on SQLite as much as on PostgreSQL).
    sa.Index("ix_profiles_country_gender_age", "country_id", "gender", "age", "gender_probability",
             "country_probability"),
    sa.Index("ix_profiles_country_created_at", "country_id", "created_at"),
    sa.Index("ix_profiles_created_at", "created_at", "id"),
    sa.Index("ix_profiles_age", "age", "id"),
    # Country and age after the name (schema version 10): a walk in name order within a gender checks them on the
    # index entry, so "women in their 30s from Ghana sorted by name" reads ~100 profiles, not the ~19,000 of the
    # walk (on 5,000,000 rows: 80-250 ms -> 1.5 ms with 128 MB of shared buffers).
    sa.Index("ix_profiles_gender_name_key", "gender", "name_key", "country_id", "age"),
)
# The sort expression for gender_probability (unknown sorts lowest); search_sql.SORT_EXPRESSIONS uses the same text.
sa.Index("ix_profiles_gender_probability",
         sa.func.coalesce(profiles.c.gender_probability, sa.literal_column("-1.0")), profiles.c.id)

# Name search (schema version 9, db/name_index.py): each word of each profile's name_search, kept by triggers; the
# primary key answers "a word starting with ..." (a range in binary / "C" order) for every word of a name.
_Word = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
profile_name_words = sa.Table(
    "profile_name_words",
    metadata,
    sa.Column("word", _Word, primary_key=True),
    sa.Column("profile_id", sa.Uuid(as_uuid=False), primary_key=True),
    # A profile's words: the per-row probe of a common name (does this profile have a word starting so?) is a point
    # lookup here, where the primary key would scan every row of the word; deletes find a profile's words too.
    sa.Index("ix_profile_name_words_profile", "profile_id", "word"),
    sqlite_with_rowid=False,
)
# Every distinct name word, for the fuzzy match (pg_trgm GIN index on PostgreSQL, an FTS5 trigram table on SQLite).
name_words = sa.Table(
    "name_words",
    metadata,
    sa.Column("word", _Word, primary_key=True),
    sqlite_with_rowid=False,
)

# Exact totals and facets for search: profiles per gender x age x country (a few thousand rows), kept in step with
# every write to profiles by the triggers in db/profile_counts.py, together with a data version that any change
# bumps (search results are cached per data version).
# PostgreSQL: every import batch rewrites thousands of these rows. With full pages each new version went to another
# page and the old ones stayed until a VACUUM (none, where autovacuum is off or behind): a 500,000-row import left
# 262,000 dead rows (0.7 MB -> 13 MB) and every total and facet read them (a sum over ages 1.3 -> 18 ms). Half-empty
# pages keep the new version on the same page (a HOT update), where the next reader prunes the old one: 2 ms after
# the same import (COUNTS_FILLFACTOR, measured 2 Dec 2026).
COUNTS_FILLFACTOR = 50
profile_counts = sa.Table(
    "profile_counts",
    metadata,
    sa.Column("country_id", sa.String(2), primary_key=True),
    sa.Column("gender", sa.String(6), primary_key=True),
    sa.Column("age", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("n", sa.Integer, nullable=False),
    postgresql_with={"fillfactor": str(COUNTS_FILLFACTOR)},
)

profile_data_version = sa.Table(
    "profile_data_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)

import_runs = sa.Table(
    "import_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("file_size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # running | completed | cancelled | failed
    sa.Column("encoding", sa.String(16)),
    sa.Column("batch_size", sa.Integer),
    sa.Column("total_rows", sa.Integer, nullable=False, server_default="0"),
    sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reasons_json", sa.Text, nullable=False, server_default="{}"),
    sa.Column("last_offset", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_line", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rejects_path", sa.String(1000)),
    sa.Column("error", sa.Text),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    # Version 8: how the file was read and merged, who runs it, and the run a "fixed rows" import came from.
    sa.Column("delimiter", sa.String(4)),
    sa.Column("mapping_json", sa.Text),  # {"name": "Full Name", ...}: profile field -> the file's column
    sa.Column("on_duplicate", sa.String(8)),  # skip | update
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("owner_host", sa.String(255)),
    sa.Column("owner_pid", sa.Integer),
    sa.Column("heartbeat_at", UtcDateTime),
    sa.Column("parent_run_id", sa.Integer),  # the run whose rejected rows this run imports, fixed
    sa.Index("ix_import_runs_sha256", "sha256"),
)

# Version 8: the column mapping last used for a file with these headers, offered again for the next such file.
import_mappings = sa.Table(
    "import_mappings",
    metadata,
    sa.Column("header_signature", sa.String(64), primary_key=True),  # sha256 of the normalised header row
    sa.Column("headers_json", sa.Text, nullable=False),
    sa.Column("mapping_json", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

import_rejects = sa.Table(
    "import_rejects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("import_runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("line_number", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("raw_line", sa.Text, nullable=False),
    sa.Index("ix_import_rejects_run_line", "run_id", "line_number"),
)

interviews = sa.Table(
    "interviews",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("candidate_name", sa.String(200), nullable=False),
    sa.Column("candidate_email", sa.String(320)),
    sa.Column("role", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # scheduled | in_progress | completed | cancelled
    sa.Column("rubric_json", sa.Text, nullable=False, server_default="[]"),  # list of skill names
    sa.Column("scheduled_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_interviews_scheduled_at", "scheduled_at"),
)

interview_sessions = sa.Table(
    "interview_sessions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("ended_at", UtcDateTime),
    sa.Column("status", sa.String(16), nullable=False),  # active | completed | abandoned
    # JSON list of {speaker, content, sequence_no, timestamp_sec} with Unix-seconds timestamps.
    sa.Column("transcript_json", sa.Text),
    sa.Index("ix_interview_sessions_interview", "interview_id"),
)

transcript_turns = sa.Table(
    "transcript_turns",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("session_id", sa.String(36), sa.ForeignKey("interview_sessions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sequence_no", sa.Integer, nullable=False),
    sa.Column("speaker", sa.String(32), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("timestamp_sec", sa.Double, nullable=False),  # Unix seconds
    sa.UniqueConstraint("session_id", "sequence_no", name="uq_transcript_turns_session_seq"),
)
# Full-text search over the turns is dialect-specific DDL in db/transcript_index.py (version 4): on PostgreSQL a
# generated tsvector column with a GIN index and an index on timestamp_sec, on SQLite an FTS5 table kept by triggers.
# It is created with the app's database, not by metadata.create_all (a review pack copies turns without an index).

# Who spoke in a session: the key its turns carry (candidate, interviewer, interviewer-2…), the person's name and
# their part. A session without rows here (MeetMind's, the demo's) labels its speakers from the key alone.
interview_speakers = sa.Table(
    "interview_speakers",
    metadata,
    sa.Column("session_id", sa.String(36), sa.ForeignKey("interview_sessions.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("speaker", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(12), nullable=False),  # candidate | interviewer
)

# The file an imported interview came from; its SHA-256 is unique, so the same file is imported once.
interview_sources = sa.Table(
    "interview_sources",
    metadata,
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source_format", sa.String(20), nullable=False),  # webvtt | srt | meetmind-json | text-…
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("file_size", sa.BigInteger, nullable=False),
    sa.Column("cues", sa.Integer, nullable=False),
    sa.Column("skipped_cues", sa.Integer, nullable=False),
    sa.Column("imported_at", UtcDateTime, nullable=False),
    sa.Index("uq_interview_sources_sha256", "sha256", unique=True),
)

assessments = sa.Table(
    "assessments",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # pending | generating | completed | failed
    sa.Column("content_json", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("model", sa.String(100)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime),
    sa.Column("completed_at", UtcDateTime),
    # while generating: the app doing it (host, process id) and its last sign of life (version 6)
    sa.Column("owner_host", sa.String(255)),
    sa.Column("owner_pid", sa.Integer),
    sa.Column("heartbeat_at", UtcDateTime),
    sa.Index("ix_assessments_interview", "interview_id"),
)

chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    sa.Column("role", sa.String(10), nullable=False),  # user | assistant
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("citations_json", sa.Text, nullable=False, server_default="[]"),
    sa.Column("source", sa.String(16)),  # gemini | local
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_chat_messages_interview", "interview_id", "created_at"),
)

email_outbox = sa.Table(
    "email_outbox",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="SET NULL")),
    sa.Column("to_address", sa.String(320), nullable=False),
    sa.Column("subject", sa.String(500), nullable=False),
    sa.Column("body_text", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text),
    sa.Column("status", sa.String(8), nullable=False),  # queued | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
    sa.Column("provider_message_id", sa.String(100)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime),
    sa.Index("ix_email_outbox_status", "status"),
)

# Interviews copied from a MeetMind database (interviews/meetmind_sync.py): one row per synced interview with the
# fingerprint of what MeetMind held at the last sync (a changed fingerprint means copy it again), the transcript
# source the app serves, and MeetMind's own assessment, shown beside the app's.
meetmind_interviews = sa.Table(
    "meetmind_interviews",
    metadata,
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("source_label", sa.String(500), nullable=False),  # the MeetMind URL, password masked
    sa.Column("synced_at", UtcDateTime, nullable=False),
    sa.Column("transcript_source", sa.String(20), nullable=False),  # transcript_turns | transcript_json | none
    sa.Column("turns", sa.Integer, nullable=False),
    sa.Column("notes", sa.Integer, nullable=False),
    sa.Column("speakers_json", sa.Text, nullable=False, server_default="{}"),  # label -> names, e.g. Meet Mind
    sa.Column("assessment_json", sa.Text),  # {"observation", "highlights", "red_flags"}
    sa.Column("assessment_status", sa.String(20)),
    sa.Column("assessment_generated_at", UtcDateTime),
)

# Notes kept apart from the transcript (MeetMind's `user`/`assistant` turns: a recruiter's notes and the AI
# assistant's replies), in the order they were written.
interview_notes = sa.Table(
    "interview_notes",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sequence_no", sa.Integer, nullable=False),
    sa.Column("speaker", sa.String(32), nullable=False),  # user | assistant
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("timestamp_sec", sa.Double),  # Unix seconds
    sa.Column("source", sa.String(20), nullable=False),  # transcript_turns | transcript_json
    sa.Index("ix_interview_notes_interview", "interview_id", "sequence_no"),
)

# Turns a recruiter marked in a transcript (one turn or a range), with an optional note. Turn ids are the stable
# uuid5 ids of interviews.model.turn_id, the same whether the transcript is served from the turns table or the JSON.
interview_highlights = sa.Table(
    "interview_highlights",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("interview_id", sa.String(36), sa.ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    sa.Column("first_turn_id", sa.String(36), nullable=False),
    sa.Column("last_turn_id", sa.String(36), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_interview_highlights_interview", "interview_id", "created_at"),
)

# Searches saved under a name and the recent searches, shared by everyone on this database (version 7).
saved_searches = sa.Table(
    "saved_searches",
    metadata,
    sa.Column("name_key", sa.String(200), primary_key=True),  # the name folded: case and spacing do not count
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("filters_json", sa.Text, nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
)

search_history = sa.Table(
    "search_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("filters_json", sa.Text, nullable=False),
    sa.Column("searched_at", UtcDateTime, nullable=False),
)
